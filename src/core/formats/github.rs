//! GitHub Actions workflow commands: one `::error` or `::warning` line per diagnostic, which
//! the runner turns into an annotation on the file and line of a pull request's diff.
//!
//! Syntax and escaping as GitHub documents them ("Workflow commands for GitHub Actions", and
//! `escapeData`/`escapeProperty` of @actions/core): in the message `%`, CR and LF are
//! percent-encoded; in a property also `:` and `,`, which would end it.

use super::repo_path;
use crate::core::diagnostics::{Diagnostic, Severity};

/// Every diagnostic as a workflow command line, in order.
pub fn render(prefix: &str, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = vec![("file", repo_path(prefix, d))];
        if let Some(s) = d.span {
            props.push(("line", s.line.to_string()));
            props.push(("col", s.col.to_string()));
            props.push(("endColumn", (s.col + s.len).to_string()));
        }
        props.push(("title", d.code.as_str().to_string()));
        let props: Vec<String> = props
            .iter()
            .map(|(k, v)| format!("{k}={}", escape_property(v)))
            .collect();
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// The message after `::`: `%`, CR and LF encoded.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as data, and `:` and `,` too.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnostics::{Code, Span};

    #[test]
    fn escapes_as_the_toolkit_does() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
        // `%` first, so an already encoded sequence is not decoded back by the runner.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn one_line_per_diagnostic_with_position_and_help() {
        let diags = [
            Diagnostic::error(Code::BrokenReference, "content/a,b.md", "link to POL-9")
                .at(Span::new(7, 3, 5))
                .help("did you mean POL-009?\nor POL-090"),
            Diagnostic::warning(Code::SoaUnapproved, "content/soa.yaml", "no approval"),
        ];
        assert_eq!(
            render("hb", &diags),
            "::error file=hb/content/a%2Cb.md,line=7,col=3,endColumn=8,title=broken-reference::link to POL-9%0Ahelp: did you mean POL-009?%0Aor POL-090\n\
             ::warning file=hb/content/soa.yaml,title=soa-unapproved::no approval\n"
        );
    }
}
