//! `ismsbook serve`: build, serve, watch, rebuild, and reload open pages.
//!
//! Each good build goes to a new generation directory, so a request never sees a half-written
//! site; a broken edit keeps the last good generation in service and shows its diagnostics
//! in an overlay. Pages learn about rebuilds by long polling (`/__ismsbook/poll?since=N`):
//! plain HTTP, parked in the server loop (`net`) rather than holding a thread, and that also
//! covers a page which connects just after a rebuild (it asks "anything since generation N?").
//! The generations live in a private temporary directory removed on every way out (`start`).

/// Writes a line to stderr, ignoring failure: a closed terminal or pipe must not stop a
/// rebuild or the way out (`eprintln!` panics then).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod conn;
mod head;
mod host;
mod http;
mod net;
mod start;
mod watch;

pub use start::run;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::load::{self, WorkTree};
use crate::model::Handbook;
use crate::render;
use crate::types::Date;
use crate::validate::{self, Checked};

pub struct Options {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub today: Option<Date>,
}

/// What the server knows about the builds, shared by the watcher and request threads.
#[derive(Default)]
pub struct State {
    /// Increases with every build attempt, good or bad.
    pub generation: u64,
    /// The generation whose pages are being served.
    pub good: u64,
    pub dir: Option<PathBuf>,
    /// The errors of the latest attempt (empty after a good build).
    pub errors: Vec<Problem>,
    /// `print.html` and `search.html` are being brought up to date.
    pub writing_whole: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub location: String,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

impl Problem {
    /// The output could not be written: shown like a diagnostic, in the overlay too.
    fn output(message: String) -> Vec<Problem> {
        vec![Problem {
            location: "output".into(),
            severity: Severity::Error,
            code: "io",
            message,
        }]
    }
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Self {
        Problem {
            location: d.location(),
            severity: d.severity,
            code: d.code.as_str(),
            message: d.message.clone(),
        }
    }
}

pub struct Shared {
    pub state: Mutex<State>,
    /// Tells the server loop that `state` changed (polls to answer).
    pub waker: OnceLock<Arc<mio::Waker>>,
    /// Where generation directories are made.
    pub base: PathBuf,
    pub root: PathBuf,
    pub today: Option<Date>,
    /// The handbook as last read, for rebuilding only what an edit affects.
    snapshot: Mutex<Option<Snapshot>>,
}

/// What the last build knew; an edit to one document updates it in place.
struct Snapshot {
    hb: Handbook,
    checked: Checked,
    history: crate::history::Info,
    /// Documents changed since the pages were last written (an edit may break the build;
    /// the next good one must write those pages too).
    pending: BTreeSet<PathBuf>,
    /// Controls whose pages list a changed document.
    pending_controls: BTreeSet<crate::types::ControlId>,
    /// Whether an edit since then changed what the pages listing every document show.
    pending_lists: bool,
    /// The compiled theme, kept between updates; a full build (which a theme edit causes)
    /// starts without it.
    tera: Option<tera::Tera>,
}

const LIVERELOAD: &str = include_str!("livereload.js");
/// Served HTML carries the generation it belongs to; see `http::handle`.
pub const GENERATION_MARK: &str = "__ISMSBOOK_GENERATION__";

/// No inline script: a theme with a strict Content-Security-Policy still reloads.
fn inject() -> Option<String> {
    Some(format!(
        "<script src=\"/__ismsbook/livereload.js\" data-generation=\"{GENERATION_MARK}\"></script>"
    ))
}

impl Shared {
    fn announce(&self) {
        if let Some(waker) = self.waker.get() {
            let _ = waker.wake();
        }
    }

    fn today(&self) -> Date {
        self.today
            .unwrap_or_else(|| crate::cli::today(None).unwrap_or_else(|_| Date::today_utc()))
    }

    /// Rebuilds after `changed` files (relative to the root) were modified: only those
    /// documents are read again and only the pages that show them are written, unless the
    /// change needs a full build (configuration, theme, a file added or removed).
    pub fn rebuild(&self, changed: Option<&[PathBuf]>) -> Duration {
        let started = Instant::now();
        let incremental = changed.and_then(|paths| self.update(paths));
        let outcome = match incremental {
            Some(outcome) => outcome,
            None => self.full(),
        };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let generation = state.generation + 1;
        state.generation = generation;
        match outcome {
            Ok(Some(dir)) => {
                let old = state.dir.replace(dir);
                state.good = generation;
                state.errors.clear();
                let old = old.filter(|o| Some(o) != state.dir.as_ref());
                drop(state);
                self.announce();
                if let Some(old) = old {
                    // Requests already reading the old generation keep their open files.
                    let _ = std::fs::remove_dir_all(old);
                }
                say!(
                    "rebuilt in {} ms (generation {generation})",
                    started.elapsed().as_millis()
                );
                return started.elapsed();
            }
            Ok(None) => {
                state.good = generation;
                state.errors.clear();
                state.writing_whole = true;
                say!(
                    "updated in {} ms (generation {generation})",
                    started.elapsed().as_millis()
                );
                drop(state);
                self.announce();
                self.update_whole();
                self.state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .writing_whole = false;
                self.announce();
                return started.elapsed();
            }
            Err(problems) => {
                say!(
                    "build failed: still serving generation {}; the pages show the {} error(s)",
                    state.good,
                    problems.len()
                );
                state.errors = problems;
            }
        }
        drop(state);
        self.announce();
        started.elapsed()
    }

    /// Rebuilds after a batch of file events (paths relative to the root): edits of
    /// Markdown documents alone; configuration, theme, assets or removed documents in full.
    /// Paths that no longer exist and were never sources (an editor's temporary file) are
    /// no change at all, except under `theme/`, whose files the snapshot does not list.
    pub fn rebuild_after(&self, changed: &[PathBuf]) {
        let known = |p: &Path| {
            let snapshot = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
            snapshot.as_ref().is_some_and(|s| {
                s.hb.documents.iter().any(|d| d.path == p)
                    || s.hb.unreadable.iter().any(|u| u == p)
                    || p.strip_prefix(load::CONTENT_DIR)
                        .is_ok_and(|a| s.hb.assets.iter().any(|x| x == a))
            })
        };
        let mut edited = Vec::new();
        let mut full = false;
        for rel in changed {
            let exists = self.root.join(rel).is_file();
            let markdown = rel.starts_with(load::CONTENT_DIR)
                && rel
                    .extension()
                    .is_some_and(|x| x == "md" || x == "markdown")
                && rel != Path::new(load::SOA_FILE);
            // A theme file is not in the snapshot, but removing one brings ours back.
            let theme = rel.starts_with("theme");
            match (markdown, exists) {
                (true, true) => edited.push(rel.clone()),
                (_, false) if !theme && !known(rel) => {}
                _ => full = true,
            }
        }
        edited.sort();
        edited.dedup();
        match (full, edited.is_empty()) {
            (true, _) => {
                self.rebuild(None);
            }
            (false, false) => {
                self.rebuild(Some(&edited));
            }
            (false, true) => {}
        }
    }

    /// Reads everything and writes a new generation directory.
    fn full(&self) -> Result<Option<PathBuf>, Vec<Problem>> {
        let source = WorkTree {
            root: self.root.clone(),
        };
        let hb =
            load::load(&self.root, &source, self.today(), load::Keep::Bodies).map_err(|e| {
                vec![Problem {
                    location: crate::config::FILE.to_string(),
                    severity: Severity::Error,
                    code: "config",
                    message: e.to_string(),
                }]
            })?;
        let checked = validate::check(&hb);
        crate::cli::report(&hb, &source, &checked.diagnostics);
        let errors: Vec<Problem> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(Problem::from)
            .collect();
        let mut snapshot = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        let history = match snapshot.take() {
            Some(old) if !errors.is_empty() => old.history,
            _ => history_of(&self.root, &hb),
        };
        if !errors.is_empty() {
            let pending = hb.documents.iter().map(|d| d.path.clone()).collect();
            // Nothing was written: once fixed, every page must be.
            *snapshot = Some(Snapshot {
                hb,
                checked,
                history,
                pending,
                pending_controls: crate::catalog::catalog()
                    .controls
                    .iter()
                    .map(|c| c.id)
                    .collect(),
                pending_lists: true,
                tera: None,
            });
            return Err(errors);
        }
        let generation = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .generation
            + 1;
        let dir = self.base.join(format!("generation-{generation}"));
        let opts = render::Options {
            history: history.clone(),
            inject: inject(),
            ..Default::default()
        };
        let tera = render::theme::templates(&self.root).map_err(Problem::output)?;
        let written = std::fs::create_dir(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))
            .and_then(|_| render::write_site(&hb, &checked, &opts, &tera, &source, &dir));
        if let Err(e) = written {
            // A half-written generation is never served: it goes at once.
            let _ = std::fs::remove_dir_all(&dir);
            return Err(Problem::output(e));
        }
        *snapshot = Some(Snapshot {
            hb,
            checked,
            history,
            pending: BTreeSet::new(),
            pending_controls: BTreeSet::new(),
            pending_lists: false,
            tera: Some(tera),
        });
        Ok(Some(dir))
    }

    /// Re-reads `paths` (modified Markdown documents) into the last snapshot. `None` when a
    /// full build is needed instead.
    fn update(&self, paths: &[PathBuf]) -> Option<Result<Option<PathBuf>, Vec<Problem>>> {
        let mut guard = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        let snap = guard.as_mut()?;
        let dir = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .dir
            .clone()?;
        let source = WorkTree {
            root: self.root.clone(),
        };
        for path in paths {
            let before = snap
                .hb
                .documents
                .binary_search_by(|d| d.path.as_path().cmp(path))
                .ok();
            // Pages that showed the document as it was must be written again too.
            if let Some(i) = before {
                snap.pending
                    .extend(linked_paths(&snap.hb, &snap.checked, i));
            }
            let listed_before = before.map(|i| listing(&snap.hb.documents[i]));
            let old_controls: Vec<_> = before
                .map(|i| {
                    snap.hb.documents[i]
                        .controls
                        .iter()
                        .map(|c| c.value)
                        .collect()
                })
                .unwrap_or_default();
            let (loaded, diags) = load::load_document(&source, path, load::Keep::Bodies);
            let listed_after = loaded.as_ref().ok().map(listing);
            // The listing pages and the pages of its controls show what `listing` holds.
            let relisted = listed_before.is_none() || listed_before != listed_after;
            snap.hb.diagnostics.retain(|d| &d.file != path);
            snap.hb.diagnostics.extend(diags);
            let after = snap.hb.replace_file(path, loaded);
            if relisted {
                snap.pending_lists = true;
                snap.pending_controls.extend(old_controls);
                if let Some(i) = after {
                    snap.pending_controls
                        .extend(snap.hb.documents[i].controls.iter().map(|c| c.value));
                }
            }
            snap.pending.insert(path.clone());
        }
        let checked = validate::check(&snap.hb);
        // The dashboard lists the problems.
        if checked.diagnostics != snap.checked.diagnostics {
            snap.pending_lists = true;
        }
        snap.checked = checked;
        crate::cli::report(&snap.hb, &source, &snap.checked.diagnostics);
        let errors: Vec<Problem> = snap
            .checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(Problem::from)
            .collect();
        if !errors.is_empty() {
            return Some(Err(errors));
        }
        let mut indices = BTreeSet::new();
        for path in std::mem::take(&mut snap.pending) {
            if let Ok(i) = snap
                .hb
                .documents
                .binary_search_by(|d| d.path.as_path().cmp(&path))
            {
                indices.insert(i);
                for p in linked_paths(&snap.hb, &snap.checked, i) {
                    if let Ok(j) = snap
                        .hb
                        .documents
                        .binary_search_by(|d| d.path.as_path().cmp(&p))
                    {
                        indices.insert(j);
                    }
                }
            }
        }
        let opts = render::Options {
            history: snap.history.clone(),
            inject: inject(),
            ..Default::default()
        };
        if snap.tera.is_none() {
            match render::theme::templates(&self.root) {
                Ok(t) => snap.tera = Some(t),
                Err(e) => return Some(Err(Problem::output(e))),
            }
        }
        let tera = snap.tera.as_ref()?;
        Some(
            render::update_pages(
                &snap.hb,
                &snap.checked,
                &opts,
                tera,
                &dir,
                render::Part::Pages {
                    documents: &indices,
                    controls: &std::mem::take(&mut snap.pending_controls),
                    lists: std::mem::take(&mut snap.pending_lists),
                },
            )
            .map(|_| None)
            .map_err(Problem::output),
        )
    }
}

impl Shared {
    /// After an update: writes `print.html` and `search.html`, which hold every document.
    /// Open pages have already been told to reload; requests for these two files wait here.
    fn update_whole(&self) {
        let guard = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        let Some(snap) = guard.as_ref() else { return };
        let Some(tera) = &snap.tera else { return };
        let Some(dir) = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .dir
            .clone()
        else {
            return;
        };
        let opts = render::Options {
            history: snap.history.clone(),
            inject: inject(),
            ..Default::default()
        };
        if let Err(e) = render::update_pages(
            &snap.hb,
            &snap.checked,
            &opts,
            tera,
            &dir,
            render::Part::Whole,
        ) {
            say!("error: {e}");
        }
    }
}

/// The documents a document links to and those that link to it: their pages show its
/// title and status in "related" and "referenced by". Found by scanning the links rather
/// than building the whole handbook's link maps: this runs twice for every save.
fn linked_paths(hb: &Handbook, checked: &Checked, i: usize) -> Vec<PathBuf> {
    use crate::links::Target;
    let path_of = |id: &crate::types::DocumentId| {
        hb.documents
            .iter()
            .find(|d| d.id.as_ref().is_some_and(|x| &x.value == id))
            .map(|d| d.path.clone())
    };
    let doc = &hb.documents[i];
    let mut out: Vec<PathBuf> = checked.links.targets[i]
        .iter()
        .filter_map(|t| match t {
            Target::Document { id, .. } => path_of(id),
            _ => None,
        })
        .chain(doc.related.iter().filter_map(|r| path_of(&r.value)))
        .collect();
    if let Some(id) = doc.id.as_ref().map(|x| &x.value) {
        for (other, targets) in hb.documents.iter().zip(&checked.links.targets) {
            let links_here = targets
                .iter()
                .any(|t| matches!(t, Target::Document { id: to, .. } if to == id))
                || other.related.iter().any(|r| &r.value == id);
            if links_here {
                out.push(other.path.clone());
            }
        }
    }
    out
}

fn history_of(root: &Path, hb: &Handbook) -> crate::history::Info {
    let repo = crate::history::Repo::open(root);
    let tip = repo.as_ref().ok().and_then(|r| r.head());
    let changed = match (&repo, tip) {
        (Ok(r), Some(t)) => r.work_tree_changes(t, root),
        _ => None,
    };
    crate::history::info(
        repo.as_ref().map_err(String::as_str),
        tip,
        changed.as_ref(),
        hb,
    )
}

/// What the pages that list every document (register, reviews, controls, SoA, readiness,
/// dashboard) show of a document: an edit that leaves it alone, like most edits of a body,
/// need not rewrite them.
fn listing(d: &crate::model::Document) -> String {
    let approval = d.current_approval().map(|a| (&a.by, &a.role.value, a.date));
    let values = |v: &[crate::model::Spanned<String>]| -> Vec<String> {
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
        )
    )
}
