//! The audit programme (9.2.2): every applicable control and every clause 4.1-10.2 against
//! the internal audits of the cycle.

use super::{anchor, record_of, Dated};
use crate::core::catalog::catalog;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::types::Date;
use crate::load::config::operation;
use crate::load::model::Handbook;

/// One row: a control or a clause, and the last audit of the cycle that covered it.
#[derive(Clone, Debug)]
pub struct ProgrammeRow {
    /// `A.5.15` or `9.2`.
    pub item: String,
    pub title: &'static str,
    pub is_control: bool,
    /// The audits of the cycle that covered it, oldest first.
    pub audited: Vec<Dated>,
}

#[derive(Clone, Debug)]
pub struct Programme {
    /// The first day of the cycle: today minus `[audit] cycle`.
    pub from: Date,
    /// From this day on a row without an audit is a gap the check reports: the first cycle
    /// (from the certificate or the first audit, whichever came first) runs its full length.
    pub enforced_from: Date,
    pub rows: Vec<ProgrammeRow>,
    /// The audits of the cycle, oldest first (the page's columns).
    pub audits: Vec<Dated>,
}

impl Programme {
    pub fn gaps(&self) -> impl Iterator<Item = &ProgrammeRow> {
        self.rows.iter().filter(|r| r.audited.is_empty())
    }
}

/// Whether an audit of `scope` covers clause `item`: the clause itself or a parent (`4`
/// covers 4.1); auditing 6.1.2 alone does not cover all of 6.1.
fn covers(scope: &str, item: &str) -> bool {
    item == scope
        || item
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('.'))
}

pub(super) fn compute(hb: &Handbook, audits: &[Dated]) -> Programme {
    let op = &hb.config.operation;
    let cycle = op.audit.map_or(operation::DEFAULT_CYCLE, |a| a.cycle);
    let from = hb.today.minus(cycle).unwrap_or(Date::MIN);
    // The programme started with its first evidence: the certificate or the first audit.
    let start = [
        op.certification.as_ref().map(|c| c.issued),
        audits.first().map(|a| a.date),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(hb.today);
    let in_cycle: Vec<Dated> = audits.iter().copied().filter(|a| a.date >= from).collect();
    let cat = catalog();
    let excluded = |id| hb.soa.excluded.contains_key(&id);
    let mut rows: Vec<ProgrammeRow> = cat
        .clauses
        .iter()
        .filter(|c| c.id.matches('.').count() == 1)
        .map(|c| ProgrammeRow {
            item: c.id.to_string(),
            title: c.title,
            is_control: false,
            audited: in_cycle
                .iter()
                .copied()
                .filter(|a| {
                    record_of(&hb.documents[a.doc])
                        .is_some_and(|r| r.scope_clauses.iter().any(|s| covers(&s.value, c.id)))
                })
                .collect(),
        })
        .collect();
    rows.extend(cat.controls.iter().filter(|c| !excluded(c.id)).map(|c| {
        ProgrammeRow {
            item: c.id.to_string(),
            title: c.title,
            is_control: true,
            audited: in_cycle
                .iter()
                .copied()
                .filter(|a| {
                    record_of(&hb.documents[a.doc])
                        .is_some_and(|r| r.scope_controls.iter().any(|s| s.value == c.id))
                })
                .collect(),
        }
    }));
    Programme {
        from,
        enforced_from: start.plus(cycle).unwrap_or(Date::MAX),
        rows,
        audits: in_cycle,
    }
}

pub(super) fn gaps(hb: &Handbook, p: &Programme, diags: &mut Vec<Diagnostic>) {
    if hb.today < p.enforced_from {
        return;
    }
    let table = hb.config.operation.audit.map(|a| a.cycle_span);
    let (file, span) = anchor(hb, table, p.audits.last().copied());
    for row in p.gaps() {
        let what = if row.is_control { "control" } else { "clause" };
        diags.push(
            Diagnostic::warning(
                Code::AuditProgrammeGap,
                file,
                format!(
                    "{what} {} ({}) has not been audited within the audit cycle (since {})",
                    row.item, row.title, p.from
                ),
            )
            .at_opt(span)
            .help(format!(
                "put {} in the `scope` of the next internal audit record",
                row.item
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_clause_covers_its_sub_clauses_only() {
        assert!(super::covers("4", "4.1"));
        assert!(super::covers("9.2", "9.2"));
        assert!(!super::covers("1", "10.1"));
        assert!(!super::covers("6.1.2", "6.1"));
    }
}
