//! Tree-to-tree diffs through a two-commit tree cache: the hot inner loop of the history walk.

use std::collections::HashMap;

use gix::ObjectId;

/// A changed file: path, old blob, new blob.
type Change = (String, Option<ObjectId>, Option<ObjectId>);

/// Paths (relative to the compared trees) whose blob differs: (path, old blob, new blob).
///
/// Like `git diff-tree`: both trees are read in their stored (sorted) order and merged,
/// sub-trees with equal ids are skipped, and nothing is allocated for unchanged entries.
pub(super) fn diff_trees(
    repo: &gix::Repository,
    cache: &mut TreeCache,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    out: &mut Vec<Change>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use gix::objs::tree::EntryRef;
    use std::cmp::Ordering;

    /// Git's tree order: a tree sorts as if its name ended in `/`.
    fn order(a: &EntryRef<'_>, b: &EntryRef<'_>) -> Ordering {
        fn key<'e>(e: &'e EntryRef<'_>) -> impl Iterator<Item = &'e u8> {
            let name: &[u8] = e.filename.as_ref();
            let suffix: &[u8] = if e.mode.is_tree() { b"/" } else { b"" };
            name.iter().chain(suffix)
        }
        key(a).cmp(key(b))
    }

    fn walk(
        repo: &gix::Repository,
        cache: &mut TreeCache,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        prefix: &str,
        out: &mut Vec<Change>,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if old == new {
            return Ok(());
        }
        let kind = repo.object_hash();
        let (old_data, new_data) = (cache.get(repo, old)?, cache.get(repo, new)?);
        let mut olds = gix::objs::TreeRefIter::from_bytes(&old_data, kind)
            .filter_map(Result::ok)
            .filter(|e| !e.mode.is_commit())
            .peekable();
        let mut news = gix::objs::TreeRefIter::from_bytes(&new_data, kind)
            .filter_map(Result::ok)
            .filter(|e| !e.mode.is_commit())
            .peekable();
        loop {
            let (o, n) = match (olds.peek(), news.peek()) {
                (None, None) => break,
                (Some(_), None) => (olds.next(), None),
                (None, Some(_)) => (None, news.next()),
                (Some(a), Some(b)) => match a.filename.cmp(b.filename) {
                    Ordering::Equal => (olds.next(), news.next()),
                    _ => match order(a, b) {
                        Ordering::Less => (olds.next(), None),
                        _ => (None, news.next()),
                    },
                },
            };
            if let (Some(a), Some(b)) = (&o, &n) {
                if a.oid == b.oid && a.mode == b.mode {
                    continue;
                }
            }
            let name = o
                .as_ref()
                .or(n.as_ref())
                .map(|e| e.filename.to_string())
                .unwrap_or_default();
            let tree_of = |e: &Option<EntryRef<'_>>| {
                e.as_ref()
                    .filter(|e| e.mode.is_tree())
                    .map(|e| e.oid.to_owned())
            };
            let blob_of = |e: &Option<EntryRef<'_>>| {
                e.as_ref()
                    .filter(|e| !e.mode.is_tree())
                    .map(|e| e.oid.to_owned())
            };
            let (ot, nt) = (tree_of(&o), tree_of(&n));
            if ot.is_some() || nt.is_some() {
                walk(repo, cache, ot, nt, &format!("{prefix}{name}/"), out)?;
            }
            let (ob, nb) = (blob_of(&o), blob_of(&n));
            if ob != nb {
                out.push((format!("{prefix}{name}"), ob, nb));
            }
        }
        Ok(())
    }
    walk(repo, cache, old, new, "", out)
}

/// The tree at `path` (`/`-separated) below the tree `root`, read through the cache.
pub(super) fn subtree(
    repo: &gix::Repository,
    cache: &mut TreeCache,
    root: ObjectId,
    path: &str,
) -> Result<Option<ObjectId>, Box<dyn std::error::Error + Send + Sync>> {
    let mut tree = root;
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let data = cache.get(repo, Some(tree))?;
        let found = gix::objs::TreeRefIter::from_bytes(&data, repo.object_hash())
            .filter_map(Result::ok)
            .find(|e| e.mode.is_tree() && e.filename == part.as_bytes())
            .map(|e| e.oid.to_owned());
        match found {
            Some(id) => tree = id,
            None => return Ok(None),
        }
    }
    Ok(Some(tree))
}

/// Decoded trees of this commit and the one walked before it: in a walk from the newest
/// commit back, a commit's parent trees are the next commit's own, so each tree is
/// decompressed once, and memory holds two commits' worth at most.
#[derive(Default)]
pub(super) struct TreeCache {
    current: HashMap<ObjectId, std::rc::Rc<[u8]>>,
    previous: HashMap<ObjectId, std::rc::Rc<[u8]>>,
}

impl TreeCache {
    pub(super) fn next_commit(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    fn get(
        &mut self,
        repo: &gix::Repository,
        id: Option<ObjectId>,
    ) -> Result<std::rc::Rc<[u8]>, Box<dyn std::error::Error + Send + Sync>> {
        let Some(id) = id else {
            return Ok(std::rc::Rc::from(Vec::new()));
        };
        if let Some(data) = self.current.get(&id).or_else(|| self.previous.get(&id)) {
            let data = data.clone();
            self.current.insert(id, data.clone());
            return Ok(data);
        }
        let data: std::rc::Rc<[u8]> = std::rc::Rc::from(repo.find_object(id)?.detach().data);
        self.current.insert(id, data.clone());
        Ok(data)
    }
}
