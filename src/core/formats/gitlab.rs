//! GitLab Code Quality: a JSON array of Code Climate issues that a job publishes as a
//! `codequality` report, shown in the merge request's widget and diff.
//!
//! GitLab compares a merge request's report with its target branch's by `fingerprint`, so the
//! fingerprint leaves out the line: a problem that only moved is not shown as new.

use serde::Serialize;

use super::{fingerprints, repo_path};
use crate::core::diagnostics::{Diagnostic, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'a str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// The report, pretty-printed, one issue per diagnostic in order.
pub fn render(prefix: &str, diags: &[Diagnostic]) -> String {
    let issues: Vec<Issue> = diags
        .iter()
        .zip(fingerprints(prefix, diags))
        .map(|(d, fingerprint)| Issue {
            description: match &d.help {
                Some(help) => format!("{} (help: {help})", d.message),
                None => d.message.clone(),
            },
            check_name: d.code.as_str(),
            fingerprint,
            // GitLab's scale is info, minor, major, critical, blocker; an error fails the
            // pipeline, a warning does not.
            severity: match d.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
            },
            location: Location {
                path: repo_path(prefix, d),
                // A problem of a whole file (no position) is shown on its first line.
                lines: Lines {
                    begin: d.span.map_or(1, |s| s.line),
                },
            },
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_default()
}
