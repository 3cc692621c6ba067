//! Following edits, for `serve`: an edit of a document re-reads that document alone,
//! re-checks the handbook, and names the pages that show it; anything else (configuration,
//! theme, assets, a file removed) reopens the site whole. The pages an update names, written
//! over the last written site, equal a fresh build of the same files (`tests/oracle.rs`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{Error, Site};
use crate::core::types::ControlId;
use crate::load;
use crate::load::model::Document;
use crate::render;

/// What changed since the pages were last written. An edit may break the handbook; the
/// next good update must write the pages of every edit since.
#[derive(Default)]
pub(super) struct Pending {
    pub documents: BTreeSet<PathBuf>,
    /// Documents whose linked pages ("related", "referenced by") must be written too:
    /// those whose id, title, version, status or links an edit changed.
    pub relinked: BTreeSet<PathBuf>,
    /// Controls whose pages list a changed document.
    pub controls: BTreeSet<ControlId>,
    /// Whether the pages listing every document show something else now.
    pub lists: bool,
    /// Whether the risk pages show something else now: the register changed, or a
    /// document linking to a risk (its title is on the risk's page).
    pub risks: bool,
    /// Nothing was written since the site was read whole: every page must be.
    pub everything: bool,
    /// Ids that an edit took from a document: if no document has one of them any more,
    /// its page must go, which writing pages over the site cannot do.
    pub gone: BTreeSet<String>,
    /// Whether print's order or titles changed (a document added, an id or title edited):
    /// then every part of a print in parts is written, not only those of the edits.
    pub print_layout: bool,
    /// The documents edited: print shows a document alone, not the documents it links to.
    pub printed: BTreeSet<PathBuf>,
    /// The sidebar of the pages last written (`None`: not computed since they were). It is
    /// on every page: when an edit changes it, every page must be written. Otherwise the
    /// pages an update writes are given it, rather than computing it from every document.
    pub sidebar: Option<Vec<render::nav::Section>>,
    /// Whether an edit since changed what the sidebar shows of a document: only then is it
    /// computed again and compared.
    pub sidebar_edited: bool,
}

/// What an update asks the caller to write.
#[derive(Debug)]
pub enum Update {
    /// No file the site is made of changed (an editor's temporary file came and went).
    Unchanged,
    /// The handbook has errors (in `checked`): nothing to write. The edits are remembered
    /// for the next good update.
    Broken,
    /// Everything, into a fresh directory: [`Site::render_to`].
    Rewrite,
    /// These pages, over the last written site: [`Site::write_pages`], then
    /// [`Site::write_whole`].
    Pages(Pages),
}

/// The pages an edit shows on.
#[derive(Debug, Default)]
pub struct Pages {
    /// Indices into `hb.documents`.
    pub documents: BTreeSet<usize>,
    pub controls: BTreeSet<ControlId>,
    /// Every page listing documents (registers, controls index, SoA, dashboard).
    pub lists: bool,
    /// Every risk page (one per risk: a thousand, in a large register).
    pub risks: bool,
}

enum Change {
    None,
    Documents(Vec<PathBuf>),
    Whole,
}

impl Site {
    /// Follows a batch of changed files (relative to the root).
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Update, Error> {
        match self.classify(changed) {
            Change::None => Ok(Update::Unchanged),
            // Its rendering freed the bodies an update would render again.
            Change::Whole | Change::Documents(_) if self.opts.renders_once => self.reopen(),
            Change::Whole => self.reopen(),
            Change::Documents(paths) => Ok(self.reread_documents(&paths)),
        }
    }

    /// Writing what an update asked for failed: the next good update writes everything.
    pub fn mark_unwritten(&mut self) {
        self.pending.everything = true;
        self.search.forget();
    }

    /// Edits of Markdown documents alone are followed document by document; configuration,
    /// theme, assets or removed documents reopen the site. Paths that no longer exist and
    /// were never sources (an editor's temporary file) are no change at all, except under
    /// `theme/`, whose files the site does not list.
    fn classify(&self, changed: &[PathBuf]) -> Change {
        if self.opts.rev.is_some() {
            return Change::None; // a revision's files do not change
        }
        if self.opts.max_classification.is_some() {
            // Which assets are published then depends on every document's links.
            return Change::Whole;
        }
        let known = |p: &Path| {
            (p == Path::new(load::SOA_FILE) && self.hb.soa_source.is_some())
                || (p == Path::new(load::risks::RISKS_FILE) && self.hb.risks_source.is_some())
                || self.hb.index_of_path(p).is_some()
                || self.hb.unreadable.iter().any(|u| u == p)
                || p.strip_prefix(load::CONTENT_DIR)
                    .is_ok_and(|a| self.hb.assets.iter().any(|x| x == a))
        };
        let mut edited = Vec::new();
        for rel in changed {
            let exists = self.root.join(rel).is_file();
            let markdown = (rel.starts_with(load::CONTENT_DIR)
                && rel
                    .extension()
                    .is_some_and(|x| x == "md" || x == "markdown")
                && rel != Path::new(load::SOA_FILE))
                || self.is_data_edit(rel);
            // A theme file is not in the site, but removing one brings ours back.
            let theme = rel.starts_with("theme");
            match (markdown, exists) {
                (true, true) => edited.push(rel.clone()),
                (_, false) if !theme && !known(rel) => {}
                _ => return Change::Whole,
            }
        }
        edited.sort();
        edited.dedup();
        match edited.is_empty() {
            true => Change::None,
            false => Change::Documents(edited),
        }
    }

    /// Reads everything again; the compiled theme goes (a theme edit brings us here).
    fn reopen(&mut self) -> Result<Update, Error> {
        match Site::open(&self.root, self.opts.clone()) {
            Ok(site) => {
                *self = site;
                Ok(match self.has_errors() {
                    true => Update::Broken,
                    false => Update::Rewrite,
                })
            }
            Err(e) => {
                self.pending.everything = true;
                Err(e)
            }
        }
    }

    /// Re-reads `paths` (Markdown documents that exist) and re-checks.
    fn reread_documents(&mut self, paths: &[PathBuf]) -> Update {
        let loaded: Vec<(&PathBuf, Option<load::Loaded>)> = paths
            .iter()
            .map(|path| match self.is_data_edit(path) {
                true => (path, None),
                false => {
                    let read = load::load_document(self.source.as_ref(), path, self.opts.keep);
                    (path, Some(read))
                }
            })
            .collect();
        // The sidebar (on every page) is computed from every document: only when an edit
        // changes what it shows of one, before the edit and after.
        let renamed = loaded.iter().any(|(path, read)| {
            read.as_ref()
                .is_some_and(|(doc, _)| self.in_sidebar_changes(path, doc.as_ref().ok()))
        });
        if renamed {
            if self.pending.sidebar.is_none() {
                let before = render::sidebar(&self.hb, &self.checked, &self.render);
                self.pending.sidebar = Some(before);
            }
            self.pending.sidebar_edited = true;
        }
        for (path, read) in loaded {
            match read {
                None => self.reread_data(path),
                Some((doc, diags)) => self.reread_document(path, doc, diags),
            }
        }
        let max = self.opts.max_classification.as_deref();
        let checked = self
            .tracked
            .recheck(&self.hb, max, &mut self.checked, paths);
        // The dashboard lists the problems.
        if checked.diagnostics != self.checked.diagnostics {
            self.pending.lists = true;
        }
        self.checked = checked;
        if self.has_errors() {
            return Update::Broken;
        }
        let page_gone = self
            .pending
            .gone
            .iter()
            .any(|id| !self.hb.documents.iter().any(|d| d.id_str() == id));
        let sidebar = self
            .pending
            .sidebar_edited
            .then(|| render::sidebar(&self.hb, &self.checked, &self.render));
        let sidebar_changed = sidebar.is_some() && self.pending.sidebar != sidebar;
        if self.pending.everything || page_gone || sidebar_changed {
            if self.opts.history != super::History::None {
                // The history was left out while the handbook had errors.
                let repo = crate::history::Repo::open(&self.root);
                self.render = self.render_options(&repo, None);
            }
            return Update::Rewrite;
        }
        let pending = std::mem::take(&mut self.pending);
        let sidebar = sidebar.or(pending.sidebar);
        self.pending.sidebar =
            Some(sidebar.unwrap_or_else(|| render::sidebar(&self.hb, &self.checked, &self.render)));
        self.lists_pending = pending.lists;
        self.print_holding = match pending.print_layout {
            true => None,
            false => Some(
                (pending.printed.iter())
                    .filter_map(|p| self.hb.index_of_path(p))
                    .collect(),
            ),
        };
        let mut documents = BTreeSet::new();
        for path in pending.documents {
            documents.extend(self.hb.index_of_path(&path));
        }
        for path in pending.relinked {
            for p in self.tracked.linked_paths(&path) {
                documents.extend(self.hb.index_of_path(&p));
            }
        }
        Update::Pages(Pages {
            documents,
            controls: pending.controls,
            lists: pending.lists,
            risks: pending.risks,
        })
    }

    /// Whether the sidebar shows the document at `path` otherwise once it is `after`: it
    /// lists documents by type, with their ids and titles when there are few.
    fn in_sidebar_changes(&self, path: &Path, after: Option<&Document>) -> bool {
        // Without a classification limit every document is published: above the number the
        // sidebar lists one by one, it shows how many of each type, not their titles.
        let titled = self.opts.max_classification.is_some()
            || render::lists_documents(self.hb.documents.len());
        let before = self
            .hb
            .index_of_path(path)
            .map(|i| shown(&self.hb.documents[i], titled));
        before != after.map(|d| shown(d, titled))
    }

    fn reread_document(
        &mut self,
        path: &PathBuf,
        loaded: Result<Document, Option<String>>,
        diags: Vec<crate::core::diagnostics::Diagnostic>,
    ) {
        self.search.touch(path);
        let pending = &mut self.pending;
        let before = self.hb.index_of_path(path);
        // Pages that showed the document as it was must be written again too, when what
        // they show of it changed (most edits of a body change none of it).
        let elsewhere_before = before.map(|i| shown_elsewhere(&self.hb.documents[i]));
        let elsewhere_after = loaded.as_ref().ok().map(shown_elsewhere);
        if elsewhere_before != elsewhere_after {
            pending.documents.extend(self.tracked.linked_paths(path));
            pending.relinked.insert(path.clone());
        }
        let listed_before = before.map(|i| listing(&self.hb.documents[i]));
        let runs_before = before.map(|i| run_of(&self.hb, &self.hb.documents[i]));
        let old_controls: Vec<ControlId> = before
            .map(|i| shown_on(&self.hb.documents[i]).collect())
            .unwrap_or_default();
        let listed_after = loaded.as_ref().ok().map(listing);
        let printed = |d: &Document| (d.id_str().to_string(), d.title.clone());
        let printed_before = before.map(|i| printed(&self.hb.documents[i]));
        if printed_before.is_none() || printed_before != loaded.as_ref().ok().map(printed) {
            pending.print_layout = true;
        }
        pending.printed.insert(path.clone());
        // The listing pages and the pages of its controls show what `listing` holds.
        let relisted = listed_before.is_none() || listed_before != listed_after;
        // A risk's page lists the documents that link to it, by id and title.
        let risk_links_before = before.map(|i| super::data::risk_links(&self.hb.documents[i]));
        let risk_links_after = loaded.as_ref().ok().map(super::data::risk_links);
        if risk_links_before != risk_links_after {
            pending.lists = true;
            pending.risks = true;
        } else if relisted && risk_links_after.is_some_and(|l| !l.is_empty()) {
            pending.risks = true;
        }
        self.hb.diagnostics.retain(|d| &d.file != path);
        self.hb.diagnostics.extend(diags);
        let old_id = before.map(|i| self.hb.documents[i].id_str().to_string());
        let after = self.hb.replace_file(path, loaded);
        let new_id = after.map(|i| self.hb.documents[i].id_str());
        if let Some(old) = old_id.filter(|old| !old.is_empty() && Some(old.as_str()) != new_id) {
            pending.gone.insert(old);
        }
        if relisted {
            pending.lists = true;
            pending.controls.extend(old_controls);
            if let Some(i) = after {
                pending.controls.extend(shown_on(&self.hb.documents[i]));
            }
        }
        pending.documents.insert(path.clone());
        // A run of an activity shows on the page of the document that declares the activity
        // and on the pages of the controls it operates.
        let runs_after = after.map(|i| run_of(&self.hb, &self.hb.documents[i]));
        for (doc, controls) in runs_before.into_iter().chain(runs_after).flatten() {
            pending.documents.insert(doc);
            pending.controls.extend(controls);
            pending.lists = true;
        }
    }

    /// Writes the pages of `pages` over the site in `dir` (each file replaced by a rename):
    /// the pages of the edited documents, and of the controls and risks that show them. The
    /// listings follow in [`Site::write_whole`].
    pub fn write_pages(&self, dir: &Path, pages: &Pages) -> Result<usize, String> {
        let part = render::Part::Pages {
            documents: &pages.documents,
            controls: &pages.controls,
            lists: false,
            risks: pages.risks,
        };
        self.write_part(dir, part, None)
    }

    /// Writes what the last update changed of the pages that list the whole handbook:
    /// [`Site::write_listings`], then [`Site::write_print_search`].
    pub fn write_whole(&self, dir: &Path) -> Result<usize, String> {
        let listed = self.write_listings(dir)?;
        Ok(listed + self.write_print_search(dir)?)
    }

    /// Writes the listings (registers, dashboard, calendar, SoA, frameworks, CSVs) when the
    /// last update changed what they list. They grow with the handbook, so they come after
    /// the pages of the edited documents, which then show first; `serve` holds a request
    /// for a listing until they are written (see [`written_after`]).
    pub fn write_listings(&self, dir: &Path) -> Result<usize, String> {
        self.write_listings_reporting(dir, &|_| {})
    }

    /// [`Site::write_listings`], telling `written` of each page (its path in the site) as
    /// it is put in place: `serve` answers a request held for the register as soon as the
    /// register is written, not when the last listing is.
    pub fn write_listings_reporting(
        &self,
        dir: &Path,
        written: render::Written<'_>,
    ) -> Result<usize, String> {
        if !self.lists_pending {
            return Ok(0);
        }
        let listings = render::Part::Pages {
            documents: &BTreeSet::new(),
            controls: &BTreeSet::new(),
            lists: true,
            risks: false,
        };
        self.write_part(dir, listings, Some(written))
    }

    /// Writes `print.html` and `search.html`, which hold every document and take longest:
    /// after an update's other pages, so that those show first.
    /// Of a print in parts, only the parts holding the documents edited since the last
    /// write, unless the print's order or titles changed.
    pub fn write_print_search(&self, dir: &Path) -> Result<usize, String> {
        let written = match &self.print_holding {
            Some(documents) => self.write_part(dir, render::Part::WholeHolding { documents }, None),
            None => self.write_part(dir, render::Part::Whole, None),
        };
        if written.is_err() {
            // Which shards reached `dir` is unknown: the next write writes them all.
            self.search.forget();
        }
        written
    }

    /// Writes `part` of the site into `dir`, telling `written` of each page put in place.
    fn write_part(
        &self,
        dir: &Path,
        part: render::Part<'_>,
        written: Option<render::Written<'_>>,
    ) -> Result<usize, String> {
        let tera = self.theme()?;
        let kept = render::Kept {
            search: Some(&self.search),
            nav: self.pending.sidebar.as_deref(),
            memo: Some(&self.memo),
        };
        render::update_pages(
            &self.hb,
            &self.checked,
            &self.render,
            tera,
            dir,
            (part, kept),
            written,
        )
    }
}

/// Which of the steps after an update's first may rewrite a page of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum After {
    /// [`Site::write_listings`].
    Listings,
    /// [`Site::write_print_search`].
    PrintSearch,
}

/// Which later step may rewrite the page at `path` (relative to the site): `serve` holds a
/// request for it until that step is done. Every page at the top but print and search lists
/// the handbook (dashboard, registers, calendar, SoA, CSVs); below it, the indexes of
/// documents, controls and risks, and the frameworks. Naming one page too many only delays
/// it while they are written; one too few would serve it stale.
pub fn written_after(path: &str) -> Option<After> {
    match path.split_once('/') {
        None if path == "print.html" || path == "search.html" => Some(After::PrintSearch),
        None => Some(After::Listings),
        Some(("print" | "search", _)) => Some(After::PrintSearch),
        Some(("frameworks", _)) => Some(After::Listings),
        Some(("documents" | "controls" | "risks", file)) if file.starts_with("index") => {
            Some(After::Listings)
        }
        Some(_) => None,
    }
}

/// What the sidebar shows of a document (its title only when it lists documents).
fn shown(d: &Document, titled: bool) -> (&str, Option<&str>, crate::core::types::DocType, &str) {
    let title = titled.then_some(d.title.as_str());
    (d.id_str(), title, d.doc_type, &d.classification.value)
}

/// What the pages that list every document (register, reviews, controls, SoA, readiness,
/// dashboard) show of a document: an edit that leaves it alone, like most edits of a body,
/// need not rewrite them.
fn listing(d: &Document) -> String {
    let approval = d.current_approval().map(|a| (&a.by, &a.role.value, a.date));
    let values = |v: &[crate::load::model::Spanned<String>]| -> Vec<String> {
        v.iter().map(|s| s.value.clone()).collect()
    };
    format!(
        "{:?}",
        (
            (d.id_str(), &d.title, d.doc_type, d.version, d.status),
            (&d.owner.value, &d.classification.value, d.effective),
            (approval, &d.review),
            d.controls.iter().map(|c| c.value).collect::<Vec<_>>(),
            values(&d.clauses),
            // The operation pages (actions, calendar, programme) and the controls an activity
            // operates show these.
            (&d.record, &d.activities),
            values(&d.requirements),
        )
    )
}

/// What the pages of other documents show of a document, or whether they show it at all:
/// its reference in "related" and "referenced by", and the documents it links to.
fn shown_elsewhere(d: &Document) -> String {
    format!(
        "{:?}",
        (
            (
                d.id_str(),
                &d.title,
                d.version,
                d.status,
                &d.classification.value
            ),
            d.related.iter().map(|r| &r.value).collect::<Vec<_>>(),
            d.body.links.iter().map(|l| &l.dest).collect::<Vec<_>>(),
        )
    )
}

/// For a record of a run of an activity: the document declaring the activity, and the
/// controls the activity operates.
fn run_of(hb: &crate::load::model::Handbook, d: &Document) -> Option<(PathBuf, Vec<ControlId>)> {
    let id = &d.record.as_ref()?.activity.as_ref()?.value;
    hb.documents.iter().find_map(|p| {
        let a = p.activities.iter().find(|a| &a.id.value == id)?;
        Some((p.path.clone(), a.controls.iter().map(|c| c.value).collect()))
    })
}

/// The controls whose pages show the document: those it implements and those its
/// recurring activities operate.
fn shown_on(d: &Document) -> impl Iterator<Item = ControlId> + '_ {
    d.controls
        .iter()
        .chain(d.activities.iter().flat_map(|a| &a.controls))
        .map(|c| c.value)
}
