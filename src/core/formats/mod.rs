//! The diagnostics in the forms CI systems read: GitHub Actions workflow commands
//! ([`github`]), SARIF 2.1.0 for code scanning ([`sarif`]) and GitLab Code Quality
//! ([`gitlab`]). Each is a pure function of the diagnostics, so the same run prints the same
//! bytes.
//!
//! These systems place a problem by its path from the top of the repository, while a
//! diagnostic's path is relative to the handbook root: `prefix` is where the handbook root lies
//! in its repository (`""` at the top, or outside any repository).

pub mod github;
pub mod gitlab;
mod rules;
pub mod sarif;

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::diagnostics::{display_path, Diagnostic};

pub use rules::{rule, Rule};

/// The diagnostic's file as the CI system names it: `prefix/file`, with `/` separators.
fn repo_path(prefix: &str, d: &Diagnostic) -> String {
    let file = display_path(&d.file);
    match prefix.trim_matches('/') {
        "" => file,
        p => format!("{p}/{file}"),
    }
}

/// A fingerprint per diagnostic that stays the same across runs and when unrelated lines move:
/// it hashes the code, the file and the message, never the line, and numbers problems that
/// agree in all three in their order, so two identical problems in one file still differ.
fn fingerprints(prefix: &str, diags: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<(String, &str, &str), usize> = HashMap::new();
    diags
        .iter()
        .map(|d| {
            let key = (repo_path(prefix, d), d.code.as_str(), d.message.as_str());
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            let mut h = Sha256::new();
            for part in [key.1, key.0.as_str(), key.2, &n.to_string()] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            h.finalize()[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnostics::{Code, Span};

    #[test]
    fn fingerprints_ignore_lines_and_tell_twins_apart() {
        let d = |line| {
            Diagnostic::error(
                Code::BrokenReference,
                "content/a.md",
                "link to unknown POL-9",
            )
            .at(Span::new(line, 3, 4))
        };
        let before = fingerprints("", &[d(4), d(9)]);
        let after = fingerprints("", &[d(14), d(19)]);
        assert_eq!(before, after);
        assert_ne!(before[0], before[1]);
        assert_ne!(fingerprints("hb", &[d(4)])[0], before[0]);
        assert_eq!(before[0].len(), 32);
    }

    #[test]
    fn paths_get_the_prefix_once() {
        let d = Diagnostic::error(Code::Config, "ismsbook.toml", "x");
        assert_eq!(repo_path("", &d), "ismsbook.toml");
        assert_eq!(repo_path("docs/isms/", &d), "docs/isms/ismsbook.toml");
    }
}
