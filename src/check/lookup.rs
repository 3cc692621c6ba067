//! Documents looked up by key in a sorted vector, for the link rules: built from the
//! documents (already in path order) without the tree a map would build over ten thousand
//! of them on every edit `serve` follows, and iterated in key order as that map was.

use std::collections::HashMap;
use std::hash::Hash;

use crate::load::model::Document;

/// Looked up by hash: a binary search over 100,000 keys compared 17 keys in cold memory for
/// each link, a fifth of `check`'s time.
pub(super) struct Sorted<'a, K: ?Sized> {
    pairs: Vec<(&'a K, &'a Document)>,
    index: HashMap<&'a K, &'a Document>,
}

impl<'a, K: Ord + Hash + ?Sized> Sorted<'a, K> {
    /// From pairs already in key order, each key once (documents by path).
    pub fn from_sorted(pairs: Vec<(&'a K, &'a Document)>) -> Self {
        debug_assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
        let index = pairs.iter().copied().collect();
        Sorted { pairs, index }
    }

    /// From pairs in any order: of equal keys the first is kept, as `Handbook::by_id` does.
    pub fn first_of(mut pairs: Vec<(&'a K, &'a Document)>) -> Self {
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        pairs.dedup_by(|later, earlier| later.0 == earlier.0);
        let index = pairs.iter().copied().collect();
        Sorted { pairs, index }
    }

    pub fn get(&self, key: &K) -> Option<&'a Document> {
        self.index.get(key).copied()
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    pub fn keys(&self) -> impl Iterator<Item = &'a K> + '_ {
        self.pairs.iter().map(|(k, _)| *k)
    }
}
