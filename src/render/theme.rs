//! The built-in theme, compiled into the binary so `ismsbook` runs anywhere, and overridable
//! file by file: `theme/templates/document.html` in a handbook replaces ours, the rest stays.

use std::fs;
use std::path::{Path, PathBuf};

use tera::Tera;

use super::OutputFile;

/// (name, built-in text) of each template; the name is also the file name under
/// `theme/templates/` that overrides it.
macro_rules! builtin {
    ($dir:literal, $include:ident: $($name:literal),+ $(,)?) => {
        &[$(($name, $include!(concat!("../../theme/", $dir, "/", $name)))),+]
    };
}

const TEMPLATES: &[(&str, &str)] = builtin!("templates", include_str:
    "base.html", "macros.html", "index.html", "documents.html", "document.html", "controls.html",
    "control.html", "soa.html", "reviews.html", "readiness.html", "changes.html", "print.html",
    "search.html", "print-section.html", "print-contents.html", "documents-rows.html",
    "reviews-rows.html", "controls-rows.html", "soa-rows.html",
);

const STATIC: &[(&str, &[u8])] =
    builtin!("static", include_bytes: "style.css", "tables.js", "search.js");

/// The templates: ours, with any file of the handbook's `theme/templates/` in its place.
pub fn templates(root: &Path) -> Result<Tera, String> {
    let dir = root.join("theme/templates");
    let mut sources: Vec<(String, String)> = Vec::new();
    for (name, builtin) in TEMPLATES {
        let own = dir.join(name);
        let text = if own.is_file() {
            fs::read_to_string(&own).map_err(|e| format!("cannot read {}: {e}", own.display()))?
        } else {
            builtin.to_string()
        };
        sources.push((name.to_string(), text));
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Tera's default also escapes `/`, which makes every relative URL unreadable.
    tera.set_escape_fn(super::escape_attr);
    tera.add_raw_templates(sources)
        .map_err(|e| format!("theme template error: {}", error_chain(&e)))?;
    Ok(tera)
}

/// Static files (CSS, JS, images) under `static/` of the output.
pub fn static_files(root: &Path) -> std::io::Result<Vec<OutputFile>> {
    let dir = root.join("theme/static");
    let mut files: Vec<OutputFile> = STATIC
        .iter()
        .filter(|(name, _)| !dir.join(name).is_file())
        .map(|(name, bytes)| OutputFile {
            path: PathBuf::from("static").join(name),
            bytes: bytes.to_vec(),
        })
        .collect();
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.map_err(std::io::Error::other)?;
            if entry.file_type().is_file() && !crate::load::is_ignored(entry.file_name()) {
                let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
                files.push(OutputFile {
                    path: PathBuf::from("static").join(rel),
                    bytes: fs::read(entry.path())?,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Tera hides the useful part of an error in its sources.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}
