//! Crosswalks from other frameworks (NIS2, GDPR, DORA, SOC 2) to ISO/IEC 27001:2022, compiled
//! into the binary. Each requirement has our own short title (never the framework's text) and
//! the Annex A controls and clauses that address it. A requirement is named in front matter as
//! `framework:reference`, e.g. `nis2:Art.23`; [`RequirementRef`] is that name parsed once.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::core::types::ControlId;

/// (key, display name, crosswalk) of every framework we know.
const SOURCES: &[(&str, &str, &str)] = &[
    (
        "nis2",
        "NIS2 Directive (EU) 2022/2555",
        include_str!("catalog/nis2.tsv"),
    ),
    (
        "gdpr",
        "GDPR, Regulation (EU) 2016/679",
        include_str!("catalog/gdpr.tsv"),
    ),
    (
        "dora",
        "DORA, Regulation (EU) 2022/2554",
        include_str!("catalog/dora.tsv"),
    ),
    (
        "soc2",
        "SOC 2 Trust Services Criteria",
        include_str!("catalog/soc2.tsv"),
    ),
];

/// One requirement of a framework and where ISO/IEC 27001 meets it.
#[derive(Clone, Debug)]
pub struct Requirement {
    /// The framework's own reference: `Art.21(2)(e)`, `CC6.1`.
    pub id: &'static str,
    pub title: &'static str,
    pub controls: Vec<ControlId>,
    pub clauses: Vec<&'static str>,
}

#[derive(Clone, Debug)]
pub struct Framework {
    /// The key used in ismsbook.toml, front matter and file names: `nis2`.
    pub key: &'static str,
    pub name: &'static str,
    pub requirements: Vec<Requirement>,
}

impl Framework {
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }
}

/// Every framework, parsed once per process, in a fixed order.
pub fn frameworks() -> &'static [Framework] {
    static ALL: OnceLock<Vec<Framework>> = OnceLock::new();
    ALL.get_or_init(|| {
        SOURCES
            .iter()
            .map(|&(key, name, tsv)| Framework {
                key,
                name,
                requirements: tsv
                    .lines()
                    .skip(1)
                    .filter(|l| !l.trim().is_empty())
                    .map(requirement)
                    .collect(),
            })
            .collect()
    })
}

fn requirement(line: &'static str) -> Requirement {
    let mut cells = line.split('\t');
    let mut next = || cells.next().unwrap_or("").trim();
    let (id, title, controls, clauses) = (next(), next(), next(), next());
    Requirement {
        id,
        title,
        // The compiled data is tested below: every id parses.
        controls: controls
            .split_whitespace()
            .filter_map(|c| c.parse().ok())
            .collect(),
        clauses: clauses.split_whitespace().collect(),
    }
}

pub fn framework(key: &str) -> Option<&'static Framework> {
    frameworks().iter().find(|f| f.key == key)
}

/// `nis2:Art.23` parsed: a known framework and one of its requirements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequirementRef {
    /// Index into [`frameworks`], then into its requirements: cheap, ordered as the data is.
    framework: usize,
    requirement: usize,
}

impl RequirementRef {
    /// The `requirement`-th requirement of the `framework`-th framework of [`frameworks`].
    pub fn new(framework: usize, requirement: usize) -> RequirementRef {
        RequirementRef {
            framework,
            requirement,
        }
    }

    pub fn framework(self) -> &'static Framework {
        &frameworks()[self.framework]
    }

    pub fn requirement(self) -> &'static Requirement {
        &self.framework().requirements[self.requirement]
    }
}

impl fmt::Display for RequirementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.framework().key, self.requirement().id)
    }
}

/// Why a requirement name did not parse, with what to suggest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    /// No `framework:` prefix.
    NoFramework,
    UnknownFramework(String),
    UnknownRequirement {
        framework: &'static str,
        requirement: String,
    },
}

impl FromStr for RequirementRef {
    type Err = RefError;

    fn from_str(s: &str) -> Result<Self, RefError> {
        let (key, id) = s.split_once(':').ok_or(RefError::NoFramework)?;
        let key = key.trim().to_ascii_lowercase();
        let framework = frameworks()
            .iter()
            .position(|f| f.key == key)
            .ok_or(RefError::UnknownFramework(key))?;
        let f = &frameworks()[framework];
        let id = id.trim();
        let requirement = f
            .requirements
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| RefError::UnknownRequirement {
                framework: f.key,
                requirement: id.to_string(),
            })?;
        Ok(RequirementRef {
            framework,
            requirement,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crosswalk_row_names_real_controls_and_clauses() {
        let cat = crate::core::catalog::catalog();
        for (f, &(_, _, tsv)) in frameworks().iter().zip(SOURCES) {
            assert_eq!(f.requirements.len(), tsv.lines().count() - 1, "{}", f.key);
            for r in &f.requirements {
                let written = tsv.lines().find(|l| l.starts_with(&format!("{}\t", r.id)));
                let cells: Vec<&str> = written.unwrap().split('\t').collect();
                assert_eq!(r.controls.len(), cells[2].split_whitespace().count());
                assert!(r.controls.iter().all(|c| cat.control(*c).is_some()));
                assert!(
                    r.clauses.iter().all(|c| cat.clause(c).is_some()),
                    "{c:?}",
                    c = r.clauses
                );
                assert!(!r.controls.is_empty() || !r.clauses.is_empty(), "{}", r.id);
            }
        }
    }

    #[test]
    fn the_compiled_crosswalks_are_the_shared_reference() {
        let shared =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/crosswalks");
        if !shared.is_dir() {
            return; // a packaged crate has only its own copy
        }
        for &(key, _, ours) in SOURCES {
            let reference = std::fs::read_to_string(shared.join(format!("{key}.tsv"))).unwrap();
            assert_eq!(ours, reference, "src/core/catalog/{key}.tsv");
        }
    }

    #[test]
    fn a_requirement_parses_once_and_prints_as_written() {
        let r: RequirementRef = "nis2:Art.21(2)(e)".parse().unwrap();
        assert_eq!(r.to_string(), "nis2:Art.21(2)(e)");
        assert!(r.requirement().controls.contains(&"A.8.8".parse().unwrap()));
        assert_eq!(
            "NIS2:Art.23".parse::<RequirementRef>().unwrap().to_string(),
            "nis2:Art.23"
        );
        assert_eq!(
            "hipaa:164.308".parse::<RequirementRef>(),
            Err(RefError::UnknownFramework("hipaa".into()))
        );
        assert!(matches!(
            "gdpr:Art.99".parse::<RequirementRef>(),
            Err(RefError::UnknownRequirement {
                framework: "gdpr",
                ..
            })
        ));
    }
}
