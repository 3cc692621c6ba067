//! The auditor's bundle: one zip holding the site (working from file://), the registers as
//! CSV, the changes since the previous tag, build information and `SHA256SUMS` in the format
//! `sha256sum -c` reads; and `verify`, which checks such a zip against its own sums.
//!
//! The zip is reproducible: entries sorted, every timestamp the build date, every mode 0644,
//! so the same revision and `--today` give the same bytes.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use crate::publish::Prepared;
use crate::render;
use crate::types::Date;

pub const SUMS: &str = "SHA256SUMS";

#[derive(Serialize)]
struct BuildInfo<'a> {
    tool: &'static str,
    tool_version: &'static str,
    organization: &'a str,
    title: &'a str,
    version_label: Option<&'a str>,
    commit: Option<&'a str>,
    build_date: String,
    max_classification: Option<&'a str>,
    documents: usize,
    approved: usize,
    withheld: usize,
    controls: usize,
    controls_applicable: usize,
    controls_excluded: usize,
    history_note: Option<&'a str>,
}

/// A name safe for a file and a zip folder: the label's letters, digits, `.`, `-`, `_`.
pub fn slug(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The folder inside the zip, and the default file name: `handbook-<version>`.
pub fn name(p: &Prepared) -> String {
    format!(
        "handbook-{}",
        slug(p.opts.history.label.as_deref().unwrap_or("unversioned"))
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn files_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_file() {
            out.push(
                entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap_or(entry.path())
                    .to_path_buf(),
            );
        }
    }
    out.sort();
    Ok(out)
}

fn zip_name(path: &Path) -> String {
    crate::diagnostics::display_path(path)
}

/// Writes the bundle to `out` (through a temporary file, renamed when complete).
pub fn write(p: &Prepared, today: Date, out: &Path) -> Result<usize, String> {
    let staging = tempfile_dir(out)?;
    let result = (|| {
        let site = staging.join("site");
        std::fs::create_dir_all(&site).map_err(|e| e.to_string())?;
        let tera = render::theme::templates(&p.hb.root)?;
        render::write_site(&p.hb, &p.checked, &p.opts, &tera, p.source.as_ref(), &site)?;
        if let Some(changes) = &p.opts.changes {
            let withheld = withheld_ids(p);
            let mut changes = changes.clone();
            for d in changes
                .changed
                .iter_mut()
                .filter(|d| withheld.contains(&d.id))
            {
                d.redline.clear();
            }
            std::fs::write(
                site.join("changes.md"),
                crate::changes::to_markdown(&changes),
            )
            .map_err(|e| e.to_string())?;
        }
        let info = build_info(p, today);
        std::fs::write(
            site.join("build-info.json"),
            serde_json::to_string_pretty(&info).unwrap_or_default() + "\n",
        )
        .map_err(|e| e.to_string())?;
        let files = files_under(&site).map_err(|e| e.to_string())?;
        let mut sums = String::new();
        let mut contents = BTreeMap::new();
        for f in &files {
            let bytes = std::fs::read(site.join(f)).map_err(|e| e.to_string())?;
            sums.push_str(&format!(
                "{}  {}\n",
                hex(&Sha256::digest(&bytes)),
                zip_name(f)
            ));
            contents.insert(zip_name(f), bytes);
        }
        contents.insert(SUMS.to_string(), sums.into_bytes());
        let tmp = staging.join("bundle.zip");
        write_zip(&tmp, &name(p), &contents, today)?;
        std::fs::rename(&tmp, out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        Ok(contents.len())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn withheld_ids(p: &Prepared) -> std::collections::BTreeSet<String> {
    let max = p
        .opts
        .max_classification
        .as_deref()
        .and_then(|m| p.hb.config.level_rank(m));
    p.hb.documents
        .iter()
        .filter(|d| {
            max.is_some_and(|max| {
                p.hb.config
                    .level_rank(&d.classification.value)
                    .is_none_or(|r| r > max)
            })
        })
        .map(|d| d.id_str().to_string())
        .collect()
}

fn build_info<'a>(p: &'a Prepared, today: Date) -> BuildInfo<'a> {
    let cat = crate::catalog::catalog();
    BuildInfo {
        tool: "ismsbook",
        tool_version: env!("CARGO_PKG_VERSION"),
        organization: &p.hb.config.organization,
        title: &p.hb.config.title,
        version_label: p.opts.history.label.as_deref(),
        commit: p.opts.history.commit.as_deref(),
        build_date: today.to_string(),
        max_classification: p.opts.max_classification.as_deref(),
        documents: p.hb.documents.len(),
        approved: p
            .hb
            .documents
            .iter()
            .filter(|d| d.status.is_in_force())
            .count(),
        withheld: withheld_ids(p).len(),
        controls: cat.controls.len(),
        controls_applicable: cat
            .controls
            .iter()
            .filter(|c| !p.hb.soa.excluded.contains_key(&c.id))
            .count(),
        controls_excluded: p.hb.soa.excluded.len(),
        history_note: p.opts.history.note.as_deref(),
    }
}

fn tempfile_dir(out: &Path) -> Result<PathBuf, String> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = parent.join(format!(".ismsbook-bundle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn write_zip(
    path: &Path,
    top: &str,
    contents: &BTreeMap<String, Vec<u8>>,
    today: Date,
) -> Result<(), String> {
    let file = std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let date = today.to_string();
    let (y, m, d) = (
        date[..4].parse().unwrap_or(1980),
        date[5..7].parse().unwrap_or(1),
        date[8..].parse().unwrap_or(1),
    );
    let time = zip::DateTime::from_date_and_time(y, m, d, 0, 0, 0).unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    for (name, bytes) in contents {
        zip.start_file(format!("{top}/{name}"), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(bytes).map_err(|e| e.to_string())?;
    }
    zip.finish()
        .map_err(|e| e.to_string())?
        .flush()
        .map_err(|e| e.to_string())
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verdict {
    pub verified: usize,
    pub altered: Vec<String>,
    pub missing: Vec<String>,
    pub added: Vec<String>,
}

impl Verdict {
    pub fn is_clean(&self) -> bool {
        self.altered.is_empty() && self.missing.is_empty() && self.added.is_empty()
    }
}

/// An entry name that could write outside the folder it is unpacked in.
fn unsafe_name(name: &str) -> bool {
    name.contains('\\')
        || name.contains('\0')
        || Path::new(name).components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        })
        || name
            .split('/')
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// Checks every file of a bundle against its `SHA256SUMS`.
pub fn verify<R: Read + Seek>(reader: R) -> Result<Verdict, String> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| format!("not a zip file: {e}"))?;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| format!("unreadable entry {i}: {e}"))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if unsafe_name(&name) {
            return Err(format!("refused: entry `{name}` would be unpacked outside its folder (absolute path or `..`)"));
        }
        if entry.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {name}: {e}"))?;
        if files.insert(name.clone(), bytes).is_some() {
            return Err(format!("refused: entry `{name}` appears twice"));
        }
    }
    let sums_names: Vec<&String> = files
        .keys()
        .filter(|n| n.rsplit('/').next() == Some(SUMS))
        .collect();
    let [sums_name] = sums_names.as_slice() else {
        return Err(format!(
            "no single {SUMS} in the zip: this is not an ismsbook bundle"
        ));
    };
    let base = sums_name.strip_suffix(SUMS).unwrap_or("").to_string();
    let sums = String::from_utf8_lossy(&files[*sums_name]).into_owned();
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, path) = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .ok_or_else(|| format!("{SUMS}: unreadable line `{line}`"))?;
        listed.insert(format!("{base}{path}"), hash.to_ascii_lowercase());
    }
    let mut verdict = Verdict::default();
    for (name, hash) in &listed {
        match files.get(name) {
            None => verdict.missing.push(name[base.len()..].to_string()),
            Some(bytes) if hex(&Sha256::digest(bytes)) != *hash => {
                verdict.altered.push(name[base.len()..].to_string())
            }
            Some(_) => verdict.verified += 1,
        }
    }
    for name in files.keys() {
        if !listed.contains_key(name) && name != *sums_name {
            verdict
                .added
                .push(name.strip_prefix(&base).unwrap_or(name).to_string());
        }
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::unsafe_name;

    #[test]
    fn names_that_escape_are_unsafe() {
        for bad in ["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\..\\b"] {
            assert!(unsafe_name(bad), "{bad}");
        }
        assert!(!unsafe_name("handbook-v1/documents/POL-001.html"));
    }
}
