//! Small corrections of a rendered body before it goes into its page.

use crate::load::markdown::Heading;

/// The body without its leading H1 when that heading only repeats the title, as imported
/// pages do: the page already shows the title as its own H1. Its anchor stays (as an empty
/// element), so links to it still lead to the top of the body.
pub fn without_repeated_title<'a>(
    html: &'a str,
    headings: &[Heading],
    title: &str,
) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    let same = |h: &Heading| h.level == 1 && fold(&h.text) == fold(title);
    let trimmed = html.trim_start();
    if !headings.first().is_some_and(same) || !trimmed.starts_with("<h1") {
        return Cow::Borrowed(html);
    }
    let Some(end) = trimmed.find("</h1>") else {
        return Cow::Borrowed(html);
    };
    let rest = trimmed[end + "</h1>".len()..].trim_start();
    let open = &trimmed[..trimmed.find('>').unwrap_or(0)];
    match open
        .split_once(" id=\"")
        .and_then(|(_, id)| id.split_once('"'))
    {
        Some((id, _)) => Cow::Owned(format!("<span id=\"{id}\"></span>{rest}")),
        None => Cow::Borrowed(rest),
    }
}

/// Task-list checkboxes (`- [x] item`) get a name, which a screen reader announces and
/// WCAG requires of every form control: "done" or "to do"; the item's text follows.
pub fn label_checkboxes(html: &str) -> std::borrow::Cow<'_, str> {
    const OPEN: &str = "<input disabled=\"\" type=\"checkbox\"/>";
    const DONE: &str = "<input disabled=\"\" type=\"checkbox\" checked=\"\"/>";
    if !html.contains("type=\"checkbox\"") {
        return std::borrow::Cow::Borrowed(html);
    }
    std::borrow::Cow::Owned(
        html.replace(
            DONE,
            "<input disabled=\"\" type=\"checkbox\" checked=\"\" aria-label=\"done\"/>",
        )
        .replace(
            OPEN,
            "<input disabled=\"\" type=\"checkbox\" aria-label=\"to do\"/>",
        ),
    )
}

/// The running header of a printed document, as a quoted CSS string: id, version and
/// classification. Escaped for CSS inside `<style>`, where HTML entities mean nothing: a
/// classification cannot end the string or the element.
pub fn running_header(id: &str, version: &str, classification: &str) -> String {
    let text = format!("{id} v{version} · {classification}");
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' | '<' | '>' | '&' | '\n' | '\r' => {
                out.push_str(&format!("\\{:X} ", c as u32))
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h1(text: &str) -> Heading {
        Heading {
            level: 1,
            text: text.into(),
            anchor: "x".into(),
        }
    }

    #[test]
    fn a_leading_h1_equal_to_the_title_goes() {
        let html = "<h1 id=\"backup-policy\">Backup  policy</h1>\n<p>Text</p>";
        assert_eq!(
            without_repeated_title(html, &[h1("Backup  policy")], "Backup Policy"),
            "<span id=\"backup-policy\"></span><p>Text</p>"
        );
    }

    #[test]
    fn task_checkboxes_are_named_by_their_state() {
        let html = "<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\nA</li><li><input disabled=\"\" type=\"checkbox\"/>\nB</li>";
        assert_eq!(
            label_checkboxes(html),
            "<li><input disabled=\"\" type=\"checkbox\" checked=\"\" aria-label=\"done\"/>\nA</li><li><input disabled=\"\" type=\"checkbox\" aria-label=\"to do\"/>\nB</li>"
        );
    }

    #[test]
    fn a_running_header_cannot_leave_its_string() {
        assert_eq!(
            running_header("POL-005", "1.2", "in\"ternal</style>"),
            "\"POL-005 v1.2 · in\\22 ternal\\3C /style\\3E \""
        );
    }

    #[test]
    fn another_h1_stays() {
        let html = "<h1 id=\"x\">Purpose</h1>\n<p>Text</p>";
        assert_eq!(
            without_repeated_title(html, &[h1("Purpose")], "Backup Policy"),
            html
        );
        let later = "<p>Intro</p><h1 id=\"x\">Backup Policy</h1>";
        assert_eq!(
            without_repeated_title(later, &[h1("Backup Policy")], "Backup Policy"),
            later
        );
    }
}
