//! One action of any plan (risk treatment, corrective action, management-review action), read
//! from a YAML mapping with positions. Risks, nonconformities and management-review records
//! all hold lists of them, and they share one id space and one `actions.html`.
//!
//! The caller says which file the mapping came from and which [`Code`] its schema errors
//! carry (`risk-invalid` in `risks.yaml`, `front-matter` in a record), so every problem is
//! reported where it was written, in the vocabulary of that file.

use std::path::Path;

use super::model::Spanned;
use super::yaml::{Node, Value};
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::suggest::did_you_mean;
use crate::core::types::{ActionKind, ActionStatus, Date};

/// An action as written. `due` is `None` only when it was missing or invalid (reported).
#[derive(Clone, Debug)]
pub struct Action {
    pub id: Spanned<String>,
    pub action: String,
    pub owner: Spanned<String>,
    pub due: Option<Date>,
    pub status: ActionStatus,
    pub done: Option<Date>,
    pub kind: ActionKind,
    /// The whole mapping, for diagnostics about the action as a whole.
    pub span: Span,
}

impl Action {
    pub fn is_open(&self) -> bool {
        self.status != ActionStatus::Done
    }

    /// Past due and not done on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.is_open() && self.due.is_some_and(|due| due < today)
    }
}

const KEYS: [&str; 6] = ["id", "action", "owner", "due", "status", "done"];

/// Reads a list of actions (`actions:`). Problems go to `diags` with `code`; an entry that
/// cannot be read at all is left out.
pub fn read_list(
    node: &Node,
    kind: ActionKind,
    file: &Path,
    code: Code,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Action> {
    let Value::Seq(items) = &node.value else {
        if !node.is_null() {
            diags.push(
                Diagnostic::error(code, file, format!("`actions` must be a list, not {}", node.kind()))
                    .at(node.span)
                    .help("write `actions:` then one `- { id: T-001, action: …, owner: ROLE, due: 2027-01-31, status: planned }` per line"),
            );
        }
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| read_one(item, kind, file, code, diags))
        .collect()
}

fn read_one(
    node: &Node,
    kind: ActionKind,
    file: &Path,
    code: Code,
    diags: &mut Vec<Diagnostic>,
) -> Option<Action> {
    let err = |span: Span, message: String, help: &str| {
        Diagnostic::error(code, file, message).at(span).help(help)
    };
    let Value::Map(pairs) = &node.value else {
        diags.push(err(
            node.span,
            format!("an action must be a mapping, not {}", node.kind()),
            "write `- { id: T-001, action: …, owner: ROLE, due: 2027-01-31, status: planned }`",
        ));
        return None;
    };
    let mut id = None;
    let mut action = String::new();
    let mut owner = None;
    let mut due = None;
    let mut status = None;
    let mut done = None;
    for (key, value) in pairs {
        let name = scalar(key).unwrap_or("");
        let Some(text) = scalar(value) else {
            diags.push(err(
                value.span,
                format!(
                    "`{name}` of an action must be a single value, not {}",
                    value.kind()
                ),
                "write it on one line, like `due: 2027-01-31`",
            ));
            continue;
        };
        let text = text.trim();
        match name {
            "id" => {
                id = Some(Spanned {
                    value: text.to_string(),
                    span: value.span,
                })
            }
            "action" => action = text.to_string(),
            "owner" => {
                owner = Some(Spanned {
                    value: text.to_string(),
                    span: value.span,
                })
            }
            "due" | "done" => match text.parse::<Date>() {
                Ok(d) if name == "due" => due = Some(d),
                Ok(d) => done = Some(d),
                Err(e) => diags.push(err(
                    value.span,
                    format!("`{name}`: {e}"),
                    "write a date as YYYY-MM-DD",
                )),
            },
            "status" => match text.parse::<ActionStatus>() {
                Ok(s) => status = Some(s),
                Err(e) => diags.push(err(
                    value.span,
                    format!("`status`: {e}"),
                    "planned, in-progress or done",
                )),
            },
            _ => {
                let help = match did_you_mean(name, KEYS) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("an action has the keys {}", KEYS.join(", ")),
                };
                diags.push(
                    Diagnostic::error(code, file, format!("unknown key `{name}` in an action"))
                        .at(key.span)
                        .help(help),
                );
            }
        }
    }
    let missing: Vec<&str> = [
        ("id", id.is_none()),
        ("action", action.is_empty()),
        ("owner", owner.is_none()),
        (
            "due",
            due.is_none() && !pairs.iter().any(|(k, _)| scalar(k) == Some("due")),
        ),
    ]
    .into_iter()
    .filter_map(|(k, absent)| absent.then_some(k))
    .collect();
    if !missing.is_empty() {
        diags.push(err(
            node.span,
            format!("an action needs {}", missing.join(", ")),
            "write `- { id: T-001, action: …, owner: ROLE, due: 2027-01-31, status: planned }`",
        ));
    }
    let status = status.unwrap_or(ActionStatus::Planned);
    if status == ActionStatus::Done && done.is_none() {
        diags.push(err(
            node.span,
            "an action with `status: done` needs `done:`, the date it was finished".to_string(),
            "add `done: YYYY-MM-DD`",
        ));
    }
    Some(Action {
        id: id?,
        action,
        owner: owner.unwrap_or(Spanned {
            value: String::new(),
            span: node.span,
        }),
        due,
        status,
        done,
        kind,
        span: node.span,
    })
}

fn scalar(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml;

    fn read(text: &str) -> (Vec<Action>, Vec<Diagnostic>) {
        let node = yaml::parse(text, 1).unwrap().unwrap();
        let mut diags = Vec::new();
        let actions = read_list(
            &node,
            ActionKind::Treatment,
            Path::new("content/risks.yaml"),
            Code::RiskInvalid,
            &mut diags,
        );
        (actions, diags)
    }

    #[test]
    fn an_action_reads_with_its_positions() {
        let (actions, diags) = read(
            "- id: T-001\n  action: MFA\n  owner: ITM\n  due: 2027-01-31\n  status: in-progress\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(actions[0].id.value, "T-001");
        assert_eq!(actions[0].owner.span.line, 3);
        assert!(actions[0].is_overdue("2027-02-01".parse().unwrap()));
        assert!(!actions[0].is_overdue("2027-01-31".parse().unwrap()));
    }

    #[test]
    fn wrong_values_are_reported_at_their_line() {
        let (_, diags) =
            read("- id: T-001\n  action: MFA\n  owner: ITM\n  due: 2027-02-30\n  stauts: done\n");
        let lines: Vec<u32> = diags.iter().map(|d| d.span.unwrap().line).collect();
        assert!(lines.contains(&4) && lines.contains(&5), "{diags:?}");
        assert!(diags
            .iter()
            .any(|d| d.help.as_deref() == Some("did you mean `status`?")));
    }
}
