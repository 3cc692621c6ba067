//! The built-in theme, compiled into the binary so `ismsbook` runs anywhere, and overridable
//! file by file: `theme/templates/document.html` in a handbook replaces ours, the rest stays.

use std::path::{Path, PathBuf};

use tera::Tera;

use super::OutputFile;
use crate::load::inside;

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
    "reviews-rows.html", "controls-rows.html", "soa-rows.html", "calendar.html",
    "actions.html", "nonconformities.html", "audit-programme.html",
    "risks.html", "risk.html", "treatment-plan.html", "frameworks.html", "framework.html",
    "framework-rows.html",    "print-parts.html", "print-part.html", "pager.html", "sidebar.html",
);

const STATIC: &[(&str, &[u8])] = builtin!("static", include_bytes: "style.css", "tables.js", "search.js", "theme.js", "favicon.svg", "stemmer-english.js");

/// The templates: ours, with any file of the handbook's `theme/templates/` in its place.
pub fn templates(root: &Path) -> Result<Tera, String> {
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut replaced = Vec::new();
    for (name, builtin) in TEMPLATES {
        let own = Path::new("theme/templates").join(name);
        // Read under the filesystem rule: a template linked to a file outside the handbook
        // would otherwise print that file into every page.
        let text = match inside::read(root, &own) {
            Ok(bytes) => {
                replaced.push(*name);
                String::from_utf8(bytes)
                    .map_err(|_| format!("cannot read {}: not UTF-8 text", own.display()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => builtin.to_string(),
            Err(e) => return Err(format!("cannot read {}: {e}", own.display())),
        };
        sources.push((name.to_string(), text));
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Tera's default also escapes `/`, which makes every relative URL unreadable.
    tera.set_escape_fn(super::escape_attr);
    // Not .html, so not escaped: read back by `replaced`.
    sources.push((REPLACED.to_string(), replaced.join("\n")));
    tera.add_raw_templates(sources)
        .map_err(|e| format!("theme template error: {}", error_chain(&e)))?;
    Ok(tera)
}

/// The template that lists the templates the handbook replaces, one name a line.
const REPLACED: &str = "ismsbook-replaced.txt";

/// The templates of [`templates`] that the handbook's `theme/templates/` replaces (all of
/// them, for a `Tera` made otherwise: nothing is known of its templates).
pub fn replaced(tera: &Tera) -> Vec<String> {
    match tera.render(REPLACED, &tera::Context::new()) {
        Ok(names) => names.lines().map(str::to_string).collect(),
        Err(_) => TEMPLATES.iter().map(|(n, _)| n.to_string()).collect(),
    }
}

/// Static files (CSS, JS, images) under `static/` of the output: ours, with the handbook's
/// `theme/static/` laid over them. Its files are read under the filesystem rule; a link that
/// leaves the handbook, a FIFO or a loop stops the build with the file named.
pub fn static_files(root: &Path) -> std::io::Result<Vec<OutputFile>> {
    let dir = Path::new("theme/static");
    let walk = inside::walk(root, dir)?;
    if let Some((path, why)) = walk.refused.first() {
        return Err(std::io::Error::other(format!(
            "{}: {}; {}",
            path.display(),
            why.message("the handbook"),
            why.help()
        )));
    }
    let own: Vec<PathBuf> = walk
        .files
        .iter()
        .filter_map(|p| p.strip_prefix(dir).ok().map(Path::to_path_buf))
        .collect();
    let mut files: Vec<OutputFile> = STATIC
        .iter()
        .filter(|(name, _)| !own.iter().any(|p| p == Path::new(name)))
        .map(|(name, bytes)| OutputFile {
            path: PathBuf::from("static").join(name),
            bytes: bytes.to_vec(),
        })
        .collect();
    for rel in own {
        files.push(OutputFile {
            bytes: inside::read(root, &dir.join(&rel))?,
            path: PathBuf::from("static").join(rel),
        });
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
