//! `check --changed-since REV`: the problems a change brings, so a pull request shows its own
//! first. Those are the problems in files changed since REV, and the problems elsewhere that
//! the handbook at REV did not have: a control no longer covered because a changed document
//! dropped it, a link broken by a renamed id. Problems that were there before, in files the
//! change did not touch, are left out (and counted).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::types::Date;
use crate::history::Repo;
use crate::site::{self, Site};

/// What `--changed-since` keeps of a run.
pub struct Selection {
    pub shown: Vec<Diagnostic>,
    /// Files changed since REV (added, removed or modified), relative to the handbook root.
    pub changed: BTreeSet<PathBuf>,
    /// Problems left out: in unchanged files, and already there at REV.
    pub hidden: usize,
}

/// Compares the work tree's check (`now`) with a check of the handbook at `rev`.
pub fn select(root: &Path, rev: &str, today: Date, now: &Site) -> Result<Selection, String> {
    let repo = Repo::open(root).map_err(|e| format!("--changed-since needs git history: {e}"))?;
    let commit = repo.resolve(rev)?;
    let changes = repo
        .work_tree_changes(commit, root)
        .ok_or_else(|| format!("cannot compare the work tree with `{rev}`"))?;
    let mut changed = changes.files;
    if changes.config {
        changed.insert(PathBuf::from(crate::load::config::FILE));
    }
    let opts = site::Options {
        rev: Some(rev.to_string()),
        ..site::Options::new(today)
    };
    // A revision without a handbook (before `ismsbook init`) had no problems: all are new.
    let before = Site::open(root, opts)
        .map(|s| s.checked.diagnostics)
        .unwrap_or_default();
    let shown = keep(&now.checked.diagnostics, &before, &changed);
    Ok(Selection {
        hidden: now.checked.diagnostics.len() - shown.len(),
        shown,
        changed,
    })
}

/// The problems of `now` in a `changed` file, or absent from `before`. Problems are the same
/// when code, file and message agree: the line is left out, since an edit above moves it.
pub fn keep(
    now: &[Diagnostic],
    before: &[Diagnostic],
    changed: &BTreeSet<PathBuf>,
) -> Vec<Diagnostic> {
    let mut old: HashMap<(Code, &Path, &str), usize> = HashMap::new();
    for d in before {
        *old.entry((d.code, &d.file, &d.message)).or_default() += 1;
    }
    now.iter()
        .filter(|d| {
            if changed.contains(&d.file) {
                return true;
            }
            match old.get_mut(&(d.code, d.file.as_path(), d.message.as_str())) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnostics::Span;

    #[test]
    fn keeps_changed_files_and_new_problems_elsewhere() {
        let link = |file: &str, line| {
            Diagnostic::error(Code::BrokenReference, file, "link to POL-9")
                .at(Span::new(line, 1, 5))
        };
        let uncovered = Diagnostic::error(Code::UncoveredControl, "content/soa.yaml", "A.5.1");
        let before = [link("content/a.md", 3), link("content/b.md", 3)];
        let now = [
            link("content/a.md", 3),
            link("content/b.md", 8),
            link("content/b.md", 9),
            uncovered.clone(),
        ];
        let changed = BTreeSet::from([PathBuf::from("content/a.md")]);
        let kept = keep(&now, &before, &changed);
        // a.md changed: all of it; b.md's old problem moved (hidden) but its twin is new.
        assert_eq!(
            kept,
            vec![now[0].clone(), link("content/b.md", 9), uncovered]
        );
    }
}
