//! Reading the `record:` block of a record and the `activities:` of a procedure. Their keys
//! are rows of the schema table (so unknown keys get a "did you mean" and the reference lists
//! them); the values are read here.

use std::str::FromStr;

use super::{Fields, Reader};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::types::{ActionKind, ControlId, Interval};
use crate::load::action;
use crate::load::model::Spanned;
use crate::load::record::{Activity, Record};
use crate::load::yaml::{Node, Value};

/// The activity being read: its fields' setters fill it, `activities` takes it.
#[derive(Debug, Default)]
pub(super) struct ActivityDraft {
    id: Option<Spanned<crate::core::types::ActivityId>>,
    what: Option<String>,
    every: Option<Interval>,
    owner: Option<Spanned<String>>,
    controls: Vec<Spanned<ControlId>>,
}

impl Reader<'_> {
    fn spanned<T: FromStr<Err = String>>(&mut self, n: &Node, k: &str) -> Option<Spanned<T>> {
        self.parse(n, k).map(|value| Spanned {
            value,
            span: n.span,
        })
    }

    fn each<T: FromStr<Err = String>>(&mut self, n: &Node, k: &str) -> Vec<Spanned<T>> {
        self.list(n, k)
            .into_iter()
            .filter_map(|item| self.spanned(item, k))
            .collect()
    }

    fn texts(&mut self, n: &Node, k: &str) -> Vec<Spanned<String>> {
        self.list(n, k)
            .into_iter()
            .filter_map(|item| self.spanned_text(item, k))
            .collect()
    }

    fn control_list(&mut self, n: &Node, k: &str, f: &mut Fields) -> Vec<Spanned<ControlId>> {
        let mut out = Vec::new();
        for item in self.list(n, k) {
            let Some(text) = self.text(item, k) else {
                continue;
            };
            match ControlId::from_str(&text) {
                Ok(value) => out.push(Spanned {
                    value,
                    span: item.span,
                }),
                Err(_) => f.bad_controls.push(Spanned {
                    value: text,
                    span: item.span,
                }),
            }
        }
        out
    }

    /// `record:`: a mapping whose keys are the schema's `record.*` rows.
    pub(super) fn record(&mut self, node: &Node, key: &'static str, f: &mut Fields) {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(
                node,
                key,
                "a mapping with `kind`, `date` and the fields of the kind",
            );
            return;
        };
        // Diagnostics about the block as a whole point at its key.
        let key_span = f.key_spans.iter().rev().find(|(k, _)| *k == key);
        f.record = Some(Record::new(key_span.map_or(node.span, |&(_, s)| s)));
        for (field, _, value) in self.unique_entries(entries, key, "record") {
            f.spans.push((field.name, value.span));
            if let Some(r) = &mut f.record {
                r.keys.push((field.name, value.span));
            }
            (field.set)(self, field.name, value, f);
        }
        let missing: Vec<&str> = ["record.kind", "record.date"]
            .into_iter()
            .filter(|name| !f.spans.iter().any(|(k, _)| k == name))
            .map(|name| &name["record.".len()..])
            .collect();
        if !missing.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    Code::MissingField,
                    self.file,
                    format!("a record block needs {}", missing.join(" and ")),
                )
                .at(node.span)
                .help("write it like: record: { kind: activity, activity: ACT-01, date: 2026-10-03 }  (kinds: internal-audit, management-review, activity)"),
            );
        }
    }

    /// One key of `record:` (or of its `scope:`).
    pub(super) fn record_field(&mut self, key: &'static str, n: &Node, f: &mut Fields) {
        let mut r = f.record.take().unwrap_or_else(|| Record::new(n.span));
        match key {
            "record.kind" => r.kind = self.parse(n, key),
            "record.date" => r.date = self.spanned(n, key),
            "record.auditor" => r.auditor = self.text(n, key),
            "record.independent" => r.independent = self.boolean(n, key),
            "record.scope" => match &n.value {
                Value::Map(entries) => {
                    for (field, _, value) in self.unique_entries(entries, key, "record.scope") {
                        f.spans.push((field.name, value.span));
                        f.record = Some(r);
                        (field.set)(self, field.name, value, f);
                        r = f.record.take().unwrap_or_else(|| Record::new(n.span));
                    }
                }
                _ => self.wrong_type(n, key, "a mapping of clauses and controls"),
            },
            "record.scope.clauses" => r.scope_clauses = self.texts(n, key),
            "record.scope.controls" => r.scope_controls = self.control_list(n, key, f),
            "record.findings" => r.findings = self.each(n, key),
            "record.attendees" => r.attendees = self.texts(n, key),
            "record.inputs" => r.inputs = self.each(n, key),
            "record.actions" => {
                r.actions = action::read_list(
                    n,
                    ActionKind::ManagementReview,
                    self.file,
                    Code::FrontMatter,
                    self.diags,
                )
            }
            "record.activity" => r.activity = self.spanned(n, key),
            _ => {}
        }
        f.record = Some(r);
    }

    fn boolean(&mut self, n: &Node, key: &str) -> Option<bool> {
        match self.text(n, key)?.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                self.diags.push(
                    Diagnostic::error(
                        Code::FrontMatter,
                        self.file,
                        format!("`{key}` must be true or false, not `{other}`"),
                    )
                    .at(n.span),
                );
                None
            }
        }
    }

    /// `activities:`: a list of mappings whose keys are the schema's `activities.*` rows.
    pub(super) fn activities(&mut self, node: &Node, key: &'static str, f: &mut Fields) {
        for item in self.list(node, key) {
            let Value::Map(entries) = &item.value else {
                self.wrong_type(
                    item,
                    key,
                    "a list of mappings of id, what, every, owner, controls",
                );
                continue;
            };
            f.activity = ActivityDraft::default();
            for (field, _, value) in self.unique_entries(entries, key, "an activity") {
                f.spans.push((field.name, value.span));
                (field.set)(self, field.name, value, f);
            }
            let d = std::mem::take(&mut f.activity);
            let missing: Vec<&str> = [
                ("id", d.id.is_none()),
                ("what", d.what.is_none()),
                ("every", d.every.is_none()),
                ("owner", d.owner.is_none()),
            ]
            .into_iter()
            .filter(|(name, absent)| {
                *absent
                    && !entries.iter().any(
                        |(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == name),
                    )
            })
            .map(|(name, _)| name)
            .collect();
            if !missing.is_empty() {
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingField,
                        self.file,
                        format!("activity without {}", missing.join(", ")),
                    )
                    .at(item.span)
                    .help("write it like: - { id: ACT-01, what: Quarterly access review, every: 3 months, owner: CISO, controls: [A.5.18] }"),
                );
            }
            if let (Some(id), Some(what), Some(every), Some(owner)) =
                (d.id, d.what, d.every, d.owner)
            {
                f.activities.push(Activity {
                    id,
                    what,
                    every,
                    owner,
                    controls: d.controls,
                });
            }
        }
    }

    /// One key of an activity.
    pub(super) fn activity_field(&mut self, key: &'static str, n: &Node, f: &mut Fields) {
        match key {
            "activities.id" => f.activity.id = self.spanned(n, key),
            "activities.what" => f.activity.what = self.text(n, key),
            "activities.every" => match self.parse::<Interval>(n, key) {
                Some(Interval::None) => self.diags.push(
                    Diagnostic::error(
                        Code::FrontMatter,
                        self.file,
                        "a recurring activity needs an interval, not `none`",
                    )
                    .at(n.span)
                    .help("write e.g. `every: 3 months`; an activity done once is a record, not an activity"),
                ),
                every => f.activity.every = every,
            },
            "activities.owner" => f.activity.owner = self.spanned_text(n, key),
            "activities.controls" => f.activity.controls = self.control_list(n, key, f),
            _ => {}
        }
    }
}
