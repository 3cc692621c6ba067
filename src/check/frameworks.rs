//! Crosswalk coverage: for each requirement of each enabled framework, whether the ISMS covers
//! it. Decided once, in the check pass, from the controls' coverage; the rule, the framework
//! pages, their CSV files and the control pages read these values and never decide again.

use std::fmt;

use super::coverage::{ControlCoverage, Coverage};
use crate::core::catalog::catalog;
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::frameworks::{Framework, RefError, RequirementRef};
use crate::core::suggest::did_you_mean;
use crate::core::types::{ControlId, Status};
use crate::load::config::FILE as CONFIG_FILE;
use crate::load::model::Handbook;

/// Whether a control counts towards a requirement: applicable and implemented. The one place
/// that decides it, so the SoA's status can be swapped in here alone.
pub fn implemented(c: &ControlCoverage) -> bool {
    c.coverage == Coverage::Implemented
}

/// Where a requirement stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RequirementStatus {
    /// An approved document claims it, or every mapped control is in place (every mapped
    /// clause, for a requirement no control is mapped to).
    Covered,
    /// Some mapped controls or clauses are in place, others excluded or not implemented.
    Partial,
    /// None is, and no approved document claims it.
    Uncovered,
}

impl RequirementStatus {
    pub fn label(self) -> &'static str {
        match self {
            RequirementStatus::Covered => "covered",
            RequirementStatus::Partial => "partially covered",
            RequirementStatus::Uncovered => "uncovered",
        }
    }
}

impl fmt::Display for RequirementStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for RequirementStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// One requirement's coverage, with what it was decided from.
#[derive(Clone, Debug)]
pub struct RequirementCoverage {
    pub requirement: RequirementRef,
    pub status: RequirementStatus,
    /// The mapped controls, each with whether it counts ([`implemented`]).
    pub controls: Vec<(ControlId, bool)>,
    /// The mapped clauses, each with the in-force documents addressing it.
    pub clauses: Vec<(&'static str, Vec<usize>)>,
    /// Non-retired documents claiming the requirement (indices into `hb.documents`); only
    /// approved ones cover it.
    pub claimed_by: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct FrameworkCoverage {
    pub framework: &'static Framework,
    pub requirements: Vec<RequirementCoverage>,
}

impl FrameworkCoverage {
    /// How many requirements are covered, partially covered and uncovered.
    pub fn counts(&self) -> [usize; 3] {
        let n = |s| self.requirements.iter().filter(|r| r.status == s).count();
        [
            n(RequirementStatus::Covered),
            n(RequirementStatus::Partial),
            n(RequirementStatus::Uncovered),
        ]
    }
}

/// Each document's `requirements:` parsed against the enabled frameworks; what does not name
/// an enabled framework's requirement is reported. Returns (document index, requirement).
pub fn claims(hb: &Handbook, diags: &mut Vec<Diagnostic>) -> Vec<(usize, RequirementRef)> {
    let mut out = Vec::new();
    for (i, doc) in hb.documents.iter().enumerate() {
        for written in &doc.requirements {
            match parse_claim(hb, &written.value) {
                Ok(r) => out.push((i, r)),
                Err((message, help)) => diags.push(
                    Diagnostic::error(Code::UnknownRequirement, &doc.path, message)
                        .at(written.span)
                        .help(help),
                ),
            }
        }
    }
    out
}

fn enabled_keys(hb: &Handbook) -> Vec<&'static str> {
    hb.config.frameworks.iter().map(|f| f.key).collect()
}

/// The requirement, or (message, help).
fn parse_claim(hb: &Handbook, text: &str) -> Result<RequirementRef, (String, String)> {
    let enabled = enabled_keys(hb);
    let enable = |key: &str| {
        let mut keys: Vec<String> = enabled.iter().map(|k| format!("\"{k}\"")).collect();
        keys.push(format!("\"{key}\""));
        format!(
            "enable it in ismsbook.toml: [frameworks] enabled = [{}]",
            keys.join(", ")
        )
    };
    match text.parse::<RequirementRef>() {
        Ok(r) if enabled.contains(&r.framework().key) => Ok(r),
        Ok(r) => Err((
            format!("`{text}`: framework `{}` is not enabled", r.framework().key),
            enable(r.framework().key),
        )),
        Err(RefError::NoFramework) => {
            let all: Vec<String> = hb
                .config
                .frameworks
                .iter()
                .flat_map(|f| {
                    f.requirements
                        .iter()
                        .map(move |r| format!("{}:{}", f.key, r.id))
                })
                .collect();
            let guess = all.iter().find(|r| r.ends_with(&format!(":{text}")));
            let help = match guess {
                Some(g) => format!("did you mean \"{g}\"?"),
                None => "write it as framework:requirement, e.g. \"nis2:Art.23\"".into(),
            };
            Err((format!("`{text}` names no framework"), help))
        }
        Err(RefError::UnknownFramework(key)) => {
            let all: Vec<&str> = crate::core::frameworks::frameworks()
                .iter()
                .map(|f| f.key)
                .collect();
            let help = match did_you_mean(&key, all.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the frameworks are: {}", all.join(", ")),
            };
            Err((format!("`{text}`: unknown framework `{key}`"), help))
        }
        Err(RefError::UnknownRequirement {
            framework,
            requirement,
        }) => {
            let f = crate::core::frameworks::framework(framework).expect("parsed key");
            let ids = f.requirements.iter().map(|r| r.id);
            let help = match did_you_mean(&requirement, ids.clone()) {
                Some(s) => format!(
                    "did you mean \"{framework}:{s}\" ({})?",
                    f.requirement(s).map_or("", |r| r.title)
                ),
                None => format!(
                    "the requirements of {} are: {}",
                    f.key,
                    ids.collect::<Vec<_>>().join(", ")
                ),
            };
            let mut message = format!("`{text}`: {} has no requirement `{requirement}`", f.key);
            if !enabled.contains(&framework) {
                message.push_str(&format!(" (and `{framework}` is not enabled)"));
            }
            Err((message, help))
        }
    }
}

/// The coverage of every requirement of every enabled framework.
pub fn compute(
    hb: &Handbook,
    controls: &[ControlCoverage],
    claims: &[(usize, RequirementRef)],
) -> Vec<FrameworkCoverage> {
    let cat = catalog();
    let counts = |id: ControlId| {
        let at = cat.controls.iter().position(|c| c.id == id);
        at.is_some_and(|i| implemented(&controls[i]))
    };
    let fws = crate::core::frameworks::frameworks();
    hb.config
        .frameworks
        .iter()
        .map(|&framework| {
            let fi = fws.iter().position(|f| f.key == framework.key).unwrap_or(0);
            let requirements = (0..framework.requirements.len())
                .map(|ri| requirement(hb, RequirementRef::new(fi, ri), &counts, claims))
                .collect();
            FrameworkCoverage {
                framework,
                requirements,
            }
        })
        .collect()
}

/// One requirement's coverage; `counts` says whether a control counts towards it.
fn requirement(
    hb: &Handbook,
    r: RequirementRef,
    counts: &dyn Fn(ControlId) -> bool,
    claims: &[(usize, RequirementRef)],
) -> RequirementCoverage {
    let req = r.requirement();
    let mapped: Vec<(ControlId, bool)> = req.controls.iter().map(|&c| (c, counts(c))).collect();
    let clauses: Vec<(&'static str, Vec<usize>)> = req
        .clauses
        .iter()
        .map(|&clause| (clause, addressing(hb, clause)))
        .collect();
    let mut claimed_by: Vec<usize> = claims
        .iter()
        .filter(|(i, c)| *c == r && hb.documents[*i].status != Status::Retired)
        .map(|(i, _)| *i)
        .collect();
    claimed_by.dedup();
    // The controls decide; the clauses only where no control is mapped (they are shown, but a
    // handbook lists in `clauses:` only the clauses it documents).
    let (met, total) = match mapped.is_empty() {
        false => (mapped.iter().filter(|(_, ok)| *ok).count(), mapped.len()),
        true => (
            clauses.iter().filter(|(_, d)| !d.is_empty()).count(),
            clauses.len(),
        ),
    };
    let claimed = claimed_by
        .iter()
        .any(|&i| hb.documents[i].status.is_in_force());
    let status = if claimed || met == total {
        RequirementStatus::Covered
    } else if met > 0 {
        RequirementStatus::Partial
    } else {
        RequirementStatus::Uncovered
    };
    RequirementCoverage {
        requirement: r,
        status,
        controls: mapped,
        clauses,
        claimed_by,
    }
}

/// In-force documents that list `clause` (or one of its sub-clauses) in `clauses:`.
fn addressing(hb: &Handbook, clause: &str) -> Vec<usize> {
    let sub = format!("{clause}.");
    hb.documents
        .iter()
        .enumerate()
        .filter(|(_, d)| d.status.is_in_force())
        .filter(|(_, d)| {
            d.clauses
                .iter()
                .any(|c| c.value == clause || c.value.starts_with(&sub))
        })
        .map(|(i, _)| i)
        .collect()
}

/// framework-requirement-uncovered: a warning for each requirement not fully covered, at the
/// framework's name in ismsbook.toml.
pub fn rule(hb: &Handbook, coverage: &[FrameworkCoverage], diags: &mut Vec<Diagnostic>) {
    let cat = catalog();
    let title = |id: ControlId| cat.control(id).map_or("", |c| c.title);
    for fc in coverage {
        let key = fc.framework.key;
        let span = find_quoted(&hb.config_source, key);
        for rc in fc
            .requirements
            .iter()
            .filter(|r| r.status != RequirementStatus::Covered)
        {
            let req = rc.requirement.requirement();
            let mut gaps: Vec<String> = rc
                .controls
                .iter()
                .filter(|(_, ok)| !ok)
                .map(|&(c, _)| {
                    let why = match hb.soa.excluded.contains_key(&c) {
                        true => "excluded",
                        false => "not implemented",
                    };
                    format!("{c} ({}) {why}", title(c))
                })
                .collect();
            if rc.controls.is_empty() {
                gaps.extend(
                    rc.clauses
                        .iter()
                        .filter(|(_, d)| d.is_empty())
                        .map(|(c, _)| format!("clause {c} addressed by no approved document")),
                );
            }
            diags.push(
                Diagnostic::warning(
                    Code::FrameworkRequirementUncovered,
                    CONFIG_FILE,
                    format!(
                        "{} {} ({}) is {}: {}",
                        fc.framework.key.to_uppercase(),
                        req.id,
                        req.title,
                        rc.status,
                        gaps.join("; ")
                    ),
                )
                .at_opt(span)
                .help(format!(
                    "implement the mapped controls, or claim the requirement in the approved document that meets it: requirements: [\"{}\"]",
                    rc.requirement
                )),
            );
        }
    }
}

/// Where `"key"` is written in the configuration.
fn find_quoted(text: &str, key: &str) -> Option<Span> {
    let quoted = format!("\"{key}\"");
    let at = text.find(&quoted)?;
    Some(Span::of_range(text, at..at + quoted.len(), 1))
}
