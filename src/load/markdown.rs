//! The one Markdown pass of a build.
//!
//! Each body is parsed once, at load time. The pass yields the HTML, the headings (for anchors
//! and the table of contents) and every link with its position. Link targets can only be
//! resolved once all documents are known, so the HTML carries a placeholder per link that
//! `render` swaps for a relative URL: no second parse, and one rendering serves every page
//! that shows the body (the document page and the print page).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::core::diagnostics::{Span, SpanCursor};

mod depth;
pub mod html_scan;
mod outline;
pub use depth::{warning as flattened_warning, MAX_DEPTH};
pub use outline::outline;

/// The placeholder written for link number N: `ismsbook-link:N`.
pub const LINK_PLACEHOLDER: &str = "ismsbook-link:";

#[derive(Clone, Debug, Default)]
pub struct Body {
    pub html: String,
    pub links: Vec<Link>,
    pub headings: Vec<Heading>,
    /// Start tags dropped because they nested deeper than [`MAX_DEPTH`] (raw HTML only).
    pub flattened: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The target as written (`POL-009#retention`, `../x.md`, `https://…`).
    pub dest: String,
    pub span: Span,
    pub is_image: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// A heading whose events are held until its text (and so its anchor) is known.
type PendingHeading<'a> = (
    HeadingLevel,
    Option<CowStr<'a>>,
    Vec<CowStr<'a>>,
    Vec<Event<'a>>,
    String,
);

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        // Callouts (`> [!NOTE]`), which `import` makes of MkDocs admonitions.
        | Options::ENABLE_GFM
}

/// Parses `body`, which starts on file line `first_line`.
pub fn parse(body: &str, first_line: u32) -> Body {
    let mut out = Body::default();
    let mut has_raw_html = false;
    // The URLs of raw HTML as a parser decodes them, to the number of their link.
    let mut raw_urls: HashMap<String, usize> = HashMap::new();
    let mut slugs: HashMap<String, usize> = HashMap::new();
    // Heading events are held back until the heading's text is known, to give it an id.
    let mut heading: Option<PendingHeading<'_>> = None;
    let mut cursor = SpanCursor::new(body, first_line);

    // Events stream into the HTML writer: collected first, a 4 MB table's events alone
    // took a gigabyte. Only a heading's events wait, in `queue`, until its anchor is known.
    let mut parser = Parser::new_ext(body, options()).into_offset_iter();
    let mut queue: VecDeque<Event<'_>> = VecDeque::new();
    let events = std::iter::from_fn(|| loop {
        if let Some(e) = queue.pop_front() {
            return Some(e);
        }
        let (event, range) = parser.next()?;
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: placeholder(&mut out.links, &mut cursor, body, range, dest_url, false),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: placeholder(&mut out.links, &mut cursor, body, range, dest_url, true),
                title,
                id,
            }),
            Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_) => {
                has_raw_html = true;
                let found = (&mut out.links, &mut raw_urls);
                raw_references(body, range.clone(), &mut cursor, found);
                event
            }
            other => other,
        };
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                heading = Some((level, id, classes, Vec::new(), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, classes, inner, text)) = heading.take() {
                    let anchor = match id {
                        Some(id) => id.to_string(),
                        None => unique_slug(&text, &mut slugs),
                    };
                    out.headings.push(Heading {
                        level: level as u8,
                        text: text.trim().to_string(),
                        anchor: anchor.clone(),
                    });
                    queue.push_back(Event::Start(Tag::Heading {
                        level,
                        id: Some(anchor.into()),
                        classes,
                        attrs: Vec::new(),
                    }));
                    queue.extend(inner);
                    queue.push_back(Event::End(TagEnd::Heading(level)));
                }
            }
            e => match &mut heading {
                Some((_, _, _, inner, text)) => {
                    if let Event::Text(t) | Event::Code(t) = &e {
                        text.push_str(t);
                    }
                    inner.push(e);
                }
                None => queue.push_back(e),
            },
        }
    });
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    out.html = if has_raw_html {
        RAW_URLS.with(|urls| *urls.borrow_mut() = raw_urls);
        let clean = sanitise(html, &mut out.flattened);
        RAW_URLS.with(|urls| urls.borrow_mut().clear());
        clean
    } else {
        html
    };
    // Every body is held until its pages are written: at 10,000 documents the slack of
    // grown buffers alone is several megabytes. A copy, not `shrink_to_fit`: mimalloc keeps
    // a block that shrinks by less than half where it is, slack and all.
    if out.html.capacity() > out.html.len() {
        out.html = out.html.as_str().to_owned();
    }
    out.links.shrink_to_fit();
    out.headings.shrink_to_fit();
    out
}

/// Records a Markdown link or image target as link number N and gives the placeholder that
/// takes its place in the HTML until `render` resolves it.
fn placeholder<'t>(
    links: &mut Vec<Link>,
    cursor: &mut SpanCursor<'_>,
    body: &str,
    range: std::ops::Range<usize>,
    dest: CowStr<'_>,
    is_image: bool,
) -> CowStr<'t> {
    let span = dest_span(cursor, body, range, &dest);
    links.push(Link {
        dest: dest.to_string(),
        span,
        is_image,
    });
    format!("{LINK_PLACEHOLDER}{}", links.len() - 1).into()
}

/// The span of the link's target inside the link's source range; when it is written with
/// entities or escapes (`java&#x09;script:`), of what follows `](`; of the whole link when
/// the target is not written there (reference links). Links come in the order they are
/// written, so one cursor finds all their spans in one pass over the body.
fn dest_span(
    cursor: &mut SpanCursor<'_>,
    body: &str,
    range: std::ops::Range<usize>,
    dest: &str,
) -> Span {
    let source = &body[range.clone()];
    if dest.is_empty() {
        return cursor.span(range);
    }
    if let Some(at) = source.rfind(dest) {
        let start = range.start + at;
        return cursor.span(start..start + dest.len());
    }
    match source.find("](") {
        Some(p) => {
            let rest = &source[p + 2..];
            let written = rest.trim_start_matches([' ', '\t', '<']);
            let start = range.start + p + 2 + (rest.len() - written.len());
            let len = written
                .find([' ', '\t', '\n', ')', '>'])
                .unwrap_or(written.len());
            cursor.span(start..start + len)
        }
        None => cursor.span(range),
    }
}

/// The text of rendered HTML: tags dropped, common entities decoded, white space folded.
/// Derived when the search index is written rather than kept per document, which at
/// 10,000 documents saves tens of megabytes. Runs of plain text are copied whole.
pub fn plain_text(html: &str) -> String {
    const ENTITIES: [(&str, &str); 5] = [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
    ];
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut space = true;
    let gap = |out: &mut String, space: &mut bool| {
        if !*space {
            out.push(' ');
            *space = true;
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let Some(len) = memchr::memchr(b'>', &bytes[i..]) else {
                    break;
                };
                i += len + 1;
                gap(&mut out, &mut space);
            }
            b'&' => {
                let rest = &html[i..];
                let (text, len) = ENTITIES
                    .iter()
                    .find(|(e, _)| rest.starts_with(e))
                    .map_or(("&", 1), |(e, t)| (*t, e.len()));
                out.push_str(text);
                space = false;
                i += len;
            }
            b if b.is_ascii_whitespace() => {
                gap(&mut out, &mut space);
                i += 1;
            }
            b if b < 0x80 => {
                let run = bytes[i..]
                    .iter()
                    .position(|&b| {
                        b == b'<' || b == b'&' || !b.is_ascii() || b.is_ascii_whitespace()
                    })
                    .unwrap_or(bytes.len() - i);
                out.push_str(&html[i..i + run]);
                space = false;
                i += run;
            }
            _ => {
                let c = html[i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    gap(&mut out, &mut space);
                } else {
                    out.push(c);
                    space = false;
                }
                i += c.len_utf8();
            }
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// GitHub-style anchor: lower case, letters, digits, `-` and `_`; spaces become `-`.
pub fn slugify(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() || c == '_' || c == '-' => {
                Some(c.to_lowercase().next().unwrap_or(c))
            }
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

fn unique_slug(text: &str, seen: &mut HashMap<String, usize>) -> String {
    let base = match slugify(text) {
        s if s.is_empty() => "section".to_string(),
        s => s,
    };
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base}-{}", *n - 1)
    }
}

/// Attributes whose value is a URL (or, for `srcset`, a list of them) in HTML and SVG.
const URL_ATTRIBUTES: [&str; 17] = [
    "href",
    "src",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "cite",
    "background",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "usemap",
    "manifest",
    "codebase",
    "icon",
    "imagesrcset",
];

/// The references of one piece of raw HTML (`range` of `body`): each URL of a URL attribute
/// becomes a link, checked, rewritten and withheld exactly like a Markdown link. Comments are
/// skipped, as the sanitiser drops them; tags it drops still count, so that a file named only
/// by an `<object data>` is checked and kept with the document that names it.
fn raw_references(
    body: &str,
    range: std::ops::Range<usize>,
    spans: &mut SpanCursor<'_>,
    (links, urls): (&mut Vec<Link>, &mut HashMap<String, usize>),
) {
    let html = &body[range.clone()];
    for tag in html_scan::tags(html, true) {
        for attr in &tag.attrs {
            let name = attr.local_name();
            if !URL_ATTRIBUTES.contains(&name) || attr.value.trim().is_empty() {
                continue;
            }
            let candidates: Vec<&str> = if name.ends_with("srcset") {
                // `a.png 1x, b.png 2x`: each candidate's URL runs to its white space.
                attr.value
                    .split(',')
                    .filter_map(|c| c.split_whitespace().next())
                    .collect()
            } else {
                vec![attr.value.trim()]
            };
            let written = &html[attr.value_range.clone()];
            for url in candidates {
                let at = match written.find(url) {
                    Some(i) => attr.value_range.start + i..attr.value_range.start + i + url.len(),
                    None => attr.value_range.clone(),
                };
                let n = links.len();
                links.push(Link {
                    dest: url.to_string(),
                    span: spans.span(range.start + at.start..range.start + at.end),
                    is_image: name != "href" && name != "action" && name != "formaction",
                });
                urls.entry(url.to_string()).or_insert(n);
            }
            // The sanitiser sees the attribute whole: a srcset maps to its first candidate's link.
            urls.entry(attr.value.clone()).or_insert(links.len() - 1);
        }
    }
}

thread_local! {
    /// The URLs of the raw HTML being sanitised on this thread, to their link numbers.
    static RAW_URLS: RefCell<HashMap<String, usize>> = RefCell::new(HashMap::new());
}

/// What the sanitiser keeps of a URL attribute: our placeholders, a raw URL as the
/// placeholder of its link (so it is rewritten like a Markdown link), an in-page `#anchor`
/// of our own rendering (footnotes). Anything else is dropped: a URL that was not checked
/// never reaches a page.
fn rewrite_url<'u>(_element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    if !URL_ATTRIBUTES.contains(&attribute) {
        return Some(Cow::Borrowed(value));
    }
    // The raw URLs first: a placeholder written by hand is a raw URL (and an unsafe link).
    if let Some(n) = RAW_URLS.with(|urls| urls.borrow().get(value).copied()) {
        return Some(Cow::Owned(format!("{LINK_PLACEHOLDER}{n}")));
    }
    let ours = value
        .strip_prefix(LINK_PLACEHOLDER)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    (ours || value.starts_with('#')).then_some(Cow::Borrowed(value))
}

/// Raw HTML through the sanitiser, first flattened beyond the depth that its parser handles
/// in linear time (see `depth`).
fn sanitise(html: String, flattened: &mut usize) -> String {
    let html = match depth::flatten(&html) {
        Some((flat, dropped)) => {
            *flattened = dropped;
            flat
        }
        None => html,
    };
    sanitizer().clean(&html).to_string()
}

/// Raw HTML in a policy is sanitised: scripts, event handlers and styles go; the markup
/// our own rendering produces (ids, classes, task-list checkboxes, link placeholders) stays.
/// Its URLs leave as placeholders only, and no scheme but the safe ones passes.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id", "class", "title", "align"])
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .url_schemes(["http", "https", "mailto", "ismsbook-link"].into())
            .attribute_filter(rewrite_url)
            .link_rel(None);
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_get_placeholders_and_file_positions() {
        let body = "# Title\n\nSee the [backup policy](POL-009) now.\n\n![logo](img/logo.png)\n";
        let b = parse(body, 10);
        assert_eq!(b.links.len(), 2);
        assert_eq!(b.links[0].dest, "POL-009");
        assert_eq!(b.links[0].span, Span::new(12, 25, 7));
        assert_eq!(b.links[1].span.line, 14);
        assert!(b.links[1].is_image);
        assert!(b.html.contains("href=\"ismsbook-link:0\""));
        assert!(b.html.contains("<h1 id=\"title\">Title</h1>"), "{}", b.html);
    }

    #[test]
    fn headings_get_unique_anchors() {
        let b = parse("## Scope\n\n## Scope\n\n## Roles & duties\n", 1);
        let anchors: Vec<_> = b.headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(anchors, ["scope", "scope-1", "roles--duties"]);
    }

    #[test]
    fn raw_html_is_sanitised_but_markdown_features_survive() {
        let b = parse(
            "- [x] done\n\n<script>alert(1)</script><b onclick=\"x()\">bold</b>\n\n[l](POL-001)\n",
            1,
        );
        assert!(!b.html.contains("<script"), "{}", b.html);
        assert!(!b.html.contains("onclick"), "{}", b.html);
        assert!(b.html.contains("type=\"checkbox\""), "{}", b.html);
        assert!(b.html.contains("ismsbook-link:0"), "{}", b.html);
    }

    #[test]
    fn plain_text_drops_tags_and_decodes_entities() {
        assert_eq!(
            plain_text("<h1 id=\"a\">Fish &amp; chips</h1>\n<p>Two\n  lines</p>"),
            "Fish & chips Two lines"
        );
    }

    #[test]
    fn plain_text_folds_unicode_space_and_keeps_unknown_entities() {
        assert_eq!(
            plain_text("<p>Caf\u{e9}\u{a0}\u{a0}cr\u{e8}me &copy; &lt;b&gt;</p> <p>unclosed <b"),
            "Caf\u{e9} cr\u{e8}me &copy; <b> unclosed"
        );
    }

    #[test]
    fn braces_are_text() {
        let b = parse("Use {{ name }} and {% raw %} as written.\n", 1);
        assert!(b.html.contains("{{ name }}"));
    }
}
