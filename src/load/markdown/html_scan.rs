//! A small, forgiving scanner for the tags and attributes of HTML and SVG text, in the way a
//! browser's tokenizer reads them (`<img/src=x>`, unquoted values, entity references in
//! values). It serves two checks that must see what a browser would see: the references of
//! raw HTML in a body (so they are checked, rewritten and withheld like Markdown links), and
//! the script in an HTML or SVG asset. Linear in the input: one pass, no backtracking.

use std::ops::Range;

/// One start tag (end tags are skipped) or markup declaration (`<!…`, `<?…`).
#[derive(Debug)]
pub struct Tag {
    /// Where the `<` is.
    pub at: usize,
    /// The name lower-cased, without a namespace prefix (`svg:script` -> `script`); for a
    /// declaration, its first word with the `!` or `?` (`!entity`, `?xml-stylesheet`).
    pub name: String,
    pub attrs: Vec<Attr>,
}

#[derive(Debug)]
pub struct Attr {
    /// Lower-cased, with its prefix (`xlink:href`).
    pub name: String,
    pub name_at: usize,
    /// With entity references decoded; empty for a bare attribute.
    pub value: String,
    /// Of the value as written (inside the quotes), or of the name for a bare attribute.
    pub value_range: Range<usize>,
}

impl Attr {
    /// The name without a namespace prefix (`xlink:href` -> `href`).
    pub fn local_name(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }
}

/// The tags of `text`. With `skip_comments`, the inside of `<!-- … -->` is not read (what a
/// parser does); without, it is read like markup too, which only ever finds more.
pub fn tags(text: &str, skip_comments: bool) -> Vec<Tag> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let mut p = lt + 1;
        if b[p..].starts_with(b"!--") {
            i = match (skip_comments, memchr::memmem::find(&b[p + 3..], b"-->")) {
                (true, Some(end)) => p + 3 + end + 3,
                (true, None) => b.len(),
                (false, _) => p + 3,
            };
            continue;
        }
        if matches!(b.get(p), Some(b'!' | b'?')) {
            let end = b[p..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'[')
                .map_or(b.len(), |n| p + n);
            out.push(Tag {
                at: lt,
                name: text[p..end].to_ascii_lowercase(),
                attrs: Vec::new(),
            });
            i = end.max(p + 1);
            continue;
        }
        let closing = b.get(p) == Some(&b'/');
        if closing {
            p += 1;
        }
        if !b.get(p).is_some_and(u8::is_ascii_alphabetic) {
            i = p;
            continue;
        }
        let name_end = b[p..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b'/' || *c == b'>')
            .map_or(b.len(), |n| p + n);
        let name = text[p..name_end].to_ascii_lowercase();
        let name = name.rsplit(':').next().unwrap_or("").to_string();
        let (attrs, end) = attributes(text, name_end);
        if !closing {
            out.push(Tag {
                at: lt,
                name,
                attrs,
            });
        }
        i = end;
    }
    out
}

/// The attributes from `from` to the end of the tag, and where the tag ends.
fn attributes(text: &str, mut p: usize) -> (Vec<Attr>, usize) {
    let b = text.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while p < b.len() && (b[p].is_ascii_whitespace() || b[p] == b'/') {
            p += 1;
        }
        if p >= b.len() {
            return (attrs, p);
        }
        if b[p] == b'>' {
            return (attrs, p + 1);
        }
        // A name runs to white space, `/`, `>` or `=` (a leading `=` belongs to it).
        let start = p;
        p += 1;
        while p < b.len() && !(b[p].is_ascii_whitespace() || b"/>=".contains(&b[p])) {
            p += 1;
        }
        let name = text[start..p].to_ascii_lowercase();
        let mut q = p;
        while q < b.len() && b[q].is_ascii_whitespace() {
            q += 1;
        }
        if b.get(q) != Some(&b'=') {
            attrs.push(Attr {
                name,
                name_at: start,
                value: String::new(),
                value_range: start..p,
            });
            continue;
        }
        q += 1;
        while q < b.len() && b[q].is_ascii_whitespace() {
            q += 1;
        }
        let (range, next) = match b.get(q) {
            Some(&quote @ (b'"' | b'\'')) => {
                let end = memchr::memchr(quote, &b[q + 1..]).map_or(b.len(), |n| q + 1 + n);
                (q + 1..end, (end + 1).min(b.len()))
            }
            _ => {
                let end = b[q..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || *c == b'>')
                    .map_or(b.len(), |n| q + n);
                (q..end, end)
            }
        };
        attrs.push(Attr {
            name,
            name_at: start,
            value: decode_entities(&text[range.clone()]),
            value_range: range,
        });
        p = next;
    }
}

/// Decodes numeric character references and the named ones that matter in URLs (`&colon;`,
/// `&Tab;`, `&NewLine;` …), with or without their `;`, as a browser does in attribute values.
pub fn decode_entities(s: &str) -> String {
    const NAMED: [(&str, char); 18] = [
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
        ("colon", ':'),
        ("Tab", '\t'),
        ("NewLine", '\n'),
        ("sol", '/'),
        ("bsol", '\\'),
        ("lpar", '('),
        ("rpar", ')'),
        ("period", '.'),
        ("comma", ','),
        ("num", '#'),
        ("percnt", '%'),
        ("quest", '?'),
    ];
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let (decoded, used) = if let Some(num) = rest.strip_prefix('#') {
            let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16, 2),
                None => (num, 10, 1),
            };
            let len = digits.chars().take_while(|c| c.is_digit(radix)).count();
            // Leading zeros are allowed in any number; a browser reads `&#0000106` as `j`.
            let significant = digits[..len].trim_start_matches('0');
            let code = match significant.len() {
                0 => Some(0),
                n if n > 8 => Some(0xfffd),
                _ => u32::from_str_radix(significant, radix).ok(),
            };
            match code {
                Some(c) if len > 0 => (
                    Some(char::from_u32(c).unwrap_or('\u{fffd}')),
                    skip + len + usize::from(digits[len..].starts_with(';')),
                ),
                _ => (None, 0),
            }
        } else {
            NAMED
                .iter()
                .find(|(name, _)| rest.starts_with(name))
                .map_or((None, 0), |(name, c)| {
                    (
                        Some(*c),
                        name.len() + usize::from(rest[name.len()..].starts_with(';')),
                    )
                })
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => out.push('&'),
        }
    }
    out.push_str(rest);
    out
}

/// The schemes a link may use. Any other could run script in the reader's browser
/// (`javascript:`, `vbscript:`, `data:text/html`) or reach outside the web (`file:`, `smb:`).
pub const SAFE_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// A URL as a browser reads it: leading and trailing controls and spaces dropped, tabs and
/// line breaks removed anywhere (`java\tscript:` is `javascript:`).
pub fn browser_url(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// The scheme of a URL as a browser reads it, lower-cased, if it has one.
pub fn scheme(url: &str) -> Option<String> {
    let url = browser_url(url);
    let (scheme, _) = url.split_once(':')?;
    let ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    ok.then(|| scheme.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_like_a_browser_reads_them() {
        let t = tags(
            "<p>x</p><IMG/src=a.png alt='b c' srcset=\"d.png 2x\"><svg:Script>",
            true,
        );
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].name, "img");
        let a: Vec<(&str, &str)> = t[1]
            .attrs
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(
            a,
            [("src", "a.png"), ("alt", "b c"), ("srcset", "d.png 2x")]
        );
        assert_eq!(t[2].name, "script");
    }

    #[test]
    fn comments_are_skipped_only_when_asked() {
        assert!(tags("<!-- <img src=x> -->", true).is_empty());
        assert_eq!(tags("<!-- <img src=x> -->", false)[0].name, "img");
    }

    #[test]
    fn entities_and_controls_cannot_hide_a_scheme() {
        for url in [
            "java&#x09;script:x",
            "javascript&colon;x",
            "&#106;avascript:x",
            " \u{1}JaVaScRiPt:x",
            "java&Tab;script:x",
            "&#0000106avascript:x",
        ] {
            assert_eq!(
                scheme(&decode_entities(url)).as_deref(),
                Some("javascript"),
                "{url}"
            );
        }
        assert_eq!(scheme("../a.md"), None);
        assert_eq!(decode_entities("a&b&#;&#xZ;"), "a&b&#;&#xZ;");
    }
}
