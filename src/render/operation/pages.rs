//! What the operation pages show: nonconformities, actions, the audit programme, and the
//! panels that other pages carry (a procedure's activities, a control's, the home page's).

use serde_json::{json, Value};

use super::super::context::Site;
use crate::check::operation::{actions, record_of, ActivityStatus, Dated};
use crate::check::ReviewState;
use crate::core::types::{ControlId, RecordKind};
use crate::load::action::Action;

/// A record as a link target: its document id, date, and whether it has a page.
pub fn record_ref(site: &Site<'_>, r: Dated) -> Value {
    let d = &site.hb.documents[r.doc];
    json!({ "id": d.id_str(), "title": d.title, "date": r.date.to_string(), "withheld": site.withheld.id(d.id_str()) })
}

fn action_row(site: &Site<'_>, a: &actions::Located<'_>) -> Value {
    let x: &Action = a.action;
    json!({
        "id": x.id.value, "kind": x.kind.as_str(), "of": a.of, "action": x.action,
        "owner": x.owner.value, "due": x.due.map(|d| d.to_string()).unwrap_or_default(),
        "status": x.status.as_str(), "done": x.done.map(|d| d.to_string()).unwrap_or_default(),
        "overdue": x.is_overdue(site.hb.today),
        "file": crate::core::diagnostics::display_path(a.file),
    })
}

/// Every action, overdue first, then open by due date, then done.
pub fn action_rows(site: &Site<'_>) -> Vec<Value> {
    let today = site.hb.today;
    let mut all = actions::published(site.hb, &site.withheld);
    all.sort_by_key(|a| {
        (
            !a.action.is_overdue(today),
            !a.action.is_open(),
            a.action.due,
            a.action.id.value.clone(),
        )
    });
    all.iter().map(|a| action_row(site, a)).collect()
}

pub fn nonconformity_rows(site: &Site<'_>) -> Vec<Value> {
    let hb = site.hb;
    // The records naming each nonconformity, in one pass over the documents.
    let mut finders: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (doc, d) in hb.documents.iter().enumerate() {
        for f in record_of(d).map_or(&[][..], |r| &r.findings[..]) {
            let docs = finders.entry(f.value.as_str()).or_default();
            if docs.last() != Some(&doc) {
                docs.push(doc);
            }
        }
    }
    hb.nonconformities
        .iter()
        .map(|nc| {
            let found_by: Vec<Value> = (finders.get(nc.id.value.as_str()).map_or(&[][..], |v| &v[..]))
                .iter()
                .filter_map(|&doc| record_of(&hb.documents[doc])?.date.as_ref().map(|s| record_ref(site, Dated { date: s.value, doc })))
                .collect();
            let located: Vec<Value> = nc
                .actions
                .iter()
                .map(|action| action_row(site, &actions::Located { file: std::path::Path::new(crate::load::nonconformity::FILE), of: nc.id.value.as_str(), action }))
                .collect();
            let eff = nc.effectiveness.as_ref();
            json!({
                "id": nc.id.value, "raised": nc.raised.map(|d| d.to_string()).unwrap_or_default(),
                "source": nc.source.map(|s| s.as_str()).unwrap_or(""),
                "severity": nc.severity.map(|s| s.as_str()).unwrap_or(""),
                "description": nc.description, "root_cause": nc.root_cause, "correction": nc.correction,
                "controls": nc.controls.iter().map(|c| c.value.to_string()).collect::<Vec<_>>(),
                "clauses": nc.clauses.iter().map(|c| c.value.clone()).collect::<Vec<_>>(),
                "actions": located,
                "effectiveness": eff.map(|e| json!({
                    "checked": e.checked.map(|d| d.to_string()).unwrap_or_default(),
                    "by": e.by, "effective": e.effective,
                })),
                "closed": nc.closed.as_ref().map(|c| c.value.to_string()),
                "found_by": found_by,
            })
        })
        .collect()
}

pub fn programme(site: &Site<'_>) -> Value {
    let op = &site.checked.operating;
    let Some(p) = &op.programme else {
        return Value::Null;
    };
    let audits: Vec<Value> = p.audits.iter().map(|&a| record_ref(site, a)).collect();
    let rows: Vec<Value> = p
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<bool> = p.audits.iter().map(|a| r.audited.contains(a)).collect();
            json!({ "item": r.item, "title": r.title, "control": r.is_control, "cells": cells, "gap": r.audited.is_empty() })
        })
        .collect();
    json!({
        "from": p.from.to_string(), "enforced_from": p.enforced_from.to_string(),
        "enforced": site.hb.today >= p.enforced_from,
        "gaps": p.gaps().count(), "total": p.rows.len(),
        "audits": audits, "rows": rows,
    })
}

fn activity_json(site: &Site<'_>, s: &ActivityStatus) -> Value {
    let a = s.activity(site.hb);
    let doc = &site.hb.documents[s.doc];
    json!({
        "id": a.id.value, "what": a.what, "every": a.every.to_string(), "owner": a.owner.value,
        "controls": a.controls.iter().map(|c| c.value.to_string()).collect::<Vec<_>>(),
        "runs": s.cadence.runs.iter().rev().map(|&r| record_ref(site, r)).collect::<Vec<_>>(),
        "next_due": s.cadence.due.map(|d| d.to_string()).unwrap_or_default(),
        "state": if s.in_force { s.cadence.state.label() } else { "not in force" },
        "overdue": s.in_force && s.cadence.state == ReviewState::Overdue,
        "procedure": { "id": doc.id_str(), "title": doc.title, "withheld": site.withheld.id(doc.id_str()) },
    })
}

/// The activities a procedure prescribes, for its page.
pub fn document_activities(site: &Site<'_>, doc: usize) -> Vec<Value> {
    site.checked
        .operating
        .activities
        .iter()
        .filter(|s| s.doc == doc)
        .map(|s| activity_json(site, s))
        .collect()
}

/// The activities that operate a control, for its page: Stage 2 evidence, one click away.
pub fn control_activities(site: &Site<'_>, control: ControlId) -> Vec<Value> {
    site.checked
        .operating
        .activities
        .iter()
        .filter(|s| {
            s.activity(site.hb)
                .controls
                .iter()
                .any(|c| c.value == control)
        })
        .map(|s| activity_json(site, s))
        .collect()
}

/// The home page's "operating" panel.
pub fn operating_panel(site: &Site<'_>) -> Value {
    let hb = site.hb;
    let op = &site.checked.operating;
    let last = |kind| {
        crate::check::operation::records_of(hb, kind)
            .last()
            .map(|&r| record_ref(site, r))
    };
    let all = actions::published(hb, &site.withheld);
    let open = all.iter().filter(|a| a.action.is_open()).count();
    let overdue = all.iter().filter(|a| a.action.is_overdue(hb.today)).count();
    let surveillance = hb.config.operation.certification.as_ref().and_then(|c| {
        c.milestones()
            .into_iter()
            .find(|(_, d)| *d >= hb.today)
            .map(|(what, d)| json!({ "what": what, "date": d.to_string() }))
    });
    let state = |c: &Option<crate::check::operation::Cadence>| {
        c.as_ref().map(|c| json!({ "due": c.due.map(|d| d.to_string()), "overdue": c.state == ReviewState::Overdue }))
    };
    json!({
        "tracked": op.audits.is_some() || op.reviews.is_some() || !all.is_empty() || !hb.nonconformities.is_empty(),
        "last_audit": last(RecordKind::InternalAudit), "audit": state(&op.audits),
        "last_review": last(RecordKind::ManagementReview), "review": state(&op.reviews),
        "open_actions": open, "overdue_actions": overdue,
        "open_nonconformities": hb.nonconformities.iter().filter(|n| n.is_open()).count(),
        "next_surveillance": surveillance,
    })
}

/// What a record document proves, for its page: the audit's scope and findings, the
/// review's inputs and actions, the activity a run belongs to.
pub fn document_record(site: &Site<'_>, doc: usize) -> Value {
    let d = &site.hb.documents[doc];
    let Some(r) = record_of(d) else {
        return Value::Null;
    };
    let activity = r.activity.as_ref().and_then(|a| {
        site.checked
            .operating
            .activities
            .iter()
            .find(|s| s.activity(site.hb).id.value == a.value)
    });
    let located: Vec<Value> = r
        .actions
        .iter()
        .map(|action| {
            action_row(
                site,
                &actions::Located {
                    file: &d.path,
                    of: d.id_str(),
                    action,
                },
            )
        })
        .collect();
    let inputs: Vec<Value> = crate::core::types::ReviewInput::ALL
        .iter()
        .map(
            |i| json!({ "input": i.describe(), "covered": r.inputs.iter().any(|x| x.value == *i) }),
        )
        .collect();
    json!({
        "kind": r.kind.map(|k| k.as_str()),
        "date": r.date.as_ref().map(|s| s.value.to_string()),
        "auditor": r.auditor, "independent": r.independent,
        "clauses": r.scope_clauses.iter().map(|c| c.value.clone()).collect::<Vec<_>>(),
        "controls": r.scope_controls.iter().map(|c| c.value.to_string()).collect::<Vec<_>>(),
        "findings": r.findings.iter().map(|f| f.value.to_string()).collect::<Vec<_>>(),
        "attendees": r.attendees.iter().map(|a| a.value.clone()).collect::<Vec<_>>(),
        "inputs": if r.kind == Some(RecordKind::ManagementReview) { inputs } else { Vec::new() },
        "actions": located,
        "activity": activity.map(|s| activity_json(site, s)),
    })
}
