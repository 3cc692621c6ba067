//! Many warnings of one code (93 controls only in drafts after `init`) are printed as one
//! summary with a count and the first few, so that the one error above them is seen.
//! `--verbose` prints every one; `--format json` always lists every diagnostic.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::core::diagnostics::{Code, Diagnostic, Severity};

/// More warnings of one code than this are summarised.
pub const MAX_SINGLE: usize = 5;
/// How many a summary shows.
pub const SHOWN: usize = 3;

/// The diagnostics printed one by one (in their order) and the summarised warnings, by code.
pub fn split(diags: &[Diagnostic], verbose: bool) -> (Vec<Diagnostic>, Vec<Vec<&Diagnostic>>) {
    let mut per_code: BTreeMap<Code, usize> = BTreeMap::new();
    for d in diags.iter().filter(|d| d.severity == Severity::Warning) {
        *per_code.entry(d.code).or_default() += 1;
    }
    let grouped = |d: &Diagnostic| {
        !verbose && d.severity == Severity::Warning && per_code[&d.code] > MAX_SINGLE
    };
    let single = diags.iter().filter(|d| !grouped(d)).cloned().collect();
    let mut groups: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags.iter().filter(|d| grouped(d)) {
        groups.entry(d.code.as_str()).or_default().push(d);
    }
    (single, groups.into_values().collect())
}

/// Prints one summary: its code and count, the first few with their place, the help they
/// share, and how to see them all.
pub fn print(out: &mut dyn Write, group: &[&Diagnostic]) -> io::Result<()> {
    let Some(first) = group.first() else {
        return Ok(());
    };
    writeln!(
        out,
        "warning[{}]: {} warnings of this kind; the first {SHOWN}:",
        first.code.as_str(),
        group.len()
    )?;
    for d in group.iter().take(SHOWN) {
        writeln!(out, "  --> {}: {}", d.location(), d.message)?;
    }
    if group.iter().all(|d| d.help == first.help) {
        if let Some(help) = &first.help {
            writeln!(out, "  = help: {help}")?;
        }
    }
    writeln!(
        out,
        "  = note: and {} more: `--verbose` prints every one, `--format json` lists them as data\n",
        group.len() - SHOWN.min(group.len())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_many_warnings_of_one_code_are_summarised() {
        let w = |i: usize| {
            Diagnostic::warning(Code::ControlOnlyInDrafts, "content", format!("A.5.{i}"))
        };
        let mut diags: Vec<Diagnostic> = (1..=10).map(w).collect();
        diags.push(Diagnostic::error(
            Code::BrokenReference,
            "content/a.md",
            "x",
        ));
        diags.push(Diagnostic::warning(
            Code::ReviewDueSoon,
            "content/a.md",
            "y",
        ));
        let (single, groups) = split(&diags, false);
        assert_eq!(single.len(), 2);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].len(), 10);
        let (single, groups) = split(&diags, true);
        assert_eq!((single.len(), groups.len()), (12, 0));
        let mut out = Vec::new();
        let (_, groups) = split(&diags, false);
        print(&mut out, &groups[0]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("warning[control-only-in-drafts]: 10 warnings"),
            "{text}"
        );
        assert!(text.contains("and 7 more"), "{text}");
    }
}
