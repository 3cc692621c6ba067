//! The site-wide files, which list every document: written as streams, a few rows at a time,
//! so that a 10,000-document handbook never holds a whole register as template data.

use std::io::Write;
use std::path::Path;

use tera::{Context, Tera};

use super::context::{DocRow, Site};
use super::memo::Memo;
use super::paged::{Group, Listing};
use crate::check::ReviewState;
use crate::core::catalog::Theme;
use crate::core::types::Status;

impl Site<'_> {
    /// `print.html`: the cover from its template, the contents and then each document's
    /// section (with its body) streamed into the slots, so memory holds one section at a time.
    /// Past the limit of documents, the contents of its parts (see `print`).
    pub(super) fn write_print(&self, tera: &Tera, out: &Path) -> Result<(), String> {
        if self.print_layout().parts() > 0 {
            return self.write_print_contents(tera, out);
        }
        let mut ctx = Context::new();
        ctx.insert("contents", &slot(0));
        ctx.insert("sections", &slot(1));
        self.write_slotted(
            tera,
            ("print.html", "print.html", ""),
            ctx,
            self.print_fills(tera, None),
            out,
        )
    }

    /// `documents/index.html`: the register, a table per document type, each in natural id
    /// order, its rows rendered a chunk at a time; in pages past the limit of rows.
    pub(super) fn write_register(&self, tera: &Tera, out: &Path) -> Result<usize, String> {
        let groups: Vec<Group<'_>> = crate::core::types::DocType::ALL
            .iter()
            .map(|&t| {
                let mut of_type: Vec<&DocRow> = self
                    .rows()
                    .iter()
                    .filter(|r| r.doc_type == t.as_str())
                    .collect();
                of_type.sort_by(|a, b| super::nav::id_order(&a.id, &b.id));
                Group {
                    meta: serde_json::json!({
                        "type": t.as_str(), "title": super::nav::type_label(t),
                        "count": of_type.len(),
                    }),
                    rows: of_type,
                }
            })
            .filter(|g| !g.rows.is_empty())
            .collect();
        let listing = Listing {
            page: ("documents.html", "documents/index", "../"),
            rows_template: "documents-rows.html",
            what: "documents",
        };
        self.write_grouped(tera, &listing, groups, out)
    }

    /// `reviews.html`: approved documents grouped by review state, soonest first; in pages
    /// past the limit of rows.
    pub(super) fn write_reviews(&self, tera: &Tera, out: &Path) -> Result<usize, String> {
        let mut approved: Vec<&DocRow> = self
            .rows()
            .iter()
            .filter(|r| r.status == Status::Approved)
            .collect();
        approved.sort_by(|a, b| (&a.next_review, &a.id).cmp(&(&b.next_review, &b.id)));
        let groups = [
            (ReviewState::Overdue, "Overdue"),
            (ReviewState::DueSoon, "Due soon"),
            (ReviewState::Later, "Later"),
            (ReviewState::NoCycle, "No review cycle"),
        ];
        let groups: Vec<Group<'_>> = groups
            .iter()
            .map(|(state, title)| {
                let rows: Vec<&DocRow> = approved
                    .iter()
                    .copied()
                    .filter(|r| r.review_state == *state)
                    .collect();
                Group {
                    meta: serde_json::json!({ "title": title, "state": state, "count": rows.len() }),
                    rows,
                }
            })
            .collect();
        let listing = Listing {
            page: ("reviews.html", "reviews", ""),
            rows_template: "reviews-rows.html",
            what: "approved documents",
        };
        self.write_grouped(tera, &listing, groups, out)
    }

    /// `controls/index.html`: the controls by theme. Each control row lists every document
    /// that implements it, so rows are rendered a few controls at a time.
    pub(super) fn write_controls_index(&self, tera: &Tera, out: &Path) -> Result<(), String> {
        let mut ctx = Context::new();
        ctx.insert(
            "themes",
            &Theme::ALL
                .iter()
                .enumerate()
                .map(|(n, t)| serde_json::json!({ "name": t.name(), "rows": slot(n) }))
                .collect::<Vec<_>>(),
        );
        ctx.insert("coverage", &self.coverage());
        let fills: Vec<Box<Fill<'_>>> = Theme::ALL
            .iter()
            .map(|t| {
                let of_theme = self.controls().iter().filter(move |c| c.theme == t.name());
                let memo = self.memo_at(format!("controls/index.html@{}", t.name()));
                rows(
                    tera,
                    ("controls-rows.html", "controls", "../"),
                    of_theme,
                    CONTROL_CHUNK,
                    memo,
                )
            })
            .collect();
        self.write_slotted(
            tera,
            ("controls.html", "controls/index.html", "../"),
            ctx,
            fills,
            out,
        )
    }

    /// `soa.html`: the Statement of Applicability, all 93 controls with their documents.
    pub(super) fn write_soa(&self, tera: &Tera, out: &Path) -> Result<(), String> {
        let mut ctx = Context::new();
        ctx.insert("rows", &slot(0));
        ctx.insert("coverage", &self.coverage());
        self.soa_context(&mut ctx);
        let fill = rows(
            tera,
            ("soa-rows.html", "controls", ""),
            self.controls().iter(),
            CONTROL_CHUNK,
            self.memo_at("soa.html".into()),
        );
        self.write_slotted(tera, ("soa.html", "soa.html", ""), ctx, vec![fill], out)
    }

    /// Renders `template` with `ctx` as the page at `path` (`root` leads back to the top),
    /// then writes it to `out` with each slot replaced by what its fill writes.
    pub(super) fn write_slotted(
        &self,
        tera: &Tera,
        (template, path, root): (&str, &str, &str),
        ctx: Context,
        fills: Vec<Box<Fill<'_>>>,
        out: &Path,
    ) -> Result<(), String> {
        let shell = self.page(tera, template, path.into(), root, ctx)?;
        let target = out.join(path);
        let io = |e: std::io::Error| format!("cannot write {}: {e}", target.display());
        let mut w = std::io::BufWriter::new(std::fs::File::create(&target).map_err(io)?);
        fill_slots(&shell.bytes, fills, &mut w).map_err(|e| e.to(&target))?;
        w.flush().map_err(io)
    }
}

/// `page` with each slot replaced by what its fill writes, in memory (see
/// [`Site::write_slotted`], which writes to a file).
pub(super) fn filled(page: &[u8], fills: Vec<Box<Fill<'_>>>) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(page.len() * 2);
    fill_slots(page, fills, &mut out).map_err(|e| e.to(Path::new("memory")))?;
    Ok(out)
}

/// Why filling a page's slots stopped: its writer failed, or a fill did.
enum FillError {
    Io(std::io::Error),
    Fill(String),
}

impl FillError {
    fn to(self, target: &Path) -> String {
        match self {
            FillError::Io(e) => format!("cannot write {}: {e}", target.display()),
            FillError::Fill(e) => e,
        }
    }
}

/// Writes `page` to `w` with each slot replaced by what its fill writes.
fn fill_slots(
    page: &[u8],
    mut fills: Vec<Box<Fill<'_>>>,
    w: &mut dyn Write,
) -> Result<(), FillError> {
    let mut rest = page;
    while let Some((before, n, after)) = next_slot(rest) {
        w.write_all(before).map_err(FillError::Io)?;
        if let Some(fill) = fills.get_mut(n) {
            fill(w).map_err(FillError::Fill)?;
        }
        rest = after;
    }
    w.write_all(rest).map_err(FillError::Io)
}

/// Writes one slot's content: the rows of a table, the sections of print.html.
pub(super) type Fill<'a> = dyn FnMut(&mut dyn Write) -> Result<(), String> + 'a;

/// Documents' rows rendered per template call: enough to make the calls cheap, few enough
/// that a chunk's template data stays small.
pub(super) const DOC_CHUNK: usize = 256;
/// Controls per call: each lists every implementing document (200 at 10,000 documents).
const CONTROL_CHUNK: usize = 4;

/// Where `serve` keeps the rows a fill renders: its memo, and the fill's place (the page's
/// path and slot), which each chunk's number completes.
pub(super) type MemoAt<'a> = Option<(&'a Memo, String)>;

/// A fill that renders `items` with `template`, `chunk` at a time, as the list `key`; with
/// a memo, only the chunks whose rows changed since the last render.
pub(super) fn rows<'a, T: serde::Serialize + 'a>(
    tera: &'a Tera,
    (template, key, root): (&'a str, &'a str, &'a str),
    items: impl Iterator<Item = T> + 'a,
    chunk: usize,
    memo: MemoAt<'a>,
) -> Box<Fill<'a>> {
    let mut items = Some(items);
    Box::new(move |w: &mut dyn Write| {
        let Some(items) = items.take() else {
            return Ok(());
        };
        let mut batch = Vec::with_capacity(chunk);
        let mut chunks = 0;
        let mut flush = |batch: &mut Vec<T>, w: &mut dyn Write| -> Result<(), String> {
            let render = || {
                let mut ctx = Context::new();
                ctx.insert(key, &batch);
                ctx.insert("root", root);
                tera.render(template, &ctx)
                    .map_err(|e| format!("rendering {template}: {}", super::theme::error_chain(&e)))
            };
            let written = match &memo {
                Some((memo, place)) => {
                    let place = format!("{place}#{chunks}");
                    let input: [&dyn super::memo::Part; 3] = [&key, &root, &*batch];
                    w.write_all(memo.render(place, template, &input, render)?.as_bytes())
                }
                None => w.write_all(render()?.as_bytes()),
            };
            chunks += 1;
            batch.clear();
            written.map_err(|e| e.to_string())
        };
        for item in items {
            batch.push(item);
            if batch.len() == chunk {
                flush(&mut batch, w)?;
            }
        }
        if !batch.is_empty() {
            flush(&mut batch, w)?;
        }
        Ok(())
    })
}

/// Where the `n`th streamed part goes in a page: rendered by the page's template, replaced
/// as the page is written.
pub(super) fn slot(n: usize) -> String {
    format!("{SLOT}{n}-->")
}

const SLOT: &str = "<!--ismsbook:slot:";

/// The text before the next slot, its number, and the text after it.
fn next_slot(page: &[u8]) -> Option<(&[u8], usize, &[u8])> {
    let at = memchr::memmem::find(page, SLOT.as_bytes())?;
    let rest = &page[at + SLOT.len()..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let n = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let after = rest[digits..].strip_prefix(b"-->")?;
    Some((&page[..at], n, after))
}

/// Replaces each slot of `page` by the matching one of `parts`: how a body, rendered once
/// at load, goes into its page without passing through the template's data.
pub(super) fn splice(page: &[u8], parts: &[String]) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len() + parts.iter().map(String::len).sum::<usize>());
    let mut rest = page;
    while let Some((before, n, after)) = next_slot(rest) {
        out.extend_from_slice(before);
        if let Some(part) = parts.get(n) {
            out.extend_from_slice(part.as_bytes());
        }
        rest = after;
    }
    out.extend_from_slice(rest);
    out
}
