//! Load: walk `content/`, read every file once, split and parse front matter and body.

pub mod action;
pub mod active;
mod compact;
pub mod config;
mod front_matter;
pub mod inside;
pub mod markdown;
pub mod model;
pub mod nonconformity;
pub mod record;
pub mod risks;
pub mod signers;
mod soa;
mod soa_control;
pub mod yaml;

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use front_matter::{split, Split, FIELDS};

use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::types::{Date, DocType, Status, Version};
use crate::load::model::{Document, Handbook, Spanned};

pub const CONTENT_DIR: &str = "content";
pub const SOA_FILE: &str = "content/soa.yaml";
/// A policy of 4 MiB is a mistake (a pasted export, a binary renamed .md), not a policy.
pub const MAX_DOCUMENT_BYTES: u64 = 4 * 1024 * 1024;

/// A failure that stops the run before any checking: exit code 2.
#[derive(Debug)]
pub enum LoadError {
    /// `ismsbook.toml` cannot be read (absent in a revision, permissions).
    Config { path: PathBuf, error: io::Error },
    /// The handbook's folder cannot be walked.
    Content { root: PathBuf, error: io::Error },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Config { path, error } | LoadError::Content { root: path, error } => {
                write!(f, "cannot read {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// The files of a handbook as they are in some tree: the work tree, or a git revision.
pub trait Source: Sync {
    fn read_config(&self) -> io::Result<Vec<u8>>;
    /// Every file under `content/`, relative to the root, sorted; entries not read come back
    /// as diagnostics (links out of the handbook, FIFOs, symlink loops, permissions).
    fn list_content(&self) -> Result<(Vec<PathBuf>, Vec<Diagnostic>), LoadError>;
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The file's bytes, or its size when that is over `max` (a file is then not read whole).
    fn read_at_most(&self, path: &Path, max: u64) -> io::Result<Result<Vec<u8>, u64>>;
}

/// The handbook's files on disk.
pub struct WorkTree {
    pub root: PathBuf,
}

impl Source for WorkTree {
    fn read_config(&self) -> io::Result<Vec<u8>> {
        inside::read(&self.root, Path::new(config::FILE))
    }

    fn list_content(&self) -> Result<(Vec<PathBuf>, Vec<Diagnostic>), LoadError> {
        let walk = inside::walk(&self.root, Path::new(CONTENT_DIR)).map_err(|error| {
            LoadError::Content {
                root: self.root.clone(),
                error,
            }
        })?;
        let diags = walk
            .refused
            .into_iter()
            .map(|(path, why)| refused(&path, &why))
            .collect();
        Ok((walk.files, diags))
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        inside::read(&self.root, path)
    }

    fn read_at_most(&self, path: &Path, max: u64) -> io::Result<Result<Vec<u8>, u64>> {
        inside::read_at_most(&self.root, path, max)
    }
}

/// The diagnostic for an entry the filesystem rule refused to read.
fn refused(path: &Path, why: &inside::Refused) -> Diagnostic {
    let code = if why.is_outside() {
        Code::OutsideHandbook
    } else {
        Code::UnreadableFile
    };
    Diagnostic::error(code, path, why.message("the handbook")).help(why.help())
}

/// Hidden files and the droppings of editors (swap, backup and lock files) are not content;
/// nor is what an interrupted `approve` of an older version left (`X.md.ismsbook-approve`),
/// which holds a whole document.
pub fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.contains(".ismsbook-approve")
        || name.ends_with('~')
        || name.starts_with('#')
        || [".swp", ".swo", ".swx", ".tmp", ".bak"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown")
    )
}

/// How much of each document `load` keeps.
///
/// `build` and `check` need a document's text only for the excerpts of diagnostics and for
/// redlines, which read the few files concerned again ([`reread`]): dropping each
/// text as soon as it is parsed keeps a third of a 10,000-document build's memory free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Texts and parsed bodies: `approve` edits the text.
    All,
    /// Parsed bodies (HTML, links, headings); texts dropped: `build`, `serve`.
    Bodies,
    /// Links and headings of the bodies, without their HTML; texts dropped: `check`.
    Outlines,
    /// Texts, without parsed bodies: the sides of a comparison (redlines need the texts).
    Texts,
    /// Front matter and body digests only.
    Metadata,
}

/// Reads the whole handbook from `source`. Problems in the content become diagnostics;
/// only a missing or unreadable configuration is a [`LoadError`].
pub fn load(
    root: &Path,
    source: &dyn Source,
    today: Date,
    keep: Keep,
) -> Result<Handbook, LoadError> {
    load_reusing(root, source, today, keep, &|_| None)
}

/// [`load`], taking from `known` the documents already read elsewhere (the same file in
/// another revision) instead of reading them again.
pub fn load_reusing(
    root: &Path,
    source: &dyn Source,
    today: Date,
    keep: Keep,
    known: &(dyn Fn(&Path) -> Option<Document> + Sync),
) -> Result<Handbook, LoadError> {
    let config_bytes = source.read_config().map_err(|error| LoadError::Config {
        path: root.join(config::FILE),
        error,
    })?;
    let mut diagnostics = Vec::new();
    let config_source = match String::from_utf8(config_bytes) {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(not_utf8(
                Path::new(config::FILE),
                e.as_bytes(),
                e.utf8_error(),
            ));
            String::new()
        }
    };
    let (config, config_diags) = config::parse(strip_bom(&config_source));
    diagnostics.extend(config_diags);

    let allowed_signers = signers::read(source, &config, &mut diagnostics);
    let (files, walk_diags) = source.list_content()?;
    diagnostics.extend(walk_diags);

    let soa_path = Path::new(SOA_FILE);
    let mut assets = Vec::new();
    let mut markdown_files = Vec::new();
    let mut soa_text = None;
    let mut nc_text = None;
    let mut risks_text = None;
    for path in files {
        if path == Path::new(nonconformity::FILE) {
            nc_text = Some(read_text(source, &path, &mut diagnostics).unwrap_or_default());
        } else if path == Path::new(risks::RISKS_FILE) {
            risks_text = Some(read_text(source, &path, &mut diagnostics).unwrap_or_default());
        } else if path == soa_path {
            match read_text(source, &path, &mut diagnostics) {
                Some(text) => soa_text = Some(text),
                None => soa_text = Some(String::new()),
            }
        } else if is_markdown(&path) {
            markdown_files.push(path);
        } else if let Ok(rel) = path.strip_prefix(CONTENT_DIR) {
            assets.push(rel.to_path_buf());
        }
    }

    // Read once here, so serve's updates (which keep the assets) never scan them again.
    if matches!(keep, Keep::All | Keep::Bodies | Keep::Outlines) {
        diagnostics.extend(active_assets(source, &assets));
    }

    // The registers are read while the documents are: a thousand risks took as long as
    // a thousand documents on one core, after them.
    let read_registers = || {
        let mut diags = Vec::new();
        let risks = risks_text
            .as_deref()
            .map(|text| risks::read(text, &config.risk, &mut diags));
        let nonconformities = match &nc_text {
            Some(text) => nonconformity::read(text, &mut diags),
            None => Vec::new(),
        };
        (risks, nonconformities, diags)
    };
    let load_documents = || {
        crate::core::parallel::map(&markdown_files, |path| {
            let loaded = match known(path) {
                Some(doc) => (Ok(doc), Vec::new()),
                None => load_document(source, path, keep),
            };
            (path.clone(), loaded)
        })
    };
    let (results, (risks, nonconformities, register_diags)): (Vec<(PathBuf, Loaded)>, _) =
        rayon::join(load_documents, read_registers);
    let mut unreadable = Vec::new();
    let mut unreadable_sources = std::collections::BTreeMap::new();
    // Collected in place, into the results' own buffer: a second list of every document
    // beside the first was 90 MB more at the peak of a 100,000-document build.
    let documents: Vec<Document> = results
        .into_iter()
        .filter_map(|(path, (doc, diags))| {
            diagnostics.extend(diags);
            match doc {
                Ok(d) => Some(d),
                Err(text) => {
                    if let Some(text) = text {
                        unreadable_sources.insert(path.clone(), text);
                    }
                    unreadable.push(path);
                    None
                }
            }
        })
        .collect();

    let soa = match &soa_text {
        Some(text) => soa::read(text, &mut diagnostics),
        None => Default::default(),
    };
    diagnostics.extend(register_diags);

    Ok(Handbook {
        root: root.to_path_buf(),
        config,
        config_source,
        documents,
        unreadable,
        unreadable_sources,
        assets,
        soa,
        soa_source: soa_text,
        nonconformities,
        nonconformities_source: nc_text,
        risks,
        risks_source: risks_text,
        allowed_signers,
        diagnostics,
        today,
    })
}

/// Reads the text of `content/soa.yaml` (for `approve SoA`, which checks its own edit).
pub fn read_soa(text: &str, diags: &mut Vec<Diagnostic>) -> model::Soa {
    soa::read(text, diags)
}

/// The text of a file by its path relative to the root, for diagnostics' excerpts, if
/// `load` kept it.
pub fn kept_text<'a>(hb: &'a Handbook, path: &Path) -> Option<&'a str> {
    if path == Path::new(config::FILE) {
        return Some(&hb.config_source);
    }
    if path == Path::new(SOA_FILE) {
        return hb.soa_source.as_deref();
    }
    if path == Path::new(nonconformity::FILE) {
        return hb.nonconformities_source.as_deref();
    }
    if path == Path::new(risks::RISKS_FILE) {
        return hb.risks_source.as_deref();
    }
    hb.index_of_path(path)
        .map(|i| hb.documents[i].source.as_str())
        .filter(|text| !text.is_empty()) // dropped at load: see `reread`
        .or_else(|| hb.unreadable_sources.get(path).map(String::as_str))
}

/// The text of a document whose text was dropped at load, read again from `source`.
/// `None` when it was kept, or when the file has changed since it was loaded: an excerpt
/// of the new text would point at the wrong line, a redline would show the wrong words.
pub fn reread(hb: &Handbook, source: &dyn Source, path: &Path) -> Option<String> {
    let i = hb.index_of_path(path)?;
    let d = &hb.documents[i];
    if !d.source.is_empty() || d.source_len == 0 {
        return None;
    }
    let text = read_text(source, path, &mut Vec::new())?;
    let unchanged = text.len() == d.source_len
        && text
            .get(d.body_start..)
            .is_some_and(|body| body_digest(body) == d.digest);
    unchanged.then_some(text)
}

/// One Markdown file read: the document, or (when its front matter is beyond reading) its
/// text if it is text; and the problems found.
pub type Loaded = (Result<Document, Option<String>>, Vec<Diagnostic>);

/// Reads one document; `serve` calls this alone for a file that changed.
pub fn load_document(source: &dyn Source, path: &Path, keep: Keep) -> Loaded {
    let mut diags = Vec::new();
    let doc = match read_text(source, path, &mut diags) {
        Some(text) => read_document(path, text, keep, &mut diags).map_err(Some),
        None => Err(None),
    };
    (doc, diags)
}

fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

/// A file's text as `load` sees it (BOM dropped), or why it cannot be read.
pub(crate) fn read_text(
    source: &dyn Source,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let cannot_read = |e: io::Error| match inside::refusal(&e) {
        Some(why) => refused(path, why),
        None => Diagnostic::error(Code::UnreadableFile, path, format!("cannot read: {e}")),
    };
    let bytes = match source.read_at_most(path, MAX_DOCUMENT_BYTES) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(size)) => {
            diags.push(
                Diagnostic::error(
                    Code::UnreadableFile,
                    path,
                    format!(
                        "file is {:.1} MiB; a document may be at most {} MiB",
                        size as f64 / 1048576.0,
                        MAX_DOCUMENT_BYTES / 1048576
                    ),
                )
                .help("split it into several documents, or keep large data as an asset (a file that is not .md)"),
            );
            return None;
        }
        Err(e) => {
            diags.push(cannot_read(e));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Some(s)
        }
        Err(e) => {
            diags.push(not_utf8(path, e.as_bytes(), e.utf8_error()));
            None
        }
    }
}

fn not_utf8(path: &Path, bytes: &[u8], err: std::str::Utf8Error) -> Diagnostic {
    let good = &bytes[..err.valid_up_to()];
    let line = good.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&good[line_start..]).chars().count() as u32 + 1;
    Diagnostic::error(
        Code::UnreadableFile,
        path,
        format!(
            "not UTF-8 text: invalid byte 0x{:02x} at line {line}, column {col}",
            bytes[err.valid_up_to()]
        ),
    )
    .at(Span::new(line, col, 1))
    .help("save the file as UTF-8 (most editors offer \"Save with encoding\")")
}

/// `sha256:<hex>` of a body with CRLF turned into LF: what approvals bind to.
pub fn body_digest(body: &str) -> String {
    let mut hasher = Sha256::new();
    let mut rest = body.as_bytes();
    // memchr for the CR: a substring search for CRLF cost a tenth of the digest.
    while let Some(i) = memchr::memchr(b'\r', rest) {
        if rest.get(i + 1) == Some(&b'\n') {
            hasher.update(&rest[..i]);
            hasher.update(b"\n");
            rest = &rest[i + 2..];
        } else {
            hasher.update(&rest[..=i]);
            rest = &rest[i + 1..];
        }
    }
    hasher.update(rest);
    let digest = hasher.finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest.iter() {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// The document, or its text back when the front matter is beyond reading (for excerpts).
fn read_document(
    path: &Path,
    mut source: String,
    keep: Keep,
    diags: &mut Vec<Diagnostic>,
) -> Result<Document, String> {
    let split = match front_matter::split(&source, path) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return Err(source);
        }
    };
    let Some(fields) = front_matter::read(&split, path, diags) else {
        return Err(source);
    };
    front_matter::FIELDS.require(&fields, path, diags);
    let header = Span::new(1, 1, 3);
    for bad in &fields.bad_controls {
        diags.push(crate::core::catalog::unknown_control(
            path, &bad.value, bad.span,
        ));
    }

    let body_text = &source[split.body_start..];
    let body = match keep {
        Keep::Texts | Keep::Metadata => markdown::Body::default(),
        Keep::All | Keep::Bodies => markdown::parse(body_text, split.body_line),
        Keep::Outlines => markdown::outline(body_text, split.body_line),
    };
    if body.flattened > 0 {
        diags.push(markdown::flattened_warning(path, body.flattened));
    }
    let digest = body_digest(body_text);
    let (body_start, body_line, source_len) = (split.body_start, split.body_line, source.len());
    if matches!(keep, Keep::Bodies | Keep::Outlines | Keep::Metadata) {
        source = String::new();
    }
    let blank = |span: Option<Span>| Spanned {
        value: String::new(),
        span: span.unwrap_or(header),
    };
    let mut doc = Document {
        path: path.to_path_buf(),
        body_start,
        body_line,
        digest,
        id: fields.id,
        title: fields.title.unwrap_or_default(),
        doc_type: fields.doc_type.unwrap_or(DocType::Policy),
        version: fields.version.unwrap_or(Version { major: 0, minor: 0 }),
        status: fields.status.unwrap_or(Status::Draft),
        owner: fields.owner.unwrap_or_else(|| blank(None)),
        classification: fields.classification.unwrap_or_else(|| blank(None)),
        effective: fields.effective,
        review: fields.review,
        approvals: fields.approvals,
        controls: fields.controls,
        clauses: fields.clauses,
        requirements: fields.requirements,
        related: fields.related,
        supersedes: fields.supersedes,
        tags: fields.tags,
        record: fields.record,
        activities: fields.activities,
        field_spans: fields.spans,
        body,
        source,
        source_len,
    };
    compact::shrink(&mut doc);
    Ok(doc)
}

/// HTML and SVG assets with script (see [`active`]); only files of those types are read.
fn active_assets(source: &dyn Source, assets: &[PathBuf]) -> Vec<Diagnostic> {
    let checked: Vec<PathBuf> = assets
        .iter()
        .filter(|a| active::is_checked(a))
        .map(|a| Path::new(CONTENT_DIR).join(a))
        .collect();
    let found = crate::core::parallel::map(&checked, |path| {
        // An unreadable file is reported when the build copies it.
        source
            .read(path)
            .ok()
            .and_then(|bytes| active::check(path, &bytes))
    });
    found.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_ignores_line_ending_style() {
        assert_eq!(body_digest("a\r\nb\r\n"), body_digest("a\nb\n"));
        // A lone CR stays; only CR before LF goes.
        let hex: String = Sha256::digest(b"a\rb\r\nc\r")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(body_digest("a\rb\r\r\nc\r"), format!("sha256:{hex}"));
        assert_ne!(body_digest("a\rb"), body_digest("a\nb"));
        assert_eq!(
            body_digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn editor_droppings_are_ignored() {
        for name in [
            ".hidden.md",
            "policy.md~",
            "policy.md.swp",
            "#policy.md#",
            ".#policy.md",
            "policy.md.ismsbook-approve",
            ".policy.md.ismsbook-approve-123",
        ] {
            assert!(is_ignored(std::ffi::OsStr::new(name)), "{name}");
        }
        assert!(!is_ignored(std::ffi::OsStr::new("policy.md")));
    }
}
