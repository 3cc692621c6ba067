//! `frameworks/index.html`, `frameworks/<name>.html` and `frameworks/<name>.csv`: each
//! requirement of an enabled framework with its mapped controls (applicability, status), the
//! documents that implement them or claim the requirement, and its coverage, as the check
//! decided it.

use std::path::PathBuf;

use serde::Serialize;
use tera::{Context, Tera};

use super::context::{DocRef, Site};
use super::whole::{filled, rows as rows_fill, slot};
use super::OutputFile;
use crate::check::frameworks::{FrameworkCoverage, RequirementStatus};
use crate::core::catalog::catalog;
use crate::core::types::ControlId;

/// Requirements per template call: each lists every document of its controls.
const REQUIREMENT_CHUNK: usize = 1;

#[derive(Serialize)]
struct ControlCell {
    id: String,
    title: &'static str,
    applicable: bool,
    status: crate::check::Implementation,
    counts: bool,
    documents: Vec<DocRef>,
}

#[derive(Serialize)]
struct RequirementRow {
    id: &'static str,
    title: &'static str,
    status: RequirementStatus,
    controls: Vec<ControlCell>,
    clauses: Vec<serde_json::Value>,
    claimed_by: Vec<DocRef>,
}

#[derive(Serialize)]
struct Summary {
    key: &'static str,
    name: &'static str,
    requirements: usize,
    covered: usize,
    partial: usize,
    uncovered: usize,
}

fn summary(fc: &FrameworkCoverage) -> Summary {
    let [covered, partial, uncovered] = fc.counts();
    Summary {
        key: fc.framework.key,
        name: fc.framework.name,
        requirements: fc.requirements.len(),
        covered,
        partial,
        uncovered,
    }
}

impl Site<'_> {
    fn doc_ref(&self, i: usize) -> DocRef {
        let d = &self.hb.documents[i];
        DocRef {
            id: d.id_str().to_string(),
            title: d.title.clone(),
            version: d.version.to_string(),
            status: d.status,
            withheld: self.withheld.id(d.id_str()),
        }
    }

    fn control_cell(&self, id: ControlId, counts: bool) -> ControlCell {
        let i = catalog().controls.iter().position(|c| c.id == id);
        let row = i.map(|i| &self.controls()[i]);
        ControlCell {
            id: id.to_string(),
            title: row.map_or("", |r| r.title),
            applicable: row.is_some_and(|r| r.applicable),
            status: row.map_or(crate::check::Implementation::Unclaimed, |r| r.status),
            counts,
            documents: row.map(|r| r.documents.clone()).unwrap_or_default(),
        }
    }

    fn requirement_rows(&self, fc: &FrameworkCoverage) -> Vec<RequirementRow> {
        let doc = |i: usize| self.doc_ref(i);
        fc.requirements
            .iter()
            .map(|rc| {
                let req = rc.requirement.requirement();
                RequirementRow {
                    id: req.id,
                    title: req.title,
                    status: rc.status,
                    controls: rc
                        .controls
                        .iter()
                        .map(|&(c, ok)| self.control_cell(c, ok))
                        .collect(),
                    clauses: rc
                        .clauses
                        .iter()
                        .map(|(c, docs)| {
                            let title = catalog().clause(c).map_or("", |k| k.title);
                            let docs: Vec<DocRef> = docs.iter().map(|&i| doc(i)).collect();
                            serde_json::json!({ "id": c, "title": title, "documents": docs })
                        })
                        .collect(),
                    claimed_by: rc.claimed_by.iter().map(|&i| doc(i)).collect(),
                }
            })
            .collect()
    }

    /// The pages and CSV files of the enabled frameworks, and their index.
    pub(super) fn framework_files(&self, tera: &Tera) -> Result<Vec<OutputFile>, String> {
        let all = &self.checked.frameworks;
        let mut ctx = Context::new();
        ctx.insert("frameworks", &all.iter().map(summary).collect::<Vec<_>>());
        let page = ("frameworks.html", "frameworks/index.html".into(), "../");
        let mut files = vec![self.listing_page(tera, page, ctx, &[])?];
        for fc in all {
            let rows = self.requirement_rows(fc);
            files.push(self.framework_page(tera, fc, &rows)?);
            files.push(OutputFile {
                path: PathBuf::from(format!("frameworks/{}.csv", fc.framework.key)),
                bytes: csv(&rows).into_bytes(),
            });
        }
        Ok(files)
    }

    /// A framework's page. Its rows, which list every implementing document of each mapped
    /// control (a thousand per requirement in a large handbook), are rendered a few at a
    /// time: `serve` renders again only those that show an edited document.
    fn framework_page(
        &self,
        tera: &Tera,
        fc: &FrameworkCoverage,
        rows: &[RequirementRow],
    ) -> Result<OutputFile, String> {
        let path = format!("frameworks/{}.html", fc.framework.key);
        let mut ctx = Context::new();
        ctx.insert("framework", &summary(fc));
        ctx.insert("rows", &slot(0));
        if self.replaced(tera).iter().any(|t| t == "framework.html") {
            // A theme's own page from before the rows had their template lists them itself.
            ctx.insert("requirements", rows);
        }
        let mut page = self.page(tera, "framework.html", path.clone(), "../", ctx)?;
        let memo = self.memo_at(format!("{path}@0"));
        let names = ("framework-rows.html", "requirements", "../");
        let fill = rows_fill(tera, names, rows.iter(), REQUIREMENT_CHUNK, memo);
        page.bytes = filled(&page.bytes, vec![fill])?;
        Ok(page)
    }

    /// The requirements document `i` claims, for its page.
    pub(super) fn claimed_by_document(&self, i: usize) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for fc in &self.checked.frameworks {
            for rc in fc.requirements.iter().filter(|r| r.claimed_by.contains(&i)) {
                let req = rc.requirement.requirement();
                out.push(serde_json::json!({
                    "framework": fc.framework.key, "id": req.id, "title": req.title,
                    "status": rc.status,
                }));
            }
        }
        out
    }

    /// The requirements of enabled frameworks that control `id` serves, for its page: names
    /// only, which no document changes (their coverage is on the framework's page, which
    /// `serve` rewrites with the other lists).
    pub(super) fn requirements_of(&self, id: ControlId) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for fc in &self.checked.frameworks {
            for rc in &fc.requirements {
                if rc.controls.iter().any(|&(c, _)| c == id) {
                    let req = rc.requirement.requirement();
                    out.push(serde_json::json!({
                        "framework": fc.framework.key, "name": fc.framework.name,
                        "id": req.id, "title": req.title,
                    }));
                }
            }
        }
        out
    }
}

/// One row per requirement: coverage, mapped controls with their status, documents.
fn csv(rows: &[RequirementRow]) -> String {
    super::csv::table(
        &[
            "requirement",
            "title",
            "coverage",
            "controls",
            "clauses",
            "implementing documents",
            "claimed by",
        ],
        rows.iter().map(|r| {
            let controls: Vec<String> = r
                .controls
                .iter()
                .map(|c| match c.applicable {
                    true => format!("{} ({})", c.id, c.status),
                    false => format!("{} (excluded)", c.id),
                })
                .collect();
            let clauses: Vec<String> = r
                .clauses
                .iter()
                .map(|c| c["id"].as_str().unwrap_or("").to_string())
                .collect();
            let mut docs: Vec<String> = r
                .controls
                .iter()
                .flat_map(|c| {
                    c.documents
                        .iter()
                        .map(|d| format!("{} v{}", d.id, d.version))
                })
                .collect();
            docs.sort();
            docs.dedup();
            let claimed: Vec<String> = r
                .claimed_by
                .iter()
                .map(|d| format!("{} v{}", d.id, d.version))
                .collect();
            vec![
                r.id.to_string(),
                r.title.to_string(),
                r.status.to_string(),
                controls.join("; "),
                clauses.join("; "),
                docs.join("; "),
                claimed.join("; "),
            ]
        }),
    )
}
