//! `ismsbook import`: a new handbook from an existing Markdown handbook — a GitBook tree
//! (`SUMMARY.md`), an MkDocs project (`mkdocs.yml` nav) or a plain folder.
//!
//! Every Markdown file gets front matter (id, title, type, draft status, owner,
//! classification) and keeps its body byte for byte, except MkDocs admonitions, which become
//! callouts. Assets come along at the same relative paths, so relative links keep working;
//! repository tooling and pages the SUMMARY or nav leave out stay behind. Ids follow the
//! author's order. Control claims on a cross-reference page are read (2013 ids mapped to
//! 2022). The report's problems are those `check` then finds: it runs on the result.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::core::catalog::catalog;
use crate::core::types::ControlId;
use crate::load::inside;

mod report;
mod shape;
mod skip;
mod source;
mod xref;
pub use report::to_markdown;
use source::{detect, files};

pub struct Options<'a> {
    pub owner: &'a str,
    pub organization: &'a str,
    /// A fixed id prefix and width for every document, e.g. `ISMS-###`.
    pub id_pattern: Option<&'a str>,
}

/// A place in an imported file (`content/…`, line) and what is there.
pub type Place = (PathBuf, usize, String);

/// What was imported and what needs the author's attention.
#[derive(Debug, Default)]
pub struct Report {
    pub kind: &'static str,
    /// (id, title, path, type).
    pub documents: Vec<(String, String, PathBuf, &'static str)>,
    pub assets: Vec<PathBuf>,
    /// Files left behind, and why.
    pub skipped: Vec<(PathBuf, String)>,
    /// Links to nothing, as `check` reports them on the new handbook: (location, message, help).
    pub broken_links: Vec<(String, String, Option<String>)>,
    /// `####6.1.1` headings that CommonMark reads as text.
    pub bad_headings: Vec<Place>,
    /// `{{.Name}}`, `{{ name }}`, `{% … %}`: text a template engine was meant to fill in.
    pub template_leftovers: Vec<Place>,
    /// (file, count): MkDocs admonitions turned into callouts.
    pub admonitions: Vec<(PathBuf, usize)>,
    /// (document id, control as written, 2022 ids) claims found on cross-reference pages.
    pub claims: Vec<(String, String, Vec<ControlId>)>,
    pub unclaimed: Vec<ControlId>,
    pub front_matter_replaced: Vec<PathBuf>,
    /// Of those, the files whose YAML had no opening `---`.
    pub front_matter_unopened: Vec<PathBuf>,
    /// `check`'s summary line on the new handbook.
    pub check_summary: String,
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

/// Id prefix of a type.
fn prefix_of(ty: &str) -> &'static str {
    match ty {
        "procedure" => "PRO",
        "standard" => "STD",
        "guideline" => "GDL",
        "plan" => "PLN",
        "register" => "REG",
        "record" => "REC",
        "form" => "FRM",
        _ => "POL",
    }
}

/// Document type and id prefix: the type the first folder names, else the title's or the
/// file name's (a checklist is a form); the prefix from the folder, else from the type.
fn kind_of(path: &Path, title: &str) -> (&'static str, String) {
    let folder = path
        .parent()
        .and_then(|p| p.components().next())
        .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let by_name = shape::named_type(title).or_else(|| shape::named_type(stem.as_deref()?));
    if let Some(ty) = shape::named_type(&folder) {
        // A folder of policies or procedures may still hold a checklist (a form), a log (a
        // register) or minutes (a record): the title is more specific than the folder.
        let ty = match (ty, by_name) {
            ("policy", Some(named)) => named,
            (_, Some(named @ ("form" | "register" | "record"))) => named,
            _ => ty,
        };
        return (
            ty,
            prefix_of(shape::named_type(&folder).unwrap_or(ty)).into(),
        );
    }
    let letters: String = folder
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    let ty = by_name.unwrap_or("policy");
    let prefix = match (letters.len() >= 2, by_name) {
        (true, _) => letters,
        (false, Some(t)) => prefix_of(t).to_string(),
        (false, None) => "DOC".to_string(),
    };
    (ty, prefix)
}

fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Refuses a target that is not empty or lies inside the source.
fn check_target(src: &Path, dir: &Path) -> Result<(), String> {
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
    Ok(())
}

/// `--id-pattern`: the fixed prefix and the width of the number.
fn id_pattern(pattern: Option<&str>) -> Result<(Option<String>, usize), String> {
    let Some(p) = pattern else {
        return Ok((None, 3));
    };
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
    Ok((Some(prefix), width))
}

struct Doc {
    id: String,
    title: String,
    ty: &'static str,
    rel: PathBuf,
    body: Vec<u8>,
}

/// Reads the listed Markdown files into documents with ids, titles and types.
fn read_documents(
    src: &Path,
    source: &source::Source,
    pattern: Option<&str>,
    report: &mut Report,
) -> Result<Vec<Doc>, String> {
    let (fixed_prefix, width) = id_pattern(pattern)?;
    let mut counters: BTreeMap<String, usize> = BTreeMap::new();
    let mut docs = Vec::new();
    for (rel, listed_title) in &source.order {
        let bytes = inside::read(src, &source.dir.join(rel))
            .map_err(|e| format!("cannot read {}: {e}", rel.display()))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let own = shape::own_front_matter(&text);
        if own.found {
            report.front_matter_replaced.push(rel.clone());
        }
        if own.no_opening {
            report.front_matter_unopened.push(rel.clone());
        }
        if let Some(t) = &own.template_title {
            // Line 3 of the new file: where the title that replaced it is written.
            report
                .template_leftovers
                .push((rel.clone(), 0, format!("title: {t}")));
        }
        let (converted, n) = shape::convert_admonitions(own.body);
        if n > 0 {
            report.admonitions.push((rel.clone(), n));
        }
        let body = match n {
            0 => bytes[bytes.len() - own.body.len()..].to_vec(),
            _ => converted.into_bytes(),
        };
        let title = listed_title
            .clone()
            .filter(|t| !t.is_empty() && !shape::is_template(t))
            .or(own.title)
            .or_else(|| shape::first_heading(&String::from_utf8_lossy(&body)))
            .unwrap_or_else(|| {
                rel.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
        let (ty, folder_prefix) = kind_of(rel, &title);
        let prefix = fixed_prefix.clone().unwrap_or(folder_prefix);
        let n = counters.entry(prefix.clone()).or_insert(0);
        *n += 1;
        docs.push(Doc {
            id: format!("{prefix}-{:0width$}", n),
            title,
            ty,
            rel: rel.clone(),
            body,
        });
    }
    Ok(docs)
}

/// Headings CommonMark reads as text, template leftovers and cross-reference claims.
fn scan_bodies(docs: &[Doc], report: &mut Report) -> BTreeMap<String, BTreeSet<ControlId>> {
    let id_of: BTreeMap<PathBuf, String> =
        docs.iter().map(|d| (d.rel.clone(), d.id.clone())).collect();
    let titles: Vec<(String, &str)> = docs
        .iter()
        .filter(|d| d.title.chars().count() >= 8)
        .map(|d| (d.title.to_lowercase(), d.id.as_str()))
        .collect();
    let mut claims: BTreeMap<String, BTreeSet<ControlId>> = BTreeMap::new();
    for d in docs {
        let body = String::from_utf8_lossy(&d.body);
        let mut in_code = false;
        let mut prose = Vec::new();
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
            let place = (d.rel.clone(), i + 1, line.trim().to_string());
            if bad {
                report.bad_headings.push(place.clone());
            }
            if shape::is_template(line) {
                report.template_leftovers.push(place);
            }
            prose.push(line);
        }
        let here = d.rel.parent().unwrap_or(Path::new(""));
        let docs_on = |line: &str| -> Vec<String> {
            let linked: Vec<String> = summary_entries(line)
                .into_iter()
                .filter_map(|(target, _)| id_of.get(&normalize(&here.join(target))?).cloned())
                .collect();
            if !linked.is_empty() || line.contains("](") {
                return linked;
            }
            let lower = line.to_lowercase();
            titles
                .iter()
                .filter(|(t, _)| lower.contains(t.as_str()))
                .map(|(_, id)| id.to_string())
                .collect()
        };
        for (id, (old, new)) in xref::claims(&prose, docs_on) {
            claims
                .entry(id.clone())
                .or_default()
                .extend(new.iter().copied());
            report.claims.push((id, old, new));
        }
    }
    report.claims.dedup();
    claims
}

pub fn import(src: &Path, dir: &Path, opts: &Options<'_>) -> Result<Report, String> {
    check_target(src, dir)?;
    let source = detect(src)?;
    let mut report = Report {
        kind: source.kind,
        skipped: source.skipped.clone(),
        ..Report::default()
    };
    let docs = read_documents(src, &source, opts.id_pattern, &mut report)?;
    let claims = scan_bodies(&docs, &mut report);
    write_handbook(src, dir, &source, opts, &docs, &claims, &mut report)?;
    let claimed: BTreeSet<ControlId> = claims.values().flatten().copied().collect();
    report.unclaimed = catalog()
        .controls
        .iter()
        .map(|c| c.id)
        .filter(|c| !claimed.contains(c))
        .collect();
    check_result(dir, &mut report);
    Ok(report)
}

/// Writes the configuration, the documents and the assets.
fn write_handbook(
    src: &Path,
    dir: &Path,
    source: &source::Source,
    opts: &Options<'_>,
    docs: &[Doc],
    claims: &BTreeMap<String, BTreeSet<ControlId>>,
    report: &mut Report,
) -> Result<(), String> {
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
    fs::write(dir.join(".gitignore"), "/public\n/bundles\n").map_err(|e| e.to_string())?;
    for d in docs {
        let controls = claims.get(&d.id).map(|c| {
            let ids: Vec<String> = c.iter().map(|c| c.to_string()).collect();
            format!("controls: [{}]\n", ids.join(", "))
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
        // Report lines as they are in the new file, below the front matter; a leftover title
        // (line 0) at the title written instead.
        let added = header.lines().count();
        for (file, line, _) in report
            .bad_headings
            .iter_mut()
            .chain(report.template_leftovers.iter_mut())
        {
            if *file == d.rel {
                *line = if *line == 0 { 3 } else { *line + added };
            }
        }
        let mut bytes = header.into_bytes();
        bytes.extend_from_slice(&d.body);
        fs::write(&target, bytes).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        report
            .documents
            .push((d.id.clone(), d.title.clone(), d.rel.clone(), d.ty));
    }
    for rel in files(src, &source.dir)?.iter().filter(|p| !is_markdown(p)) {
        if report.skipped.iter().any(|(p, _)| p == rel) {
            continue;
        }
        if let Some(why) = skip::tooling(rel) {
            report.skipped.push((rel.clone(), why.to_string()));
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
    report.skipped.sort();
    report.template_leftovers.sort();
    Ok(())
}

/// Runs `check` on the new handbook: its broken links are the report's, so that the two
/// always agree.
fn check_result(dir: &Path, report: &mut Report) {
    let today = crate::site::today(None).unwrap_or_else(|_| crate::core::types::Date::today_utc());
    let Ok(site) = crate::site::Site::open(dir, crate::site::Options::new(today)) else {
        return;
    };
    let diags = &site.checked.diagnostics;
    report.broken_links = diags
        .iter()
        .filter(|d| d.code == crate::core::diagnostics::Code::BrokenReference)
        .map(|d| (d.location(), d.message.clone(), d.help.clone()))
        .collect();
    report.check_summary =
        crate::core::diagnostics::summary(crate::core::diagnostics::count(diags));
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_checklist_in_a_policies_folder_is_a_form() {
        let k = |p: &str, t: &str| kind_of(Path::new(p), t);
        assert_eq!(
            k("policies/onboarding.md", "Onboarding Checklist"),
            ("form", "POL".into())
        );
        assert_eq!(
            k("procedures/backup.md", "Backup"),
            ("procedure", "PRO".into())
        );
        assert_eq!(
            k("procedures/on.md", "Onboarding Checklist"),
            ("form", "PRO".into())
        );
        assert_eq!(k("README.md", "Introduction"), ("policy", "DOC".into()));
        assert_eq!(
            k("bcp.md", "Business Continuity Plan"),
            ("plan", "PLN".into())
        );
    }
}
