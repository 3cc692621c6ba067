//! Listings past [`Limits::rows_per_page`](super::Limits) rows, in pages: the first page keeps
//! the listing's address (`documents/index.html`, `reviews.html`), the next ones add `-2`,
//! `-3` … (`documents/index-2.html`; ids are upper-case, so no document takes such a name).
//! At or under the limit a listing is one page, as it always was.

use std::ops::Range;
use std::path::Path;

use serde_json::{json, Value};
use tera::{Context, Tera};

use super::context::{ControlRow, DocRow, Site};
use super::memo::Lazy;
use super::print::thousands;
use super::whole::{rows, slot, Fill, DOC_CHUNK};
use super::OutputFile;

/// `rows` rows cut every `per`.
#[derive(Clone, Copy)]
pub(super) struct Pager {
    pub rows: usize,
    pub per: usize,
}

impl Pager {
    pub fn pages(&self) -> usize {
        self.rows.div_ceil(self.per).max(1)
    }

    /// The rows of page `p` (0-based).
    pub fn range(&self, p: usize) -> Range<usize> {
        (p * self.per).min(self.rows)..((p + 1) * self.per).min(self.rows)
    }
}

/// The file of page `p` (0-based) of the listing at `base` + `.html`.
pub(super) fn page_file(base: &str, p: usize) -> String {
    match p {
        0 => format!("{base}.html"),
        _ => format!("{base}-{}.html", p + 1),
    }
}

/// What `pager.html` shows on page `p`: where the rows are, and links to the other pages
/// (the first two, the last two and two on either side; gaps between).
pub(super) fn pager(pager: Pager, p: usize, base: &str, what: &str, note: &str) -> Value {
    if pager.pages() == 1 {
        return Value::Null;
    }
    let name = base.rsplit('/').next().unwrap_or(base);
    let href = |q: usize| page_file(name, q);
    let last = pager.pages() - 1;
    let mut links = Vec::new();
    for q in 0..=last {
        let shown = q < 2 || q + 2 > last || q.abs_diff(p) <= 2;
        match shown {
            true => links.push(json!({ "number": q + 1, "href": href(q), "current": q == p })),
            false if links.last() != Some(&Value::Null) => links.push(Value::Null),
            false => {}
        }
    }
    let range = pager.range(p);
    json!({
        "what": what, "note": note, "number": p + 1, "pages": pager.pages(),
        "from": thousands(range.start + 1), "to": thousands(range.end),
        "total": thousands(pager.rows),
        "prev": (p > 0).then(|| href(p - 1)), "next": (p < last).then(|| href(p + 1)),
        "links": links,
    })
}

/// What a table in pages does: its script sorts and filters the rows it holds.
const TABLE_NOTE: &str =
    "Sorting and the filter work on this page; the search box finds any document.";

/// A table of a listing: what its heading shows, and its rows.
pub(super) struct Group<'r> {
    pub meta: Value,
    pub rows: Vec<&'r DocRow>,
}

/// A listing of grouped document rows and how it is written.
pub(super) struct Listing<'t> {
    /// (template, base path without `.html`, way back to the root)
    pub page: (&'t str, &'t str, &'t str),
    pub rows_template: &'t str,
    /// What the rows are, for the pager: "documents", "approved documents".
    pub what: &'t str,
}

impl Site<'_> {
    /// Writes `groups` as the pages of `listing`; returns how many. Each page shows the
    /// groups that have rows on it (a group cut by a page says which of its rows it holds);
    /// empty groups show on the first page. The first page of a listing in pages also gets
    /// `types`: each group, the page it starts on, and (when its table is elsewhere) the
    /// anchor `{id_prefix}{key}` that the sidebar links to.
    pub(super) fn write_grouped(
        &self,
        tera: &Tera,
        listing: &Listing<'_>,
        groups: Vec<Group<'_>>,
        out: &Path,
    ) -> Result<usize, String> {
        let total = groups.iter().map(|g| g.rows.len()).sum();
        let pages = Pager {
            rows: total,
            per: self.opts.limits.rows_per_page(),
        };
        let (template, base, root) = listing.page;
        let starts: Vec<usize> = groups
            .iter()
            .scan(0, |at, g| {
                let start = *at;
                *at += g.rows.len();
                Some(start)
            })
            .collect();
        for p in 0..pages.pages() {
            let range = pages.range(p);
            let mut shown = Vec::new();
            let mut fills: Vec<Box<Fill<'_>>> = Vec::new();
            for (g, &start) in groups.iter().zip(&starts) {
                let from = range.start.max(start) - start;
                let to = range.end.min(start + g.rows.len()).saturating_sub(start);
                let empty_here = g.rows.is_empty() && p == 0;
                if from >= to && !empty_here {
                    continue;
                }
                let mut meta = g.meta.clone();
                meta["rows"] = slot(fills.len()).into();
                if to - from < g.rows.len() {
                    meta["range"] = format!("{}–{}", thousands(from + 1), thousands(to)).into();
                }
                shown.push(meta);
                let slice = g.rows[from..to].iter().copied();
                let memo = self.memo_at(format!("{}@{}", page_file(base, p), fills.len()));
                fills.push(rows(
                    tera,
                    (listing.rows_template, "documents", root),
                    slice,
                    DOC_CHUNK,
                    memo,
                ));
            }
            let mut ctx = Context::new();
            ctx.insert("groups", &shown);
            ctx.insert("pager", &pager(pages, p, base, listing.what, TABLE_NOTE));
            if p == 0 && pages.pages() > 1 {
                let types: Vec<Value> = groups
                    .iter()
                    .zip(&starts)
                    .map(|(g, &start)| {
                        let on = (start / pages.per).min(pages.pages() - 1);
                        let name = base.rsplit('/').next().unwrap_or(base);
                        json!({ "meta": g.meta, "page": on + 1, "href": page_file(name, on), "here": on == 0 })
                    })
                    .collect();
                ctx.insert("types", &types);
            }
            let path = page_file(base, p);
            self.write_slotted(tera, (template, &path, root), ctx, fills, out)?;
        }
        Ok(pages.pages())
    }
}

/// Removes pages of a listing beyond `pages` left from when it had more (in `serve`, which
/// writes over the last site; a fresh build never has them).
pub(super) fn remove_beyond(out: &Path, base: &str, pages: usize) -> std::io::Result<()> {
    let mut p = pages;
    loop {
        let file = out.join(page_file(base, p));
        match std::fs::remove_file(&file) {
            Ok(()) => p += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

/// After `serve` wrote `written` (paths relative to `out`) over the site: of each listing
/// among them, the pages past its new last page, which a fresh build would not have. (Any
/// page `X.html` may start a listing; no other page is named `X-2.html`.)
pub(super) fn remove_stale(out: &Path, written: &[std::path::PathBuf]) -> Result<(), String> {
    let written_set: std::collections::BTreeSet<&Path> =
        written.iter().map(|p| p.as_path()).collect();
    for base in written
        .iter()
        .filter_map(|w| w.to_str()?.strip_suffix(".html"))
    {
        let mut pages = 1;
        while written_set.contains(Path::new(&page_file(base, pages))) {
            pages += 1;
        }
        remove_beyond(out, base, pages)
            .map_err(|e| format!("cannot remove a page of {base}.html: {e}"))?;
    }
    Ok(())
}

impl Site<'_> {
    /// The page of control `c`, with `ctx` holding what else it shows; past the limit of
    /// implementing documents, more pages (`controls/A.5.1-2.html` …) list the rest.
    pub(super) fn control_pages(
        &self,
        tera: &Tera,
        c: &ControlRow,
        mut ctx: Context,
    ) -> Result<Vec<OutputFile>, String> {
        let pages = Pager {
            rows: c.documents.len(),
            per: self.opts.limits.rows_per_page(),
        };
        let base = format!("controls/{}", c.id);
        if pages.pages() == 1 {
            ctx.insert("control", c);
            return Ok(vec![self.page(
                tera,
                "control.html",
                page_file(&base, 0),
                "../",
                ctx,
            )?]);
        }
        (0..pages.pages())
            .map(|p| {
                let mut ctx = ctx.clone();
                let part = ControlRow {
                    documents: c.documents[pages.range(p)].to_vec(),
                    ..c.clone()
                };
                ctx.insert("control", &part);
                ctx.insert(
                    "pager",
                    &pager(pages, p, &base, "implementing documents", ""),
                );
                self.page(tera, "control.html", page_file(&base, p), "../", ctx)
            })
            .collect()
    }
}

impl Site<'_> {
    /// The pages of a listing of `rows` at `base` (`risks/index`): `page` renders page `p`
    /// from `ctx`, which gets the page's rows as `key` and the `pager` (with `note`).
    /// The rows go to `page` as its one lazy part (see [`Site::listing_page`]).
    pub(super) fn paged_rows<T: serde::Serialize>(
        &self,
        rows: &[T],
        base: &str,
        (key, note): (&str, &str),
        page: impl Fn(usize, Context, &Lazy<'_>) -> Result<OutputFile, String>,
        ctx: Context,
    ) -> Result<Vec<OutputFile>, String> {
        let pages = Pager {
            rows: rows.len(),
            per: self.opts.limits.rows_per_page(),
        };
        (0..pages.pages())
            .map(|p| {
                let mut ctx = ctx.clone();
                ctx.insert("pager", &pager(pages, p, base, key, note));
                let slice = &rows[pages.range(p)];
                page(p, ctx, &[(key, &slice)])
            })
            .collect()
    }
}
