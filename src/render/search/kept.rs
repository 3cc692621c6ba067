//! The search index kept between `serve`'s updates: a digest of each entry's shard JSON and its
//! term weights, and every term's postings. An update indexes again only the entries that may have
//! changed (the documents read again since, and the controls, whose justifications come
//! from the SoA), then writes only the document shards holding a changed entry and the term
//! shards holding a term whose postings changed. Any other change (the entries themselves,
//! the key, the number of term shards) writes what a build writes; the result is always the
//! bytes a build with the same key writes (`tests/oracle.rs`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{
    doc_shard, entry_json, json_digest, term_shard_count, weights, write_shard, write_terms, Index,
    Indexed, Shards, Source, DOCS_PER_SHARD,
};
use crate::load::config::SearchLanguage;
use crate::render::context::Site;

/// The index as last written, held by the site between updates.
#[derive(Default)]
pub struct SearchCache {
    kept: Mutex<Option<Kept>>,
}

struct Kept {
    index: Index,
    key: [u8; 32],
    language: SearchLanguage,
    /// What each entry was made from: a document (by path) or a control (by index).
    origins: Vec<Origin>,
    /// Documents read again since the index was written: their entries are made again.
    stale: BTreeSet<PathBuf>,
}

#[derive(PartialEq)]
enum Origin {
    Document(PathBuf),
    Control(usize),
}

impl SearchCache {
    /// The document at `path` was read again: its entry is made again at the next write.
    pub fn touch(&mut self, path: &Path) {
        let kept = self.kept.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.as_mut() {
            k.stale.insert(path.to_path_buf());
        }
    }

    /// What was written is unknown (a write failed): the next write writes everything.
    pub fn forget(&self) {
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Writes the shards (those that changed, when the kept index still fits), keeping the
    /// index; returns the number of term shards and the number of shards written.
    pub(super) fn write(
        &self,
        site: &Site<'_>,
        shards: &Shards<'_>,
        sources: &[Source],
    ) -> Result<(u32, usize), String> {
        let mut slot = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        // Taken out: if writing fails half way, nothing is kept and the next write is whole.
        let language = site.hb.config.search_language;
        let fits = |k: &Kept| {
            k.key == shards.key
                && k.language == language
                && k.origins.len() == sources.len()
                && k.origins.iter().zip(sources).all(|(o, s)| o.is(site, *s))
        };
        let (kept, written) = match slot.take().filter(fits) {
            Some(mut k) => {
                let written = k.follow(site, shards, sources)?;
                (k, written)
            }
            None => {
                let index = site.index_all(shards, sources, true)?;
                let written = sources.len().div_ceil(DOCS_PER_SHARD) + index.term_shards as usize;
                let origins = sources.iter().map(|s| Origin::of(site, *s)).collect();
                let kept = Kept {
                    index,
                    key: shards.key,
                    language,
                    origins,
                    stale: BTreeSet::new(),
                };
                (kept, written)
            }
        };
        let term_shards = kept.index.term_shards;
        *slot = Some(kept);
        Ok((term_shards, written))
    }
}

impl Origin {
    fn of(site: &Site<'_>, source: Source) -> Origin {
        match source {
            Source::Document(i) => Origin::Document(site.hb.documents[i].path.clone()),
            Source::Control(i) => Origin::Control(i),
        }
    }

    fn is(&self, site: &Site<'_>, source: Source) -> bool {
        match (self, source) {
            (Origin::Document(p), Source::Document(i)) => *p == site.hb.documents[i].path,
            (Origin::Control(a), Source::Control(b)) => *a == b,
            _ => false,
        }
    }
}

impl Kept {
    /// Indexes again the entries that may have changed and writes the shards they touch;
    /// returns the number of shards written.
    fn follow(
        &mut self,
        site: &Site<'_>,
        shards: &Shards<'_>,
        sources: &[Source],
    ) -> Result<usize, String> {
        let stale = std::mem::take(&mut self.stale);
        let index = &mut self.index;
        let mut fresh = std::collections::BTreeMap::new();
        let mut terms = BTreeSet::new();
        for (number, &source) in sources.iter().enumerate() {
            let again = match source {
                Source::Document(i) => stale.contains(&site.hb.documents[i].path),
                Source::Control(_) => true,
            };
            if !again {
                continue;
            }
            let entry = site.search_entry(source)?;
            let json = entry_json(&entry);
            let digest = json_digest(&json);
            if digest == index.entries[number].digest {
                continue;
            }
            let mut new: Vec<(u32, u32)> = weights(&mut index.words, &entry).into_iter().collect();
            new.sort_unstable();
            index
                .postings
                .resize_with(index.words.terms.len(), Vec::new);
            let old = std::mem::replace(
                &mut index.entries[number],
                Indexed {
                    digest,
                    weights: new,
                },
            );
            let new = &index.entries[number].weights;
            for term in repost(&mut index.postings, number as u32, &old.weights, new) {
                terms.insert(term);
            }
            fresh.insert(number, json);
        }
        let docs: BTreeSet<usize> = fresh.keys().map(|k| k / DOCS_PER_SHARD).collect();
        for &n in &docs {
            let end = (n * DOCS_PER_SHARD + DOCS_PER_SHARD).min(sources.len());
            let jsons: Vec<String> = (n * DOCS_PER_SHARD..end)
                .map(|k| match fresh.remove(&k) {
                    Some(json) => Ok(json),
                    None => site.search_entry(sources[k]).map(|e| entry_json(&e)),
                })
                .collect::<Result<_, String>>()?;
            write_shard(shards, 'd', n, &doc_shard(&jsons))?;
        }
        let count = term_shard_count(&index.words.terms, &index.postings);
        // Another number of term shards moves most terms: then every term shard is written.
        let only: Option<BTreeSet<u32>> = (count == index.term_shards).then(|| {
            terms
                .iter()
                .map(|&t| super::tokens::shard_of(&index.words.terms[t as usize], count))
                .collect()
        });
        index.term_shards = count;
        let written = write_terms(shards, index, only.as_ref())?;
        Ok(docs.len() + written)
    }
}

/// Moves entry `number` in the postings from its `old` weights to its `new` ones (both by
/// term, ascending); returns the terms whose postings changed.
fn repost(
    postings: &mut [super::Postings],
    number: u32,
    old: &[(u32, u32)],
    new: &[(u32, u32)],
) -> Vec<u32> {
    let mut changed = Vec::new();
    let (mut a, mut b) = (old.iter().peekable(), new.iter().peekable());
    loop {
        let (term, weight) = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(&&(t, _)), None) => {
                a.next();
                (t, None)
            }
            (Some(&&(t, _)), Some(&&(u, _))) if t < u => {
                a.next();
                (t, None)
            }
            (Some(&&(t, w)), Some(&&(u, v))) if t == u => {
                a.next();
                b.next();
                if w == v {
                    continue;
                }
                (t, Some(v))
            }
            (_, Some(&&(u, v))) => {
                b.next();
                (u, Some(v))
            }
        };
        let list = &mut postings[term as usize];
        match (list.binary_search_by_key(&number, |&(e, _)| e), weight) {
            (Ok(at), Some(w)) => list[at].1 = w,
            (Ok(at), None) => {
                list.remove(at);
            }
            (Err(at), Some(w)) => list.insert(at, (number, w)),
            (Err(_), None) => {}
        }
        changed.push(term);
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_moves_from_its_old_weights_to_its_new_ones() {
        let mut postings = vec![vec![(0, 1), (3, 2)], vec![(3, 5)], vec![(1, 1)], vec![]];
        let changed = repost(&mut postings, 3, &[(0, 2), (1, 5)], &[(1, 6), (3, 1)]);
        assert_eq!(changed, [0, 1, 3]);
        assert_eq!(
            postings,
            [vec![(0, 1)], vec![(3, 6)], vec![(1, 1)], vec![(3, 1)]]
        );
        let unchanged = repost(&mut postings, 1, &[(2, 1)], &[(2, 1)]);
        assert!(unchanged.is_empty());
    }
}
