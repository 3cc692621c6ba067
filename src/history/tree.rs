//! The handbook at a commit as a load `Source`: read from the object store, apart from history.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::Repo;
use crate::core::diagnostics::Diagnostic;
use crate::load::{LoadError, Source};

/// The handbook at a commit, read from the object store without touching the work tree.
pub struct GitTree {
    pub(super) repo: Repo,
    pub(super) files: BTreeMap<PathBuf, ObjectId>,
    pub(super) config: Option<ObjectId>,
    /// Opened repositories (with their object caches) for the threads reading files: one
    /// for each file read would rebuild every blob from the start of its delta chain.
    pub(super) handles: std::sync::Mutex<Vec<gix::Repository>>,
}

impl GitTree {
    fn with_repo<R>(&self, f: impl FnOnce(&gix::Repository) -> R) -> R {
        let taken = self.handles.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let repo = taken.unwrap_or_else(|| self.repo.local());
        let out = f(&repo);
        self.handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(repo);
        out
    }

    fn blob(&self, id: ObjectId) -> io::Result<Vec<u8>> {
        self.with_repo(|repo| {
            // A copy the size of the blob: gix decodes into reused buffers as large as the
            // largest object seen (a tree of 1,000 entries), which would be kept with the text.
            repo.find_blob(id)
                .map(|b| b.data.clone())
                .map_err(io::Error::other)
        })
    }

    /// The blob of a file of this revision.
    pub fn blob_of(&self, path: &Path) -> Option<ObjectId> {
        self.files.get(path).copied()
    }

    fn id_of(&self, path: &Path) -> io::Result<ObjectId> {
        self.files
            .get(path)
            .copied()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not in this revision"))
    }
}

impl Source for GitTree {
    fn read_config(&self) -> io::Result<Vec<u8>> {
        match self.config {
            Some(id) => self.blob(id),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no ismsbook.toml in this revision",
            )),
        }
    }

    fn list_content(&self) -> Result<(Vec<PathBuf>, Vec<Diagnostic>), LoadError> {
        Ok((self.files.keys().cloned().collect(), Vec::new()))
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.blob(self.id_of(path)?)
    }

    /// Blobs are read whole: asking their size first decodes the start of every delta
    /// of their chain, which costs as much as the read itself.
    fn read_at_most(&self, path: &Path, max: u64) -> io::Result<Result<Vec<u8>, u64>> {
        let bytes = self.read(path)?;
        let size = bytes.len() as u64;
        Ok(if size > max { Err(size) } else { Ok(bytes) })
    }
}
