//! HTML and SVG assets that carry script. A static host serves `content/` files from the
//! handbook's own origin, where a script can read every page the reader can: such a file is
//! an `active-asset` error, so it never reaches the output. The check reads the file as a
//! browser would (entities decoded, any case, namespace prefixes, UTF-16) and errs on the
//! side of finding too much.

use std::path::Path;

use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::load::markdown::html_scan::{self, Tag, SAFE_SCHEMES};

/// Extensions a browser or a web server treats as HTML, XHTML, SVG or XML (which can pull in
/// XSLT or be XHTML): what can run script when opened from the handbook's origin.
const ACTIVE_EXTENSIONS: [&str; 13] = [
    "html", "htm", "xhtml", "xht", "shtml", "svg", "svgz", "xml", "xsl", "xslt", "mht", "mhtml",
    "hta",
];

/// Elements that run script or bring in a document that can.
const ACTIVE_ELEMENTS: [&str; 13] = [
    "script",
    "foreignobject",
    "iframe",
    "frame",
    "frameset",
    "embed",
    "object",
    "applet",
    "portal",
    "base",
    "handler",
    "listener",
    "import",
];

/// Whether `path` has an extension whose content is checked.
pub fn is_checked(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ACTIVE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The `active-asset` error of the file at `path` (relative to the root) with these bytes,
/// if it is an HTML or SVG file with script, event handlers, script URLs or embedded documents.
pub fn check(path: &Path, bytes: &[u8]) -> Option<Diagnostic> {
    if !is_checked(path) {
        return None;
    }
    let help = "a page served from the handbook's origin can read every document the reader can: \
                remove the script, or convert the file to PNG or PDF";
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("svgz") {
        return Some(
            Diagnostic::error(
                Code::ActiveAsset,
                path,
                "compressed SVG cannot be checked for script",
            )
            .help("unpack it to a .svg file, which is checked, or convert it to PNG"),
        );
    }
    let text = decode(bytes);
    let (at, what) = first_active(&text).or_else(|| {
        // In ISO-2022 text an escape sequence is no character: `<scr\x1b(Bipt>` is `<script>`
        // to a browser that reads it so. No drawing needs one.
        let at = text.find('\u{1b}')?;
        Some((
            at..at + 1,
            "an escape character (ISO-2022 text)".to_string(),
        ))
    })?;
    let help = if what.contains("foreignobject") {
        "HTML inside SVG can run script from the handbook's origin: export the drawing as PNG, \
         or as SVG with plain text labels (draw.io: untick \"Formatted Text\"; Illustrator: \
         no \"Preserve Illustrator Editing Capabilities\")"
    } else {
        help
    };
    Some(
        Diagnostic::error(
            Code::ActiveAsset,
            path,
            format!("{what}: this file could run script in the handbook's pages"),
        )
        .at(Span::of_range(&text, at.clone(), 1))
        .help(help),
    )
}

/// The text a browser would read: UTF-16 (by its byte order mark or its zero bytes) decoded,
/// zero characters dropped, anything else read as UTF-8 with invalid bytes replaced.
fn decode(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(512)];
    let utf16 = match head {
        [0xfe, 0xff, ..] => Some(false),
        [0xff, 0xfe, ..] => Some(true),
        _ if head.contains(&0) => Some(head.iter().position(|&b| b == 0).unwrap_or(0) % 2 == 1),
        _ => None,
    };
    let text = match utf16 {
        Some(little) => {
            let units = bytes.chunks_exact(2).map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or('\u{fffd}'))
                .collect()
        }
        None => String::from_utf8_lossy(bytes).into_owned(),
    };
    text.replace(['\0', '\u{feff}'], "")
}

/// Where the first construct that can run script starts, and what it is.
fn first_active(text: &str) -> Option<(std::ops::Range<usize>, String)> {
    for tag in html_scan::tags(text, false) {
        if let Some(found) = active_tag(text, &tag) {
            return Some(found);
        }
    }
    None
}

fn active_tag(text: &str, tag: &Tag) -> Option<(std::ops::Range<usize>, String)> {
    let name_range = tag.at..tag.at + 1 + tag.name.len();
    match tag.name.as_str() {
        n if ACTIVE_ELEMENTS.contains(&n) => {
            return Some((name_range, format!("a <{n}> element")));
        }
        "!entity" => {
            return Some((
                name_range,
                "an entity declaration (it can build markup)".into(),
            ))
        }
        n if n.starts_with("?xml-stylesheet") => {
            return Some((
                name_range,
                "an XSLT style sheet (it can build markup)".into(),
            ))
        }
        "?xml" => {
            let declaration =
                &text[tag.at..text[tag.at..].find('>').map_or(text.len(), |e| tag.at + e)];
            if let Some(enc) = unreadable_encoding(declaration) {
                return Some((
                    name_range,
                    format!("the encoding {enc}, which cannot be checked"),
                ));
            }
        }
        _ => {}
    }
    for attr in &tag.attrs {
        let range = attr.name_at..attr.value_range.end.max(attr.name_at + attr.name.len());
        let local = attr.local_name();
        if local.starts_with("on") && local.len() > 2 {
            return Some((range, format!("the event handler `{}`", attr.name)));
        }
        if local == "srcdoc" {
            return Some((range, "an embedded document (`srcdoc`)".into()));
        }
        if local == "attributename" && attr.value.trim().to_ascii_lowercase().starts_with("on") {
            return Some((range, "an animation of an event handler".into()));
        }
        if let Some(scheme) = script_url(&attr.value) {
            return Some((range, format!("a `{scheme}:` URL in `{}`", attr.name)));
        }
    }
    None
}

/// A scheme in `value` that can run script or hold a document: `javascript:` anywhere (SVG
/// animation values are lists), a `data:` URL of anything but a raster image.
fn script_url(value: &str) -> Option<String> {
    let squeezed: String = html_scan::browser_url(value)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    for scheme in ["javascript:", "vbscript:", "livescript:", "mocha:"] {
        if squeezed.contains(scheme) {
            return Some(scheme.trim_end_matches(':').to_string());
        }
    }
    let raster = [
        "image/png",
        "image/jpeg",
        "image/jpg",
        "image/gif",
        "image/webp",
        "image/avif",
    ];
    for (at, _) in squeezed.match_indices("data:") {
        let mime = &squeezed[at + 5..];
        let starts_word = !squeezed[..at].ends_with(|c: char| c.is_alphanumeric() || c == '-');
        if starts_word && !raster.iter().any(|r| mime.starts_with(r)) {
            return Some("data".into());
        }
    }
    // A URL attribute whose scheme is not a web one (`file:`, `ms-…:`) is refused as well.
    html_scan::scheme(value)
        .filter(|s| s.len() > 1 && !SAFE_SCHEMES.contains(&s.as_str()) && looks_like_url(value))
}

/// Whether a value is a URL rather than, say, a CSS declaration (`fill: red`).
fn looks_like_url(value: &str) -> bool {
    let v = value.trim();
    !v.contains([' ', ';', '(']) && v.contains(":/")
}

/// An encoding named in the XML declaration in which `<` is not the ASCII byte: the file's
/// markup would not be what this check read.
fn unreadable_encoding(declaration: &str) -> Option<String> {
    let lower = declaration.to_ascii_lowercase();
    let at = lower.find("encoding")?;
    let rest = lower[at + 8..].trim_start().strip_prefix('=')?.trim_start();
    let enc: String = rest
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | '?' | ' '))
        .collect();
    let ascii_compatible = enc.starts_with("utf-8")
        || enc.starts_with("utf8")
        || enc.starts_with("iso-8859")
        || enc.starts_with("windows-125")
        || [
            "us-ascii",
            "ascii",
            "latin1",
            "shift_jis",
            "euc-jp",
            "euc-kr",
            "gbk",
            "gb2312",
            "gb18030",
            "big5",
            "koi8-r",
            "koi8-u",
        ]
        .contains(&enc.as_str());
    (!ascii_compatible && !enc.starts_with("utf-16")).then_some(enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(name: &str, text: &str) -> Option<String> {
        check(Path::new(name), text.as_bytes()).map(|d| d.message)
    }

    #[test]
    fn script_in_any_disguise_is_found() {
        for svg in [
            "<svg><script>alert(1)</script></svg>",
            "<svg><SCRIPT>x</SCRIPT></svg>",
            "<s:svg xmlns:s='http://www.w3.org/2000/svg'><s:script>x</s:script></s:svg>",
            "<svg onload=alert(1)>",
            "<svg><rect/onclick='x()'/></svg>",
            "<svg><a href='java&#x09;script:alert(1)'><text>x</text></a></svg>",
            "<svg><a xlink:href=\"javascript&colon;x\">x</a></svg>",
            "<svg><set attributeName='href' to='&#106;avascript:x'/></svg>",
            "<svg><animate values='0;javascript:x'/></svg>",
            "<svg><foreignObject><div>x</div></foreignObject></svg>",
            "<!DOCTYPE svg [<!ENTITY x '&#60;script&#62;'>]><svg>&x;</svg>",
            "<?xml-stylesheet type='text/xsl' href='a.xsl'?><svg/>",
            "<svg><image href='data:image/svg+xml;base64,PHN2Zz4='/></svg>",
            "<!-- <script>x</script> -->",
        ] {
            assert!(found("a.svg", svg).is_some(), "{svg}");
        }
        assert!(found("page.HTML", "<p>x</p><iframe srcdoc='x'>").is_some());
        assert!(found("page.html", "<img src=x onerror=alert(1)>").is_some());
    }

    #[test]
    fn an_escape_sequence_cannot_split_a_tag_name() {
        let found = found(
            "a.html",
            "<meta charset=iso-2022-jp><scr\u{1b}(Bipt>x</script>",
        );
        assert!(found.is_some_and(|m| m.contains("escape")));
    }

    #[test]
    fn utf16_cannot_hide_a_script() {
        let text = "<svg><script>x</script></svg>";
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert!(check(Path::new("a.svg"), &bytes).is_some());
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(check(Path::new("a.svg"), &be).is_some());
    }

    #[test]
    fn plain_drawings_and_other_files_pass() {
        let svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
                   xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">\
                   <style>rect { fill: red; }</style><a href=\"https://example.com/\"><rect style=\"fill: blue\" width=\"5\" height=\"5\"/></a>\
                   <image href=\"data:image/png;base64,iVBORw0=\"/><text title=\"metadata: none\">only=one</text></svg>";
        assert_eq!(found("drawing.svg", svg), None);
        assert_eq!(found("notes.txt", "<script>x</script>"), None);
    }

    #[test]
    fn the_position_is_that_of_the_first_construct() {
        let d = check(Path::new("a.svg"), b"<svg>\n  <g>\n    <script>x</script>").unwrap();
        assert_eq!((d.span.unwrap().line, d.span.unwrap().col), (3, 5));
    }
}
