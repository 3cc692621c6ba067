//! Every action of the handbook in one list, and the rules every action obeys wherever it
//! was written: one id space, an owner that is a role, done by its due date.

use std::collections::BTreeMap;
use std::path::Path;

use crate::core::diagnostics::{display_path, Code, Diagnostic};
use crate::core::types::Date;
use crate::load::action::Action;
use crate::load::config::Config;
use crate::load::model::Handbook;
use crate::load::nonconformity;
use crate::load::risks::RISKS_FILE;

/// An action and where it was written: the file, and the item it belongs to (a nonconformity
/// id, a management review's document id).
#[derive(Clone, Copy, Debug)]
pub struct Located<'a> {
    pub file: &'a Path,
    pub of: &'a str,
    pub action: &'a Action,
}

/// Every action of every kind, in file order: treatment actions of risks, corrective actions
/// of nonconformities, then the actions of management-review records (documents in path
/// order).
pub fn gather(hb: &Handbook) -> Vec<Located<'_>> {
    let mut out = Vec::new();
    for risk in hb.risks.iter().flat_map(|r| &r.risks) {
        for action in &risk.actions {
            out.push(Located {
                file: Path::new(RISKS_FILE),
                of: risk.id.value.as_str(),
                action,
            });
        }
    }
    for nc in &hb.nonconformities {
        for action in &nc.actions {
            out.push(Located {
                file: Path::new(nonconformity::FILE),
                of: nc.id.value.as_str(),
                action,
            });
        }
    }
    for doc in &hb.documents {
        if let Some(record) = super::record_of(doc) {
            for action in &record.actions {
                out.push(Located {
                    file: &doc.path,
                    of: doc.id_str(),
                    action,
                });
            }
        }
    }
    out
}

/// The actions a published edition shows: those of a document above `--max-classification`
/// are left out with it, and the treatment actions with a withheld risk register (the rules
/// still check them all).
pub fn published<'a>(hb: &'a Handbook, withheld: &crate::check::Withheld) -> Vec<Located<'a>> {
    let (risks, nonconformities) = (Path::new(RISKS_FILE), Path::new(nonconformity::FILE));
    gather(hb)
        .into_iter()
        .filter(|a| match a.file {
            f if f == risks => !withheld.risks(),
            f if f == nonconformities => true,
            // A record's actions: `of` is the record's document id.
            _ => !withheld.id(a.of),
        })
        .collect()
}

/// The rules over (file, action) pairs: a duplicated id, an owner that is not a role, an
/// action past due and not done.
pub fn action_rules(
    actions: &[Located<'_>],
    config: &Config,
    today: Date,
    diags: &mut Vec<Diagnostic>,
) {
    let mut first: BTreeMap<&str, &Located<'_>> = BTreeMap::new();
    for a in actions {
        let id = a.action.id.value.as_str();
        match first.get(id) {
            Some(f) => diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    a.file,
                    format!(
                        "duplicate action id {id}: also at {}:{}",
                        display_path(f.file),
                        f.action.id.span.line
                    ),
                )
                .at(a.action.id.span)
                .help("every action of the handbook (treatment, corrective, management review) needs its own id"),
            ),
            None => {
                first.insert(id, a);
            }
        }
        let owner = &a.action.owner;
        if !owner.value.is_empty() && !config.has_role(&owner.value) {
            diags.push(
                Diagnostic::error(
                    Code::UnknownRole,
                    a.file,
                    format!(
                        "action owner `{}` is not a role declared in ismsbook.toml",
                        owner.value
                    ),
                )
                .at(owner.span)
                .help("use a role of [roles], or declare it there"),
            );
        }
        if let (true, Some(due)) = (a.action.is_overdue(today), a.action.due) {
            diags.push(
                Diagnostic::error(
                    Code::ActionOverdue,
                    a.file,
                    format!(
                        "{} action {id} of {} was due on {due} ({} days ago) and is {}",
                        a.action.kind,
                        a.of,
                        due.days_until(today),
                        a.action.status
                    ),
                )
                .at(a.action.id.span)
                .help(format!(
                    "finish it and set `status: done` with `done:`, or agree a new `due:` date with its owner ({})",
                    owner.value
                )),
            );
        }
    }
}
