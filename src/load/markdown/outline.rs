//! What `check` needs of a body, without its HTML: the links with their positions and the
//! headings with their anchors, exactly as [`super::parse`] finds them. Writing (and for raw
//! HTML, sanitising) the HTML is most of a parse's cost, and `check` never shows it.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};

use super::{dest_span, options, unique_slug, Body, Heading, Link};
use crate::core::diagnostics::SpanCursor;

/// [`super::parse`] with `html` left empty. A body with raw HTML is parsed whole: its links
/// and the count of tags nested too deep come from the sanitiser's pass.
pub fn outline(body: &str, first_line: u32) -> Body {
    let mut out = Body::default();
    let mut slugs: HashMap<String, usize> = HashMap::new();
    let mut heading: Option<(Option<CowStr<'_>>, String)> = None;
    let mut cursor = SpanCursor::new(body, first_line);
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let (dest, is_image) = match event {
            Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_) => {
                return Body {
                    html: String::new(),
                    ..super::parse(body, first_line)
                }
            }
            Event::Start(Tag::Heading { id, .. }) => {
                heading = Some((id, String::new()));
                continue;
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((id, text)) = heading.take() {
                    let anchor = match id {
                        Some(id) => id.to_string(),
                        None => unique_slug(&text, &mut slugs),
                    };
                    out.headings.push(Heading {
                        level: level as u8,
                        text: text.trim().to_string(),
                        anchor,
                    });
                }
                continue;
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = &mut heading {
                    text.push_str(&t);
                }
                continue;
            }
            _ => continue,
        };
        let span = dest_span(&mut cursor, body, range, &dest);
        out.links.push(Link {
            dest: dest.to_string(),
            span,
            is_image,
        });
    }
    out.links.shrink_to_fit();
    out.headings.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every body gives the links, headings and flattened count of a full parse.
    #[test]
    fn outline_finds_what_a_full_parse_finds() {
        let bodies = [
            "# Title\n\nSee the [backup policy](POL-009) now.\n\n![logo](img/logo.png)\n",
            "## Scope\n\n## Scope\n\n## Roles & `duties`\n\n### Custom {#mine}\n\n[r][ref]\n\n[ref]: ../x.md\n",
            "Text with <a href=\"POL-001\">raw</a> and [md](POL-002).\n\n<div><img src=\"a.png\"></div>\n",
            "| a | b |\n| - | - |\n| [x](https://example.org) | ![i](p.png \"t\") |\n\n[^1]: note [f](POL-3)\n",
            "# \n\n#  Spaces  \n\n- [ ] task [l](<a b.md>)\n",
        ];
        for body in bodies {
            let full = super::super::parse(body, 7);
            let outline = outline(body, 7);
            assert_eq!(outline.links, full.links, "{body}");
            assert_eq!(outline.headings, full.headings, "{body}");
            assert_eq!(outline.flattened, full.flattened, "{body}");
            assert!(outline.html.is_empty());
        }
    }
}
