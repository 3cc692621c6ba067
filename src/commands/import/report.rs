//! The import report, as Markdown for the terminal: short first (what was made, what to do
//! next), then the details.

use std::path::Path;

use super::{Place, Report};
use crate::core::diagnostics::display_path;

/// `` `content/path:line`: `text` `` for a place in an imported file.
fn located((file, line, text): &Place) -> String {
    format!("`content/{}:{line}`: `{text}`", display_path(file))
}

fn section(out: &mut String, title: &str, lines: Vec<String>, none: &str) {
    out.push_str(&format!("\n## {title}\n\n"));
    if lines.is_empty() {
        out.push_str(none);
        out.push('\n');
    }
    for l in lines {
        out.push_str(&format!("- {l}\n"));
    }
}

/// The report, as Markdown for the terminal.
pub fn to_markdown(r: &Report, dir: &Path) -> String {
    let mut out = format!(
        "# Import report\n\nSource: a {}. Wrote {}: {} documents, {} assets; {} files left behind.\n\n",
        r.kind,
        dir.display(),
        r.documents.len(),
        r.assets.len(),
        r.skipped.len()
    );
    out.push_str(&format!(
        "`ismsbook check` on it: {}. {} broken links, {} controls claimed by a cross-reference, {} template leftovers. The handbook is at stage \"draft\": missing coverage is a warning until you raise the stage.\n\nNext: `ismsbook serve --root {}` to see it; `ismsbook check --root {}` lists every problem.\n",
        if r.check_summary.is_empty() { "not run" } else { &r.check_summary },
        r.broken_links.len(),
        93 - r.unclaimed.len(),
        r.template_leftovers.len(),
        dir.display(),
        dir.display()
    ));
    section(
        &mut out,
        "Links that point at nothing (as `check` reports them)",
        r.broken_links
            .iter()
            .map(|(at, what, help)| match help {
                Some(h) => format!("`{at}`: {what}; {h}"),
                None => format!("`{at}`: {what}"),
            })
            .collect(),
        "None.",
    );
    section(
        &mut out,
        "Template leftovers (a template engine was meant to fill these in)",
        r.template_leftovers.iter().map(located).collect(),
        "None.",
    );
    section(
        &mut out,
        "Documents",
        r.documents
            .iter()
            .map(|(id, title, path, ty)| {
                format!("{id} {title} (`content/{}`): {ty}", display_path(path))
            })
            .collect(),
        "None.",
    );
    section(
        &mut out,
        "Assets copied",
        r.assets
            .iter()
            .map(|a| format!("`content/{}`", display_path(a)))
            .collect(),
        "None.",
    );
    section(
        &mut out,
        "Files left behind",
        r.skipped
            .iter()
            .map(|(p, why)| format!("`{}`: {why}", display_path(p)))
            .collect(),
        "None.",
    );
    section(
        &mut out,
        "Headings CommonMark reads as text (add a space after the #)",
        r.bad_headings.iter().map(located).collect(),
        "None.",
    );
    section(
        &mut out,
        "MkDocs admonitions and GitBook hints turned into callouts (`> [!NOTE]`)",
        r.admonitions
            .iter()
            .map(|(p, n)| format!("`content/{}`: {n}", display_path(p)))
            .collect(),
        "None.",
    );
    section(
        &mut out,
        "Control claims from cross-references (ISO/IEC 27001:2013 ids mapped to 2022)",
        r.claims
            .iter()
            .map(|(doc, old, new)| {
                let new: Vec<String> = new.iter().map(|c| c.to_string()).collect();
                match new.join(", ") {
                    same if same == *old => format!("{doc}: {old}"),
                    new => format!("{doc}: {old} → {new}"),
                }
            })
            .collect(),
        "No cross-reference page found: claim controls in each document's `controls:`.",
    );
    section(
        &mut out,
        "Documents whose own front matter was replaced",
        r.front_matter_replaced
            .iter()
            .map(|p| {
                let unopened = r.front_matter_unopened.contains(p);
                let note = if unopened {
                    " (it had no opening `---`)"
                } else {
                    ""
                };
                format!("`{}`{note}", display_path(p))
            })
            .collect(),
        "None.",
    );
    let unclaimed: Vec<String> = r.unclaimed.iter().map(|c| c.to_string()).collect();
    out.push_str(&format!(
        "\n## Controls nothing claims ({} of 93)\n\n{}\n",
        r.unclaimed.len(),
        unclaimed.join(", "),
    ));
    out
}
