//! `ismsbook init` and `ismsbook new`: a complete starter handbook, or one document, from the
//! policy templates compiled into the binary (`policy-templates/`, rendered with Tera).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::core::types::{Date, DocumentId};
use crate::load::model::Handbook;
use crate::load::CONTENT_DIR;

mod files {
    include!(concat!(env!("OUT_DIR"), "/templates.rs"));
}

#[derive(Debug, Deserialize)]
struct Manifest {
    template: Vec<Entry>,
}

/// One template of the manifest: the name users type, its file, one line about it.
#[derive(Clone, Debug, Deserialize)]
pub struct Entry {
    pub name: String,
    pub file: String,
    pub summary: String,
}

fn file(path: &str) -> Option<&'static str> {
    files::FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

/// The templates in reading order.
pub fn list() -> Vec<Entry> {
    let manifest = file("templates.toml").unwrap_or("");
    toml::from_str::<Manifest>(manifest)
        .map(|m| m.template)
        .unwrap_or_default()
}

/// The values a template may use, with a default for each but the organisation.
pub const KEYS: &[(&str, &str)] = &[
    ("organization", "the organisation's name (required: --org)"),
    ("scope", "one sentence: what the ISMS covers"),
    ("locations", "where the organisation works"),
    ("approver", "who approves the policies"),
    ("year", "the year of the first edition"),
];

pub fn values(
    organization: &str,
    today: Date,
    sets: &[(String, String)],
) -> Result<BTreeMap<String, String>, String> {
    let mut v = BTreeMap::from([
        ("organization".to_string(), organization.to_string()),
        (
            "scope".to_string(),
            format!("the information, people, systems and services that {organization} uses to deliver its products and run its business"),
        ),
        ("locations".to_string(), "our offices and our remote workers".to_string()),
        ("approver".to_string(), "the Chief Executive Officer".to_string()),
        ("year".to_string(), today.to_string()[..4].to_string()),
    ]);
    for (key, value) in sets {
        if !KEYS.iter().any(|(k, _)| k == key) {
            let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
            return Err(format!(
                "unknown --set key `{key}`; the keys are {}",
                known.join(", ")
            ));
        }
        v.insert(key.clone(), value.clone());
    }
    Ok(v)
}

/// Renders one template file. Only the named values are substituted; the templates contain
/// no other template syntax.
pub fn render(path: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let text = file(path).ok_or_else(|| format!("no template file {path}"))?;
    let mut ctx = tera::Context::new();
    for (k, v) in values {
        ctx.insert(k.as_str(), v);
    }
    tera::Tera::one_off(text, &ctx, false)
        .map_err(|e| format!("template {path}: {}", crate::render::theme::error_chain(&e)))
}

/// Writes a new handbook into `dir`, which must be empty or absent. Returns the files written.
pub fn init(dir: &Path, values: &BTreeMap<String, String>) -> Result<Vec<PathBuf>, String> {
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty; `init` never overwrites. Choose a new directory, e.g. `ismsbook init my-isms --org …`",
                dir.display()
            ));
        }
    }
    // Render everything first, so a template problem writes nothing.
    let mut toml_values = values.clone();
    for v in toml_values.values_mut() {
        *v = v.replace('\\', "\\\\").replace('"', "\\\"");
    }
    let mut files: Vec<(PathBuf, String)> = vec![
        (
            PathBuf::from(crate::load::config::FILE),
            render("ismsbook.toml", &toml_values)?,
        ),
        (
            PathBuf::from(crate::load::SOA_FILE),
            render("soa.yaml", values)?,
        ),
        (
            PathBuf::from(crate::load::nonconformity::FILE),
            render("nonconformities.yaml", values)?,
        ),
        (
            PathBuf::from(".gitignore"),
            "/public\n/bundles\n".to_string(),
        ),
        (
            PathBuf::from(crate::load::risks::RISKS_FILE),
            render("risks.yaml", values)?,
        ),
    ];
    for entry in list() {
        files.push((
            Path::new(CONTENT_DIR).join(&entry.file),
            render(&entry.file, values)?,
        ));
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// `ismsbook new risks`: the starter risk register, in a handbook that has none.
pub fn new_risks(hb: &Handbook) -> Result<PathBuf, String> {
    let rel = PathBuf::from(crate::load::risks::RISKS_FILE);
    let path = hb.root.join(&rel);
    if path.exists() || hb.risks_source.is_some() {
        return Err(format!("{} exists; `new` never overwrites", rel.display()));
    }
    let values = values(&hb.config.organization, hb.today, &[])?;
    let text = render("risks.yaml", &values)?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(rel)
}

/// The id a template carries, e.g. `POL-005`.
fn template_id(text: &str) -> Option<DocumentId> {
    crate::history::document_id(text.as_bytes())?.parse().ok()
}

/// The next free id with `prefix`, as wide as `width` digits at least.
fn next_id(hb: &Handbook, prefix: &str, width: usize) -> Result<DocumentId, String> {
    let highest = hb
        .documents
        .iter()
        .filter_map(|d| d.id.as_ref())
        .filter(|id| id.value.prefix() == prefix)
        .filter_map(|id| id.value.as_str().rsplit('-').next()?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}-{:0width$}", highest + 1).parse()
}

/// Adds one document from a template to an existing handbook; never overwrites.
pub fn new_document(
    hb: &Handbook,
    name: &str,
    id: Option<&str>,
) -> Result<(PathBuf, DocumentId), String> {
    let templates = list();
    let Some(entry) = templates.iter().find(|t| t.name == name) else {
        let hint =
            crate::core::suggest::did_you_mean(name, templates.iter().map(|t| t.name.as_str()))
                .map(|s| format!("did you mean {s}? "))
                .unwrap_or_default();
        return Err(format!(
            "no template `{name}`; {hint}`ismsbook new --list` shows them all"
        ));
    };
    let values = values(&hb.config.organization, hb.today, &[])?;
    let text = render(&entry.file, &values)?;
    let original =
        template_id(&text).ok_or_else(|| format!("template {} has no id", entry.file))?;
    let taken = |id: &DocumentId| {
        hb.documents
            .iter()
            .any(|d| d.id.as_ref().is_some_and(|i| &i.value == id))
    };
    let id = match id {
        Some(given) => {
            let id: DocumentId = given.parse()?;
            if taken(&id) {
                let path = hb
                    .by_id()
                    .get(&id)
                    .map(|d| crate::core::diagnostics::display_path(&d.path))
                    .unwrap_or_default();
                return Err(format!("{id} is already used by {path}; `new` never overwrites. Leave out --id to get the next free one"));
            }
            id
        }
        None => {
            let digits = original.as_str().len() - original.prefix().len() - 1;
            next_id(hb, original.prefix(), digits)?
        }
    };
    let text = text.replacen(&format!("id: {original}"), &format!("id: {id}"), 1);
    let mut rel = Path::new(CONTENT_DIR).join(&entry.file);
    if hb.root.join(&rel).exists() {
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        rel.set_file_name(format!("{stem}-{}.md", id.as_str().to_ascii_lowercase()));
    }
    let path = hb.root.join(&rel);
    if path.exists() {
        return Err(format!("{} exists; `new` never overwrites", rel.display()));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok((rel, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_with_the_default_values() {
        let v = values("Example Ltd", "2026-11-23".parse().unwrap(), &[]).unwrap();
        let entries = list();
        assert!(entries.len() >= 29, "the expected set, at least");
        for e in &entries {
            let text = render(&e.file, &v).unwrap();
            assert!(!text.contains("{{") && !text.contains("{%"), "{}", e.file);
            assert!(template_id(&text).is_some(), "{} has an id", e.file);
        }
        assert!(render("ismsbook.toml", &v)
            .unwrap()
            .contains("organization = \"Example Ltd\""));
    }

    #[test]
    fn unknown_set_keys_are_refused() {
        let err = values(
            "X",
            "2026-01-01".parse().unwrap(),
            &[("colour".into(), "red".into())],
        )
        .unwrap_err();
        assert!(err.contains("organization, scope, locations, approver, year"));
    }
}
