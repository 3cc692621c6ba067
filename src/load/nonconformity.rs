//! `content/nonconformities.yaml`: the nonconformities and their corrective actions (10.2),
//! read with positions so every problem is reported at its line.

use std::path::Path;
use std::str::FromStr;

use super::action;
use super::model::Spanned;
use super::record::{Effectiveness, Nonconformity};
use super::yaml::{self, Node, Value};
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::suggest::did_you_mean;
use crate::core::types::{ActionKind, ControlId, NonconformityId};

pub const FILE: &str = "content/nonconformities.yaml";

const KEYS: [&str; 12] = [
    "raised",
    "source",
    "severity",
    "description",
    "controls",
    "clauses",
    "root_cause",
    "correction",
    "actions",
    "effectiveness",
    "closed",
    "extra",
];

const SHAPE: &str = "write one entry per nonconformity:\nNC-2026-03:\n  raised: 2026-09-15\n  source: internal-audit\n  severity: minor\n  description: …\n  actions: [{ id: CA-2026-03-1, action: …, owner: ROLE, due: 2026-12-15, status: planned }]";

/// The nonconformities in file order, and the control ids that did not parse (reported by
/// the check with the catalogue's help).
pub fn read(text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Nonconformity> {
    let file = Path::new(FILE);
    let root = match yaml::parse(text, 1) {
        Ok(Some(root)) => root,
        Ok(None) => return Vec::new(),
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Code::FrontMatter,
                    file,
                    format!("invalid YAML: {}", e.message),
                )
                .at(e.span)
                .help(SHAPE),
            );
            return Vec::new();
        }
    };
    let Value::Map(entries) = &root.value else {
        if !root.is_null() {
            diags.push(
                Diagnostic::error(
                    Code::FrontMatter,
                    file,
                    format!(
                        "nonconformities.yaml must map ids to entries, not {}",
                        root.kind()
                    ),
                )
                .at(root.span)
                .help(SHAPE),
            );
        }
        return Vec::new();
    };
    let mut out: Vec<Nonconformity> = Vec::new();
    for (key, value) in entries {
        let r = &mut Entry { file, diags };
        let Some(id) = r.parse::<NonconformityId>(key, "id") else {
            continue;
        };
        if let Some(first) = out.iter().find(|n| n.id.value == id) {
            r.diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    file,
                    format!(
                        "duplicate nonconformity {id} (first at line {})",
                        first.id.span.line
                    ),
                )
                .at(key.span)
                .help("give it the next free number"),
            );
            continue;
        }
        out.push(r.entry(
            Spanned {
                value: id,
                span: key.span,
            },
            value,
        ));
    }
    out
}

struct Entry<'a> {
    file: &'a Path,
    diags: &'a mut Vec<Diagnostic>,
}

impl Entry<'_> {
    fn error(&mut self, code: Code, span: Span, message: String, help: &str) {
        self.diags.push(
            Diagnostic::error(code, self.file, message)
                .at(span)
                .help(help),
        );
    }

    fn text(&mut self, node: &Node, key: &str) -> Option<String> {
        match &node.value {
            Value::Scalar { text, .. } if !node.is_null() => Some(text.trim().to_string()),
            _ => {
                let message = format!("`{key}` must be a single value, not {}", node.kind());
                self.error(Code::FrontMatter, node.span, message, SHAPE);
                None
            }
        }
    }

    fn parse<T: FromStr<Err = String>>(&mut self, node: &Node, key: &str) -> Option<T> {
        let text = self.text(node, key)?;
        match text.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                let message = format!("`{key}`: {e}");
                self.error(Code::FrontMatter, node.span, message, SHAPE);
                None
            }
        }
    }

    fn list<'n>(&mut self, node: &'n Node, key: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            _ if node.is_null() => &[],
            _ => {
                let message = format!("`{key}` must be a list such as [A, B]");
                self.error(Code::FrontMatter, node.span, message, SHAPE);
                &[]
            }
        }
    }

    /// Control ids; one that does not parse is reported with the catalogue's help.
    fn controls(&mut self, node: &Node, key: &str) -> Vec<Spanned<ControlId>> {
        let mut out = Vec::new();
        for item in self.list(node, key) {
            let Some(text) = self.text(item, key) else {
                continue;
            };
            match ControlId::from_str(&text) {
                Ok(c) => out.push(Spanned {
                    value: c,
                    span: item.span,
                }),
                Err(_) => self.diags.push(crate::core::catalog::unknown_control(
                    self.file, &text, item.span,
                )),
            }
        }
        out
    }

    fn entry(&mut self, id: Spanned<NonconformityId>, node: &Node) -> Nonconformity {
        let mut nc = Nonconformity {
            id,
            raised: None,
            source: None,
            severity: None,
            description: String::new(),
            controls: Vec::new(),
            clauses: Vec::new(),
            root_cause: String::new(),
            correction: String::new(),
            actions: Vec::new(),
            effectiveness: None,
            closed: None,
        };
        let Value::Map(pairs) = &node.value else {
            let message = format!("{} must be a mapping of its fields", nc.id.value);
            self.error(Code::FrontMatter, node.span, message, SHAPE);
            return nc;
        };
        for (key, value) in pairs {
            let name = match &key.value {
                Value::Scalar { text, .. } => text.as_str(),
                _ => "",
            };
            match name {
                "raised" => nc.raised = self.parse(value, name),
                "source" => nc.source = self.parse(value, name),
                "severity" => nc.severity = self.parse(value, name),
                "description" => nc.description = self.text(value, name).unwrap_or_default(),
                "root_cause" => nc.root_cause = self.text(value, name).unwrap_or_default(),
                "correction" => nc.correction = self.text(value, name).unwrap_or_default(),
                "controls" => nc.controls = self.controls(value, name),
                "clauses" => {
                    for item in self.list(value, name) {
                        if let Some(text) = self.text(item, name) {
                            nc.clauses.push(Spanned {
                                value: text,
                                span: item.span,
                            });
                        }
                    }
                }
                "actions" => {
                    nc.actions = action::read_list(
                        value,
                        ActionKind::Corrective,
                        self.file,
                        Code::FrontMatter,
                        self.diags,
                    )
                }
                "effectiveness" => nc.effectiveness = self.effectiveness(value),
                "closed" => {
                    nc.closed = self.parse(value, name).map(|d| Spanned {
                        value: d,
                        span: value.span,
                    })
                }
                "extra" => {}
                _ => {
                    let help = match did_you_mean(name, KEYS) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("a nonconformity has the keys {}", KEYS.join(", ")),
                    };
                    let message = format!("unknown key `{name}` in {}", nc.id.value);
                    self.error(Code::UnknownField, key.span, message, &help);
                }
            }
        }
        let missing: Vec<&str> = [
            ("raised", nc.raised.is_none()),
            ("description", nc.description.is_empty()),
        ]
        .into_iter()
        .filter(|(k, absent)| {
            *absent
                && !pairs
                    .iter()
                    .any(|(key, _)| matches!(&key.value, Value::Scalar { text, .. } if text == k))
        })
        .map(|(k, _)| k)
        .collect();
        if !missing.is_empty() {
            let message = format!("{} needs {}", nc.id.value, missing.join(" and "));
            self.error(Code::MissingField, nc.id.span, message, SHAPE);
        }
        nc
    }

    fn effectiveness(&mut self, node: &Node) -> Option<Effectiveness> {
        const HELP: &str =
            "write it like: effectiveness: { checked: 2027-01-10, by: CISO, effective: true }";
        let Value::Map(pairs) = &node.value else {
            if !node.is_null() {
                let message = format!("`effectiveness` must be a mapping, not {}", node.kind());
                self.error(Code::FrontMatter, node.span, message, HELP);
            }
            return None;
        };
        let mut e = Effectiveness {
            checked: None,
            by: String::new(),
            effective: None,
            span: node.span,
        };
        for (key, value) in pairs {
            let name = match &key.value {
                Value::Scalar { text, .. } => text.as_str(),
                _ => "",
            };
            match name {
                "checked" => e.checked = self.parse(value, "effectiveness.checked"),
                "by" => e.by = self.text(value, "effectiveness.by").unwrap_or_default(),
                "effective" => match self.text(value, "effectiveness.effective").as_deref() {
                    Some("true") => e.effective = Some(true),
                    Some("false") => e.effective = Some(false),
                    Some(other) => {
                        let message = format!(
                            "`effectiveness.effective` must be true or false, not `{other}`"
                        );
                        self.error(Code::FrontMatter, value.span, message, HELP);
                    }
                    None => {}
                },
                _ => {
                    let keys = ["checked", "by", "effective"];
                    let help = match did_you_mean(name, keys) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => HELP.to_string(),
                    };
                    let message = format!("unknown key `{name}` in effectiveness");
                    self.error(Code::UnknownField, key.span, message, &help);
                }
            }
        }
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_with_positions_and_typos_are_reported() {
        let mut diags = Vec::new();
        let ncs = read(
            "NC-2026-03:\n  raised: 2026-09-15\n  description: Late leavers\n  controls: [A.5.18]\n  actions:\n    - { id: CA-2026-03-1, action: Checklist, owner: HR, due: 2026-12-15, status: planned }\n  root_cuase: x\n",
            &mut diags,
        );
        assert_eq!(ncs.len(), 1);
        assert_eq!(ncs[0].actions[0].kind, ActionKind::Corrective);
        assert_eq!(ncs[0].actions[0].id.span.line, 6);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].span.unwrap().line, 7);
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `root_cause`?"));
    }
}
