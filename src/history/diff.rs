//! Tree-to-tree diffs through a two-commit tree cache: the hot inner loop of the history walk.

use std::collections::HashMap;

use gix::ObjectId;

/// A changed file: path, old blob, new blob.
type Change = (String, Option<ObjectId>, Option<ObjectId>);

/// Paths (relative to the compared trees) whose blob differs: (path, old blob, new blob).
///
/// Like `git diff-tree`: both trees are read in their stored (sorted) order and merged, and
/// sub-trees with equal ids are skipped. Two versions of a big directory usually differ in
/// one entry, so the bytes both trees begin and end with are compared first and only the
/// entries between are read: a 1,000-file directory costs two `memcmp`s, not 2,000 entries.
pub(super) fn diff_trees(
    repo: &gix::Repository,
    cache: &mut TreeCache,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    out: &mut Vec<Change>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
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
        let hash_len = repo.object_hash().len_in_bytes();
        let (old_data, new_data) = (cache.get(repo, old)?, cache.get(repo, new)?);
        let (a, b) = (&old_data[..], &new_data[..]);
        let same_start = common_prefix(a, b);
        let same_end = common_suffix(a, b).min(a.len().min(b.len()) - same_start);
        // Entries wholly inside the common beginning are the same in both trees.
        let mut start = 0;
        while let Some(e) = TreeEntry::at(b, start, hash_len) {
            if e.end > same_start {
                break;
            }
            start = e.end;
        }
        let (mut i, mut j) = (start, start);
        loop {
            // What is left is the same in both (and starts on an entry in each): done.
            if a.len() - i == b.len() - j && a.len() - i <= same_end {
                break;
            }
            let (o, n) = match (TreeEntry::at(a, i, hash_len), TreeEntry::at(b, j, hash_len)) {
                (None, None) => break,
                (Some(o), None) => (Some(o), None),
                (None, Some(n)) => (None, Some(n)),
                (Some(o), Some(n)) => match o.sort_key().cmp(n.sort_key()) {
                    _ if o.name == n.name => (Some(o), Some(n)),
                    std::cmp::Ordering::Less => (Some(o), None),
                    _ => (None, Some(n)),
                },
            };
            if let Some(o) = &o {
                i = o.end;
            }
            if let Some(n) = &n {
                j = n.end;
            }
            if let (Some(o), Some(n)) = (&o, &n) {
                if o.oid == n.oid && o.mode == n.mode {
                    continue;
                }
            }
            let o = o.filter(|e| !e.is_submodule());
            let n = n.filter(|e| !e.is_submodule());
            let Some(name) = o.as_ref().or(n.as_ref()).map(|e| e.name) else {
                continue;
            };
            let name = String::from_utf8_lossy(name);
            let tree_of = |e: &Option<TreeEntry<'_>>| {
                e.as_ref()
                    .filter(|e| e.is_tree())
                    .and_then(|e| ObjectId::try_from(e.oid).ok())
            };
            let blob_of = |e: &Option<TreeEntry<'_>>| {
                e.as_ref()
                    .filter(|e| !e.is_tree())
                    .and_then(|e| ObjectId::try_from(e.oid).ok())
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

/// How many bytes `a` and `b` begin with alike; compared a block at a time (`memcmp`).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` end with alike.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut k = 0;
    while k + BLOCK <= n
        && a[a.len() - k - BLOCK..a.len() - k] == b[b.len() - k - BLOCK..b.len() - k]
    {
        k += BLOCK;
    }
    k + a[..a.len() - k]
        .iter()
        .rev()
        .zip(b[..b.len() - k].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// One entry of a tree object as stored: `<mode> <name>\0<hash>`.
struct TreeEntry<'a> {
    mode: &'a [u8],
    name: &'a [u8],
    oid: &'a [u8],
    /// Where the next entry begins.
    end: usize,
}

impl<'a> TreeEntry<'a> {
    /// The entry starting at byte `at` of `data`, if one does.
    fn at(data: &'a [u8], at: usize, hash_len: usize) -> Option<TreeEntry<'a>> {
        let rest = data.get(at..)?;
        let space = rest.iter().position(|&c| c == b' ')?;
        let nul = space + 1 + rest[space + 1..].iter().position(|&c| c == 0)?;
        let oid = rest.get(nul + 1..nul + 1 + hash_len)?;
        Some(TreeEntry {
            mode: &rest[..space],
            name: &rest[space + 1..nul],
            oid,
            end: at + nul + 1 + hash_len,
        })
    }

    fn is_tree(&self) -> bool {
        self.mode == b"40000"
    }

    fn is_submodule(&self) -> bool {
        self.mode == b"160000"
    }

    /// Git's tree order: a tree sorts as if its name ended in `/`.
    fn sort_key(&self) -> impl Iterator<Item = &u8> + Clone {
        let suffix: &[u8] = if self.is_tree() { b"/" } else { b"" };
        self.name.iter().chain(suffix)
    }
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
    current: HashMap<ObjectId, std::rc::Rc<Vec<u8>>>,
    previous: HashMap<ObjectId, std::rc::Rc<Vec<u8>>>,
}

impl TreeCache {
    pub(super) fn next_commit(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    fn get(
        &mut self,
        repo: &gix::Repository,
        id: Option<ObjectId>,
    ) -> Result<std::rc::Rc<Vec<u8>>, Box<dyn std::error::Error + Send + Sync>> {
        let Some(id) = id else {
            return Ok(std::rc::Rc::new(Vec::new()));
        };
        if let Some(data) = self.current.get(&id).or_else(|| self.previous.get(&id)) {
            let data = data.clone();
            self.current.insert(id, data.clone());
            return Ok(data);
        }
        let data = std::rc::Rc::new(repo.find_object(id)?.detach().data);
        self.current.insert(id, data.clone());
        Ok(data)
    }
}
