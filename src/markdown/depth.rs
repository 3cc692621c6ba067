//! A bound on how deeply HTML nests before it reaches the sanitiser.
//!
//! html5ever, under ammonia, looks down its stack of open elements for most tags it meets, so
//! HTML nested n deep costs n² (100,000 `<div>` take minutes). Browsers bound this too: Blink
//! stops nesting at 512 and adds deeper elements as siblings. Here tags that would open an
//! element deeper than [`MAX_DEPTH`] are dropped, with their end tags; their text stays.
//!
//! The count is a cautious model of the parser's stack: it pops only where html5ever surely
//! pops (the end tag of the element on top, or of one a few places down with nothing that
//! stops html5ever in between), so it may count deeper than the real page, never shallower by
//! much. A page a person wrote never comes near the bound.

/// Elements deeper than this are flattened (Blink's parser uses the same figure).
pub const MAX_DEPTH: usize = 512;

/// How far down the stack an end tag looks for its element.
const REACH: usize = 16;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "basefont", "bgsound", "frame",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// Start tags that close an element of their own group on top of the stack.
const SIBLINGS: &[&[&str]] = &[
    &["p"],
    &["li"],
    &["dt", "dd"],
    &["td", "th"],
    &["tr"],
    &["option"],
    &["thead", "tbody", "tfoot"],
];

/// Elements an end tag of a phrasing element does not close through (the "special" ones
/// that stop html5ever's search), and that no end tag closes through (scope boundaries).
const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "article",
    "aside",
    "blockquote",
    "body",
    "button",
    "caption",
    "center",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "html",
    "li",
    "listing",
    "main",
    "marquee",
    "menu",
    "nav",
    "noscript",
    "object",
    "ol",
    "p",
    "plaintext",
    "pre",
    "search",
    "section",
    "select",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];
const BOUNDARY: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template",
];

/// The warning for a document whose raw HTML was flattened.
pub fn warning(file: &std::path::Path, dropped: usize) -> crate::diagnostics::Diagnostic {
    use crate::diagnostics::{Code, Diagnostic};
    // No code of its own yet: the nearest is that of a file too large to read whole.
    Diagnostic::warning(
        Code::UnreadableFile,
        file,
        format!(
            "HTML nested more than {MAX_DEPTH} elements deep: {dropped} deeper start tags were dropped (their text is kept)"
        ),
    )
    .help("browsers flatten such nesting too; close the HTML elements you open, or write the page in Markdown")
}

fn is(list: &[&str], name: &str) -> bool {
    list.contains(&name)
}

/// `html` with elements beyond [`MAX_DEPTH`] flattened, and how many start tags were
/// dropped; `None` when nothing had to be.
pub fn flatten(html: &str) -> Option<(String, usize)> {
    flatten_at(html, MAX_DEPTH)
}

fn flatten_at(html: &str, limit: usize) -> Option<(String, usize)> {
    let bytes = html.as_bytes();
    let mut out = String::new();
    let mut copied = 0; // bytes of `html` before this are in `out` or dropped
    let mut stack: Vec<String> = Vec::new();
    let mut dropped_open: Vec<String> = Vec::new();
    let mut dropped = 0;
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'<', &bytes[i..]) {
        let lt = i + at;
        let Some(tag) = Tag::read(html, lt) else {
            i = lt + 1;
            continue;
        };
        i = tag.end;
        let keep = if tag.closing {
            if dropped_open.last() == Some(&tag.name) {
                dropped_open.pop();
                false
            } else {
                close(&mut stack, &tag.name);
                true
            }
        } else if tag.self_closing || is(VOID, &tag.name) {
            true
        } else {
            if let Some(top) = stack.last() {
                if SIBLINGS.iter().any(|g| is(g, top) && is(g, &tag.name)) {
                    stack.pop();
                }
            }
            if is(RAW_TEXT, &tag.name) {
                i = raw_text_end(html, i, &tag.name);
            }
            if stack.len() >= limit {
                dropped += 1;
                dropped_open.push(tag.name);
                false
            } else {
                if !is(RAW_TEXT, &tag.name) {
                    stack.push(tag.name);
                }
                true
            }
        };
        if !keep {
            out.push_str(&html[copied..lt]);
            copied = tag.end;
        }
    }
    if dropped == 0 {
        return None;
    }
    out.push_str(&html[copied..]);
    Some((out, dropped))
}

/// Pops the stack to the element `name` closes, if html5ever surely closes it too.
fn close(stack: &mut Vec<String>, name: &str) {
    let phrasing = !is(SPECIAL, name);
    for (k, open) in stack.iter().rev().take(REACH).enumerate() {
        if open == name {
            stack.truncate(stack.len() - k - 1);
            return;
        }
        if is(BOUNDARY, open) || (phrasing && is(SPECIAL, open)) {
            return;
        }
    }
}

/// Where the text of a raw-text element (`<script>`, `<style>` …) opened before `from` ends:
/// at its end tag, which is then read as a tag of its own.
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut i = from;
    while let Some(at) = memchr::memchr(b'<', &bytes[i..]) {
        let lt = i + at;
        let rest = &bytes[lt + 1..];
        if rest.first() == Some(&b'/')
            && rest.len() > name.len()
            && rest[1..=name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            return lt;
        }
        i = lt + 1;
    }
    html.len()
}

/// A start or end tag: its lower-case name and the byte after its `>`.
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    end: usize,
}

impl Tag {
    /// The tag at `lt` (a `<`); comments, declarations and a tag that never ends are read
    /// as tags without a name; `None` for a `<` that starts no tag.
    fn read(html: &str, lt: usize) -> Option<Tag> {
        let bytes = html.as_bytes();
        let rest = &html[lt + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            let end = comment
                .find("-->")
                .map_or(html.len(), |e| lt + 1 + 3 + e + 3);
            return Some(Tag::nameless(end));
        }
        if rest.starts_with('!') || rest.starts_with('?') {
            let end = memchr::memchr(b'>', &bytes[lt..]).map_or(html.len(), |e| lt + e + 1);
            return Some(Tag::nameless(end));
        }
        let closing = rest.starts_with('/');
        let name_start = lt + 1 + usize::from(closing);
        if !bytes.get(name_start)?.is_ascii_alphabetic() {
            return None;
        }
        let name_len = bytes[name_start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .unwrap_or(bytes.len() - name_start);
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        // The `>` that ends the tag, outside quoted attribute values.
        let mut quote = None;
        let mut k = name_start + name_len;
        while k < bytes.len() {
            match (bytes[k], quote) {
                (b'"' | b'\'', None) => quote = Some(bytes[k]),
                (q, Some(open)) if q == open => quote = None,
                (b'>', None) => {
                    let self_closing = bytes[k - 1] == b'/';
                    return Some(Tag {
                        name,
                        closing,
                        self_closing,
                        end: k + 1,
                    });
                }
                _ => {}
            }
            k += 1;
        }
        // Unterminated: the parser drops it and everything after it with it.
        Some(Tag::nameless(html.len()))
    }

    fn nameless(end: usize) -> Tag {
        Tag {
            name: String::new(),
            closing: false,
            self_closing: true,
            end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_html_is_left_alone() {
        let html =
            "<div><p>a<br>b</p><ul><li>x<li>y</ul><!-- <div> --><script>if (a<b) {}</script></div>";
        assert_eq!(flatten_at(html, 3), None);
    }

    #[test]
    fn deep_elements_are_dropped_with_their_end_tags_and_text_stays() {
        let html = "<div><div><div><div>text</div></div></div></div><p>after</p>";
        let (flat, dropped) = flatten_at(html, 2).unwrap();
        assert_eq!(flat, "<div><div>text</div></div><p>after</p>");
        assert_eq!(dropped, 2);
    }

    #[test]
    fn end_tags_the_parser_would_ignore_do_not_lower_the_count() {
        // html5ever ignores `</span>` under a `<div>`: the divs really nest.
        let html = "<span><div></span>".repeat(4);
        let (_, dropped) = flatten_at(&html, 3).unwrap();
        assert!(dropped >= 3, "{dropped}");
    }

    #[test]
    fn an_unterminated_tag_ends_the_scan() {
        let html = "<div><div>".to_string() + &"<a ".repeat(1000);
        assert_eq!(flatten_at(&html, 2), None);
    }

    #[test]
    fn quoted_angle_brackets_stay_inside_their_tag() {
        let html = r#"<div title="a>b"><div title='<div>'>x</div></div>"#;
        assert_eq!(flatten_at(html, 2), None);
    }
}
