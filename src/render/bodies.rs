//! The rendered bodies of a build, each released after its last use.
//!
//! At 100,000 documents the bodies' HTML is about 450 MB, and a build kept all of it from load
//! until the last page was written, under everything the site-wide pages hold. A body is shown
//! in three places: its page, its section of print.html and its search entry. `build` (which
//! renders once and exits) moves the bodies out of the handbook into [`Bodies`], and the third
//! use frees each one; [`order`] puts the three uses of a document close together, so the
//! bodies are gone before the site-wide pages run. `serve` keeps its bodies in the handbook:
//! its updates render pages again.

use std::sync::Mutex;

use super::context::Job;
use crate::load::model::Handbook;

/// The places a published body is shown in a build: page, print section, search entry.
const USES: u8 = 3;

/// Each document's body HTML (by index into `hb.documents`) and the uses it has left.
pub struct Bodies {
    slots: Vec<Mutex<(String, u8)>>,
}

impl Bodies {
    /// Moves every body's HTML out of `hb`, whose documents then have none: only for a
    /// handbook rendered once.
    pub fn take(hb: &mut Handbook) -> Bodies {
        let slots = hb
            .documents
            .iter_mut()
            .map(|d| Mutex::new((std::mem::take(&mut d.body.html), USES)))
            .collect();
        Bodies { slots }
    }

    /// Frees the bodies that `shown` says no page shows (withheld documents).
    pub(super) fn release_unshown(&self, shown: impl Fn(usize) -> bool) {
        for (i, slot) in self.slots.iter().enumerate() {
            if !shown(i) {
                *lock(slot) = (String::new(), 0);
            }
        }
    }

    /// `f` of document `i`'s body, counted as one of its uses; the last use frees it.
    /// `None` when it has no use left (which the order of the jobs rules out).
    fn with<R>(&self, i: usize, f: impl FnOnce(&str) -> R) -> Option<R> {
        let mut slot = lock(self.slots.get(i)?);
        if slot.1 == 0 {
            return None;
        }
        let result = f(&slot.0);
        slot.1 -= 1;
        if slot.1 == 0 {
            slot.0 = String::new();
        }
        Some(result)
    }
}

fn lock(slot: &Mutex<(String, u8)>) -> std::sync::MutexGuard<'_, (String, u8)> {
    slot.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a build runs first: the jobs that show bodies, and the parts of the search index.
pub(super) enum Task<'j> {
    Job(&'j Job),
    SearchPart(usize),
}

/// The jobs of a build that releases its bodies, in two runs: first what shows bodies (each
/// print part, the search parts and the pages, in the order of the documents they start
/// with, so a body's three uses come close together and it is freed soon after), then the
/// other jobs, which then run with the bodies gone, the search job (which merges the parts)
/// first. `print_start` gives the first document of a print part, `search_starts` that of
/// each search part (`None`: controls only).
pub(super) fn order<'j>(
    jobs: &'j [Job],
    print_start: impl Fn(usize) -> usize,
    search_starts: &[Option<usize>],
) -> (Vec<Task<'j>>, Vec<&'j Job>) {
    let (showing, rest): (Vec<&Job>, Vec<&Job>) = jobs
        .iter()
        .partition(|j| matches!(j, Job::Print | Job::PrintPart(_) | Job::Document(_)));
    let mut tasks: Vec<((usize, u8), Task<'j>)> = showing
        .into_iter()
        .map(|j| match j {
            Job::PrintPart(k) => ((print_start(*k), 0), Task::Job(j)),
            Job::Document(i) => ((*i, 2), Task::Job(j)),
            _ => ((0, 0), Task::Job(j)),
        })
        .collect();
    tasks.extend(
        search_starts
            .iter()
            .enumerate()
            .map(|(n, at)| ((at.unwrap_or(usize::MAX), 1), Task::SearchPart(n))),
    );
    tasks.sort_by_key(|(at, _)| *at);
    let (search, rest): (Vec<&Job>, Vec<&Job>) =
        rest.into_iter().partition(|j| matches!(j, Job::Search));
    let rest = search.into_iter().chain(rest).collect();
    (tasks.into_iter().map(|(_, t)| t).collect(), rest)
}

impl super::context::Site<'_> {
    /// `f` of document `i`'s body HTML: from the build's [`Bodies`] (one of its uses), or
    /// from the handbook.
    pub(super) fn with_body<R>(&self, i: usize, f: impl FnOnce(&str) -> R) -> Result<R, String> {
        match self.bodies {
            Some(bodies) => bodies.with(i, f).ok_or_else(|| {
                format!(
                    "{}: its body was freed before its last use (an internal error: please report it)",
                    crate::core::diagnostics::display_path(&self.hb.documents[i].path)
                )
            }),
            None => Ok(f(&self.hb.documents[i].body.html)),
        }
    }
}
