//! The revision walk: which commits changed which documents, read in one pass over the
//! history for all documents.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::diff::{diff_trees, subtree, TreeCache};
use super::{document_id, entries, err, Repo, Revision};
use crate::core::types::Date;
use crate::load::CONTENT_DIR;

/// A commit of the walk and its parent (none for a root commit).
type Walked = (ObjectId, Option<ObjectId>);

/// A commit that changed Markdown files under `content/`.
struct Changed {
    /// Its place in the walk, newest first.
    index: usize,
    time: i64,
    revision: Revision,
    /// Path relative to the handbook root (`/`-separated), old blob, new blob.
    files: Vec<(String, Option<ObjectId>, Option<ObjectId>)>,
}

/// Document ids already known for versions of files: path (relative to the handbook root)
/// -> (blob, id).
pub type KnownIds = HashMap<PathBuf, (ObjectId, String)>;

impl Repo {
    /// Every document's revisions, newest first, from one walk of the history behind `tip`.
    ///
    /// The walk lists the commits; their diffs are then computed in parallel, in contiguous
    /// runs so that each thread's tree cache still finds a commit's parent trees. A file's
    /// changes belong to the document whose id its newest version holds (so a renamed file
    /// keeps its history); that id comes from `known` when the version is one already loaded,
    /// else from the file's front matter in the object store, read once per file.
    pub fn revisions(
        &self,
        tip: ObjectId,
        known: &KnownIds,
    ) -> Result<BTreeMap<String, Vec<Revision>>, String> {
        let repo = self.local();
        let mut commits: Vec<Walked> = Vec::new();
        for info in repo.rev_walk([tip]).all().map_err(err)? {
            let info = info.map_err(err)?;
            let mut parents = info.parent_ids().map(|p| p.detach());
            let first = parents.next();
            if parents.next().is_none() {
                commits.push((info.id, first)); // merges are skipped: their changes are in the merged commits
            }
        }
        let oldest_first = self.chains_run_forward(&repo, &commits);
        let threads = rayon::current_num_threads().max(1);
        let run = commits.len().div_ceil(threads * 4).max(64);
        let runs: Vec<(usize, &[Walked])> = commits
            .chunks(run)
            .enumerate()
            .map(|(k, c)| (k * run, c))
            .collect();
        let mut changes: Vec<Changed> = Vec::new();
        for part in crate::core::parallel::map(&runs, |&(first, run)| {
            self.revisions_of(first, run, oldest_first)
        }) {
            changes.extend(part?);
        }
        changes.sort_by_key(|c| c.index); // newest first, whatever the runs and their order

        // Each file's newest version: the one whose id its changes are attributed to.
        let mut newest: BTreeMap<&str, ObjectId> = BTreeMap::new();
        for c in &changes {
            for (path, old, new) in &c.files {
                if let Some(blob) = new.or(*old) {
                    newest.entry(path.as_str()).or_insert(blob);
                }
            }
        }
        let newest: Vec<(&str, ObjectId)> = newest.into_iter().collect();
        let chunk = newest.len().div_ceil(threads * 4).max(16);
        let batches: Vec<&[(&str, ObjectId)]> = newest.chunks(chunk).collect();
        let ids: HashMap<&str, Option<String>> = crate::core::parallel::map(&batches, |batch| {
            let repo = self.local();
            batch
                .iter()
                .map(|&(path, blob)| {
                    let id = match known.get(Path::new(path)) {
                        Some((b, id)) if *b == blob => Some(id.clone()),
                        _ => repo.find_blob(blob).ok().and_then(|b| document_id(&b.data)),
                    };
                    (path, id)
                })
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect();

        let mut out: BTreeMap<String, Vec<(i64, Revision)>> = BTreeMap::new();
        for c in &changes {
            let mut doc_ids: Vec<&String> = Vec::new();
            for (path, _, _) in &c.files {
                if let Some(Some(id)) = ids.get(path.as_str()) {
                    if !doc_ids.contains(&id) {
                        doc_ids.push(id);
                    }
                }
            }
            for id in doc_ids {
                out.entry(id.clone())
                    .or_default()
                    .push((c.time, c.revision.clone()));
            }
        }
        Ok(out
            .into_iter()
            .map(|(id, mut revs)| {
                revs.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
                (id, revs.into_iter().map(|(_, r)| r).collect())
            })
            .collect())
    }

    /// Whether the pack's delta chains run from old to new versions, so that trees decode
    /// fastest walking the history oldest commit first.
    ///
    /// `git gc` keeps a path's newest version whole and stores older ones as deltas against
    /// newer ones; `git fast-import` (migrations from other systems, our benchmark) the other
    /// way round. Walking against the chains costs ten times as much. The tree that changes
    /// most often, the biggest directory under `content/`, tells: if its newer versions lie
    /// deeper in their chains than the versions before, the chains grow forward in time.
    fn chains_run_forward(&self, repo: &gix::Repository, commits: &[Walked]) -> bool {
        let content_path = self.path_in_repo(CONTENT_DIR);
        let tree_at = |commit: ObjectId, path: &str| -> Option<ObjectId> {
            let root = repo.find_commit(commit).ok()?.tree_id().ok()?.detach();
            subtree(repo, &mut TreeCache::default(), root, path).ok()?
        };
        let size = |id: ObjectId| repo.find_header(id).map_or(0, |h| h.size());
        let Some(&(tip, _)) = commits.first() else {
            return false;
        };
        let Some(content) = tree_at(tip, &content_path) else {
            return false;
        };
        // The biggest of `content/` and its direct sub-directories.
        let mut biggest = (size(content), content_path.clone());
        if let Ok(subdirs) = entries(repo, content) {
            for (name, _, id) in subdirs.into_iter().filter(|e| e.1) {
                let s = size(id);
                if s > biggest.0 {
                    biggest = (s, format!("{content_path}/{name}"));
                }
            }
        }
        let path = biggest.1;
        // Its last few versions, newest first; a chain may restart between two of them, so
        // the pairs vote.
        let mut versions: Vec<ObjectId> = Vec::new();
        for tree in commits
            .iter()
            .take(64)
            .filter_map(|&(c, _)| tree_at(c, &path))
        {
            if versions.last() != Some(&tree) {
                versions.push(tree);
            }
            if versions.len() == 5 {
                break;
            }
        }
        let depths: Vec<Option<u32>> = versions
            .iter()
            .map(|&id| repo.find_header(id).ok().and_then(|h| h.num_deltas()))
            .collect();
        let (mut forward, mut backward) = (0, 0);
        for pair in depths.windows(2) {
            match (pair[0], pair[1]) {
                (Some(newer), Some(older)) if newer > older => forward += 1,
                (Some(newer), Some(older)) if newer < older => backward += 1,
                _ => {}
            }
        }
        forward > backward
    }

    /// The Markdown files each commit of `run` (which starts at `first` in the walk) changed,
    /// walked from its oldest commit when `oldest_first` (see [`Repo::chains_run_forward`]).
    fn revisions_of(
        &self,
        first: usize,
        run: &[Walked],
        oldest_first: bool,
    ) -> Result<Vec<Changed>, String> {
        let repo = self.local();
        let content_path = self.path_in_repo(CONTENT_DIR);
        let mut trees = TreeCache::default();
        // A commit's content tree is needed twice: as a commit's and as its child's parent's.
        let mut content_of: HashMap<ObjectId, Option<ObjectId>> = HashMap::new();
        let mut content = |trees: &mut TreeCache, commit: ObjectId| {
            if let Some(&t) = content_of.get(&commit) {
                return Ok(t);
            }
            let root = repo
                .find_commit(commit)
                .map_err(err)?
                .tree_id()
                .map_err(err)?
                .detach();
            let t = subtree(&repo, trees, root, &content_path).map_err(err)?;
            content_of.insert(commit, t);
            Ok::<_, String>(t)
        };
        let mut out = Vec::new();
        let order: Box<dyn Iterator<Item = (usize, &Walked)>> = if oldest_first {
            Box::new(run.iter().enumerate().rev())
        } else {
            Box::new(run.iter().enumerate())
        };
        for (k, &(id, parent)) in order {
            trees.next_commit();
            let (old, new) = if oldest_first {
                let old = parent
                    .map(|p| content(&mut trees, p))
                    .transpose()?
                    .flatten();
                (old, content(&mut trees, id)?)
            } else {
                let new = content(&mut trees, id)?;
                (
                    parent
                        .map(|p| content(&mut trees, p))
                        .transpose()?
                        .flatten(),
                    new,
                )
            };
            if new == old {
                continue;
            }
            let mut files = Vec::new();
            diff_trees(&repo, &mut trees, old, new, &mut files).map_err(err)?;
            files.retain(|(path, _, _)| path.ends_with(".md") || path.ends_with(".markdown"));
            if files.is_empty() {
                continue;
            }
            for file in &mut files {
                file.0 = format!("{CONTENT_DIR}/{}", file.0);
            }
            let commit = repo.find_commit(id).map_err(err)?;
            let time = commit.time().map_err(err)?;
            let revision = Revision {
                id: id.to_hex_with_len(7).to_string(),
                // A commit time outside 0000-9999 (forged) shows no date, not a wrapped one.
                date: Date::from_unix_seconds(time.seconds)
                    .map_or_else(String::new, |d| d.to_string()),
                author: commit
                    .author()
                    .map(|a| a.name.to_string())
                    .unwrap_or_default(),
                summary: commit
                    .message()
                    .map(|m| m.summary().to_string())
                    .unwrap_or_default(),
            };
            out.push(Changed {
                index: first + k,
                time: time.seconds,
                revision,
                files,
            });
        }
        Ok(out)
    }
}
