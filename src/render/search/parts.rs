//! A build's search index, made part by part among the pages that show the same bodies (see
//! `render::bodies`), so that each body is freed soon after it is read; the search job then
//! only merges the parts and writes the term shards. The bytes are those of one search job.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use super::{PartIndex, Shards, Source, PART};
use crate::render::context::Site;

/// The parts indexed so far, and what every part shares.
#[derive(Default)]
pub(in crate::render) struct Parts {
    key: OnceLock<[u8; 32]>,
    sources: OnceLock<Vec<Source>>,
    done: Mutex<Vec<(usize, Result<PartIndex, String>)>>,
}

impl Parts {
    /// The key of this build's shards, derived once.
    pub(super) fn key(&self, site: &Site<'_>) -> [u8; 32] {
        *self.key.get_or_init(|| site.search_key())
    }

    fn sources(&self, site: &Site<'_>) -> &[Source] {
        self.sources.get_or_init(|| site.search_sources())
    }

    /// The parts indexed, in order.
    pub(super) fn take(&self) -> Vec<Result<PartIndex, String>> {
        let mut done = std::mem::take(&mut *self.done.lock().unwrap_or_else(|e| e.into_inner()));
        done.sort_by_key(|(n, _)| *n);
        done.into_iter().map(|(_, part)| part).collect()
    }
}

impl Site<'_> {
    /// How many parts the search index is made in, and the document (index into
    /// `hb.documents`) each part starts with (`None`: it holds controls only).
    pub(in crate::render) fn search_part_starts(&self) -> Vec<Option<usize>> {
        self.search_parts
            .sources(self)
            .chunks(PART)
            .map(|part| match part[0] {
                Source::Document(i) => Some(i),
                Source::Control(_) => None,
            })
            .collect()
    }

    /// Indexes part `n` and writes its document shards under `out`; returns the number of
    /// files written.
    pub(in crate::render) fn index_search_part(
        &self,
        out: &Path,
        n: usize,
    ) -> Result<usize, String> {
        let dir = out.join("search");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let shards = Shards {
            key: self.search_parts.key(self),
            dir: &dir,
        };
        let sources = self.search_parts.sources(self);
        let part = &sources[(n * PART).min(sources.len())..((n + 1) * PART).min(sources.len())];
        let language = self.hb.config.search_language;
        let indexed = self.index_part(language, &shards, n * PART, part, false);
        let written = part.len().div_ceil(super::DOCS_PER_SHARD);
        let failed = indexed.as_ref().err().cloned();
        self.search_parts
            .done
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((n, indexed));
        match failed {
            Some(e) => Err(e),
            None => Ok(written),
        }
    }
}
