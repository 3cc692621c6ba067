//! Rules over every action of the handbook, whatever plan it belongs to: ids unique across
//! all of them, and none past due while open. Risk treatment actions are fed in here; so are
//! corrective and management-review actions, from wherever they are read.

use std::collections::BTreeMap;
use std::path::Path;

use crate::core::diagnostics::{display_path, Code, Diagnostic};
use crate::core::types::Date;
use crate::load::action::Action;

/// duplicate-id for an action id used twice (anywhere), action-overdue for an open action
/// past its due date on `today`.
pub fn rules<'a>(
    actions: impl IntoIterator<Item = (&'a Path, &'a Action)>,
    today: Date,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<&str, (&Path, u32)> = BTreeMap::new();
    for (file, action) in actions {
        let id = action.id.value.as_str();
        match seen.get(id) {
            Some(&(first, line)) => diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    file,
                    format!(
                        "duplicate action id {id}: also used at {}:{line}",
                        display_path(first)
                    ),
                )
                .at(action.id.span)
                .help("action ids are unique across risks, nonconformities and reviews; give this one the next free id"),
            ),
            None => {
                seen.insert(id, (file, action.id.span.line));
            }
        }
        if let (true, Some(due)) = (action.is_overdue(today), action.due) {
            diags.push(
                Diagnostic::error(
                    Code::ActionOverdue,
                    file,
                    format!(
                        "{} action {id} ({}) was due on {due}, {} days ago, and is not done",
                        action.kind,
                        action.action,
                        due.days_until(today)
                    ),
                )
                .at(action.id.span)
                .help(format!(
                    "finish it (`status: done`, `done: {today}`), or agree a new due date with its owner ({})",
                    action.owner.value
                )),
            );
        }
    }
}
