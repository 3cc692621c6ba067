//! The handbook as typed data: what `load` produces and every later stage reads.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::core::diagnostics::{Diagnostic, Span};
use crate::core::types::{ControlId, Date, DocType, DocumentId, Interval, Status, Version};
use crate::load::config::Config;
use crate::load::markdown::Body;

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Approval {
    pub version: Version,
    pub by: String,
    pub role: Spanned<String>,
    pub date: Date,
    /// `sha256:<hex>` of the body that was approved.
    pub digest: String,
    pub span: Span,
    pub digest_span: Span,
    /// Who signed it (a principal of `allowed_signers`) and the armoured SSH signature.
    pub signer: Option<Spanned<String>>,
    pub signature: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct Review {
    pub interval: Option<Interval>,
    pub last: Option<Date>,
    pub next: Option<Date>,
}

/// One Markdown file of `content/` with its front matter read into typed fields.
///
/// Fields that were missing or invalid hold a neutral value and the problem is in the
/// diagnostics; nothing is rendered while there are errors, so the fallback never shows.
#[derive(Clone, Debug)]
pub struct Document {
    /// Relative to the handbook root, e.g. `content/policies/access.md`.
    pub path: PathBuf,
    /// The file's text; empty when `load` dropped it after parsing (it reads it again
    /// for the few excerpts and redlines that need it).
    pub source: String,
    /// The length of the text as read, so that a text read again can be told unchanged.
    pub source_len: usize,
    /// Byte offset of the body in `source`, and the file line it starts on.
    pub body_start: usize,
    pub body_line: u32,
    /// `sha256:<hex>` of the body with LF line endings: what an approval binds to.
    pub digest: String,
    pub id: Option<Spanned<DocumentId>>,
    pub title: String,
    pub doc_type: DocType,
    pub version: Version,
    pub status: Status,
    pub owner: Spanned<String>,
    pub classification: Spanned<String>,
    pub effective: Option<Date>,
    pub review: Review,
    pub approvals: Vec<Approval>,
    pub controls: Vec<Spanned<ControlId>>,
    pub clauses: Vec<Spanned<String>>,
    /// `framework:requirement` as written; checked against the enabled frameworks.
    pub requirements: Vec<Spanned<String>>,
    pub related: Vec<Spanned<DocumentId>>,
    pub supersedes: Vec<Spanned<DocumentId>>,
    pub tags: Vec<String>,
    /// The `record:` block of a record document.
    pub record: Option<crate::load::record::Record>,
    /// The recurring activities a procedure prescribes.
    pub activities: Vec<crate::load::record::Activity>,
    /// Where each top-level key was written, for diagnostics about the whole field.
    pub field_spans: Vec<(&'static str, Span)>,
    pub body: Body,
}

impl Document {
    /// The body as written; empty when the text was dropped at load.
    pub fn body_text(&self) -> &str {
        self.source.get(self.body_start..).unwrap_or("")
    }

    /// The document without its text and parsed body: all a comparison needs.
    pub fn metadata(&self) -> Document {
        Document {
            source: String::new(),
            body: Body::default(),
            ..self.clone()
        }
    }

    pub fn field_span(&self, key: &str) -> Option<Span> {
        self.field_spans
            .iter()
            .find(|(k, _)| *k == key)
            .map(|&(_, span)| span)
    }

    /// The approval of the current version, the last one if there are several.
    pub fn current_approval(&self) -> Option<&Approval> {
        self.approvals
            .iter()
            .rev()
            .find(|a| a.version == self.version)
    }

    pub fn id_str(&self) -> &str {
        self.id.as_ref().map_or("", |id| id.value.as_str())
    }
}

/// `content/soa.yaml`: the applicability decisions.
#[derive(Clone, Debug, Default)]
pub struct Soa {
    pub excluded: BTreeMap<ControlId, Spanned<String>>,
    pub included: BTreeMap<ControlId, Spanned<String>>,
    /// The SoA as a controlled document (Part 2): its version, owner and approvals.
    pub version: Option<Spanned<Version>>,
    pub owner: Option<Spanned<String>>,
    pub approvals: Vec<Approval>,
}

/// Everything `load` read, and the problems it found on the way.
#[derive(Debug)]
pub struct Handbook {
    pub root: PathBuf,
    pub config: Config,
    pub config_source: String,
    /// Sorted by path.
    pub documents: Vec<Document>,
    /// Markdown files whose front matter could not be read at all: they exist (links to them
    /// are not broken) but have no page.
    pub unreadable: Vec<PathBuf>,
    /// The text of those of them that are text, for diagnostics' excerpts.
    pub unreadable_sources: BTreeMap<PathBuf, String>,
    /// Other files under `content/`, relative to `content/`, sorted.
    pub assets: Vec<PathBuf>,
    pub soa: Soa,
    pub soa_source: Option<String>,
    /// `content/nonconformities.yaml`, in file order.
    pub nonconformities: Vec<crate::load::record::Nonconformity>,
    pub nonconformities_source: Option<String>,
    /// `content/risks.yaml`, when the handbook has one: the risk-driven SoA applies then.
    pub risks: Option<crate::load::risks::Risks>,
    pub risks_source: Option<String>,
    /// The text of `[approval] allowed_signers`, when signatures are on and it exists.
    pub allowed_signers: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub today: Date,
}

impl Handbook {
    /// The index of the document read from `path` (`documents` is sorted by path).
    pub fn index_of_path(&self, path: &std::path::Path) -> Option<usize> {
        self.documents
            .binary_search_by(|d| d.path.as_path().cmp(path))
            .ok()
    }

    /// Puts a freshly read file in place of its previous state (document or unreadable),
    /// keeping `documents` sorted by path. Returns the document's new index, if it has one.
    pub fn replace_file(
        &mut self,
        path: &std::path::Path,
        loaded: Result<Document, Option<String>>,
    ) -> Option<usize> {
        self.unreadable.retain(|p| p != path);
        self.unreadable_sources.remove(path);
        let at = self
            .documents
            .binary_search_by(|d| d.path.as_path().cmp(path));
        match (loaded, at) {
            (Ok(doc), Ok(i)) => {
                self.documents[i] = doc;
                Some(i)
            }
            (Ok(doc), Err(i)) => {
                self.documents.insert(i, doc);
                Some(i)
            }
            (Err(text), at) => {
                if let Ok(i) = at {
                    self.documents.remove(i);
                }
                if let Some(text) = text {
                    self.unreadable_sources.insert(path.to_path_buf(), text);
                }
                self.unreadable.push(path.to_path_buf());
                self.unreadable.sort();
                None
            }
        }
    }

    /// Documents by id; the first wins where ids are duplicated (that is an error anyway).
    pub fn by_id(&self) -> BTreeMap<&DocumentId, &Document> {
        let mut map = BTreeMap::new();
        for d in &self.documents {
            if let Some(id) = &d.id {
                map.entry(&id.value).or_insert(d);
            }
        }
        map
    }
}
