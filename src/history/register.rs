//! What changed in the SoA's decisions and in the risk register between two versions:
//! exclusions added and removed, justifications changed, controls gaining or losing
//! implementing documents, SoA approvals; risks added, removed, re-scored and accepted.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::{coverage, soa};
use crate::core::types::RiskId;
use crate::load::model::Handbook;
use crate::load::risks::{Risk, Score};

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SoaChanges {
    /// (control, reason)
    pub exclusions_added: Vec<(String, String)>,
    pub exclusions_removed: Vec<String>,
    /// (control, from, to)
    pub justifications_changed: Vec<(String, String, String)>,
    /// (control, document ids)
    pub documents_gained: Vec<(String, Vec<String>)>,
    pub documents_lost: Vec<(String, Vec<String>)>,
    pub approvals_given: Vec<String>,
}

impl SoaChanges {
    pub fn is_empty(&self) -> bool {
        *self == SoaChanges::default()
    }
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct RiskChanges {
    /// (id, title)
    pub added: Vec<(String, String)>,
    pub removed: Vec<(String, String)>,
    /// (id, what changed, e.g. "inherent 4×5 → 3×5")
    pub rescored: Vec<(String, String)>,
    /// (id, "accepted by NAME (ROLE) on DATE")
    pub accepted: Vec<(String, String)>,
}

impl RiskChanges {
    pub fn is_empty(&self) -> bool {
        *self == RiskChanges::default()
    }
}

fn entries(hb: &Handbook) -> Vec<soa::SoaEntry> {
    soa::compute(hb, &coverage::compute(hb), &soa::concerns(hb))
}

fn ids(v: &[crate::core::types::DocumentId]) -> Vec<String> {
    v.iter().map(|d| d.to_string()).collect()
}

pub fn soa_changes(from: &Handbook, to: &Handbook) -> SoaChanges {
    let mut c = SoaChanges::default();
    for (o, n) in entries(from).iter().zip(&entries(to)) {
        let id = n.control.to_string();
        match (o.applicable, n.applicable) {
            (true, false) => c
                .exclusions_added
                .push((id.clone(), n.justification.clone())),
            (false, true) => c.exclusions_removed.push(id.clone()),
            _ if o.justification != n.justification => c.justifications_changed.push((
                id.clone(),
                o.justification.clone(),
                n.justification.clone(),
            )),
            _ => {}
        }
        let gained: Vec<_> = n
            .documents
            .iter()
            .filter(|d| !o.documents.contains(d))
            .cloned()
            .collect();
        let lost: Vec<_> = o
            .documents
            .iter()
            .filter(|d| !n.documents.contains(d))
            .cloned()
            .collect();
        if !gained.is_empty() {
            c.documents_gained.push((id.clone(), ids(&gained)));
        }
        if !lost.is_empty() {
            c.documents_lost.push((id, ids(&lost)));
        }
    }
    let key = |a: &crate::load::model::Approval| {
        format!(
            "version {} approved by {} ({}) on {}",
            a.version, a.by, a.role.value, a.date
        )
    };
    let known: Vec<String> = from.soa.approvals.iter().map(key).collect();
    c.approvals_given = to
        .soa
        .approvals
        .iter()
        .map(key)
        .filter(|k| !known.contains(k))
        .collect();
    c
}

fn by_id(hb: &Handbook) -> BTreeMap<&RiskId, &Risk> {
    hb.risks
        .iter()
        .flat_map(|r| &r.risks)
        .map(|r| (&r.id.value, r))
        .collect()
}

fn score(s: Score) -> String {
    format!("{}×{}", s.likelihood, s.impact)
}

pub fn risk_changes(from: &Handbook, to: &Handbook) -> RiskChanges {
    let (old, new) = (by_id(from), by_id(to));
    let mut c = RiskChanges::default();
    for (id, r) in &new {
        let Some(o) = old.get(id) else {
            c.added.push((id.to_string(), r.title.clone()));
            continue;
        };
        let mut moved = Vec::new();
        for (what, a, b) in [
            ("inherent", o.inherent, r.inherent),
            ("residual", o.residual, r.residual),
        ] {
            if a != b {
                moved.push(format!("{what} {} → {}", score(a), score(b)));
            }
        }
        if !moved.is_empty() {
            c.rescored.push((id.to_string(), moved.join("; ")));
        }
        let acceptance = |r: &Risk| {
            r.acceptance.as_ref().map(|a| {
                (
                    a.by.clone(),
                    a.role.value.clone(),
                    a.date,
                    a.digest.value.clone(),
                )
            })
        };
        if let (Some((by, role, date, _)), true) = (acceptance(r), acceptance(o) != acceptance(r)) {
            c.accepted.push((
                id.to_string(),
                format!("accepted by {by} ({role}) on {date}"),
            ));
        }
    }
    for (id, r) in &old {
        if !new.contains_key(id) {
            c.removed.push((id.to_string(), r.title.clone()));
        }
    }
    c
}

/// The SoA and risk sections of `changes` in Markdown, after the documents.
pub fn to_markdown(c: &super::changes::Changes, out: &mut String) {
    let s = &c.soa;
    if !s.is_empty() {
        out.push_str("\n## Statement of Applicability\n\n");
        for (id, why) in &s.exclusions_added {
            out.push_str(&format!("- {id} excluded: {why}\n"));
        }
        for id in &s.exclusions_removed {
            out.push_str(&format!("- {id} no longer excluded\n"));
        }
        for (id, from, to) in &s.justifications_changed {
            out.push_str(&format!("- {id} justification: \"{from}\" → \"{to}\"\n"));
        }
        for (id, docs) in &s.documents_gained {
            out.push_str(&format!("- {id} now implemented by {}\n", docs.join(", ")));
        }
        for (id, docs) in &s.documents_lost {
            out.push_str(&format!(
                "- {id} no longer implemented by {}\n",
                docs.join(", ")
            ));
        }
        for a in &s.approvals_given {
            out.push_str(&format!("- SoA {a}\n"));
        }
    }
    let r = &c.risks;
    if !r.is_empty() {
        out.push_str("\n## Risks\n\n");
        for (id, title) in &r.added {
            out.push_str(&format!("- {id} added: {title}\n"));
        }
        for (id, title) in &r.removed {
            out.push_str(&format!("- {id} removed: {title}\n"));
        }
        for (id, what) in &r.rescored {
            out.push_str(&format!("- {id} re-scored: {what}\n"));
        }
        for (id, what) in &r.accepted {
            out.push_str(&format!("- {id} {what}\n"));
        }
    }
}
