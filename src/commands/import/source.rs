//! Where an import reads from: the kind of source, its Markdown files in the author's order,
//! all read under the handbook's filesystem rule (nothing outside the source folder).

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use super::{is_markdown, summary_entries};
use crate::load::inside;

pub(super) struct Source {
    /// Where the Markdown and assets are, relative to SRC: empty, or the MkDocs docs_dir.
    pub dir: PathBuf,
    pub kind: &'static str,
    /// Markdown files (relative to `dir`) in the author's order, with titles where known.
    pub order: Vec<(PathBuf, Option<String>)>,
    /// Files left behind, and why: pages the SUMMARY or nav does not list, tooling, hidden
    /// folders.
    pub skipped: Vec<(PathBuf, String)>,
}

/// The files under `dir` (relative to the source `src`), relative to `dir`, read under the
/// handbook's filesystem rule: a link that leaves the source stops the import.
pub(super) fn files(src: &Path, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let walk = inside::walk(src, dir).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    if let Some((path, why)) = walk.refused.first() {
        return Err(format!(
            "{}: {}; copy the file into {}, or remove it",
            src.join(path).display(),
            why.message("the import source"),
            src.display()
        ));
    }
    Ok(walk
        .files
        .iter()
        .filter_map(|p| p.strip_prefix(dir).ok().map(Path::to_path_buf))
        .collect())
}

/// The nav of an `mkdocs.yml`, flattened in order, and its `docs_dir`.
fn mkdocs_nav(text: &str) -> (String, Vec<(PathBuf, Option<String>)>) {
    use crate::load::yaml::{parse, Node, Value};
    fn scalar(n: &Node) -> Option<&str> {
        match &n.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }
    fn walk(n: &Node, title: Option<&str>, out: &mut Vec<(PathBuf, Option<String>)>) {
        match &n.value {
            Value::Scalar { text, .. } if is_markdown(Path::new(text)) => {
                out.push((PathBuf::from(text), title.map(String::from)))
            }
            Value::Seq(items) => items.iter().for_each(|i| walk(i, None, out)),
            Value::Map(entries) => {
                for (k, v) in entries {
                    walk(v, scalar(k), out);
                }
            }
            _ => {}
        }
    }
    // mkdocs.yml may use tags like !!python/name: that our parser reads as plain scalars.
    let Ok(Some(root)) = parse(text, 1) else {
        return ("docs".into(), Vec::new());
    };
    let Value::Map(entries) = &root.value else {
        return ("docs".into(), Vec::new());
    };
    let mut docs_dir = "docs".to_string();
    let mut nav = Vec::new();
    for (k, v) in entries {
        match scalar(k) {
            Some("docs_dir") => docs_dir = scalar(v).unwrap_or("docs").to_string(),
            Some("nav") => walk(v, None, &mut nav),
            _ => {}
        }
    }
    (docs_dir, nav)
}

/// The text of a file of the source (SUMMARY.md, mkdocs.yml), read under the filesystem rule.
fn read_text(src: &Path, name: &str) -> Result<String, String> {
    let bytes = inside::read(src, Path::new(name))
        .map_err(|e| format!("cannot read {}: {e}", src.join(name).display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The Markdown files the pages of `order` link to (relative to `dir`).
fn linked_from(src: &Path, dir: &Path, order: &[(PathBuf, Option<String>)]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for (page, _) in order {
        let Ok(bytes) = inside::read(src, &dir.join(page)) else {
            continue;
        };
        let here = page.parent().unwrap_or(Path::new(""));
        for (target, _) in summary_entries(&String::from_utf8_lossy(&bytes)) {
            if let Some(p) = super::normalize(&here.join(target)) {
                out.insert(p);
            }
        }
    }
    out
}

/// Hidden files and folders at the top of the source (`.github/`, `.gitbook.yaml`), which
/// are never read, named in the report.
fn hidden(src: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(src) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, String)> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".git")
        .map(|n| {
            (
                PathBuf::from(n),
                "hidden: repository or CI settings".to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

pub(super) fn detect(src: &Path) -> Result<Source, String> {
    let (dir, kind, listed) = if src.join("SUMMARY.md").is_file() {
        let text = read_text(src, "SUMMARY.md")?;
        (PathBuf::new(), "GitBook", summary_entries(&text))
    } else if src.join("mkdocs.yml").is_file() {
        let (docs_dir, nav) = mkdocs_nav(&read_text(src, "mkdocs.yml")?);
        let rel = Path::new(&docs_dir);
        if !rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(format!(
                "mkdocs.yml: docs_dir `{docs_dir}` is outside {}; import reads only the source folder: move the docs into it, or import the folder that holds mkdocs.yml and the docs",
                src.display()
            ));
        }
        (rel.to_path_buf(), "MkDocs", nav)
    } else {
        (PathBuf::new(), "plain folder", Vec::new())
    };
    let all: BTreeSet<PathBuf> = files(src, &dir)?
        .into_iter()
        .filter(|p| is_markdown(p))
        .collect();
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    let mut skipped = hidden(src);
    // With a SUMMARY or nav, the author said which pages make the handbook.
    let listed_only = !listed.is_empty();
    for (path, title) in listed {
        if all.contains(&path) && super::skip::tooling(&path).is_none() && seen.insert(path.clone())
        {
            order.push((path, title));
        }
    }
    let linked = linked_from(src, &dir, &order);
    for path in all {
        if kind == "GitBook" && path == Path::new("SUMMARY.md") || !seen.insert(path.clone()) {
            continue;
        }
        if linked.contains(&path) && super::skip::tooling(&path).is_none() {
            // Not in the SUMMARY or nav, but a page of it links here: part of the handbook.
            order.push((path, None));
            continue;
        }
        if let Some(why) = super::skip::tooling(&path) {
            skipped.push((path, why.to_string()));
        } else if listed_only {
            let list = if kind == "GitBook" {
                "SUMMARY.md"
            } else {
                "the mkdocs.yml nav"
            };
            skipped.push((path, format!("not listed in {list}")));
        } else {
            order.push((path, None));
        }
    }
    Ok(Source {
        dir,
        kind,
        order,
        skipped,
    })
}
