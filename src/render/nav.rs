//! The sidebar: its sections and links, computed once per build and handed to every page as
//! `nav`. A new page registers itself with one row of [`PAGES`]; its section shows only when
//! the row's `shown` says the handbook has it.

use serde::Serialize;

use super::context::DocRow;
use crate::check::Withheld;
use crate::core::types::DocType;
use crate::load::model::Handbook;

/// A group of the sidebar, with a heading.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    pub title: &'static str,
    pub links: Vec<Link>,
}

/// A link of the sidebar. `path` is from the site root (the template puts `root` in front);
/// `children` are shown under it when the handbook is small enough to list them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    pub label: String,
    pub path: String,
    pub count: Option<usize>,
    pub children: Vec<Link>,
}

/// The sidebar sections, in their order. Documents come first; the rest from [`PAGES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Registers,
    AnnexA,
    Risks,
    Frameworks,
    OperatingRecords,
}

impl Group {
    const ALL: [Group; 5] = [
        Group::Registers,
        Group::AnnexA,
        Group::Risks,
        Group::Frameworks,
        Group::OperatingRecords,
    ];

    fn title(self) -> &'static str {
        match self {
            Group::Registers => "Registers",
            Group::AnnexA => "Annex A",
            Group::Risks => "Risks",
            Group::Frameworks => "Frameworks",
            Group::OperatingRecords => "Operating records",
        }
    }
}

/// A page of the sidebar other than a document.
pub struct Page {
    pub group: Group,
    pub label: &'static str,
    pub path: &'static str,
    /// Whether this edition has the page: a section whose pages are all absent is left out.
    pub shown: fn(&Handbook, &Withheld) -> bool,
}

fn always(_: &Handbook, _: &Withheld) -> bool {
    true
}

/// The risk pages exist when there is a register and the edition does not withhold it.
fn risk_pages(hb: &Handbook, withheld: &Withheld) -> bool {
    hb.risks.is_some() && !withheld.risks()
}

fn frameworks_enabled(hb: &Handbook, _: &Withheld) -> bool {
    !hb.config.frameworks.is_empty()
}

/// Every page of the sidebar but the documents. A new page adds its row here (with a `shown`
/// that reads the model, e.g. `|hb| !hb.risks.is_empty()`), nothing else.
pub const PAGES: &[Page] = &[
    Page {
        group: Group::Registers,
        label: "Document register",
        path: "documents/index.html",
        shown: always,
    },
    Page {
        group: Group::Registers,
        label: "Reviews",
        path: "reviews.html",
        shown: always,
    },
    Page {
        group: Group::Registers,
        label: "Stage 1 readiness",
        path: "readiness.html",
        shown: always,
    },
    Page {
        group: Group::Registers,
        label: "Changes",
        path: "changes.html",
        shown: always,
    },
    Page {
        group: Group::AnnexA,
        label: "Controls",
        path: "controls/index.html",
        shown: always,
    },
    Page {
        group: Group::AnnexA,
        label: "Statement of Applicability",
        path: "soa.html",
        shown: always,
    },
    Page {
        group: Group::Registers,
        label: "Print the handbook",
        path: "print.html",
        shown: always,
    },
    Page {
        group: Group::Risks,
        label: "Risk register",
        path: "risks/index.html",
        shown: risk_pages,
    },
    Page {
        group: Group::Risks,
        label: "Treatment plan",
        path: "treatment-plan.html",
        shown: risk_pages,
    },
    Page {
        group: Group::Frameworks,
        label: "Crosswalks",
        path: "frameworks/index.html",
        shown: frameworks_enabled,
    },
    Page {
        group: Group::OperatingRecords,
        label: "Actions",
        path: "actions.html",
        shown: always,
    },
    Page {
        group: Group::OperatingRecords,
        label: "Nonconformities",
        path: "nonconformities.html",
        shown: always,
    },
    Page {
        group: Group::OperatingRecords,
        label: "Audit programme",
        path: "audit-programme.html",
        shown: always,
    },
    Page {
        group: Group::OperatingRecords,
        label: "Calendar",
        path: "calendar.html",
        shown: always,
    },
];

/// Up to this many published documents, the sidebar lists each one under its type; above,
/// only the types (a sidebar of 10,000 links on each of 10,000 pages would be the site).
const LIST_DOCUMENTS_UP_TO: usize = 150;

/// Whether the sidebar lists each of this many published documents (with its id and title),
/// or only their number by type.
pub fn lists_documents(published: usize) -> bool {
    published <= LIST_DOCUMENTS_UP_TO
}

/// The sidebar of this build. `rows` are the register's rows in register order.
pub fn sections(hb: &Handbook, withheld: &Withheld, rows: &[DocRow]) -> Vec<Section> {
    let published: Vec<&DocRow> = rows.iter().filter(|r| !r.withheld).collect();
    let list = published.len() <= LIST_DOCUMENTS_UP_TO;
    let by_type: Vec<Link> = DocType::ALL
        .iter()
        .filter_map(|&t| {
            let mut of_type: Vec<&&DocRow> = published
                .iter()
                .filter(|r| r.doc_type == t.as_str())
                .collect();
            of_type.sort_by(|a, b| id_order(&a.id, &b.id));
            (!of_type.is_empty()).then(|| Link {
                label: type_label(t).to_string(),
                path: format!("documents/index.html#type-{}", t.as_str()),
                count: Some(of_type.len()),
                children: match list {
                    true => of_type
                        .iter()
                        .map(|r| Link {
                            label: format!("{} {}", r.id, r.title),
                            path: format!("documents/{}.html", r.id),
                            count: None,
                            children: Vec::new(),
                        })
                        .collect(),
                    false => Vec::new(),
                },
            })
        })
        .collect();
    let mut out = vec![Section {
        title: "Documents",
        links: by_type,
    }];
    for group in Group::ALL {
        let links: Vec<Link> = PAGES
            .iter()
            .filter(|p| p.group == group && (p.shown)(hb, withheld))
            .map(|p| Link {
                label: p.label.to_string(),
                path: p.path.to_string(),
                count: None,
                children: Vec::new(),
            })
            .collect();
        if !links.is_empty() {
            out.push(Section {
                title: group.title(),
                links,
            });
        }
    }
    out
}

/// The heading of a document type in the sidebar and the register.
pub fn type_label(t: DocType) -> &'static str {
    match t {
        DocType::Policy => "Policies",
        DocType::Standard => "Standards",
        DocType::Procedure => "Procedures",
        DocType::Guideline => "Guidelines",
        DocType::Plan => "Plans",
        DocType::Register => "Registers",
        DocType::Record => "Records",
        DocType::Form => "Forms",
    }
}

/// Natural order of document ids: by prefix, then by number (`PLN-001` before `PLN-003`,
/// `PLN-9` before `PLN-10`), whatever the number of digits.
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| {
        let (prefix, number) = s.split_once('-').unwrap_or((s, ""));
        (
            prefix.to_string(),
            number.parse::<u32>().unwrap_or(u32::MAX),
        )
    };
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_prefix_then_number() {
        let mut ids = vec!["PLN-003", "POL-2", "PLN-01", "PLN-001", "PLN-10"];
        ids.sort_by(|a, b| id_order(a, b));
        assert_eq!(ids, ["PLN-001", "PLN-01", "PLN-003", "PLN-10", "POL-2"]);
    }
}
