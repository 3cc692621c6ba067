//! Files of a source that are not part of the handbook: the repository's tooling (build
//! scripts, package manifests, site templates, contribution guides), which would otherwise be
//! published as assets or become policies.

use std::path::Path;

/// Folders of site generators and CI, skipped whole.
const FOLDERS: &[&str] = &[
    "_layouts",
    "_includes",
    "_sass",
    "_site",
    "_book",
    "node_modules",
    "overrides",
    "site",
    "vendor",
];

/// Files by name (lower case).
const NAMES: &[&str] = &[
    "dockerfile",
    "makefile",
    "gemfile",
    "gemfile.lock",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "book.json",
    "mkdocs.yml",
    "mkdocs.yaml",
    "_config.yml",
    "netlify.toml",
    "vercel.json",
    "requirements.txt",
    "cname",
    "license",
    "license.md",
    "license.txt",
    "contributing.md",
    "code_of_conduct.md",
    "security.md",
    "pull_request_template.md",
    "codeowners",
];

/// Extensions of scripts and configuration.
const EXTENSIONS: &[&str] = &[
    "sh", "bash", "ps1", "bat", "py", "rb", "js", "mjs", "ts", "go", "toml", "yml", "yaml", "lock",
    "json", "tmpl", "tpl", "liquid", "scss", "less",
];

/// Why `rel` (relative to the source's docs folder) is tooling, or `None` if it belongs to
/// the handbook.
pub(super) fn tooling(rel: &Path) -> Option<&'static str> {
    let in_folder = rel.parent().is_some_and(|p| {
        p.components().any(|c| {
            let name = c.as_os_str().to_string_lossy().to_ascii_lowercase();
            FOLDERS.contains(&name.as_str())
        })
    });
    if in_folder {
        return Some("a site generator's or build folder");
    }
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if NAMES.contains(&name.as_str()) || name.starts_with("dockerfile") {
        return Some("repository tooling");
    }
    let ext = rel
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    EXTENSIONS
        .contains(&ext.as_str())
        .then_some("a script or configuration file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tooling_is_recognised_and_documents_are_not() {
        for t in [
            "Dockerfile",
            "build.sh",
            "package.json",
            "yarn.lock",
            "_layouts/default.html",
            "CONTRIBUTING.md",
        ] {
            assert!(tooling(Path::new(t)).is_some(), "{t}");
        }
        for d in [
            "policies/access.md",
            "images/flow.png",
            "signed/a.pdf",
            "README.md",
        ] {
            assert!(tooling(Path::new(d)).is_none(), "{d}");
        }
    }
}
