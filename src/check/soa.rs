//! The Statement of Applicability derived from the risks (DESIGN.md Part 2, "SoA as a
//! controlled document"): each control's justification and status, decided once here; the
//! digest its approval binds to; and the rules about it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;

use super::coverage::{ControlCoverage, Coverage};
use crate::core::catalog::catalog;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::types::{ControlId, DocumentId, RiskId};
use crate::load::action::Action;
use crate::load::model::Handbook;
use crate::load::risks::sha256;
use crate::load::{CONTENT_DIR, SOA_FILE};

/// A control's implementation status in the SoA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SoaStatus {
    Excluded,
    /// An approved implementing document, and no open action concerns the control.
    Implemented,
    /// An approved implementing document, but an open action concerns it.
    PartiallyImplemented,
    /// No approved implementing document yet, but an action concerns it.
    Planned,
    /// Neither.
    NotImplemented,
}

impl SoaStatus {
    pub const ALL: [SoaStatus; 5] = [
        SoaStatus::Implemented,
        SoaStatus::PartiallyImplemented,
        SoaStatus::Planned,
        SoaStatus::NotImplemented,
        SoaStatus::Excluded,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SoaStatus::Excluded => "excluded",
            SoaStatus::Implemented => "implemented",
            SoaStatus::PartiallyImplemented => "partially implemented",
            SoaStatus::Planned => "planned",
            SoaStatus::NotImplemented => "not implemented",
        }
    }
}

impl fmt::Display for SoaStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for SoaStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// One row of the SoA.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SoaEntry {
    pub control: ControlId,
    pub applicable: bool,
    /// The selecting risks, then the `included:` reason; for an excluded control its reason.
    pub justification: String,
    /// The risks that select the control, in id order.
    pub risks: Vec<RiskId>,
    pub status: SoaStatus,
    /// Ids of the (non-retired) documents implementing it, sorted.
    pub documents: Vec<DocumentId>,
}

/// Whether any action, and any open action, concerns a control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Concern {
    pub any: bool,
    pub open: bool,
}

/// The actions that concern each control.
pub type Concerns = BTreeMap<ControlId, Concern>;

/// Records that `action` concerns `control`: a treatment action of a risk that selects it,
/// or a corrective action of an open nonconformity that names it.
pub fn add_concern(concerns: &mut Concerns, control: ControlId, action: &Action) {
    let c = concerns.entry(control).or_default();
    c.any = true;
    c.open |= action.is_open();
}

/// The actions that concern each control: the treatment actions of the risks that select it,
/// and the corrective actions of the open nonconformities that name it.
pub fn concerns(hb: &Handbook) -> Concerns {
    let mut concerns = Concerns::new();
    for risk in hb.risks.iter().flat_map(|r| &r.risks) {
        for control in risk.control_ids() {
            for action in &risk.actions {
                add_concern(&mut concerns, control, action);
            }
        }
    }
    for nc in hb.nonconformities.iter().filter(|nc| nc.is_open()) {
        for control in &nc.controls {
            for action in &nc.actions {
                add_concern(&mut concerns, control.value, action);
            }
        }
    }
    concerns
}

/// The SoA's rows, in catalogue order.
pub fn compute(hb: &Handbook, coverage: &[ControlCoverage], concerns: &Concerns) -> Vec<SoaEntry> {
    // Each risk once per control it selects: one pass over the register, not one per control.
    let mut selecting: HashMap<ControlId, Vec<&RiskId>> = HashMap::new();
    for r in hb.risks.iter().flat_map(|r| &r.risks) {
        for control in r.control_ids() {
            selecting.entry(control).or_default().push(&r.id.value);
        }
    }
    coverage
        .iter()
        .map(|c| {
            let mut risks: Vec<RiskId> = (selecting.get(&c.control).into_iter().flatten())
                .map(|&id| id.clone())
                .collect();
            risks.sort();
            let concern = concerns.get(&c.control).copied().unwrap_or_default();
            let (applicable, justification, status) = match c.coverage {
                Coverage::Excluded { .. } => {
                    let why = hb.soa.excluded.get(&c.control).map(|s| s.value.clone());
                    (false, why.unwrap_or_default(), SoaStatus::Excluded)
                }
                coverage => {
                    let mut parts: Vec<String> = Vec::new();
                    if !risks.is_empty() {
                        let ids: Vec<&str> = risks.iter().map(RiskId::as_str).collect();
                        parts.push(ids.join(", "));
                    }
                    if let Some(why) = hb.soa.included.get(&c.control) {
                        if !why.value.is_empty() {
                            parts.push(why.value.clone());
                        }
                    }
                    let status = match (coverage == Coverage::Implemented, concern) {
                        (true, Concern { open: true, .. }) => SoaStatus::PartiallyImplemented,
                        (true, _) => SoaStatus::Implemented,
                        (false, Concern { any: true, .. }) => SoaStatus::Planned,
                        (false, _) => SoaStatus::NotImplemented,
                    };
                    (true, parts.join("; "), status)
                }
            };
            let mut documents: Vec<DocumentId> =
                c.by.iter()
                    .filter_map(|&i| hb.documents[i].id.as_ref().map(|id| id.value.clone()))
                    .collect();
            documents.sort();
            documents.dedup();
            SoaEntry {
                control: c.control,
                applicable,
                justification,
                risks,
                status,
                documents,
            }
        })
        .collect()
}

/// The decisions an approval of the SoA binds to: one line per control, in order,
/// `ID|applicable or excluded|justification|implementing document ids, sorted`.
pub fn decisions(entries: &[SoaEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let docs: Vec<&str> = e.documents.iter().map(DocumentId::as_str).collect();
        let applicability = if e.applicable {
            "applicable"
        } else {
            "excluded"
        };
        out.push_str(&format!(
            "{}|{applicability}|{}|{}\n",
            e.control,
            e.justification,
            docs.join(",")
        ));
    }
    out
}

/// `sha256:<hex>` of [`decisions`].
pub fn digest(entries: &[SoaEntry]) -> String {
    sha256(&decisions(entries))
}

/// The counts of each status, in the order of [`SoaStatus::ALL`].
pub fn counts(entries: &[SoaEntry]) -> Vec<(SoaStatus, usize)> {
    SoaStatus::ALL
        .iter()
        .map(|&s| (s, entries.iter().filter(|e| e.status == s).count()))
        .collect()
}

fn soa_file(hb: &Handbook) -> PathBuf {
    PathBuf::from(if hb.soa_source.is_some() {
        SOA_FILE
    } else {
        CONTENT_DIR
    })
}

/// inclusion-unjustified, soa-unapproved and soa-changed-since-approval. The first two
/// apply to a handbook with a risk register (`content/risks.yaml`): the risk-driven SoA.
pub fn rules(hb: &Handbook, entries: &[SoaEntry], diags: &mut Vec<Diagnostic>) {
    let risk_driven = hb.risks.is_some();
    let cat = catalog();
    if risk_driven {
        for e in entries
            .iter()
            .filter(|e| e.applicable && e.justification.is_empty())
        {
            let title = cat.control(e.control).map_or("", |c| c.title);
            diags.push(
                Diagnostic::warning(
                    Code::InclusionUnjustified,
                    soa_file(hb),
                    format!("{} ({title}) is applicable, but no risk selects it and no `included:` reason explains it", e.control),
                )
                .help(format!(
                    "add {} to `controls:` of the risk it treats in content/risks.yaml, or give the reason (law, contract) under `included:` in soa.yaml",
                    e.control
                )),
            );
        }
    }
    let soa = &hb.soa;
    let approvers = &hb.config.approval_roles;
    let current = soa.version.as_ref().and_then(|v| {
        soa.approvals
            .iter()
            .rev()
            .find(|a| a.version == v.value && approvers.contains(&a.role.value))
    });
    let Some(approval) = current else {
        if risk_driven || soa.version.is_some() || !soa.approvals.is_empty() {
            let version = soa.version.as_ref();
            let what = match version {
                Some(v) => format!("version {} of the SoA has no approval", v.value),
                None => "the SoA has no `version:` and no approval".to_string(),
            };
            diags.push(
                Diagnostic::warning(Code::SoaUnapproved, soa_file(hb), what)
                    .at_opt(version.map(|v| v.span))
                    .help(format!(
                        "review it and run: ismsbook approve SoA --by NAME --role {}",
                        approvers.first().map_or("ROLE", String::as_str)
                    )),
            );
        }
        return;
    };
    let now = digest(entries);
    if approval.digest != now {
        diags.push(
            Diagnostic::error(
                Code::SoaChangedSinceApproval,
                soa_file(hb),
                format!(
                    "the SoA's decisions changed since version {} was approved by {} on {}",
                    approval.version, approval.by, approval.date
                ),
            )
            .at(approval.digest_span)
            .help("review the change (`ismsbook changes`), bump `version:` in soa.yaml and approve it again: ismsbook approve SoA --by NAME --role ROLE"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decisions_are_one_line_per_control_without_status() {
        let entry = |id: &str, applicable, why: &str, docs: &[&str], status| SoaEntry {
            control: id.parse().unwrap(),
            applicable,
            justification: why.to_string(),
            risks: Vec::new(),
            status,
            documents: docs.iter().map(|d| d.parse().unwrap()).collect(),
        };
        let mut entries = vec![
            entry(
                "A.5.1",
                true,
                "R-001, R-006; GDPR",
                &["POL-001", "POL-002"],
                SoaStatus::Implemented,
            ),
            entry("A.7.4", false, "No premises", &[], SoaStatus::Excluded),
        ];
        assert_eq!(
            decisions(&entries),
            "A.5.1|applicable|R-001, R-006; GDPR|POL-001,POL-002\nA.7.4|excluded|No premises|\n"
        );
        // Routine work (a status) does not void the approval; a changed decision does.
        let before = digest(&entries);
        entries[0].status = SoaStatus::PartiallyImplemented;
        assert_eq!(digest(&entries), before);
        entries[1].justification = "No premises of our own".into();
        assert_ne!(digest(&entries), before);
    }
}
