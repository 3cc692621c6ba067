//! Streamed site-wide files (print.html, search-index.js) and body splicing, apart from page contexts.

use std::io::Write as _;
use std::path::Path;

use tera::{Context, Tera};

use super::context::Site;
use super::{resolve_body, Place};

impl Site<'_> {
    /// `search-index.js`: titles, ids, headings and text of every published document and
    /// the control pages, as a script (a JSON fetch would be refused under file://).
    /// Written entry by entry: at 10,000 documents the index is tens of megabytes.
    pub(super) fn write_search_index(&self, out: &Path) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("search-index.js"))?);
        w.write_all(b"window.ISMSBOOK_SEARCH = [\n")?;
        let mut first = true;
        let mut entry = |w: &mut std::io::BufWriter<std::fs::File>,
                         value: serde_json::Value|
         -> std::io::Result<()> {
            if !first {
                w.write_all(b",\n")?;
            }
            first = false;
            // `</` inside a script could end it early in an inline context; keep it inert.
            w.write_all(value.to_string().replace("</", "<\\/").as_bytes())
        };
        for (_, d) in self.published() {
            let headings: Vec<&str> = d.body.headings.iter().map(|h| h.text.as_str()).collect();
            entry(
                &mut w,
                serde_json::json!({
                    "id": d.id_str(), "title": d.title, "url": format!("documents/{}.html", d.id_str()),
                    "kind": d.doc_type.as_str(), "headings": headings.join(" · "),
                    "text": crate::markdown::plain_text(&d.body.html),
                }),
            )?;
        }
        for c in &self.controls {
            entry(
                &mut w,
                serde_json::json!({
                    "id": c.id, "title": c.title, "url": format!("controls/{}.html", c.id),
                    "kind": "control", "headings": c.theme, "text": c.justification,
                }),
            )?;
        }
        w.write_all(b"\n];\n")?;
        w.flush()
    }

    /// `print.html`, written piece by piece: the cover and contents come from one template,
    /// then each document's section from another, streamed to the file with its body, so
    /// memory holds one section at a time even for 10,000 documents.
    pub(super) fn write_print(&self, tera: &Tera, out: &Path) -> Result<(), String> {
        let contents: Vec<_> = self
            .hb
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| d.id.is_some())
            .map(|(i, d)| {
                serde_json::json!({
                    "id": d.id_str(), "title": d.title, "classification": d.classification.value,
                    "published": self.is_published(i),
                })
            })
            .collect();
        let mut ctx = Context::new();
        ctx.insert("documents", &contents);
        let shell = self.page(tera, "print.html", "print.html".into(), "", ctx)?;
        drop(contents);
        let file = std::fs::File::create(out.join("print.html")).map_err(|e| e.to_string())?;
        let mut w = std::io::BufWriter::new(file);
        let io = |e: std::io::Error| e.to_string();
        let mut parts = shell.bytes.split_str(BODY_MARK.as_bytes());
        w.write_all(parts.next().unwrap_or_default()).map_err(io)?;
        for (i, d) in self.published() {
            let mut ctx = Context::new();
            ctx.insert(
                "s",
                &serde_json::json!({
                    "doc": &self.rows[i],
                    "owner_title": self.hb.config.role_title(&d.owner.value),
                    "effective": d.effective.map(|x| x.to_string()),
                }),
            );
            ctx.insert("body", BODY_MARK);
            let section = tera
                .render("print-section.html", &ctx)
                .map_err(|e| format!("rendering print.html: {}", super::theme::error_chain(&e)))?;
            let body = resolve_body(
                &d.body.html,
                &self.checked.links.targets[i],
                &Place::Print { doc: d.id_str() },
                &self.withheld,
            );
            w.write_all(&splice(section.as_bytes(), &mut std::iter::once(body)))
                .map_err(io)?;
        }
        for part in parts {
            w.write_all(part).map_err(io)?;
        }
        w.flush().map_err(io)
    }
}

/// Stands for a body in a rendered template until the body is spliced in.
pub(super) const BODY_MARK: &str = "<!--ismsbook:body-->";

/// Replaces each `BODY_MARK` in `page` by the next of `bodies`.
pub(super) fn splice(page: &[u8], bodies: &mut dyn Iterator<Item = String>) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len() + 16 * 1024);
    let mut parts = page.split_str(BODY_MARK.as_bytes());
    if let Some(first) = parts.next() {
        out.extend_from_slice(first);
    }
    for part in parts {
        if let Some(body) = bodies.next() {
            out.extend_from_slice(body.as_bytes());
        }
        out.extend_from_slice(part);
    }
    out
}

/// Splitting bytes on a byte string, for splicing.
trait SplitStr {
    fn split_str<'a>(&'a self, sep: &'a [u8]) -> SplitBytes<'a>;
}

impl SplitStr for [u8] {
    fn split_str<'a>(&'a self, sep: &'a [u8]) -> SplitBytes<'a> {
        SplitBytes {
            rest: Some(self),
            sep,
        }
    }
}

struct SplitBytes<'a> {
    rest: Option<&'a [u8]>,
    sep: &'a [u8],
}

impl<'a> Iterator for SplitBytes<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match rest.windows(self.sep.len()).position(|w| w == self.sep) {
            Some(at) => {
                self.rest = Some(&rest[at + self.sep.len()..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}
