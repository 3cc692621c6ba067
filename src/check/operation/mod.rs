//! The ISMS in operation: internal audits, management reviews, recurring activities,
//! nonconformities and their actions. Statuses are computed once ([`Operating`]) and read by
//! the rules, the pages and the calendar alike.

pub mod actions;
mod programme;
mod rules;

use std::path::Path;

use crate::check::ReviewState;
use crate::core::types::{ActivityId, Date, DocType, Interval, RecordKind};
use crate::load::config::{operation, Config};
use crate::load::model::{Document, Handbook};
use crate::load::record::{Activity, Record};
pub use programme::{Programme, ProgrammeRow};

/// A record of a kind, by the document that holds it and the date it counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dated {
    pub date: Date,
    /// Index into `hb.documents`.
    pub doc: usize,
}

/// Whether something recurring (audits, reviews, an activity) is on time.
#[derive(Clone, Debug)]
pub struct Cadence {
    pub every: Interval,
    /// Records up to today, oldest first.
    pub runs: Vec<Dated>,
    /// The last run plus `every`; for an activity never run, its procedure's effective
    /// date plus `every`; `None` when nothing anchors it (no run, nothing effective).
    pub due: Option<Date>,
    pub state: ReviewState,
}

impl Cadence {
    fn new(
        every: Interval,
        runs: Vec<Dated>,
        anchor: Option<Date>,
        config: &Config,
        today: Date,
    ) -> Cadence {
        let due = runs
            .last()
            .map(|r| r.date)
            .or(anchor)
            .and_then(|d| d.plus(every));
        let state = match due {
            None => ReviewState::Overdue,
            Some(due) if today > due => ReviewState::Overdue,
            Some(due) if today >= due.minus(config.warn_before).unwrap_or(due) => {
                ReviewState::DueSoon
            }
            Some(_) => ReviewState::Later,
        };
        Cadence {
            every,
            runs,
            due,
            state,
        }
    }

    pub fn last(&self) -> Option<Dated> {
        self.runs.last().copied()
    }
}

/// One recurring activity of a procedure, and how it is kept.
#[derive(Clone, Debug)]
pub struct ActivityStatus {
    /// The procedure, an index into `hb.documents`.
    pub doc: usize,
    /// Its position in the procedure's `activities`.
    pub index: usize,
    pub cadence: Cadence,
    /// Only an approved procedure's activities are due; a draft's are shown, not checked.
    pub in_force: bool,
}

impl ActivityStatus {
    pub fn activity<'h>(&self, hb: &'h Handbook) -> &'h Activity {
        &hb.documents[self.doc].activities[self.index]
    }
}

/// Everything the operation rules and pages need, computed once per check.
#[derive(Clone, Debug, Default)]
pub struct Operating {
    /// `None` while the handbook tracks no internal audits (no `[audit]`, no audit record).
    pub audits: Option<Cadence>,
    pub reviews: Option<Cadence>,
    pub activities: Vec<ActivityStatus>,
    pub programme: Option<Programme>,
}

/// The `record:` block of a record document; a block elsewhere counts for nothing.
pub fn record_of(doc: &Document) -> Option<&Record> {
    doc.record
        .as_ref()
        .filter(|_| doc.doc_type == DocType::Record)
}

/// The records of `kind` dated up to `today`, oldest first.
pub fn records_of(hb: &Handbook, kind: RecordKind) -> Vec<Dated> {
    let mut out: Vec<Dated> = hb
        .documents
        .iter()
        .enumerate()
        .filter_map(|(doc, d)| {
            let r = record_of(d).filter(|r| r.kind == Some(kind))?;
            let date = r.date.as_ref()?.value;
            (date <= hb.today).then_some(Dated { date, doc })
        })
        .collect();
    out.sort();
    out
}

pub fn compute(hb: &Handbook) -> Operating {
    let config = &hb.config;
    let op = &config.operation;
    let audits = records_of(hb, RecordKind::InternalAudit);
    let reviews = records_of(hb, RecordKind::ManagementReview);
    let audit_every = op.audit.map_or(operation::DEFAULT_AUDIT, |a| a.interval);
    let review_every = op
        .management_review
        .map_or(operation::DEFAULT_REVIEW, |r| r.interval);
    let programme =
        (op.audit.is_some() || !audits.is_empty()).then(|| programme::compute(hb, &audits));
    // Before the first record, the certificate (if any) starts the clock.
    let issued = op.certification.as_ref().map(|c| c.issued);
    let audits = (op.audit.is_some() || !audits.is_empty())
        .then(|| Cadence::new(audit_every, audits, issued, config, hb.today));
    let reviews = (op.management_review.is_some() || !reviews.is_empty())
        .then(|| Cadence::new(review_every, reviews, issued, config, hb.today));
    Operating {
        audits,
        reviews,
        activities: activities(hb),
        programme,
    }
}

fn activities(hb: &Handbook) -> Vec<ActivityStatus> {
    let runs = |id: &ActivityId| -> Vec<Dated> {
        let mut out: Vec<Dated> = records_of(hb, RecordKind::Activity)
            .into_iter()
            .filter(|r| {
                record_of(&hb.documents[r.doc])
                    .and_then(|rec| rec.activity.as_ref())
                    .is_some_and(|a| &a.value == id)
            })
            .collect();
        out.sort();
        out
    };
    let mut out = Vec::new();
    for (doc, d) in hb.documents.iter().enumerate() {
        for (index, a) in d.activities.iter().enumerate() {
            out.push(ActivityStatus {
                doc,
                index,
                cadence: Cadence::new(
                    a.every,
                    runs(&a.id.value),
                    d.effective,
                    &hb.config,
                    hb.today,
                ),
                in_force: d.status.is_in_force(),
            });
        }
    }
    out
}

/// The operation rules; `op` is [`compute`]'s.
pub fn check(hb: &Handbook, op: &Operating, diags: &mut Vec<crate::core::diagnostics::Diagnostic>) {
    actions::action_rules(&actions::gather(hb), &hb.config, hb.today, diags);
    rules::records(hb, diags);
    rules::nonconformities(hb, diags);
    rules::cadences(hb, op, diags);
    rules::activities(hb, op, diags);
    if let Some(p) = &op.programme {
        programme::gaps(hb, p, diags);
    }
}

/// Where a rule about the whole programme points: the table of ismsbook.toml if written,
/// else the latest record.
fn anchor(
    hb: &Handbook,
    table: Option<crate::core::diagnostics::Span>,
    last: Option<Dated>,
) -> (&Path, Option<crate::core::diagnostics::Span>) {
    match (table, last) {
        (Some(span), _) => (Path::new(crate::load::config::FILE), Some(span)),
        (None, Some(r)) => {
            let d = &hb.documents[r.doc];
            (
                &d.path,
                record_of(d)
                    .and_then(|rec| rec.date.as_ref())
                    .map(|s| s.span),
            )
        }
        (None, None) => (Path::new(crate::load::config::FILE), None),
    }
}
