//! Printing a run's problems in the `--format` asked for, and `--changed-since`'s selection.

use std::path::Path;

use super::{Fatal, Format};
use crate::core::diagnostics::{self, Diagnostic};
use crate::core::formats::{github, gitlab, sarif};
use crate::core::types::Date;
use crate::site::{report_all, Site};

/// Human text goes to stderr, as always; the machine formats to stdout, with the summary line
/// on stderr for the CI log.
/// `verbose`: every warning of a code printed, not a summary of many (human format only).
pub(super) fn print(format: Format, root: &Path, site: &Site, diags: &[Diagnostic], verbose: bool) {
    let machine = match format {
        Format::Human => return report_all(&site.hb, site.source.as_ref(), diags, verbose),
        Format::Json => return println!("{}", diagnostics::to_json(diags)),
        Format::Github => github::render(&repo_prefix(root), diags),
        Format::Sarif => sarif::render(&repo_prefix(root), diags) + "\n",
        Format::Gitlab => gitlab::render(&repo_prefix(root), diags) + "\n",
    };
    print!("{machine}");
    eprintln!("{}", diagnostics::summary(diagnostics::count(diags)));
}

/// Where the handbook lies in its git repository: CI systems name files from the
/// repository's top, wherever the command was run. Outside a repository: the handbook root.
fn repo_prefix(root: &Path) -> String {
    crate::history::Repo::open(root)
        .map(|r| r.prefix().to_string())
        .unwrap_or_default()
}

/// The problems `check --changed-since REV` reports, with a note of what it left out.
pub(super) fn changed_since(
    root: &Path,
    rev: &str,
    today: Date,
    site: &Site,
) -> Result<Vec<Diagnostic>, Fatal> {
    let s = crate::commands::changed_since::select(root, rev, today, site).map_err(Fatal)?;
    eprintln!(
        "note: --changed-since {rev}: {} changed file{}; {} problem{} in unchanged files, already there at {rev}, not shown",
        s.changed.len(),
        if s.changed.len() == 1 { "" } else { "s" },
        s.hidden,
        if s.hidden == 1 { "" } else { "s" },
    );
    Ok(s.shown)
}
