//! Git history through gix, no git program needed: the handbook version label, each
//! document's revisions, and the handbook as it was at any commit or tag.
//!
//! History is read in one walk for all documents. A commit's changes are found by comparing
//! the `content/` trees of the commit and its parent, skipping every sub-tree whose id did not
//! change; a changed file is attributed to the document id in its front matter, so a renamed
//! file keeps its history.

pub mod changes;
mod diff;
pub mod register;
mod tree;
mod walk;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use serde::Serialize;

use crate::load::{is_ignored, Source, CONTENT_DIR};

pub use tree::GitTree;
pub use walk::KnownIds;

/// One commit that changed a document.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Revision {
    pub id: String,
    pub date: String,
    pub author: String,
    pub summary: String,
}

/// How a work tree differs from a commit.
#[derive(Clone, Debug, Default)]
pub struct WorkTreeChanges {
    /// The commit's files under `content/`: path relative to the handbook root -> blob.
    pub committed: BTreeMap<PathBuf, ObjectId>,
    /// Files under `content/` added, removed or modified since.
    pub files: BTreeSet<PathBuf>,
    pub config: bool,
}

impl WorkTreeChanges {
    /// No change: a build of the commit itself.
    pub fn none(repo: &Repo, commit: ObjectId) -> Option<WorkTreeChanges> {
        Some(WorkTreeChanges {
            committed: repo.content_files(commit).ok()?,
            ..WorkTreeChanges::default()
        })
    }

    pub fn any(&self) -> bool {
        self.config || !self.files.is_empty()
    }
}

/// The handbook's repository, and where the handbook lies inside its work tree.
#[derive(Clone)]
pub struct Repo {
    repo: gix::ThreadSafeRepository,
    /// The handbook root relative to the repository's top, with `/` separators ("" at the top).
    prefix: String,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Repo {
    /// The repository holding `root`, or why there is none.
    pub fn open(root: &Path) -> Result<Repo, String> {
        let repo = gix::discover(root).map_err(|_| "not in a git repository".to_string())?;
        let top = repo
            .workdir()
            .ok_or_else(|| "a bare repository has no work tree".to_string())?;
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let rel = canon(root)
            .strip_prefix(canon(top))
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let prefix = crate::core::diagnostics::display_path(&rel);
        Ok(Repo {
            repo: repo.into_sync(),
            prefix,
        })
    }

    fn local(&self) -> gix::Repository {
        let mut repo = self.repo.to_thread_local();
        // Packs store a file's or tree's successive versions as a chain of deltas. Decoded
        // in the chain's order, each version is one delta away from the last one decoded,
        // which this cache holds; a few megabytes do, and more only cost time. (gix's
        // default cache missed here and every version was rebuilt from the chain's start.)
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                4 * 1024 * 1024,
            ))
        });
        repo
    }

    /// The handbook root relative to the repository's top, with `/` separators ("" at the top).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn is_shallow(&self) -> bool {
        self.local().is_shallow().unwrap_or(false)
    }

    fn path_in_repo(&self, rel: &str) -> String {
        if self.prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix)
        }
    }

    pub fn head(&self) -> Option<ObjectId> {
        self.local().head_commit().ok().map(|c| c.id)
    }

    /// A commit from a revision such as `v2026.1`, `HEAD~2` or a hash.
    pub fn resolve(&self, rev: &str) -> Result<ObjectId, String> {
        let repo = self.local();
        let id = repo
            .rev_parse_single(rev)
            .map_err(|e| format!("unknown revision `{rev}`: {e}"))?;
        let commit = id
            .object()
            .map_err(err)?
            .peel_to_commit()
            .map_err(|_| format!("`{rev}` does not name a commit"))?;
        Ok(commit.id)
    }

    /// The tag at `commit`, else a describe label (`v2026.1-3-gabc1234`), else the short id;
    /// `+dirty` when the work tree's content differs from it.
    pub fn label(&self, commit: ObjectId, dirty: bool) -> String {
        let repo = self.local();
        let described = repo.find_commit(commit).ok().and_then(|c| {
            c.describe()
                .names(gix::commit::describe::SelectRef::AllTags)
                .id_as_fallback(true)
                .try_format()
                .ok()
                .flatten()
        });
        let mut label = match described {
            Some(mut f) => {
                f.hex_len = 7;
                f.to_string()
            }
            None => commit.to_hex_with_len(7).to_string(),
        };
        if dirty {
            label.push_str("+dirty");
        }
        label
    }

    /// Tags whose commit is `commit` or one of its ancestors, newest commit first.
    pub fn tags_reachable_from(&self, commit: ObjectId) -> Vec<(String, ObjectId)> {
        let repo = self.local();
        let mut tags: HashMap<ObjectId, Vec<String>> = HashMap::new();
        if let Ok(refs) = repo.references() {
            if let Ok(iter) = refs.tags() {
                for mut r in iter.filter_map(Result::ok) {
                    let name = r.name().shorten().to_string();
                    if let Ok(c) = r.peel_to_commit() {
                        tags.entry(c.id).or_default().push(name);
                    }
                }
            }
        }
        let mut out = Vec::new();
        if let Ok(walk) = repo.rev_walk([commit]).all() {
            for info in walk.filter_map(Result::ok) {
                if let Some(names) = tags.get(&info.id) {
                    let mut names = names.clone();
                    names.sort();
                    out.extend(names.into_iter().map(|n| (n, info.id)));
                }
            }
        }
        out
    }

    fn content_tree(
        &self,
        repo: &gix::Repository,
        commit: ObjectId,
    ) -> Result<Option<ObjectId>, String> {
        let tree = repo.find_commit(commit).map_err(err)?.tree().map_err(err)?;
        let path = self.path_in_repo(CONTENT_DIR);
        let entry = tree.lookup_entry_by_path(&path).map_err(err)?;
        Ok(entry.filter(|e| e.mode().is_tree()).map(|e| e.object_id()))
    }

    /// Every file of `content/` at `commit`: path relative to the handbook root -> blob.
    pub fn content_files(&self, commit: ObjectId) -> Result<BTreeMap<PathBuf, ObjectId>, String> {
        let repo = self.local();
        let mut files = BTreeMap::new();
        if let Some(tree) = self.content_tree(&repo, commit)? {
            collect_blobs(&repo, tree, PathBuf::from(CONTENT_DIR), &mut files).map_err(err)?;
        }
        Ok(files)
    }

    /// The handbook's files at `commit`, read from the object store.
    pub fn tree_source(&self, commit: ObjectId) -> Result<GitTree, String> {
        Ok(GitTree {
            repo: self.clone(),
            files: self.content_files(commit)?,
            config: self.config_blob(commit)?,
            handles: Default::default(),
        })
    }

    /// The blob of `ismsbook.toml` at `commit`, if it has one.
    fn config_blob(&self, commit: ObjectId) -> Result<Option<ObjectId>, String> {
        let repo = self.local();
        let tree = repo.find_commit(commit).map_err(err)?.tree().map_err(err)?;
        Ok(tree
            .lookup_entry_by_path(self.path_in_repo(crate::load::config::FILE))
            .map_err(err)?
            .map(|e| e.object_id()))
    }

    /// How the work tree differs from `commit`: the files under `content/` added, removed or
    /// modified, and whether `ismsbook.toml` is. `None` when that cannot be told.
    pub fn work_tree_changes(&self, commit: ObjectId, root: &Path) -> Option<WorkTreeChanges> {
        let committed = self.content_files(commit).ok()?;
        let (on_disk, _) = (crate::load::WorkTree {
            root: root.to_path_buf(),
        })
        .list_content()
        .ok()?;
        let same = |path: &Path, blob: Option<&ObjectId>| -> bool {
            match (std::fs::read(root.join(path)), blob) {
                (Ok(bytes), Some(id)) => {
                    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, &bytes)
                        .ok()
                        .as_ref()
                        == Some(id)
                }
                _ => false,
            }
        };
        let config = self.config_blob(commit).ok()?;
        let mut files: BTreeSet<PathBuf> = committed
            .keys()
            .filter(|p| on_disk.binary_search(p).is_err())
            .cloned()
            .collect();
        // Hashing every file is the cost of knowing; it runs on all cores.
        let unchanged = crate::core::parallel::map(&on_disk, |p| same(p, committed.get(p)));
        files.extend(
            on_disk
                .into_iter()
                .zip(unchanged)
                .filter_map(|(p, same)| (!same).then_some(p)),
        );
        Some(WorkTreeChanges {
            config: !same(Path::new(crate::load::config::FILE), config.as_ref()),
            committed,
            files,
        })
    }
}

/// Files of a tree, recursively, skipping hidden names like the work-tree walk does.
fn collect_blobs(
    repo: &gix::Repository,
    tree: ObjectId,
    at: PathBuf,
    out: &mut BTreeMap<PathBuf, ObjectId>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    for (name, is_tree, id) in entries(repo, tree)? {
        if is_ignored(std::ffi::OsStr::new(&name)) {
            continue;
        }
        let path = at.join(&name);
        if is_tree {
            collect_blobs(repo, id, path, out)?;
        } else {
            out.insert(path, id);
        }
    }
    Ok(())
}

type Entries = Vec<(String, bool, ObjectId)>;

fn entries(
    repo: &gix::Repository,
    tree: ObjectId,
) -> Result<Entries, Box<dyn std::error::Error + Send + Sync>> {
    let tree = repo.find_tree(tree)?;
    let mut out = Vec::new();
    for e in tree.iter() {
        let e = e?;
        let mode = e.inner.mode;
        if mode.is_commit() {
            continue; // a submodule
        }
        out.push((
            e.inner.filename.to_string(),
            mode.is_tree(),
            e.inner.oid.to_owned(),
        ));
    }
    Ok(out)
}

/// The `id:` of a document's front matter, read without a YAML parser (history reads many).
pub fn document_id(data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    for line in lines {
        let line = line.trim_end();
        if line == "---" || line == "..." {
            return None;
        }
        if let Some(value) = line.strip_prefix("id:") {
            let value = value
                .split(" #")
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\'']);
            return (!value.is_empty()).then(|| value.to_string());
        }
    }
    None
}

/// What a build knows from git: shown on every page and each document page.
#[derive(Clone, Debug, Default)]
pub struct Info {
    pub label: Option<String>,
    pub commit: Option<String>,
    pub revisions: BTreeMap<String, Vec<Revision>>,
    /// Why there is no (complete) history, when that is so.
    pub note: Option<String>,
}

/// History for a build of `hb`, whose files differ from the commit `tip` by `changed`
/// (`None`: unknown; `Some` and empty for a build of the commit itself).
pub fn info(
    repo: Result<&Repo, &str>,
    tip: Option<ObjectId>,
    changed: Option<&WorkTreeChanges>,
    hb: &crate::load::model::Handbook,
) -> Info {
    let repo = match repo {
        Ok(r) => r,
        Err(why) => {
            return Info {
                note: Some(format!("no revision history: {why}")),
                ..Info::default()
            };
        }
    };
    let Some(tip) = tip else {
        return Info {
            note: Some("no revision history: the repository has no commits yet".into()),
            ..Info::default()
        };
    };
    let dirty = changed.is_none_or(WorkTreeChanges::any);
    // The documents as loaded are their files' versions at the tip, unless changed since.
    let mut known = KnownIds::new();
    if let Some(changed) = changed {
        for d in &hb.documents {
            if let (Some(id), Some(blob)) = (&d.id, changed.committed.get(&d.path)) {
                if !changed.files.contains(&d.path) {
                    known.insert(d.path.clone(), (*blob, id.value.to_string()));
                }
            }
        }
    }
    let mut info = Info {
        label: Some(repo.label(tip, dirty)),
        commit: Some(tip.to_hex().to_string()),
        ..Info::default()
    };
    match repo.revisions(tip, &known) {
        Ok(revs) => info.revisions = revs,
        Err(e) => info.note = Some(format!("revision history incomplete: {e}")),
    }
    if repo.is_shallow() {
        info.note = Some("revision history incomplete: this is a shallow clone".into());
    }
    info
}

#[cfg(test)]
mod tests {
    use super::document_id;

    #[test]
    fn document_ids_are_read_from_front_matter_only() {
        assert_eq!(
            document_id(b"---\ntitle: x\nid: \"POL-001\"  # c\n---\nid: NOPE\n").as_deref(),
            Some("POL-001")
        );
        assert_eq!(document_id(b"---\ntitle: x\n---\nid: NOPE\n"), None);
        assert_eq!(document_id(b"# no front matter\nid: X\n"), None);
    }
}
