//! Every document is held from load until its pages are written: at 100,000 documents the
//! slack of grown lists is tens of megabytes (a list of one approval had room for four, 830
//! bytes where 210 do), so each list is cut to its length once the document is read.

use super::model::Document;

pub(super) fn shrink(d: &mut Document) {
    d.approvals.shrink_to_fit();
    d.controls.shrink_to_fit();
    d.clauses.shrink_to_fit();
    d.requirements.shrink_to_fit();
    d.related.shrink_to_fit();
    d.supersedes.shrink_to_fit();
    d.tags.shrink_to_fit();
    d.activities.shrink_to_fit();
    d.field_spans.shrink_to_fit();
}
