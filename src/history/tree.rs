//! The handbook at a commit as a load `Source`: read from the object store, apart from history.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::Repo;
use crate::diagnostics::Diagnostic;
use crate::load::{LoadError, Source};

/// The handbook at a commit, read from the object store without touching the work tree.
pub struct GitTree {
    pub(super) repo: Repo,
    pub(super) files: BTreeMap<PathBuf, ObjectId>,
    pub(super) config: Option<ObjectId>,
}

impl GitTree {
    fn blob(&self, id: ObjectId) -> io::Result<Vec<u8>> {
        self.repo
            .local()
            .find_blob(id)
            .map(|mut b| b.take_data())
            .map_err(io::Error::other)
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

    fn size(&self, path: &Path) -> io::Result<u64> {
        let id = self.id_of(path)?;
        let repo = self.repo.local();
        let header = repo.find_header(id).map_err(io::Error::other)?;
        Ok(header.size())
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.blob(self.id_of(path)?)
    }
}
