//! Checking after an edit, for `serve`: the rules that read one document alone (its links
//! resolved against the handbook, its front matter, names, approval, review) are kept per
//! document and re-run only for the edited documents and those whose result an edit can
//! change; the rules over the whole handbook then run as in a full check. The result equals
//! [`super::check_for`] of the same handbook (`tests/oracle.rs` asserts it after every edit).
//!
//! What another document's result depends on, besides that document: the paths and ids of
//! every document (a change re-runs everything), the headings of the documents it links to
//! (re-run: the documents whose links reached the edited one), and titles and headings named
//! in a "did you mean" (re-run: every document with a problem in its links). Configuration,
//! assets, the risk register and the nonconformities are never edited in place: `serve`
//! reopens the site for them, or names the file edited, which re-runs everything.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::links::{self, DocumentLinks, Resolved, Target};
use super::{assemble, document_rules, Checked};
use crate::core::diagnostics::Diagnostic;
use crate::core::types::{Date, DocumentId};
use crate::load::model::{Document, Handbook};

/// What the per-document rules found for one document, and what of it the links of other
/// documents resolve against.
struct Found {
    path: PathBuf,
    id: Option<DocumentId>,
    title: String,
    anchors: Vec<String>,
    /// Problems of its body's links, of its `related` list, and of the other rules.
    links: Vec<Diagnostic>,
    related: Vec<Diagnostic>,
    rules: Vec<Diagnostic>,
    /// The ids its body links lead to and its `related` list names, known or not.
    links_to: Vec<DocumentId>,
}

impl Found {
    fn new(doc: &Document, hb: &Handbook, links: DocumentLinks) -> (Found, Vec<Target>) {
        let mut rules = Vec::new();
        document_rules(doc, hb, &mut rules);
        let linked = links.targets.iter().filter_map(|t| match t {
            Target::Document { id, .. } => Some(id.clone()),
            _ => None,
        });
        let links_to = linked
            .chain(doc.related.iter().map(|r| r.value.clone()))
            .collect();
        let found = Found {
            path: doc.path.clone(),
            id: doc.id.as_ref().map(|i| i.value.clone()),
            title: doc.title.clone(),
            anchors: anchors(doc).map(str::to_string).collect(),
            links: links.body,
            related: links.related,
            rules,
            links_to,
        };
        (found, links.targets)
    }

    fn has_link_problems(&self) -> bool {
        !self.links.is_empty() || !self.related.is_empty()
    }
}

fn anchors(doc: &Document) -> impl Iterator<Item = &str> {
    doc.body.headings.iter().map(|h| h.anchor.as_str())
}

/// The per-document results of the last check, kept between edits (same order as
/// `Handbook::documents`).
pub struct Tracked {
    documents: Vec<Found>,
    /// The "did you mean" hints of the last run of the link rules ran out of budget: which
    /// hint a document gets then depends on the others, so only a full run is exact.
    exhausted: bool,
    today: Date,
    /// The first document of each id, as links resolve, by index.
    first: HashMap<DocumentId, usize>,
    /// For each id, the documents that link to it or name it in `related`.
    backlinks: HashMap<DocumentId, BTreeSet<usize>>,
}

impl Tracked {
    /// Frees what is kept for the next edit, for a site that follows none (a build renders
    /// with it gone: 50 MB at 100,000 documents). A check after it runs in full.
    pub fn clear(&mut self) {
        let kept = (
            std::mem::take(&mut self.documents),
            std::mem::take(&mut self.first),
            std::mem::take(&mut self.backlinks),
        );
        // Freed on another core while the pages render: at 10,000 documents freeing it took
        // 8 ms, on the one core at work before the first page.
        rayon::spawn(move || drop(kept));
        self.exhausted = true;
    }

    /// The full check, and its per-document results to follow edits with.
    pub fn full(hb: &Handbook, max_classification: Option<&str>) -> (Checked, Tracked) {
        let all: Vec<usize> = (0..hb.documents.len()).collect();
        let (resolved, exhausted) = links::resolve_documents(hb, &all);
        // On all cores, in document order: at 10,000 documents this was 16 ms on one core
        // while the other idled.
        let (documents, targets): (Vec<Found>, Vec<Vec<Target>>) = resolved
            .into_par_iter()
            .zip(hb.documents.par_iter())
            .map(|(l, doc)| Found::new(doc, hb, l))
            .unzip();
        let mut tracked = Tracked {
            documents,
            exhausted,
            today: hb.today,
            first: HashMap::new(),
            backlinks: HashMap::new(),
        };
        for (i, f) in tracked.documents.iter().enumerate() {
            if let Some(id) = &f.id {
                tracked.first.entry(id.clone()).or_insert(i);
            }
            for to in &f.links_to {
                tracked.backlinks.entry(to.clone()).or_default().insert(i);
            }
        }
        (tracked.assemble(hb, max_classification, targets), tracked)
    }

    /// Checks `hb` after the files `edited` (relative to the root) were read again into it;
    /// `previous` is the check before, whose link targets are taken over.
    pub fn recheck(
        &mut self,
        hb: &Handbook,
        max_classification: Option<&str>,
        previous: &mut Checked,
        edited: &[PathBuf],
    ) -> Checked {
        let Some(rerun) = self.to_rerun(hb, &previous.links, edited) else {
            return self.rerun_all(hb, max_classification);
        };
        let (resolved, exhausted) = links::resolve_documents(hb, &rerun);
        if exhausted {
            return self.rerun_all(hb, max_classification);
        }
        let mut targets = std::mem::take(&mut previous.links.targets);
        for (&i, l) in rerun.iter().zip(resolved) {
            let (found, t) = Found::new(&hb.documents[i], hb, l);
            for to in &self.documents[i].links_to {
                if let Some(from) = self.backlinks.get_mut(to) {
                    from.remove(&i);
                }
            }
            for to in &found.links_to {
                self.backlinks.entry(to.clone()).or_default().insert(i);
            }
            self.documents[i] = found;
            targets[i] = t;
        }
        self.assemble(hb, max_classification, targets)
    }

    /// The documents whose pages show the document at `path` as of the last check: those
    /// it links to or names in `related`, and those that link to it or name it ("related"
    /// and "referenced by" show its title and status).
    pub fn linked_paths(&self, path: &Path) -> Vec<PathBuf> {
        let Ok(i) = self
            .documents
            .binary_search_by(|f| f.path.as_path().cmp(path))
        else {
            return Vec::new();
        };
        let found = &self.documents[i];
        let to = found.links_to.iter().filter_map(|id| self.first.get(id));
        let from = found
            .id
            .as_ref()
            .and_then(|id| self.backlinks.get(id))
            .into_iter()
            .flatten();
        to.chain(from)
            .map(|&j| self.documents[j].path.clone())
            .collect()
    }

    fn rerun_all(&mut self, hb: &Handbook, max_classification: Option<&str>) -> Checked {
        let (checked, tracked) = Tracked::full(hb, max_classification);
        *self = tracked;
        checked
    }

    /// The documents whose per-document results an edit of `edited` can change; `None`
    /// when it can change them all (a document came, went or took another id or path).
    fn to_rerun(&self, hb: &Handbook, before: &Resolved, edited: &[PathBuf]) -> Option<Vec<usize>> {
        let n = hb.documents.len();
        if self.exhausted
            || self.today != hb.today
            || self.documents.len() != n
            || before.targets.len() != n
        {
            return None;
        }
        let mut rerun = BTreeSet::new();
        let mut hints = false;
        let mut reheaded: Vec<&DocumentId> = Vec::new();
        for path in edited {
            let i = hb.index_of_path(path)?;
            let (was, doc) = (&self.documents[i], &hb.documents[i]);
            if was.path != doc.path || was.id.as_ref() != doc.id.as_ref().map(|s| &s.value) {
                return None;
            }
            rerun.insert(i);
            hints |= was.title != doc.title;
            if !was.anchors.iter().map(String::as_str).eq(anchors(doc)) {
                hints = true;
                reheaded.extend(&was.id);
            }
        }
        // A hint names a document's title or headings: every document with a link problem
        // may get another, or lose it.
        if hints {
            let with_problems = self.documents.iter().enumerate();
            rerun.extend(
                with_problems
                    .filter(|(_, f)| f.has_link_problems())
                    .map(|(j, _)| j),
            );
        }
        // A link to a heading of an edited document may have lost it.
        if !reheaded.is_empty() {
            for (j, targets) in before.targets.iter().enumerate() {
                let to_reheaded = targets
                    .iter()
                    .any(|t| matches!(t, Target::Document { id, .. } if reheaded.contains(&id)));
                if to_reheaded {
                    rerun.insert(j);
                }
            }
        }
        Some(rerun.into_iter().collect())
    }

    fn assemble(
        &self,
        hb: &Handbook,
        max_classification: Option<&str>,
        targets: Vec<Vec<Target>>,
    ) -> Checked {
        // The order of a whole run: every body's link problems, every `related` list's,
        // then the other rules' (sorting keeps that order among equals).
        let docs = &self.documents;
        let link_problems = docs
            .iter()
            .flat_map(|f| &f.links)
            .chain(docs.iter().flat_map(|f| &f.related))
            .cloned()
            .collect();
        let document_problems = docs.iter().flat_map(|f| &f.rules).cloned().collect();
        let links = Resolved { targets };
        assemble(
            hb,
            max_classification,
            links,
            link_problems,
            document_problems,
        )
    }
}
