//! Each rule's documentation, read from the table of docs/rules.md at compile time, so SARIF's
//! rule help and the reference can never disagree.

use crate::core::diagnostics::{Code, Severity};

const RULES_MD: &str = include_str!("../../../docs/rules.md");

/// One row of the rules table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub severity: Severity,
    /// When the rule reports a problem (Markdown).
    pub when: &'static str,
    /// How to fix it (Markdown).
    pub fix: &'static str,
}

/// The documentation of `code`, from its row in docs/rules.md (`None` if it has no row,
/// which `tests/docs.rs` forbids).
pub fn rule(code: Code) -> Option<Rule> {
    RULES_MD.lines().find_map(|line| {
        let mut cells = line.strip_prefix('|')?.split(" | ").map(str::trim);
        let name = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
        if name != code.as_str() {
            return None;
        }
        let severity = match cells.next()? {
            "warning" => Severity::Warning,
            _ => Severity::Error,
        };
        let when = cells.next()?;
        let fix = cells.next()?.trim_end_matches('|').trim_end();
        Some(Rule {
            severity,
            when,
            fix,
        })
    })
}

/// Markdown made plain for a text field: code spans and link targets dropped.
pub(super) fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(i) = rest.find(['`', ']']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("](") {
            rest = after.find(')').map_or("", |j| &after[j + 1..]);
        } else {
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out.replace('[', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_row() {
        for code in Code::ALL {
            let r = rule(code).unwrap_or_else(|| panic!("{code} has no row"));
            assert!(!r.when.is_empty() && !r.fix.is_empty(), "{code}");
            assert!(!r.fix.contains(" | "), "{code}: {}", r.fix);
        }
        assert_eq!(
            rule(Code::ReviewDueSoon).unwrap().severity,
            Severity::Warning
        );
        assert_eq!(rule(Code::DuplicateId).unwrap().severity, Severity::Error);
    }

    #[test]
    fn plain_drops_markdown_marks() {
        assert_eq!(
            plain("Use `A.5.15`; see [configuration.md](configuration.md)."),
            "Use A.5.15; see configuration.md."
        );
    }
}
