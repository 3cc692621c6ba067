//! `ismsbook import`: a new handbook from an existing Markdown handbook — a GitBook tree
//! (`SUMMARY.md`), an MkDocs project (`mkdocs.yml` nav) or a plain folder.
//!
//! Every Markdown file gets front matter (id, title, draft status, owner, classification)
//! and keeps its body byte for byte; assets come along at the same relative paths, so
//! relative links keep working. Ids follow the author's order (SUMMARY or nav). Control
//! claims made against ISO/IEC 27001:2013 on a cross-reference page are mapped to 2022.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::core::catalog::catalog;
use crate::load::inside;

mod source;
use crate::core::types::ControlId;
use source::{detect, files};

pub struct Options<'a> {
    pub owner: &'a str,
    pub organization: &'a str,
    /// A fixed id prefix and width for every document, e.g. `ISMS-###`.
    pub id_pattern: Option<&'a str>,
}

/// What was imported and what needs the author's attention.
#[derive(Debug, Default)]
pub struct Report {
    pub kind: &'static str,
    pub documents: Vec<(String, String, PathBuf)>,
    pub assets: Vec<PathBuf>,
    /// (file, line, target): relative links to nothing in the source.
    pub broken_links: Vec<(PathBuf, usize, String)>,
    /// (file, line, text): `####6.1.1` headings that CommonMark reads as text.
    pub bad_headings: Vec<(PathBuf, usize, String)>,
    /// (document id, 2013 id, 2022 ids) claims found on cross-reference pages.
    pub claims: Vec<(String, String, Vec<ControlId>)>,
    pub unclaimed: Vec<ControlId>,
    pub front_matter_replaced: Vec<PathBuf>,
}

fn is_markdown(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "md" || e == "markdown")
}

/// `[Title](path.md)` links in `text`, in order: SUMMARY entries, or the links of a line.
fn summary_entries(text: &str) -> Vec<(PathBuf, Option<String>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(open) = rest.find('[') {
            let Some(close) = rest[open..].find("](").map(|i| open + i) else {
                break;
            };
            let Some(end) = rest[close..].find(')').map(|i| close + i) else {
                break;
            };
            let title = rest[open + 1..close]
                .trim_start_matches('!')
                .trim()
                .to_string();
            let target = rest[close + 2..end].split('#').next().unwrap_or("").trim();
            if !target.is_empty() && !target.contains("://") {
                out.push((
                    PathBuf::from(crate::check::links::percent_decode(target)),
                    Some(title),
                ));
            }
            rest = &rest[end + 1..];
        }
    }
    out
}

/// Document type and id prefix from the first folder of the path.
fn kind_of(path: &Path) -> (&'static str, String) {
    let folder = path
        .parent()
        .and_then(|p| p.components().next())
        .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let known = [
        ("polic", "policy", "POL"),
        ("procedure", "procedure", "PRO"),
        ("standard", "standard", "STD"),
        ("guideline", "guideline", "GDL"),
        ("plan", "plan", "PLN"),
        ("register", "register", "REG"),
        ("record", "record", "REC"),
        ("form", "form", "FRM"),
    ];
    if let Some((_, ty, prefix)) = known.iter().find(|(stem, _, _)| folder.starts_with(stem)) {
        return (ty, prefix.to_string());
    }
    let letters: String = folder
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    let prefix = if letters.len() >= 2 {
        letters
    } else {
        "DOC".to_string()
    };
    ("policy", prefix)
}

/// The body of a file and the title of its own front matter, if it had one.
fn split_own_front_matter(text: &str) -> (&str, Option<String>) {
    if let Ok(split) = crate::load::split(text, Path::new("")) {
        let title = split
            .yaml
            .lines()
            .find_map(|l| l.strip_prefix("title:"))
            .map(|t| t.trim().trim_matches(['"', '\'']).to_string());
        return (&text[split.body_start..], title);
    }
    (text, None)
}

fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .find_map(|l| {
            l.strip_prefix('#')
                .map(|rest| rest.trim_start_matches('#').trim().to_string())
        })
        .filter(|t| !t.is_empty())
}

fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// 2013 control ids on a line: `A.9.2.3` or `9.2.3` (three numbers).
fn ids_2013(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
        let bare = word
            .trim_end_matches('.')
            .strip_prefix("A.")
            .unwrap_or(word.trim_end_matches('.'));
        let parts: Vec<&str> = bare.split('.').collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        {
            out.push(format!("A.{bare}"));
        }
    }
    out
}

pub fn import(src: &Path, dir: &Path, opts: &Options<'_>) -> Result<Report, String> {
    if !src.is_dir() {
        return Err(format!("{} is not a folder", src.display()));
    }
    let canon = |p: &Path| {
        fs::canonicalize(p)
            .unwrap_or_else(|_| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
    if canon(dir).starts_with(canon(src)) {
        return Err(format!(
            "{} is inside {}; import never writes into its source",
            dir.display(),
            src.display()
        ));
    }
    if dir.exists()
        && fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(format!(
            "{} is not empty; import writes a new handbook into an empty or new folder",
            dir.display()
        ));
    }
    let source = detect(src)?;
    let mut report = Report {
        kind: source.kind,
        ..Report::default()
    };

    // Ids in the author's order, numbered per prefix.
    let mut counters: BTreeMap<String, usize> = BTreeMap::new();
    let (fixed_prefix, width) = match opts.id_pattern {
        Some(p) => {
            let prefix: String = p.chars().take_while(|c| c.is_ascii_uppercase()).collect();
            let width = p
                .chars()
                .filter(|&c| c == '#' || c.is_ascii_digit())
                .count()
                .clamp(2, 4);
            if !(2..=6).contains(&prefix.len()) {
                return Err(format!(
                    "--id-pattern {p}: start with 2-6 capital letters, e.g. ISMS-###"
                ));
            }
            (Some(prefix), width)
        }
        None => (None, 3),
    };
    struct Doc {
        id: String,
        title: String,
        ty: &'static str,
        rel: PathBuf,
        body: Vec<u8>,
    }
    let mut docs = Vec::new();
    for (rel, listed_title) in &source.order {
        let bytes = inside::read(src, &source.dir.join(rel))
            .map_err(|e| format!("cannot read {}: {e}", rel.display()))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (body, own_title) = split_own_front_matter(&text);
        if body.len() != text.len() {
            report.front_matter_replaced.push(rel.clone());
        }
        let body_bytes = bytes[bytes.len() - body.len()..].to_vec();
        let (ty, folder_prefix) = kind_of(rel);
        let prefix = fixed_prefix.clone().unwrap_or(folder_prefix);
        let n = counters.entry(prefix.clone()).or_insert(0);
        *n += 1;
        let id = format!("{prefix}-{:0width$}", n);
        let title = listed_title
            .clone()
            .filter(|t| !t.is_empty())
            .or(own_title)
            .or_else(|| first_heading(body))
            .unwrap_or_else(|| {
                rel.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
        docs.push(Doc {
            id,
            title,
            ty,
            rel: rel.clone(),
            body: body_bytes,
        });
    }

    // Links to nothing, headings CommonMark does not take, and 2013 cross-references.
    let id_of: BTreeMap<PathBuf, String> =
        docs.iter().map(|d| (d.rel.clone(), d.id.clone())).collect();
    let all_files: BTreeSet<PathBuf> = files(src, &source.dir)?.into_iter().collect();
    let mut claims: BTreeMap<String, BTreeSet<ControlId>> = BTreeMap::new();
    for d in &docs {
        let body = String::from_utf8_lossy(&d.body);
        let mut in_code = false;
        for (i, line) in body.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
            }
            if in_code {
                continue;
            }
            let bad = line.starts_with('#') && {
                let rest = line.trim_start_matches('#');
                line.len() - rest.len() <= 6 && !rest.is_empty() && !rest.starts_with([' ', '\t'])
            };
            if bad {
                report
                    .bad_headings
                    .push((d.rel.clone(), i + 1, line.to_string()));
            }
            let mut linked_docs = Vec::new();
            for (target, _) in summary_entries(line) {
                let t = target.to_string_lossy();
                if t.starts_with('/')
                    || t.starts_with("mailto:")
                    || t.starts_with('#')
                    || target.as_os_str().is_empty()
                {
                    continue;
                }
                let resolved = normalize(&d.rel.parent().unwrap_or(Path::new("")).join(&target));
                match resolved {
                    Some(p) if all_files.contains(&p) => {
                        if let Some(id) = id_of.get(&p) {
                            linked_docs.push(id.clone());
                        }
                    }
                    _ => report
                        .broken_links
                        .push((d.rel.clone(), i + 1, t.into_owned())),
                }
            }
            for old in ids_2013(line) {
                let Some(new) = catalog().successors_of_2013(&old) else {
                    continue;
                };
                for id in &linked_docs {
                    claims
                        .entry(id.clone())
                        .or_default()
                        .extend(new.iter().copied());
                    report.claims.push((id.clone(), old.clone(), new.to_vec()));
                }
            }
        }
    }

    // Write: configuration, documents, assets.
    let content = dir.join(crate::load::CONTENT_DIR);
    fs::create_dir_all(&content)
        .map_err(|e| format!("cannot create {}: {e}", content.display()))?;
    let owner = opts.owner;
    let config = format!(
        "# Imported by `ismsbook import` from a {} ({}).\n[handbook]\ntitle = \"Information Security Management System\"\norganization = {}\n# Raise to \"implementing\", then \"certified\": see docs/configuration.md.\nstage = \"draft\"\n\n[roles]\n{owner} = \"Owner of the imported documents\"\n\n[approval]\nroles = [\"{owner}\"]\n",
        source.kind,
        src.display(),
        yaml_string(opts.organization)
    );
    fs::write(dir.join(crate::load::config::FILE), config).map_err(|e| e.to_string())?;
    fs::write(dir.join(".gitignore"), "/public\n").map_err(|e| e.to_string())?;
    for d in &docs {
        let controls = claims.get(&d.id).map(|c| {
            format!(
                "controls: [{}]\n",
                c.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        let header = format!(
            "---\nid: {}\ntitle: {}\ntype: {}\nversion: \"0.1\"\nstatus: draft\nowner: {owner}\nclassification: internal\n{}---\n",
            d.id,
            yaml_string(&d.title),
            d.ty,
            controls.unwrap_or_default()
        );
        let target = content.join(&d.rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        // Report lines as they are in the new file, below the front matter.
        let added = header.lines().count();
        for (file, line, _) in report
            .broken_links
            .iter_mut()
            .chain(report.bad_headings.iter_mut())
        {
            if *file == d.rel {
                *line += added;
            }
        }
        let mut bytes = header.into_bytes();
        bytes.extend_from_slice(&d.body);
        fs::write(&target, bytes).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        report
            .documents
            .push((d.id.clone(), d.title.clone(), d.rel.clone()));
    }
    for rel in all_files.iter().filter(|p| !is_markdown(p)) {
        if source.kind == "GitBook" && rel == Path::new("SUMMARY.md") {
            continue;
        }
        let target = content.join(rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let bytes = inside::read(src, &source.dir.join(rel))
            .map_err(|e| format!("cannot copy {}: {e}", rel.display()))?;
        fs::write(&target, bytes).map_err(|e| format!("cannot copy {}: {e}", rel.display()))?;
        report.assets.push(rel.clone());
    }
    let claimed: BTreeSet<ControlId> = claims.values().flatten().copied().collect();
    report.unclaimed = catalog()
        .controls
        .iter()
        .map(|c| c.id)
        .filter(|c| !claimed.contains(c))
        .collect();
    Ok(report)
}

fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(p) => out.push(p),
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// `` `content/path:line`: `text` `` for a place in an imported file.
fn located((file, line, text): &(PathBuf, usize, String)) -> String {
    format!(
        "`content/{}:{line}`: `{text}`",
        crate::core::diagnostics::display_path(file)
    )
}

/// The report, as Markdown for the terminal.
pub fn to_markdown(r: &Report, dir: &Path) -> String {
    let mut out = format!(
        "# Import report\n\nSource: a {}. Wrote {}: {} documents, {} assets.\n\n## Documents\n\n",
        r.kind,
        dir.display(),
        r.documents.len(),
        r.assets.len()
    );
    for (id, title, path) in &r.documents {
        out.push_str(&format!(
            "- {id} {title} (`content/{}`)\n",
            crate::core::diagnostics::display_path(path)
        ));
    }
    let section = |out: &mut String, title: &str, lines: Vec<String>, none: &str| {
        out.push_str(&format!("\n## {title}\n\n"));
        if lines.is_empty() {
            out.push_str(none);
            out.push('\n');
        }
        for l in lines {
            out.push_str(&format!("- {l}\n"));
        }
    };
    section(
        &mut out,
        "Assets copied",
        r.assets
            .iter()
            .map(|a| format!("`content/{}`", crate::core::diagnostics::display_path(a)))
            .collect(),
        "None.",
    );
    section(
        &mut out,
        "Links that point at nothing",
        r.broken_links.iter().map(located).collect(),
        "None.",
    );
    section(
        &mut out,
        "Headings CommonMark reads as text (add a space after the #)",
        r.bad_headings.iter().map(located).collect(),
        "None.",
    );
    section(
        &mut out,
        "Control claims from ISO/IEC 27001:2013 cross-references, mapped to 2022",
        r.claims
            .iter()
            .map(|(doc, old, new)| {
                format!(
                    "{doc}: {old} → {}",
                    new.iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect(),
        "No cross-reference page found: claim controls in each document's `controls:`.",
    );
    section(
        &mut out,
        "Documents whose own front matter was replaced",
        r.front_matter_replaced
            .iter()
            .map(|p| format!("`{}`", crate::core::diagnostics::display_path(p)))
            .collect(),
        "None.",
    );
    out.push_str(&format!(
        "\n## Controls nothing claims ({} of 93)\n\n{}\n\nNext: `ismsbook check --root {}` lists every problem.\n",
        r.unclaimed.len(),
        r.unclaimed.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "),
        dir.display()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_2013_ids_in_a_line() {
        assert_eq!(ids_2013("| A.9.2.3 | [Access](access.md) |"), ["A.9.2.3"]);
        assert_eq!(ids_2013("6.2.1, 12.3.1."), ["A.6.2.1", "A.12.3.1"]);
        assert!(ids_2013("version 1.2").is_empty());
    }

    #[test]
    fn summary_entries_keep_order_and_titles() {
        let e = summary_entries("# Summary\n\n* [Intro](README.md)\n  * [Access Control](policies/access%20control.md#top)\n");
        assert_eq!(
            e[1],
            (
                PathBuf::from("policies/access control.md"),
                Some("Access Control".into())
            )
        );
    }
}
