//! The rules of records, nonconformities and cadences (docs/rules.md, Part 2).

use std::collections::BTreeMap;
use std::path::Path;

use super::{anchor, Cadence, Operating};
use crate::check::ReviewState;
use crate::core::catalog::{catalog, unknown_control};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::suggest::did_you_mean;
use crate::core::types::{DocType, RecordKind, ReviewInput};
use crate::load::model::Handbook;
use crate::load::nonconformity;

/// A record's references and, for a management review, the inputs of 9.3.2.
pub(super) fn records(hb: &Handbook, diags: &mut Vec<Diagnostic>) {
    let activities: Vec<&str> = hb
        .documents
        .iter()
        .flat_map(|d| d.activities.iter().map(|a| a.id.value.as_str()))
        .collect();
    for doc in &hb.documents {
        let Some(record) = &doc.record else { continue };
        if doc.doc_type != DocType::Record {
            diags.push(
                Diagnostic::error(
                    Code::FrontMatter,
                    &doc.path,
                    format!("a `record:` block belongs to a document of `type: record`, not a {}", doc.doc_type),
                )
                .at(record.span)
                .help("set `type: record`, or move the block to the record that proves the audit, review or run"),
            );
            continue;
        }
        for f in &record.findings {
            if !hb.nonconformities.iter().any(|n| n.id.value == f.value) {
                let ids = hb.nonconformities.iter().map(|n| n.id.value.as_str());
                let help = match did_you_mean(f.value.as_str(), ids) {
                    Some(s) => format!("did you mean {s}?"),
                    None => format!("add {} to {}", f.value, nonconformity::FILE),
                };
                diags.push(
                    Diagnostic::error(
                        Code::UnknownNonconformity,
                        &doc.path,
                        format!(
                            "finding {} is not a nonconformity of {}",
                            f.value,
                            nonconformity::FILE
                        ),
                    )
                    .at(f.span)
                    .help(help),
                );
            }
        }
        if let Some(a) = &record.activity {
            if !activities.contains(&a.value.as_str()) {
                let help = match did_you_mean(a.value.as_str(), activities.iter().copied()) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "declare the activity in the `activities:` of the procedure that prescribes it".to_string(),
                };
                diags.push(
                    Diagnostic::error(
                        Code::BrokenReference,
                        &doc.path,
                        format!("activity {} is declared by no procedure", a.value),
                    )
                    .at(a.span)
                    .help(help),
                );
            }
        }
        catalogue_and_roles(hb, doc, record, diags);
        kind_fields(doc, record, diags);
        if record.kind == Some(RecordKind::ManagementReview) {
            review_inputs(doc, record, diags);
        }
    }
}

/// The field each kind cannot do without: what an audit covered, which activity ran.
fn kind_fields(
    doc: &crate::load::model::Document,
    record: &crate::load::record::Record,
    diags: &mut Vec<Diagnostic>,
) {
    let written = |key: &str| record.keys.iter().any(|(k, _)| *k == key);
    let (key, example) = match record.kind {
        Some(RecordKind::InternalAudit) if !written("record.scope") => (
            "scope",
            "scope: { clauses: [\"4\", \"9.2\"], controls: [A.5.15] }",
        ),
        Some(RecordKind::Activity) if !written("record.activity") => {
            ("activity", "activity: ACT-01")
        }
        _ => return,
    };
    let kind = record.kind.map_or("", |k| k.as_str());
    diags.push(
        Diagnostic::error(
            Code::MissingField,
            &doc.path,
            format!("a record of kind {kind} needs `{key}`"),
        )
        .at(record.span)
        .help(format!("add `{example}` to the record block")),
    );
}

/// The controls, clauses and roles a record names exist.
fn catalogue_and_roles(
    hb: &Handbook,
    doc: &crate::load::model::Document,
    record: &crate::load::record::Record,
    diags: &mut Vec<Diagnostic>,
) {
    for c in &record.scope_controls {
        if catalog().control(c.value).is_none() {
            diags.push(unknown_control(&doc.path, &c.value.to_string(), c.span));
        }
    }
    for c in &record.scope_clauses {
        if catalog().clause(&c.value).is_none() {
            diags.push(
                Diagnostic::error(
                    Code::UnknownClause,
                    &doc.path,
                    format!("`{}` is not a clause of ISO/IEC 27001:2022", c.value),
                )
                .at(c.span)
                .help("clauses are 4 to 10 with their sub-clauses, e.g. \"9.2\""),
            );
        }
    }
    for role in &record.attendees {
        if !hb.config.has_role(&role.value) {
            diags.push(
                Diagnostic::error(
                    Code::UnknownRole,
                    &doc.path,
                    format!(
                        "attendee `{}` is not a role declared in ismsbook.toml",
                        role.value
                    ),
                )
                .at(role.span)
                .help("name attendees by their role of [roles]"),
            );
        }
    }
}

fn review_inputs(
    doc: &crate::load::model::Document,
    record: &crate::load::record::Record,
    diags: &mut Vec<Diagnostic>,
) {
    let span = record
        .keys
        .iter()
        .find(|(k, _)| *k == "record.inputs")
        .map_or(record.span, |&(_, s)| s);
    for input in ReviewInput::ALL {
        if !record.inputs.iter().any(|i| i.value == *input) {
            diags.push(
                Diagnostic::warning(
                    Code::ManagementReviewInputMissing,
                    &doc.path,
                    format!(
                        "the management review does not consider {}",
                        input.describe()
                    ),
                )
                .at(span)
                .help(format!(
                    "cover it in the review and add `{input}` to `inputs`"
                )),
            );
        }
    }
}

pub(super) fn nonconformities(hb: &Handbook, diags: &mut Vec<Diagnostic>) {
    let file = Path::new(nonconformity::FILE);
    for nc in &hb.nonconformities {
        for c in &nc.controls {
            if catalog().control(c.value).is_none() {
                diags.push(unknown_control(file, &c.value.to_string(), c.span));
            }
        }
        for c in &nc.clauses {
            if catalog().clause(&c.value).is_none() {
                diags.push(
                    Diagnostic::error(
                        Code::UnknownClause,
                        file,
                        format!("`{}` is not a clause of ISO/IEC 27001:2022", c.value),
                    )
                    .at(c.span),
                );
            }
        }
        let Some(closed) = &nc.closed else { continue };
        let why = match &nc.effectiveness {
            None => "no effectiveness check".to_string(),
            Some(e) if e.checked.is_none() => {
                "an effectiveness check without a `checked:` date".to_string()
            }
            Some(e) if e.effective != Some(true) => {
                "an effectiveness check that did not find the action effective".to_string()
            }
            Some(_) => continue,
        };
        diags.push(
            Diagnostic::error(
                Code::NonconformityClosedWithoutEffectiveness,
                file,
                format!("{} is closed on {} with {why}", nc.id.value, closed.value),
            )
            .at(closed.span)
            .help("check that the corrective action worked (10.2 d): effectiveness: { checked: YYYY-MM-DD, by: ROLE, effective: true }; or remove `closed:`"),
        );
    }
}

/// Internal audits and management reviews within their interval.
pub(super) fn cadences(hb: &Handbook, op: &Operating, diags: &mut Vec<Diagnostic>) {
    let cfg = &hb.config.operation;
    let kinds = [
        (
            &op.audits,
            Code::InternalAuditStale,
            "internal audit",
            cfg.audit.map(|a| a.span),
            "[audit] interval",
        ),
        (
            &op.reviews,
            Code::ManagementReviewStale,
            "management review",
            cfg.management_review.map(|m| m.span),
            "[management_review] interval",
        ),
    ];
    for (cadence, code, what, table, setting) in kinds {
        let Some(c) = cadence else { continue };
        if c.state != ReviewState::Overdue {
            continue;
        }
        // The latest record is where the next one is copied from: point there when there is one.
        let last = c.last();
        let table = table.or(cfg.certification.as_ref().map(|c| c.span));
        let (file, span) = anchor(hb, if last.is_some() { None } else { table }, last);
        let message = match (last, c.due) {
            (Some(l), Some(due)) => format!(
                "no {what} since {} (every {}, per {setting}): the next was due on {due}, {} days ago",
                l.date, c.every, due.days_until(hb.today)
            ),
            (None, Some(due)) => format!(
                "no {what} record since the certificate: one was due by {due} ({setting}: every {})",
                c.every
            ),
            _ => format!("no {what} record at all, though {setting} asks for one every {}", c.every),
        };
        diags.push(
            Diagnostic::error(code, file, message)
                .at_opt(span)
                .help(format!("hold the {what} and add its record (`ismsbook new` has a template), with `record.date`")),
        );
    }
}

pub(super) fn activities(hb: &Handbook, op: &Operating, diags: &mut Vec<Diagnostic>) {
    let mut first: BTreeMap<&str, &Path> = BTreeMap::new();
    for s in &op.activities {
        let doc = &hb.documents[s.doc];
        let a = s.activity(hb);
        if let Some(other) = first.insert(a.id.value.as_str(), &doc.path) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    &doc.path,
                    format!(
                        "duplicate activity id {}: also in {}",
                        a.id.value,
                        crate::core::diagnostics::display_path(other)
                    ),
                )
                .at(a.id.span)
                .help("give each recurring activity its own id"),
            );
        }
        if !hb.config.has_role(&a.owner.value) {
            diags.push(
                Diagnostic::error(
                    Code::UnknownRole,
                    &doc.path,
                    format!(
                        "activity owner `{}` is not a role declared in ismsbook.toml",
                        a.owner.value
                    ),
                )
                .at(a.owner.span),
            );
        }
        for c in &a.controls {
            if catalog().control(c.value).is_none() {
                diags.push(unknown_control(&doc.path, &c.value.to_string(), c.span));
            }
        }
        if s.in_force {
            activity_due(hb, s, &s.cadence, diags);
        }
    }
}

fn activity_due(
    hb: &Handbook,
    s: &super::ActivityStatus,
    c: &Cadence,
    diags: &mut Vec<Diagnostic>,
) {
    let doc = &hb.documents[s.doc];
    let a = s.activity(hb);
    let Some(due) = c.due else { return };
    let last = match c.last() {
        Some(l) => format!("last run {} ({})", l.date, hb.documents[l.doc].id_str()),
        None => "no run recorded yet".to_string(),
    };
    let d = match c.state {
        ReviewState::Overdue => Diagnostic::error(
            Code::ActivityMissed,
            &doc.path,
            format!(
                "{} ({}, every {}) was due on {due}, {} days ago: {last}",
                a.id.value,
                a.what,
                a.every,
                due.days_until(hb.today)
            ),
        ),
        ReviewState::DueSoon => Diagnostic::warning(
            Code::ActivityDueSoon,
            &doc.path,
            format!(
                "{} ({}) is due on {due}, in {} days: {last}",
                a.id.value,
                a.what,
                hb.today.days_until(due)
            ),
        ),
        _ => return,
    };
    diags.push(d.at(a.id.span).help(format!(
        "carry it out and add a record: `record: {{ kind: activity, activity: {}, date: YYYY-MM-DD }}` (owner: {})",
        a.id.value, a.owner.value
    )));
}
