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
//!
//! Formatting elements (`<b>`, `<a>` …) left open are worse than deep: html5ever re-opens
//! every one of them in each later block, so 500 unclosed `<b>` and 40,000 `<div>x</div>`
//! make twenty million elements (3 GB). More than [`MAX_FORMATTING`] open at once are dropped
//! the same way.

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
pub fn warning(file: &std::path::Path, dropped: usize) -> crate::core::diagnostics::Diagnostic {
    use crate::core::diagnostics::{Code, Diagnostic};
    Diagnostic::warning(
        Code::NestedTooDeep,
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
    let mut model = Model {
        limit,
        ..Model::default()
    };
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'<', &bytes[i..]) {
        let lt = i + at;
        let Some(tag) = Tag::read(html, lt) else {
            i = lt + 1;
            continue;
        };
        i = tag.end;
        let keep = if tag.closing {
            model.end(tag.name)
        } else if tag.self_closing || is(VOID, &tag.name) {
            true
        } else {
            if is(RAW_TEXT, &tag.name) {
                i = raw_text_end(html, i, &tag.name);
            }
            model.start(tag.name)
        };
        if !keep {
            out.push_str(&html[copied..lt]);
            copied = tag.end;
        }
    }
    if model.dropped == 0 {
        return None;
    }
    out.push_str(&html[copied..]);
    Some((out, model.dropped))
}

/// Formatting elements html5ever re-opens in each new block until their end tag: more than
/// a few open at once would be copied into every later paragraph.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];
const MAX_FORMATTING: usize = 4;
/// Elements whose end clears the formatting elements opened inside them.
const MARKERS: &[&str] = &[
    "applet", "caption", "marquee", "object", "td", "template", "th",
];

/// The parser's stack of open elements as far as it can be told without being the parser.
#[derive(Default)]
struct Model {
    limit: usize,
    /// Open elements, each with the count of open formatting elements when it was opened.
    stack: Vec<(String, usize)>,
    /// Formatting elements opened and not surely closed by their own end tag.
    formatting: usize,
    /// Start tags dropped whose end tags are still to come (and to be dropped).
    dropped_open: Vec<String>,
    dropped: usize,
}

impl Model {
    /// Whether the start tag is kept.
    fn start(&mut self, name: String) -> bool {
        if let Some((top, _)) = self.stack.last() {
            if SIBLINGS.iter().any(|g| is(g, top) && is(g, &name)) {
                self.pop_to(self.stack.len() - 1);
            }
        }
        let formatting = is(FORMATTING, &name);
        if self.stack.len() >= self.limit || (formatting && self.formatting >= MAX_FORMATTING) {
            self.dropped += 1;
            self.dropped_open.push(name);
            return false;
        }
        if !is(RAW_TEXT, &name) {
            self.stack.push((name, self.formatting));
        }
        self.formatting += usize::from(formatting);
        true
    }

    /// Pops the elements from `at` up; the end of a marker (a table cell …) forgets the
    /// formatting elements opened inside it, as html5ever does.
    fn pop_to(&mut self, at: usize) {
        if let Some((_, before)) = self.stack[at..].iter().find(|(n, _)| is(MARKERS, n)) {
            self.formatting = self.formatting.min(*before);
        }
        self.stack.truncate(at);
    }

    /// Whether the end tag is kept.
    fn end(&mut self, name: String) -> bool {
        if self.dropped_open.last() == Some(&name) {
            self.dropped_open.pop();
            return false;
        }
        if let Some(at) = closes(&self.stack, &name) {
            // Its own end tag removes a formatting element from html5ever's list too.
            if is(FORMATTING, &name) {
                self.formatting = self.formatting.saturating_sub(1);
            }
            self.pop_to(at);
        }
        true
    }
}

/// Where in the stack the element is that the end tag `name` closes, if html5ever surely
/// closes it too.
fn closes(stack: &[(String, usize)], name: &str) -> Option<usize> {
    let phrasing = !is(SPECIAL, name);
    for (k, (open, _)) in stack.iter().rev().take(REACH).enumerate() {
        if open == name {
            return Some(stack.len() - k - 1);
        }
        if is(BOUNDARY, open) || (phrasing && is(SPECIAL, open)) {
            return None;
        }
    }
    None
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
    fn formatting_left_open_is_not_copied_into_every_later_block() {
        // Each `<div>` would get a copy of every `<b>` still open: 500 elements per div.
        let open: String = (0..500).map(|i| format!("<b class=\"c{i}\">")).collect();
        let html = format!("<p>{open}{}</p>", "<div>x</div>".repeat(50));
        let (flat, dropped) = flatten_at(&html, MAX_DEPTH).unwrap();
        assert_eq!(dropped, 500 - MAX_FORMATTING);
        assert_eq!(flat.matches("<b ").count(), MAX_FORMATTING);
        // Closed as they are opened, any number of them is fine.
        assert_eq!(
            flatten_at(&"<b>x</b> <i>y</i>".repeat(100), MAX_DEPTH),
            None
        );
    }

    #[test]
    fn quoted_angle_brackets_stay_inside_their_tag() {
        let html = r#"<div title="a>b"><div title='<div>'>x</div></div>"#;
        assert_eq!(flatten_at(html, 2), None);
    }
}
