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

use crate::core::diagnostics::{Diagnostic, Severity};
use crate::core::types::Date;
use crate::site::{After, Site, Update};

pub use start::Error;

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
    /// The pages served were rendered from a handbook with errors (`errors`): there was no
    /// good build to keep, and the preview is where problems get fixed.
    pub with_errors: bool,
    /// The step after an update's first that is writing (listings, then print and search):
    /// a request for a page it or a later step rewrites waits.
    pub writing: Option<After>,
    /// The pages (paths in the site) that step has written so far: a request for one of
    /// them no longer waits for the rest.
    pub written: BTreeSet<String>,
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
    /// The key sealing the search shards, the same for every build of this session (see
    /// `site::Options::search_key`).
    pub search_key: Option<[u8; 32]>,
    /// The handbook as last read, which follows edits; held while a build writes.
    site: Mutex<Option<Site>>,
}

/// The errors of a site, as the overlay shows them.
fn errors_of(site: Option<&Site>) -> Vec<Problem> {
    site.map(|s| {
        s.checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(Problem::from)
            .collect()
    })
    .unwrap_or_default()
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

    /// Which step after an update is writing now, and the requests it no longer holds go.
    fn writing(&self, step: Option<After>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.writing = step;
        state.written.clear();
        drop(state);
        self.announce();
    }

    /// The step writing has put `page` (a path in the site) in place.
    fn written(&self, page: &Path) {
        let page = page.to_string_lossy().replace('\\', "/");
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.written.insert(page);
        drop(state);
        self.announce();
    }

    /// Builds whole (`None`), or follows `changed` files (relative to the root): only the
    /// pages that show an edited document are written, unless the change needs a full build
    /// (configuration, theme, assets, a file removed). The pipeline is the `Site`'s.
    pub fn rebuild(&self, changed: Option<&[PathBuf]>) -> Duration {
        let started = Instant::now();
        let mut site = self.site.lock().unwrap_or_else(|e| e.into_inner());
        // Past midnight, reviews are checked against the new date: everything is read again.
        let today = self.today();
        let current = site.as_mut().filter(|s| s.options().today == today);
        let update = match (changed, current) {
            (Some(paths), Some(s)) => s.update(paths),
            _ => self.open(today).map(|s| {
                let broken = s.has_errors();
                *site = Some(s);
                match broken {
                    true => Update::Broken,
                    false => Update::Rewrite,
                }
            }),
        };
        let outcome = match update {
            Ok(Update::Unchanged) => return started.elapsed(),
            Ok(update) => {
                let s = site.as_mut().expect("a site was opened or updated");
                s.report();
                self.write(s, update)
            }
            Err(e) => Err(vec![Problem {
                location: crate::load::config::FILE.to_string(),
                severity: Severity::Error,
                code: "config",
                message: e.to_string(),
            }]),
        };
        self.settle(outcome, started, site)
    }

    /// Rebuilds after a batch of file events (paths relative to the root).
    pub fn rebuild_after(&self, changed: &[PathBuf]) {
        self.rebuild(Some(changed));
    }

    fn today(&self) -> Date {
        crate::site::today(self.today).unwrap_or_else(|_| Date::today_utc())
    }

    fn open(&self, today: Date) -> Result<Site, crate::site::Error> {
        let opts = crate::site::Options {
            history: crate::site::History::Revisions,
            inject: inject(),
            search_key: self.search_key,
            ..crate::site::Options::new(today)
        };
        Site::open(&self.root, opts)
    }

    /// Writes what `update` asks for: a new generation directory for a rewrite, the pages
    /// that changed into the current one otherwise. `Ok(Some(dir))`: a new generation;
    /// `Ok(None)`: pages updated in place, `print.html` and `search.html` still to write.
    fn write(&self, site: &mut Site, update: Update) -> Result<Option<PathBuf>, Vec<Problem>> {
        let errors = |site: &Site| -> Vec<Problem> {
            let diags = &site.checked.diagnostics;
            diags
                .iter()
                .filter(|d| d.is_error())
                .map(Problem::from)
                .collect()
        };
        let (generation, dir, with_errors) = {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            (state.generation + 1, state.dir.clone(), state.with_errors)
        };
        // With no good build to keep serving, the pages show the handbook with its errors.
        let update = match update {
            Update::Broken if dir.is_none() || with_errors => {
                let written = self.write_with_errors(site, generation);
                return written.map_err(Problem::output);
            }
            other => other,
        };
        let written = match (update, dir) {
            (Update::Unchanged, _) => return Ok(None),
            (Update::Broken, _) => return Err(errors(site)),
            (Update::Pages(pages), Some(dir)) => site.write_pages(&dir, &pages).map(|_| None),
            (Update::Rewrite | Update::Pages(_), _) => {
                let dir = self.base.join(format!("generation-{generation}"));
                let written = std::fs::create_dir(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))
                    .and_then(|_| site.render_to(&dir));
                if written.is_err() {
                    // A half-written generation is never served: it goes at once.
                    let _ = std::fs::remove_dir_all(&dir);
                }
                written.map(|_| Some(dir))
            }
        };
        written.map_err(|e| {
            site.mark_unwritten();
            Problem::output(e)
        })
    }

    /// Renders a handbook with errors whole into a new generation, as `build` would if it
    /// published errors. The next good update renders everything again (with the history
    /// that a handbook with errors is not given).
    fn write_with_errors(
        &self,
        site: &mut Site,
        generation: u64,
    ) -> Result<Option<PathBuf>, String> {
        let dir = self.base.join(format!("generation-{generation}"));
        let written = std::fs::create_dir(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))
            .and_then(|_| site.render_to(&dir));
        site.mark_unwritten();
        match written {
            Ok(_) => Ok(Some(dir)),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    }

    /// Records the outcome of a build and tells the pages.
    fn settle(
        &self,
        outcome: Result<Option<PathBuf>, Vec<Problem>>,
        started: Instant,
        mut site: std::sync::MutexGuard<'_, Option<Site>>,
    ) -> Duration {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let generation = state.generation + 1;
        state.generation = generation;
        match outcome {
            Ok(Some(dir)) => {
                let old = state.dir.replace(dir);
                state.good = generation;
                state.errors = errors_of(site.as_ref());
                state.with_errors = !state.errors.is_empty();
                let state_errors = state.errors.len();
                let old = old.filter(|o| Some(o) != state.dir.as_ref());
                drop(state);
                self.announce();
                if let Some(old) = old {
                    // Requests already reading the old generation keep their open files.
                    let _ = std::fs::remove_dir_all(old);
                }
                match state_errors {
                    0 => say!(
                        "rebuilt in {} ms (generation {generation})",
                        started.elapsed().as_millis()
                    ),
                    n => say!(
                        "rebuilt in {} ms (generation {generation}) with {n} error(s): the pages and the overlay show them; `build` publishes once they are fixed",
                        started.elapsed().as_millis()
                    ),
                }
            }
            Ok(None) => {
                state.good = generation;
                state.errors.clear();
                state.with_errors = false;
                // Listings first: an update that changed none moves on at once.
                state.writing = Some(After::Listings);
                state.written.clear();
                let dir = state.dir.clone();
                say!(
                    "updated in {} ms (generation {generation})",
                    started.elapsed().as_millis()
                );
                drop(state);
                self.announce();
                // Open pages have already been told to reload; requests for the pages
                // written next wait until they are.
                if let (Some(s), Some(dir)) = (site.as_mut(), dir) {
                    let listed = s.write_listings_reporting(&dir, &|page| self.written(page));
                    self.writing(Some(After::PrintSearch));
                    if let Err(e) = listed.and_then(|_| s.write_print_search(&dir)) {
                        say!("error: {e}");
                        // What reached the site is unknown: the next update writes it all.
                        s.mark_unwritten();
                    }
                }
                self.writing(None);
            }
            Err(problems) => {
                say!(
                    "build failed: still serving generation {}; the pages show the {} error(s)",
                    state.good,
                    problems.len()
                );
                state.errors = problems;
                drop(state);
                self.announce();
            }
        }
        drop(site);
        started.elapsed()
    }
}
