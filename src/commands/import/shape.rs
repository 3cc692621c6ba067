//! What real handbooks look like inside a file: front matter with or without its opening
//! `---`, template leftovers (`{{.Name}}`, `{{ name }}`, `{% … %}`), MkDocs admonitions,
//! and the kind of document a title or folder names.

/// A file's own front matter: the body after it, its title, and whether the opening `---`
/// was missing (a YAML block that ends at the first `---` line, as SOC 2 template sets
/// write it).
pub(super) struct Own<'t> {
    pub body: &'t str,
    pub title: Option<String>,
    pub found: bool,
    pub no_opening: bool,
    /// A title that was a template leftover (`{{.Name}}`), not used.
    pub template_title: Option<String>,
}

/// The front matter `text` starts with, if any; titles that are template leftovers are
/// not titles.
pub(super) fn own_front_matter(text: &str) -> Own<'_> {
    let none = Own {
        body: text,
        title: None,
        found: false,
        no_opening: false,
        template_title: None,
    };
    let (yaml, body_start, no_opening) = match crate::load::split(text, std::path::Path::new("")) {
        Ok(split) => (split.yaml.to_string(), split.body_start, false),
        Err(_) => match bare_yaml(text) {
            Some((yaml_end, body_start)) => (text[..yaml_end].to_string(), body_start, true),
            None => return none,
        },
    };
    let titles: Vec<String> = ["title:", "name:"]
        .iter()
        .filter_map(|key| {
            yaml.lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|t| t.trim().trim_matches(['"', '\'']).to_string())
                .filter(|t| !t.is_empty())
        })
        .collect();
    Own {
        body: &text[body_start..],
        title: titles.iter().find(|t| !is_template(t)).cloned(),
        found: true,
        no_opening,
        template_title: titles.into_iter().find(|t| is_template(t)),
    }
}

/// A YAML block with no opening `---`: `key: value` lines (and their indented or list
/// continuations, comments and blank lines) up to a `---` line. Returns where the YAML ends
/// and where the body starts.
fn bare_yaml(text: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut keys = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.trim_end() == "---" {
            return (keys > 0).then_some((at, at + line.len()));
        }
        let indented = bare.starts_with([' ', '\t']) || bare.starts_with("- ");
        let comment_or_blank = bare.trim().is_empty() || bare.starts_with('#') && keys > 0;
        if !(indented && keys > 0 || comment_or_blank || is_key_line(bare)) {
            return None;
        }
        keys += usize::from(is_key_line(bare));
        at += line.len();
    }
    None
}

/// `key:` or `key: value`, the key a plain YAML word.
fn is_key_line(line: &str) -> bool {
    let Some((key, rest)) = line.split_once(':') else {
        return false;
    };
    // Front-matter keys are lower case (`title`, `name`, `majorRevisions`); prose such as
    // "Note: …" is not.
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && (rest.is_empty() || rest.starts_with(' '))
}

/// Whether a text holds a Go, Mustache or Jinja template leftover.
pub(super) fn is_template(text: &str) -> bool {
    let pair = |open: &str, close: &str| {
        text.find(open)
            .is_some_and(|at| text[at + open.len()..].contains(close))
    };
    pair("{{", "}}") || pair("{%", "%}")
}

/// The first `#` heading of a body that is not a template leftover.
pub(super) fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .filter_map(|l| {
            l.strip_prefix('#')
                .map(|rest| rest.trim_start_matches('#').trim().to_string())
        })
        .find(|t| !t.is_empty() && !is_template(t))
}

/// A body with MkDocs admonitions (`!!! note "Title"`, `??? tip`, `???+ warning`) turned
/// into GitHub-style callouts (`> [!NOTE]`), which the renderer styles and whose links the
/// check follows; and the number of admonitions converted. Code blocks are left alone.
pub(super) fn convert_admonitions(body: &str) -> (String, usize) {
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let mut out = String::with_capacity(body.len() + 64);
    let (mut i, mut count, mut fence) = (0, 0, false);
    while i < lines.len() {
        let line = lines[i];
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fence = !fence;
        }
        if let Some(end) = (!fence).then(|| gitbook_hint(&lines[i..])).flatten() {
            count += 1;
            out.push_str(&hint_callout(&lines[i..i + end + 1]));
            i += end + 1;
            continue;
        }
        let Some((kind, title)) = (!fence).then(|| admonition(line)).flatten() else {
            out.push_str(line);
            i += 1;
            continue;
        };
        count += 1;
        let newline = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
        out.push_str(&format!("> [!{kind}]{newline}> **{title}**{newline}"));
        i += 1;
        // The indented block that follows, blank lines included while more indented
        // lines follow them.
        let mut inner = Vec::new();
        while i < lines.len() {
            let l = lines[i];
            let blank = l.trim().is_empty();
            let more = lines[i..].iter().find(|l| !l.trim().is_empty());
            if blank && more.is_some_and(|m| indented(m).is_some()) || indented(l).is_some() {
                inner.push(indented(l).unwrap_or(""));
                i += 1;
            } else {
                break;
            }
        }
        if !inner.is_empty() {
            out.push('>');
            out.push_str(newline);
        }
        for l in inner {
            let text = l.trim_end_matches(['\n', '\r']);
            match text.is_empty() {
                true => out.push('>'),
                false => {
                    out.push_str("> ");
                    out.push_str(text);
                }
            }
            out.push_str(newline);
        }
    }
    (out, count)
}

/// A GitBook hint (`{% hint style="warning" %}` … `{% endhint %}`) starting at `lines[0]`:
/// the index of its closing line.
fn gitbook_hint(lines: &[&str]) -> Option<usize> {
    let open = lines.first()?.trim();
    if !(open.starts_with("{% hint") && open.ends_with("%}")) {
        return None;
    }
    lines.iter().position(|l| l.trim() == "{% endhint %}")
}

/// The hint `block` (its opening and closing lines included) as a callout.
fn hint_callout(block: &[&str]) -> String {
    let newline = if block[0].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let kind = match block[0].split('"').nth(1).unwrap_or("info") {
        "success" => "TIP",
        "warning" => "WARNING",
        "danger" => "CAUTION",
        _ => "NOTE",
    };
    let mut out = format!("> [!{kind}]{newline}");
    for l in &block[1..block.len() - 1] {
        let text = l.trim_end_matches(['\n', '\r']);
        match text.is_empty() {
            true => out.push('>'),
            false => {
                out.push_str("> ");
                out.push_str(text);
            }
        }
        out.push_str(newline);
    }
    out
}

/// A line indented by four spaces or a tab: the rest of it.
fn indented(line: &str) -> Option<&str> {
    line.strip_prefix("    ")
        .or_else(|| line.strip_prefix('\t'))
}

/// `!!! note "Title"` → (`NOTE`, `Title`); the title defaults to the kind's word.
fn admonition(line: &str) -> Option<(&'static str, String)> {
    let rest = ["!!!", "???+", "???"]
        .iter()
        .find_map(|m| line.strip_prefix(m))?;
    if !rest.starts_with(' ') {
        return None;
    }
    let rest = rest.trim();
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if word.is_empty() {
        return None;
    }
    let kind = match word.to_ascii_lowercase().as_str() {
        "tip" | "hint" | "success" | "check" | "done" => "TIP",
        "important" => "IMPORTANT",
        "warning" | "caution" | "attention" | "question" | "help" | "faq" => "WARNING",
        "danger" | "error" | "failure" | "fail" | "missing" | "bug" => "CAUTION",
        _ => "NOTE",
    };
    let title = match (rest.find('"'), rest.rfind('"')) {
        (Some(a), Some(b)) if b > a => rest[a + 1..b].to_string(),
        _ => {
            let mut t = word.clone();
            t[..1].make_ascii_uppercase();
            t
        }
    };
    let title = if title.is_empty() { word } else { title };
    Some((kind, title))
}

/// The document type a folder, a title or a file name names (`None`: nothing does).
pub(super) fn named_type(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |stems: &[&str]| words.iter().any(|w| stems.iter().any(|s| w.starts_with(s)));
    let is = |names: &[&str]| words.iter().any(|w| names.contains(w));
    // The most specific first: "Incident Response Plan Checklist" is a form.
    if has(&["checklist", "form", "template", "questionnaire"]) {
        Some("form")
    } else if has(&["register", "inventor"]) || is(&["log", "logs"]) {
        Some("register")
    } else if has(&["record", "minutes"]) || is(&["report", "reports", "evidence"]) {
        Some("record")
    } else if has(&["procedure", "runbook", "playbook"]) || is(&["sop", "sops"]) {
        Some("procedure")
    } else if is(&["plan", "plans", "bcp", "drp"]) {
        Some("plan")
    } else if has(&["standard", "baseline"]) {
        Some("standard")
    } else if has(&["guideline", "guidance", "guide"]) {
        Some("guideline")
    } else if has(&["polic"]) {
        Some("policy")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_without_its_opening_dashes_is_front_matter() {
        let own = own_front_matter(
            "name: Access Policy\nsatisfies:\n  TSC:\n    - CC6.1\n---\n\n# Purpose and Scope\n",
        );
        assert!(own.found && own.no_opening);
        assert_eq!(own.title.as_deref(), Some("Access Policy"));
        assert_eq!(own.body, "\n# Purpose and Scope\n");
        let prose = own_front_matter("Note: this is prose.\n\n---\n");
        assert!(!prose.found);
    }

    #[test]
    fn template_leftovers_are_never_titles() {
        let own = own_front_matter("---\ntitle: \"{{.Name}}\"\n---\n# {{ name }}\n# Real\n");
        assert_eq!(own.title, None);
        assert_eq!(first_heading(own.body).as_deref(), Some("Real"));
        assert!(is_template("{% if x %}"));
        assert!(!is_template("a {b} c"));
    }

    #[test]
    fn admonitions_become_callouts() {
        let (out, n) = convert_admonitions(
            "Intro\n\n!!! note \"Keep it\"\n    See [x](a.md).\n\n    More.\n\nAfter\n```\n!!! tip\n```\n",
        );
        assert_eq!(n, 1);
        assert_eq!(
            out,
            "Intro\n\n> [!NOTE]\n> **Keep it**\n>\n> See [x](a.md).\n>\n> More.\n\nAfter\n```\n!!! tip\n```\n"
        );
        let (out, _) = convert_admonitions("??? warning\n    Careful.\n");
        assert_eq!(out, "> [!WARNING]\n> **Warning**\n>\n> Careful.\n");
        let (out, n) = convert_admonitions(
            "{% hint style=\"warning\" %}\nSee [x](a.md).\n{% endhint %}\nAfter\n",
        );
        assert_eq!(n, 1);
        assert_eq!(out, "> [!WARNING]\n> See [x](a.md).\nAfter\n");
    }

    #[test]
    fn types_are_named_by_titles_and_folders() {
        assert_eq!(named_type("Onboarding Checklist"), Some("form"));
        assert_eq!(named_type("Business Continuity Plan"), Some("plan"));
        assert_eq!(named_type("explanation"), None);
        assert_eq!(named_type("Asset Inventory"), Some("register"));
        assert_eq!(named_type("policies"), Some("policy"));
        assert_eq!(named_type("Incident Response Procedure"), Some("procedure"));
    }
}
