//! What each page shows: the data handed to its template, computed once per build.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Serialize;
use tera::{Context, Tera};

use super::whole::{slot, splice};
use super::{resolve_body, Options, OutputFile, Place};
use crate::check::coverage::{self, Implementation, Summary};
use crate::check::{self, Checked, ReviewState, Withheld};
use crate::core::catalog::catalog;
use crate::core::diagnostics::{count, display_path, Counts};
use crate::core::types::{DocumentId, Status};
use crate::load::model::{Document, Handbook};

/// Shown on every page; small on purpose, since it is serialised for each page.
#[derive(Clone, Debug, Serialize)]
pub struct SiteInfo {
    pub title: String,
    pub organization: String,
    pub version_label: Option<String>,
    pub today: String,
    /// The edition has risk pages (a register, not withheld): the menu links them.
    pub risks: bool,
    /// `[print] paper`, as CSS `@page` size.
    pub paper: &'static str,
}

/// A row of the document register, also used wherever a document is listed.
#[derive(Clone, Debug, Serialize)]
pub struct DocRow {
    pub id: String,
    pub title: String,
    pub doc_type: &'static str,
    pub version: String,
    pub status: Status,
    pub owner: String,
    pub classification: String,
    pub approved_by: String,
    pub approved_on: String,
    pub next_review: String,
    pub review_state: ReviewState,
    /// Classified above `--max-classification`: listed, but without a page.
    pub withheld: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ControlRow {
    pub id: String,
    pub title: &'static str,
    pub theme: &'static str,
    pub applicable: bool,
    pub justification: String,
    pub status: Implementation,
    pub documents: Vec<DocRef>,
    /// The SoA's status, derived from documents and actions (see `check::soa`).
    pub soa_status: crate::check::soa::SoaStatus,
    /// The risks that select the control.
    pub risks: Vec<String>,
    /// Whether the risks have pages in this edition.
    pub risk_pages: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct DocRef {
    pub id: String,
    pub title: String,
    pub version: String,
    pub status: Status,
    pub withheld: bool,
}

pub enum Job {
    Index,
    Register,
    Document(usize),
    ControlsIndex,
    Control(usize),
    Soa,
    Reviews,
    Readiness,
    Changes,
    Print,
    /// Part `n` (0-based) of print.html of a large handbook: `print/{n+1}.html`.
    PrintPart(usize),
    Search,
    Csv,
    /// The calendar and the other pages of the ISMS in operation.
    Operation,
    /// `risks/index.html` and `risks.csv`.
    Risks,
    /// The page of the risk at this index of the register.
    Risk(usize),
    TreatmentPlan,
    Frameworks,
}

/// What the pages draw on. The tables over every document are computed on first use (by
/// whichever thread needs them first): a `serve` update that writes a few document pages
/// needs few of them.
pub struct Site<'a> {
    pub hb: &'a Handbook,
    pub checked: &'a Checked,
    pub opts: &'a Options,
    pub info: SiteInfo,
    rows: OnceLock<Vec<DocRow>>,
    controls: OnceLock<Vec<ControlRow>>,
    backlinks: OnceLock<BTreeMap<&'a DocumentId, Vec<usize>>>,
    index_of: OnceLock<BTreeMap<&'a DocumentId, usize>>,
    nav: OnceLock<Vec<super::nav::Section>>,
    /// Risk id -> the published documents linking to it, for "referenced by".
    pub(super) risk_refs: OnceLock<BTreeMap<&'a str, Vec<usize>>>,
    /// What `--max-classification` leaves out.
    pub withheld: Cow<'a, Withheld>,
    /// Where `serve` keeps the search index between updates (`None`: a build).
    pub(super) search_cache: Option<&'a super::search::SearchCache>,
    /// Where `serve` keeps the listings it rendered (`None`: a build, which renders once).
    pub(super) memo: Option<&'a super::memo::Memo>,
    /// Which part of print.html holds each document (see `print`).
    pub(super) print_layout: OnceLock<super::print::Layout>,
    /// Only a few document pages are written (a `serve` update): their "referenced by" is
    /// found by a scan rather than by a table over every document.
    pub(super) few_pages: bool,
    /// The sidebar, rendered once for the pages it does not mark (see `sidebar`).
    pub(super) sidebars: super::sidebar::Sidebars,
    /// A build's bodies, each freed after its last use (`None`: they stay in `hb`).
    pub(super) bodies: Option<&'a super::bodies::Bodies>,
    /// The parts of a build's search index, made among the pages (see `search::parts`).
    pub(super) search_parts: super::search::Parts,
    /// Every risk's row, made once (see `risks`).
    pub(super) risk_rows: super::risks::Rows,
}

/// Up to this many document pages, "referenced by" is scanned for per page.
pub(super) const FEW_PAGES: usize = 16;

impl<'a> Site<'a> {
    pub fn new(hb: &'a Handbook, checked: &'a Checked, opts: &'a Options) -> Site<'a> {
        let info = SiteInfo {
            title: hb.config.title.clone(),
            organization: hb.config.organization.clone(),
            version_label: opts.history.label.clone(),
            today: hb.today.to_string(),
            risks: false,
            paper: hb.config.paper.css(),
        };
        // The check decided it, when it was told the level; a caller that checked without it
        // still never publishes what the options withhold.
        let level = opts.max_classification.as_deref();
        let withheld = match checked.withheld.level() == level {
            true => Cow::Borrowed(&checked.withheld),
            false => Cow::Owned(Withheld::above(hb, &checked.links, level)),
        };
        let info = SiteInfo {
            risks: hb.risks.is_some() && !withheld.risks(),
            ..info
        };
        Site {
            hb,
            checked,
            opts,
            info,
            rows: OnceLock::new(),
            controls: OnceLock::new(),
            backlinks: OnceLock::new(),
            index_of: OnceLock::new(),
            nav: OnceLock::new(),
            risk_refs: OnceLock::new(),
            withheld,
            search_cache: None,
            memo: None,
            print_layout: OnceLock::new(),
            few_pages: false,
            sidebars: Default::default(),
            bodies: None,
            search_parts: Default::default(),
            risk_rows: Default::default(),
        }
    }

    /// Uses the sidebar `serve` kept from the previous update (see [`super::sidebar`]).
    pub(super) fn keep_nav(&mut self, nav: Vec<super::nav::Section>) {
        self.nav = OnceLock::from(nav);
    }

    /// The memo of `serve` at `place` (a page's path and slot), for [`super::whole::rows`].
    pub(super) fn memo_at(&self, place: String) -> super::whole::MemoAt<'a> {
        self.memo.map(|m| (m, place))
    }

    /// What `render` makes of the input `parts` at `path` (a file, or a part of one): in `serve`, kept
    /// between updates and made again only when its input changed.
    pub(super) fn memoized(
        &self,
        path: &str,
        parts: &[&dyn super::memo::Part],
        render: impl FnOnce() -> Result<String, String>,
    ) -> Result<std::sync::Arc<str>, String> {
        match self.memo {
            Some(memo) => memo.render(path.into(), path, parts, render),
            None => Ok(render()?.into()),
        }
    }

    /// The register's row of every document, in `hb.documents` order.
    pub fn rows(&self) -> &[DocRow] {
        self.rows.get_or_init(|| {
            self.hb
                .documents
                .iter()
                .map(|d| doc_row(self.hb, d, &self.withheld))
                .collect()
        })
    }

    /// The row of document `i`, without computing every row.
    pub fn row(&self, i: usize) -> DocRow {
        match self.rows.get() {
            Some(rows) => rows[i].clone(),
            None => doc_row(self.hb, &self.hb.documents[i], &self.withheld),
        }
    }

    /// The 93 controls with their applicability, status and implementing documents, as the
    /// check decided them.
    pub fn controls(&self) -> &[ControlRow] {
        self.controls.get_or_init(|| {
            let hb = self.hb;
            let cat = catalog();
            self.checked
                .coverage
                .iter()
                .zip(&cat.controls)
                .zip(&self.checked.soa)
                .map(|((cov, c), entry)| {
                    let justification = entry.justification.clone();
                    ControlRow {
                        soa_status: entry.status,
                        risks: entry.risks.iter().map(|r| r.to_string()).collect(),
                        risk_pages: !self.withheld.risks(),
                        id: c.id.to_string(),
                        title: c.title,
                        theme: c.theme.name(),
                        applicable: cov.coverage.is_applicable(),
                        justification,
                        status: cov.coverage.implementation(),
                        documents: cov
                            .by
                            .iter()
                            .map(|&j| doc_ref(&hb.documents[j], &self.withheld))
                            .collect(),
                    }
                })
                .collect()
        })
    }

    /// The sidebar, the same on every page (the template marks the current link).
    pub fn nav(&self) -> &[super::nav::Section] {
        self.nav
            .get_or_init(|| super::nav::sections(self.hb, &self.withheld, self.rows()))
    }

    pub(super) fn index_of(&self) -> &BTreeMap<&'a DocumentId, usize> {
        self.index_of.get_or_init(|| {
            self.hb
                .documents
                .iter()
                .enumerate()
                .filter_map(|(i, d)| d.id.as_ref().map(|id| (&id.value, i)))
                .collect()
        })
    }

    /// The documents that link to document `id` or name it in `related`, in id order.
    fn referenced_by(&self, id: Option<&DocumentId>) -> Vec<usize> {
        let Some(id) = id else { return Vec::new() };
        if self.few_pages && self.backlinks.get().is_none() {
            let froms = self.checked.links.backlinks_to(self.hb, id);
            let index_of = self.index_of();
            return froms
                .into_iter()
                .filter_map(|f| index_of.get(f).copied())
                .collect();
        }
        self.backlinks().get(id).cloned().unwrap_or_default()
    }

    /// For each document, the documents that link to it.
    fn backlinks(&self) -> &BTreeMap<&'a DocumentId, Vec<usize>> {
        self.backlinks.get_or_init(|| {
            let index_of = self.index_of();
            self.checked
                .links
                .backlinks(self.hb)
                .into_iter()
                .map(|(to, froms)| {
                    (
                        to,
                        froms
                            .into_iter()
                            .filter_map(|f| index_of.get(f).copied())
                            .collect(),
                    )
                })
                .collect()
        })
    }

    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = vec![
            Job::Index,
            Job::Register,
            Job::ControlsIndex,
            Job::Soa,
            Job::Reviews,
            Job::Readiness,
            Job::Changes,
            Job::Print,
            Job::Search,
            Job::Csv,
            Job::Operation,
            Job::Frameworks,
        ];
        jobs.extend((0..self.print_layout().parts()).map(Job::PrintPart));
        if self.has_risk_pages() {
            jobs.extend([Job::Risks, Job::TreatmentPlan]);
            let n = self.hb.risks.as_ref().map_or(0, |r| r.risks.len());
            jobs.extend((0..n).map(Job::Risk));
        }
        jobs.extend(self.published().map(|(i, _)| Job::Document(i)));
        jobs.extend((0..catalog().controls.len()).map(Job::Control));
        jobs
    }

    /// The documents that get a page, with their index.
    pub(super) fn published(&self) -> impl Iterator<Item = (usize, &'a Document)> + '_ {
        self.hb
            .documents
            .iter()
            .enumerate()
            .filter(|&(i, _)| self.is_published(i))
    }

    pub(super) fn is_published(&self, i: usize) -> bool {
        self.withheld.publishes(self.hb, i)
    }

    /// The assets to publish (see [`Withheld::published_assets`]).
    pub fn published_assets(&self) -> Vec<&'a std::path::Path> {
        self.withheld.published_assets(self.hb)
    }

    pub(super) fn page(
        &self,
        tera: &Tera,
        template: &str,
        path: String,
        root: &str,
        mut ctx: Context,
    ) -> Result<OutputFile, String> {
        ctx.insert("site", &self.info);
        ctx.insert("root", root);
        ctx.insert("page_path", &path);
        ctx.insert("sidebar", &*self.sidebar(tera, root, &path)?);
        if self.pages_get_nav(tera) {
            ctx.insert("nav", self.nav());
        }
        let mut html = tera.render(template, &ctx).map_err(|e| {
            format!(
                "rendering {path} with {template}: {}",
                super::theme::error_chain(&e)
            )
        })?;
        if let Some(script) = &self.opts.inject {
            match html.rfind("</body>") {
                Some(at) => html.insert_str(at, script),
                None => html.push_str(script),
            }
        }
        Ok(OutputFile {
            path: PathBuf::from(path),
            bytes: html.into_bytes(),
        })
    }

    /// [`Site::page`] for a page that lists what many documents or risks show, all of it in
    /// `ctx` and `lazy`: in `serve`, rendered again only when what it lists changed.
    pub(super) fn listing_page(
        &self,
        tera: &Tera,
        (template, path, root): (&str, String, &str),
        mut ctx: Context,
        lazy: &super::memo::Lazy<'_>,
    ) -> Result<OutputFile, String> {
        let Some(memo) = self.memo else {
            for (key, value) in lazy {
                value.insert(&mut ctx, key);
            }
            return self.page(tera, template, path, root, ctx);
        };
        // What `page` adds to `ctx` follows from the path and root, and from the sidebar,
        // the same on every page of an update.
        let value = ctx.into_json();
        let nav = self.nav();
        let mut parts: Vec<&dyn super::memo::Part> = vec![&path, &root, &value, &self.info, &nav];
        for (key, value) in lazy {
            parts.extend([key as &dyn super::memo::Part, *value]);
        }
        // Digested first: the render takes `value` back as Tera's context.
        let digest = super::memo::digest(template, &parts);
        let html = memo.get_or_render(path.clone(), digest, || {
            let mut ctx = Context::from_value(value).map_err(|e| e.to_string())?;
            for (key, value) in lazy {
                value.insert(&mut ctx, key);
            }
            let page = self.page(tera, template, path.clone(), root, ctx)?;
            String::from_utf8(page.bytes).map_err(|e| e.to_string())
        })?;
        Ok(OutputFile {
            path: PathBuf::from(path),
            bytes: html.as_bytes().to_vec(),
        })
    }

    pub fn render(&self, tera: &Tera, job: &Job) -> Result<Vec<OutputFile>, String> {
        let mut ctx = Context::new();
        let file = match job {
            Job::Index => {
                ctx.insert("dashboard", &self.dashboard());
                ctx.insert("operating", &super::operation::pages::operating_panel(self));
                self.listing_page(tera, ("index.html", "index.html".into(), ""), ctx, &[])?
            }
            Job::Document(i) => return Ok(vec![self.document_page(tera, *i)?]),
            Job::Control(i) => {
                let c = &self.controls()[*i];
                let excluded_reason = self
                    .hb
                    .soa
                    .excluded
                    .get(&catalog().controls[*i].id)
                    .map(|s| s.value.clone());
                ctx.insert("excluded_reason", &excluded_reason);
                let id = catalog().controls[*i].id;
                let activities = super::operation::pages::control_activities(self, id);
                ctx.insert("activities", &activities);
                let requirements = self.requirements_of(catalog().controls[*i].id);
                ctx.insert("requirements", &requirements);
                return self.control_pages(tera, c, ctx);
            }
            Job::Readiness => {
                ctx.insert("items", &self.readiness());
                self.listing_page(
                    tera,
                    ("readiness.html", "readiness.html".into(), ""),
                    ctx,
                    &[],
                )?
            }
            Job::Print
            | Job::PrintPart(_)
            | Job::Search
            | Job::Register
            | Job::ControlsIndex
            | Job::Soa
            | Job::Reviews => return Err("streamed jobs are written by Site::stream".into()),
            Job::Changes => {
                let mut changes = self.opts.changes.clone();
                if let Some(c) = &mut changes {
                    c.redact(&self.withheld);
                }
                ctx.insert("changes", &changes);
                ctx.insert("history_note", &self.opts.history.note);
                self.listing_page(tera, ("changes.html", "changes.html".into(), ""), ctx, &[])?
            }
            Job::Csv => return Ok(super::csv::files(self)),
            Job::Operation => return super::operation::files(self, tera),
            Job::Risks => return self.risks_index(tera),
            Job::Risk(i) => self.risk_page(tera, *i)?,
            Job::TreatmentPlan => self.treatment_plan(tera)?,
            Job::Frameworks => return self.framework_files(tera),
        };
        Ok(vec![file])
    }

    fn document_page(&self, tera: &Tera, i: usize) -> Result<OutputFile, String> {
        let doc = &self.hb.documents[i];
        let targets = &self.checked.links.targets[i];
        let cat = catalog();
        let refs = |ids: &mut dyn Iterator<Item = &DocumentId>| -> Vec<DocRef> {
            ids.filter_map(|id| self.index_of().get(id))
                .map(|&j| doc_ref(&self.hb.documents[j], &self.withheld))
                .collect()
        };
        let id = doc.id.as_ref().map(|s| &s.value);
        let backlinks: Vec<DocRef> = self
            .referenced_by(id)
            .iter()
            .map(|&j| doc_ref(&self.hb.documents[j], &self.withheld))
            .collect();
        let controls: Vec<_> = doc
            .controls
            .iter()
            .map(|c| serde_json::json!({ "id": c.value.to_string(), "title": cat.control(c.value).map_or("", |k| k.title) }))
            .collect();
        let clauses: Vec<_> = doc
            .clauses
            .iter()
            .map(|c| serde_json::json!({ "id": c.value, "title": cat.clause(&c.value).map_or("", |k| k.title) }))
            .collect();
        let current = doc.current_approval().map(|a| a.digest.clone());
        let approvals: Vec<_> = doc
            .approvals
            .iter()
            .enumerate()
            .map(|(j, a)| {
                serde_json::json!({
                    "version": a.version.to_string(), "by": a.by, "role": a.role.value,
                    "date": a.date.to_string(), "digest": a.digest,
                    "current": a.version == doc.version && Some(&a.digest) == current.as_ref(),
                    "signature": self.signature_of(i, j),
                })
            })
            .collect();
        let toc: Vec<_> = doc
            .body
            .headings
            .iter()
            .filter(|h| (2..=3).contains(&h.level))
            .map(|h| serde_json::json!({ "level": h.level, "text": h.text, "anchor": h.anchor }))
            .collect();
        let mut ctx = Context::new();
        let row = self.row(i);
        ctx.insert(
            "running",
            &super::tidy::running_header(&row.id, &row.version, &row.classification),
        );
        ctx.insert("doc", &row);
        ctx.insert("owner_title", &self.hb.config.role_title(&doc.owner.value));
        ctx.insert("effective", &doc.effective.map(|d| d.to_string()));
        ctx.insert("review_last", &doc.review.last.map(|d| d.to_string()));
        ctx.insert("approvals", &approvals);
        ctx.insert("controls", &controls);
        ctx.insert("clauses", &clauses);
        ctx.insert("requirements", &self.claimed_by_document(i));
        ctx.insert("related", &refs(&mut doc.related.iter().map(|r| &r.value)));
        ctx.insert(
            "supersedes",
            &doc.supersedes
                .iter()
                .map(|s| s.value.to_string())
                .collect::<Vec<_>>(),
        );
        ctx.insert("referenced_by", &backlinks);
        ctx.insert("tags", &doc.tags);
        ctx.insert(
            "activities",
            &super::operation::pages::document_activities(self, i),
        );
        ctx.insert("record", &super::operation::pages::document_record(self, i));
        ctx.insert("toc", &toc);
        ctx.insert("source_path", &display_path(&doc.path));
        ctx.insert("digest", &doc.digest);
        ctx.insert(
            "revisions",
            &self
                .opts
                .history
                .revisions
                .get(doc.id_str())
                .map_or(&[][..], Vec::as_slice),
        );
        ctx.insert("history_note", &self.opts.history.note);
        // The body goes in after rendering: copying it through Tera's context costs more
        // than the rest of the page.
        ctx.insert("body", &slot(0));
        let mut page = self.page(
            tera,
            "document.html",
            format!("documents/{}.html", doc.id_str()),
            "../",
            ctx,
        )?;
        let body = self.with_body(i, |html| {
            resolve_body(
                &super::tidy::without_repeated_title(html, &doc.body.headings, &doc.title),
                targets,
                &Place::Page { root: "../" },
                &self.withheld,
            )
        })?;
        let body = super::tidy::label_checkboxes(&body).into_owned();
        page.bytes = splice(&page.bytes, &[body]);
        Ok(page)
    }

    /// Jobs that write their own (large) files; `None` for the others.
    pub fn stream(&self, tera: &Tera, job: &Job, out: &Path) -> Option<Result<usize, String>> {
        match job {
            Job::Print => Some(self.write_print(tera, out).map(|_| 1)),
            Job::PrintPart(k) => Some(self.write_print_part(tera, *k, out).map(|_| 1)),
            Job::Register => Some(self.write_register(tera, out)),
            Job::Reviews => Some(self.write_reviews(tera, out)),
            Job::ControlsIndex => Some(self.write_controls_index(tera, out).map(|_| 1)),
            Job::Soa => Some(self.write_soa(tera, out).map(|_| 1)),
            Job::Search => Some(self.write_search(tera, out)),
            _ => None,
        }
    }

    pub(super) fn coverage(&self) -> Summary {
        coverage::summary(&self.checked.coverage)
    }

    fn dashboard(&self) -> serde_json::Value {
        let Counts { errors, warnings } = count(&self.checked.diagnostics);
        let by_state = |s: ReviewState| self.rows().iter().filter(|r| r.review_state == s).count();
        let by_status = |s: Status| self.hb.documents.iter().filter(|d| d.status == s).count();
        let problems: Vec<_> = self
            .checked
            .diagnostics
            .iter()
            .map(|d| serde_json::json!({ "severity": d.severity, "code": d.code.as_str(), "location": d.location(), "message": d.message }))
            .collect();
        let readiness = self.readiness();
        let present = readiness
            .iter()
            .filter(|r| r.state != Readiness::Missing)
            .count();
        serde_json::json!({
            "documents": self.hb.documents.len(),
            "approved": by_status(Status::Approved),
            "drafts": by_status(Status::Draft) + by_status(Status::InReview),
            "retired": by_status(Status::Retired),
            "overdue": by_state(ReviewState::Overdue),
            "due_soon": by_state(ReviewState::DueSoon),
            "errors": errors,
            "warnings": warnings,
            "problems": problems,
            "coverage": self.coverage(),
            "mandatory_present": present,
            "mandatory_total": readiness.len(),
            "stage": self.hb.config.stage.as_str(),
            "risks": self.risk_dashboard(),
        })
    }

    fn readiness(&self) -> Vec<ReadinessRow> {
        check::mandatory_coverage(self.hb)
            .into_iter()
            .map(|(m, docs)| {
                let state = if m.met_by.is_empty() {
                    Readiness::Generated
                } else if docs.iter().any(|d| d.status.is_in_force()) {
                    Readiness::Approved
                } else if !docs.is_empty() {
                    Readiness::Draft
                } else {
                    Readiness::Missing
                };
                ReadinessRow {
                    clause: m.clause,
                    title: m.title,
                    kind: m.kind,
                    state,
                    documents: docs.iter().map(|d| doc_ref(d, &self.withheld)).collect(),
                }
            })
            .collect()
    }
}

/// Where a piece of mandatory documented information stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Readiness {
    /// The tool makes it (the Statement of Applicability).
    Generated,
    Approved,
    Draft,
    Missing,
}

impl Serialize for Readiness {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Readiness::Generated => "generated",
            Readiness::Approved => "approved",
            Readiness::Draft => "draft",
            Readiness::Missing => "missing",
        })
    }
}

#[derive(Serialize)]
struct ReadinessRow {
    clause: &'static str,
    title: &'static str,
    kind: &'static str,
    state: Readiness,
    documents: Vec<DocRef>,
}

fn doc_ref(d: &Document, withheld: &Withheld) -> DocRef {
    DocRef {
        id: d.id_str().to_string(),
        title: d.title.clone(),
        version: d.version.to_string(),
        status: d.status,
        withheld: withheld.id(d.id_str()),
    }
}

fn doc_row(hb: &Handbook, d: &Document, withheld: &Withheld) -> DocRow {
    let (state, next) = check::review_state(d, &hb.config, hb.today);
    let approval = d.current_approval();
    DocRow {
        id: d.id_str().to_string(),
        title: d.title.clone(),
        doc_type: d.doc_type.as_str(),
        version: d.version.to_string(),
        status: d.status,
        owner: d.owner.value.clone(),
        classification: d.classification.value.clone(),
        approved_by: approval
            .map(|a| format!("{} ({})", a.by, a.role.value))
            .unwrap_or_default(),
        approved_on: approval.map(|a| a.date.to_string()).unwrap_or_default(),
        next_review: next.map(|n| n.to_string()).unwrap_or_default(),
        review_state: state,
        withheld: withheld.id(d.id_str()),
    }
}
