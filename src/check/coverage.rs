//! Coverage: for each Annex A control, whether it applies and how far the documents that claim
//! it are in force. Decided once, in the check pass; the rules, the control pages, the SoA, the
//! dashboard, the CSV files and `changes` read these values and never decide again.

use std::collections::BTreeMap;
use std::fmt;

use crate::core::catalog::catalog;
use crate::core::types::ControlId;
use crate::load::model::Handbook;

/// How far the documents claiming a control are in force: the best of their statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implementation {
    /// At least one approved document claims it.
    Approved,
    /// Only draft or in-review documents claim it.
    OnlyInDrafts,
    /// No (non-retired) document claims it.
    Unclaimed,
}

impl Implementation {
    /// The implementation status of the Statement of Applicability.
    pub fn label(self) -> &'static str {
        match self {
            Implementation::Approved => "implemented",
            Implementation::OnlyInDrafts => "partially implemented",
            Implementation::Unclaimed => "not implemented",
        }
    }
}

impl fmt::Display for Implementation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for Implementation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// Where a control stands: the applicability decision of soa.yaml and its implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Excluded in soa.yaml; `justified` when the exclusion says why; `claimed` is what
    /// documents claiming it anyway amount to (the rule warns; the SoA still shows it).
    Excluded {
        justified: bool,
        claimed: Implementation,
    },
    /// Applicable, and implemented by at least one approved document.
    Implemented,
    /// Applicable, but only draft or in-review documents implement it.
    OnlyInDrafts,
    /// Applicable, and no document implements it.
    Uncovered,
}

impl Coverage {
    pub fn is_applicable(self) -> bool {
        !matches!(self, Coverage::Excluded { .. })
    }

    /// Applicable and claimed by some non-retired document, approved or not: what
    /// `changes` reports as coverage gained or lost.
    pub fn is_claimed(self) -> bool {
        matches!(self, Coverage::Implemented | Coverage::OnlyInDrafts)
    }

    pub fn implementation(self) -> Implementation {
        match self {
            Coverage::Excluded { claimed, .. } => claimed,
            Coverage::Implemented => Implementation::Approved,
            Coverage::OnlyInDrafts => Implementation::OnlyInDrafts,
            Coverage::Uncovered => Implementation::Unclaimed,
        }
    }
}

/// One control's coverage, with the documents that claim it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlCoverage {
    pub control: ControlId,
    pub coverage: Coverage,
    /// Indices into `hb.documents` of the non-retired documents claiming the control, in
    /// document order, each once.
    pub by: Vec<usize>,
}

/// Which documents claim each control, ignoring retired ones: indices into `hb.documents`.
pub fn implementers(hb: &Handbook) -> BTreeMap<ControlId, Vec<usize>> {
    // Pairs sorted once, then grouped: ten thousand documents' controls cost a sort, not
    // a tree insertion each (this runs after every edit `serve` follows).
    let mut pairs: Vec<(ControlId, usize)> = hb
        .documents
        .iter()
        .enumerate()
        .filter(|(_, doc)| doc.status != crate::core::types::Status::Retired)
        .flat_map(|(i, doc)| doc.controls.iter().map(move |c| (c.value, i)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut map: BTreeMap<ControlId, Vec<usize>> = BTreeMap::new();
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        map.insert(group[0].0, group.iter().map(|&(_, i)| i).collect());
    }
    map
}

/// The coverage of every control of the catalogue, in catalogue order.
pub fn compute(hb: &Handbook) -> Vec<ControlCoverage> {
    let mut by_control = implementers(hb);
    catalog()
        .controls
        .iter()
        .map(|control| {
            let by = by_control.remove(&control.id).unwrap_or_default();
            let claimed = if by.iter().any(|&i| hb.documents[i].status.is_in_force()) {
                Implementation::Approved
            } else if !by.is_empty() {
                Implementation::OnlyInDrafts
            } else {
                Implementation::Unclaimed
            };
            let coverage = match hb.soa.excluded.get(&control.id) {
                Some(why) => Coverage::Excluded {
                    justified: !why.value.trim().is_empty(),
                    claimed,
                },
                None => match claimed {
                    Implementation::Approved => Coverage::Implemented,
                    Implementation::OnlyInDrafts => Coverage::OnlyInDrafts,
                    Implementation::Unclaimed => Coverage::Uncovered,
                },
            };
            ControlCoverage {
                control: control.id,
                coverage,
                by,
            }
        })
        .collect()
}

/// The counts the dashboard, the controls index and the SoA show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub total: usize,
    pub applicable: usize,
    pub excluded: usize,
    pub implemented: usize,
    pub partial: usize,
    pub missing: usize,
}

pub fn summary(controls: &[ControlCoverage]) -> Summary {
    let mut s = Summary {
        total: controls.len(),
        ..Summary::default()
    };
    for c in controls {
        match c.coverage {
            Coverage::Excluded { .. } => s.excluded += 1,
            Coverage::Implemented => s.implemented += 1,
            Coverage::OnlyInDrafts => s.partial += 1,
            Coverage::Uncovered => s.missing += 1,
        }
    }
    s.applicable = s.total - s.excluded;
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::types::Status;
    use crate::load::model::Spanned;

    /// The `_base` fixture: one approved document implementing every control.
    fn base() -> Handbook {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/_base");
        let source = crate::load::WorkTree { root: root.clone() };
        let today = "2026-06-01".parse().unwrap();
        crate::load::load(&root, &source, today, crate::load::Keep::Bodies).unwrap()
    }

    fn id(s: &str) -> ControlId {
        s.parse().unwrap()
    }

    fn of(hb: &Handbook, control: &str) -> ControlCoverage {
        let all = compute(hb);
        assert_eq!(all.len(), 93);
        all.into_iter().find(|c| c.control == id(control)).unwrap()
    }

    fn exclude(hb: &mut Handbook, control: &str, why: &str) {
        let span = hb.documents[0].controls[0].span;
        let value = why.to_string();
        hb.soa.excluded.insert(id(control), Spanned { value, span });
    }

    #[test]
    fn a_control_an_approved_document_claims_is_implemented() {
        let mut hb = base();
        let mut draft = hb.documents[0].clone();
        draft.status = Status::Draft;
        // A control listed twice in one document counts that document once.
        draft.controls.push(draft.controls[0].clone());
        hb.documents.push(draft);
        let c = of(&hb, "A.5.1");
        assert_eq!(c.coverage, Coverage::Implemented);
        assert_eq!(c.by, [0, 1]);
        assert!(c.coverage.is_applicable() && c.coverage.is_claimed());
        assert_eq!(c.coverage.implementation().label(), "implemented");
    }

    #[test]
    fn a_control_only_drafts_claim_is_only_in_drafts() {
        let mut hb = base();
        hb.documents[0].status = Status::InReview;
        let c = of(&hb, "A.8.13");
        assert_eq!(c.coverage, Coverage::OnlyInDrafts);
        assert_eq!(c.by, [0]);
        assert!(c.coverage.is_claimed());
        assert_eq!(
            c.coverage.implementation().to_string(),
            "partially implemented"
        );
    }

    #[test]
    fn a_control_no_document_claims_is_uncovered() {
        let mut hb = base();
        hb.documents[0].controls.retain(|c| c.value != id("A.7.4"));
        let c = of(&hb, "A.7.4");
        assert_eq!(c.coverage, Coverage::Uncovered);
        assert!(c.by.is_empty() && !c.coverage.is_claimed());
        assert_eq!(c.coverage.implementation().label(), "not implemented");
        // Another control stays implemented.
        assert_eq!(of(&hb, "A.7.5").coverage, Coverage::Implemented);
    }

    #[test]
    fn a_retired_document_implements_nothing() {
        let mut hb = base();
        hb.documents[0].status = Status::Retired;
        let c = of(&hb, "A.5.1");
        assert_eq!(c.coverage, Coverage::Uncovered);
        assert!(c.by.is_empty());
    }

    #[test]
    fn an_excluded_control_keeps_what_its_claimants_amount_to() {
        let mut hb = base();
        exclude(&mut hb, "A.7.4", "We occupy no premises of our own");
        let c = of(&hb, "A.7.4");
        let claimed = Implementation::Approved;
        let justified = true;
        assert_eq!(c.coverage, Coverage::Excluded { justified, claimed });
        assert!(!c.coverage.is_applicable() && !c.coverage.is_claimed());
        // The SoA still states its implementation: the claim is shown, and warned about.
        assert_eq!(c.coverage.implementation().label(), "implemented");

        hb.documents[0].status = Status::Draft;
        exclude(&mut hb, "A.7.4", "  ");
        let claimed = Implementation::OnlyInDrafts;
        let justified = false;
        let c = of(&hb, "A.7.4");
        assert_eq!(c.coverage, Coverage::Excluded { justified, claimed });

        hb.documents[0].controls.clear();
        let claimed = Implementation::Unclaimed;
        let c = of(&hb, "A.7.4");
        assert_eq!(c.coverage, Coverage::Excluded { justified, claimed });
    }

    #[test]
    fn the_summary_counts_each_variant_once() {
        let mut hb = base();
        exclude(&mut hb, "A.7.4", "No premises");
        hb.documents[0].controls.retain(|c| c.value != id("A.8.1"));
        let mut draft = hb.documents[0].clone();
        draft.status = Status::Draft;
        draft.controls = vec![hb.documents[0].controls[0].clone()];
        draft.controls[0].value = id("A.8.1");
        hb.documents.push(draft);
        hb.documents[0].controls.retain(|c| c.value != id("A.8.2"));
        let s = summary(&compute(&hb));
        let expected = Summary {
            total: 93,
            applicable: 92,
            excluded: 1,
            implemented: 90,
            partial: 1,
            missing: 1,
        };
        assert_eq!(s, expected);
    }
}
