//! ISO/IEC 27001:2022 as data compiled into the binary: Annex A controls (ids, themes and
//! titles only, never the standard's text), the clauses, the mandatory documented information
//! and the 2013 -> 2022 correspondence.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::types::ControlId;

const ANNEX_A: &str = include_str!("catalog/annex-a-2022.tsv");
const CLAUSES: &str = include_str!("catalog/clauses-2022.tsv");
const MANDATORY: &str = include_str!("catalog/mandatory-documents.tsv");
const CORRESPONDENCE: &str = include_str!("catalog/iso27001-2013-to-2022.tsv");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Organizational,
    People,
    Physical,
    Technological,
}

impl Theme {
    pub const ALL: [Theme; 4] = [
        Theme::Organizational,
        Theme::People,
        Theme::Physical,
        Theme::Technological,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Theme::Organizational => "Organizational",
            Theme::People => "People",
            Theme::Physical => "Physical",
            Theme::Technological => "Technological",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Control {
    pub id: ControlId,
    pub theme: Theme,
    pub title: &'static str,
}

#[derive(Clone, Debug)]
pub struct Clause {
    pub id: &'static str,
    pub title: &'static str,
}

/// A piece of documented information the standard requires.
#[derive(Clone, Debug)]
pub struct Mandatory {
    pub clause: &'static str,
    pub title: &'static str,
    /// "maintained" or "retained".
    pub kind: &'static str,
    /// Clause ids whose presence in a document's `clauses:` meets it; empty when the tool
    /// generates it (the Statement of Applicability).
    pub met_by: Vec<&'static str>,
}

pub struct Catalog {
    pub controls: Vec<Control>,
    pub clauses: Vec<Clause>,
    pub mandatory: Vec<Mandatory>,
    successors: BTreeMap<&'static str, (&'static str, Vec<ControlId>)>,
}

fn rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// The catalogue, parsed once per process.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let controls = rows(ANNEX_A)
            .filter_map(|r| {
                let theme = match *r.get(1)? {
                    "organizational" => Theme::Organizational,
                    "people" => Theme::People,
                    "physical" => Theme::Physical,
                    _ => Theme::Technological,
                };
                Some(Control {
                    id: r.first()?.parse().ok()?,
                    theme,
                    title: r.get(2)?,
                })
            })
            .collect();
        let clauses = rows(CLAUSES)
            .filter_map(|r| {
                Some(Clause {
                    id: r.first()?,
                    title: r.get(1)?,
                })
            })
            .collect();
        let mandatory = rows(MANDATORY)
            .filter_map(|r| {
                let how = r.get(3)?;
                Some(Mandatory {
                    clause: r.first()?,
                    title: r.get(1)?,
                    kind: r.get(2)?,
                    met_by: how.split('"').skip(1).step_by(2).collect(),
                })
            })
            .collect();
        let mut successors: BTreeMap<&str, (&str, Vec<ControlId>)> = BTreeMap::new();
        for r in rows(CORRESPONDENCE) {
            if let (Some(old), Some(title), Some(Ok(new))) =
                (r.first(), r.get(1), r.get(2).map(|s| s.parse()))
            {
                successors
                    .entry(old)
                    .or_insert((title, Vec::new()))
                    .1
                    .push(new);
            }
        }
        Catalog {
            controls,
            clauses,
            mandatory,
            successors,
        }
    })
}

impl Catalog {
    pub fn control(&self, id: ControlId) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// The 2022 controls that replaced a 2013 control id such as `A.9.2.3`.
    pub fn successors_of_2013(&self, id: &str) -> Option<&[ControlId]> {
        let key = if id.starts_with("A.") {
            id.to_string()
        } else {
            format!("A.{id}")
        };
        self.successors
            .get(key.as_str())
            .map(|(_, new)| new.as_slice())
    }
}

/// The diagnostic for a control id that is not in Annex A (2022), naming the 2022
/// successors when it is a 2013 id.
pub fn unknown_control(file: &Path, text: &str, span: Span) -> Diagnostic {
    let cat = catalog();
    let d = Diagnostic::error(
        Code::UnknownControl,
        file,
        format!("`{text}` is not an Annex A control of ISO/IEC 27001:2022"),
    )
    .at(span);
    match cat.successors_of_2013(text) {
        Some(new) => {
            let names: Vec<String> = new
                .iter()
                .filter_map(|id| cat.control(*id))
                .map(|c| format!("{} ({})", c.id, c.title))
                .collect();
            d.help(format!(
                "{text} is a 2013 control; in 2022 it became {}",
                names.join(" and ")
            ))
        }
        None => d.help("controls run A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14 and A.8.1-A.8.34"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_a_has_93_controls_in_four_themes() {
        let cat = catalog();
        assert_eq!(cat.controls.len(), 93);
        let count = |t| cat.controls.iter().filter(|c| c.theme == t).count();
        assert_eq!(
            Theme::ALL.map(count),
            [37, 8, 14, 34],
            "organizational, people, physical, technological"
        );
        let reference: Vec<String> = ANNEX_A
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
        let ours: Vec<String> = cat.controls.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ours, reference);
    }

    #[test]
    fn the_compiled_data_is_the_shared_reference() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
        if !shared.is_dir() {
            return; // a packaged crate has only its own copy
        }
        for (name, ours) in [
            ("annex-a-2022.tsv", ANNEX_A),
            ("clauses-2022.tsv", CLAUSES),
            ("mandatory-documents.tsv", MANDATORY),
            ("iso27001-2013-to-2022.tsv", CORRESPONDENCE),
        ] {
            let reference = std::fs::read_to_string(shared.join(name)).unwrap();
            assert_eq!(
                ours, reference,
                "src/core/catalog/{name} differs from shared/reference/{name}"
            );
        }
    }

    #[test]
    fn mandatory_documents_know_which_clauses_meet_them() {
        let cat = catalog();
        let audit = cat.mandatory.iter().find(|m| m.clause == "9.2").unwrap();
        assert_eq!(audit.met_by, ["9.2", "9.2.2"]);
        let soa = cat
            .mandatory
            .iter()
            .find(|m| m.clause == "6.1.3 d)")
            .unwrap();
        assert!(soa.met_by.is_empty());
    }

    #[test]
    fn a_2013_id_names_its_successor() {
        let d = unknown_control(Path::new("x.md"), "A.9.2.3", Span::new(1, 1, 1));
        assert!(d.help.unwrap().contains("A.8.2 (Privileged access rights)"));
    }
}
