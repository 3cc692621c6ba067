//! The operating records of a handbook as typed data: a record document's `record:` block, a
//! procedure's recurring `activities:`, and `content/nonconformities.yaml`.

use crate::core::diagnostics::Span;
use crate::core::types::{
    ActivityId, ControlId, Date, Interval, NcSeverity, NcSource, NonconformityId, RecordKind,
    ReviewInput,
};
use crate::load::action::Action;
use crate::load::model::Spanned;

/// A `record:` block as written. Which fields belong to which kind is checked later (a field
/// of another kind is reported there), so load keeps whatever was written.
#[derive(Clone, Debug)]
pub struct Record {
    pub kind: Option<RecordKind>,
    /// When the audit, review or run took place; a record counts from this date.
    pub date: Option<Spanned<Date>>,
    pub auditor: Option<String>,
    pub independent: Option<bool>,
    pub scope_clauses: Vec<Spanned<String>>,
    pub scope_controls: Vec<Spanned<ControlId>>,
    pub findings: Vec<Spanned<NonconformityId>>,
    pub attendees: Vec<Spanned<String>>,
    pub inputs: Vec<Spanned<ReviewInput>>,
    pub actions: Vec<Action>,
    pub activity: Option<Spanned<ActivityId>>,
    /// Each key written, with its span: a key of another kind is reported at it.
    pub keys: Vec<(&'static str, Span)>,
    /// The `record` key itself (its value, when the key is not known).
    pub span: Span,
}

impl Record {
    pub fn new(span: Span) -> Record {
        Record {
            kind: None,
            date: None,
            auditor: None,
            independent: None,
            scope_clauses: Vec::new(),
            scope_controls: Vec::new(),
            findings: Vec::new(),
            attendees: Vec::new(),
            inputs: Vec::new(),
            actions: Vec::new(),
            activity: None,
            keys: Vec::new(),
            span,
        }
    }
}

/// A recurring activity that a procedure prescribes, proven by `kind: activity` records.
#[derive(Clone, Debug)]
pub struct Activity {
    pub id: Spanned<ActivityId>,
    pub what: String,
    pub every: Interval,
    pub owner: Spanned<String>,
    pub controls: Vec<Spanned<ControlId>>,
}

/// One entry of `content/nonconformities.yaml`.
#[derive(Clone, Debug)]
pub struct Nonconformity {
    pub id: Spanned<NonconformityId>,
    pub raised: Option<Date>,
    pub source: Option<NcSource>,
    pub severity: Option<NcSeverity>,
    pub description: String,
    pub controls: Vec<Spanned<ControlId>>,
    pub clauses: Vec<Spanned<String>>,
    pub root_cause: String,
    pub correction: String,
    pub actions: Vec<Action>,
    pub effectiveness: Option<Effectiveness>,
    pub closed: Option<Spanned<Date>>,
}

impl Nonconformity {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

/// The check that the corrective action worked (10.2 d).
#[derive(Clone, Debug)]
pub struct Effectiveness {
    pub checked: Option<Date>,
    pub by: String,
    pub effective: Option<bool>,
    pub span: Span,
}
