//! print.html, whole or in parts. Up to [`Limits::print_part`] published documents it holds
//! them all, as it always has; past it, it becomes a contents page that links to
//! `print/1.html` … `print/N.html`, each a printable page of at most that many documents in
//! the same order, so that no page grows with the handbook (65 MB at 10,000 documents).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use tera::{Context, Tera};

use super::context::Site;
use super::whole::{rows, slot, splice, Fill, DOC_CHUNK};
use super::{resolve_body, Place};
use crate::core::types::DocumentId;

/// Which part holds each document: the documents with an id (print's contents, published or
/// withheld) in `hb.documents` order, cut every `per_part`.
pub(super) struct Layout {
    entries: Vec<usize>,
    /// `None`: one print.html holds everything (at most the limit is published).
    per_part: Option<usize>,
}

impl Layout {
    /// How many `print/N.html` pages there are (0 when print.html holds everything).
    pub fn parts(&self) -> usize {
        self.per_part.map_or(0, |n| self.entries.len().div_ceil(n))
    }

    /// The documents of part `k` (0-based), or all of them when not in parts.
    fn part(&self, k: usize) -> &[usize] {
        match self.per_part {
            Some(n) => {
                &self.entries
                    [(k * n).min(self.entries.len())..((k + 1) * n).min(self.entries.len())]
            }
            None => &self.entries,
        }
    }

    /// The part (0-based) that holds document `i` (an index into `hb.documents`).
    fn part_of(&self, i: usize) -> Option<usize> {
        let n = self.per_part?;
        self.entries.binary_search(&i).ok().map(|at| at / n)
    }
}

/// Where a document's section is, seen from part `this`: links to a document in another part
/// go to that part's page.
pub struct InPart<'a> {
    this: usize,
    layout: &'a Layout,
    index_of: &'a std::collections::BTreeMap<&'a DocumentId, usize>,
}

impl InPart<'_> {
    /// `"3.html"` when `id` is printed in part 3 and this is another part; `""` otherwise.
    pub fn page_of(&self, id: &DocumentId) -> String {
        match self.index_of.get(id).and_then(|&i| self.layout.part_of(i)) {
            Some(k) if k != self.this => format!("{}.html", k + 1),
            _ => String::new(),
        }
    }
}

/// The printable pages of the site and the name of each one's PDF: print.html as
/// `handbook`, or each part as `handbook-part-01` … (numbered to sort in order).
pub fn printable_pages(
    hb: &crate::load::model::Handbook,
    checked: &crate::check::Checked,
    opts: &super::Options,
) -> Vec<(String, String)> {
    let site = Site::new(hb, checked, opts);
    let parts = site.print_layout().parts();
    if parts == 0 {
        return vec![("print.html".into(), "handbook".into())];
    }
    let width = parts.to_string().len().max(2);
    (1..=parts)
        .map(|n| {
            (
                format!("print/{n}.html"),
                format!("handbook-part-{n:0width$}"),
            )
        })
        .collect()
}

/// `1234567` as `1,234,567`, as the notes on paged pages show counts.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Site<'_> {
    pub(super) fn print_layout(&self) -> &Layout {
        self.print_layout.get_or_init(|| {
            let entries: Vec<usize> = (0..self.hb.documents.len())
                .filter(|&i| self.hb.documents[i].id.is_some() || self.is_published(i))
                .collect();
            let published = self.published().count();
            let limit = self.opts.limits.print_part();
            Layout {
                entries,
                per_part: (published > limit).then_some(limit),
            }
        })
    }

    /// The first document (index into `hb.documents`) of part `k`, 0 when it has none.
    pub(super) fn print_part_start(&self, k: usize) -> usize {
        self.print_layout().part(k).first().copied().unwrap_or(0)
    }

    /// The parts whose pages show one of `documents` (indices into `hb.documents`).
    pub(super) fn parts_holding(&self, documents: &BTreeSet<usize>) -> BTreeSet<usize> {
        let layout = self.print_layout();
        documents
            .iter()
            .filter_map(|&i| layout.part_of(i))
            .collect()
    }

    /// The contents (slot 0) and sections (slot 1) of part `part` of print.html, or of the
    /// whole of it when `part` is `None`: one section in memory at a time.
    pub(super) fn print_fills<'s>(
        &'s self,
        tera: &'s Tera,
        part: Option<usize>,
    ) -> Vec<Box<Fill<'s>>> {
        let layout = self.print_layout();
        let docs = layout.part(part.unwrap_or(0));
        let contents = docs
            .iter()
            .map(|&i| (i, &self.hb.documents[i]))
            .filter(|(_, d)| d.id.is_some())
            .map(|(i, d)| {
                serde_json::json!({
                    "id": d.id_str(), "title": d.title, "classification": d.classification.value,
                    "published": self.is_published(i),
                })
            });
        let root = if part.is_some() { "../" } else { "" };
        let fill_contents = rows(
            tera,
            ("print-contents.html", "documents", root),
            contents,
            DOC_CHUNK,
            None,
        );
        let fill_sections = move |w: &mut dyn Write| -> Result<(), String> {
            for &i in docs.iter().filter(|&&i| self.is_published(i)) {
                w.write_all(&self.print_section(tera, i, part)?)
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        };
        vec![fill_contents, Box::new(fill_sections)]
    }

    /// Document `i`'s section of print.html or of its part.
    fn print_section(&self, tera: &Tera, i: usize, part: Option<usize>) -> Result<Vec<u8>, String> {
        let d = &self.hb.documents[i];
        let mut ctx = Context::new();
        ctx.insert(
            "s",
            &serde_json::json!({
                "running": super::tidy::running_header(d.id_str(), &d.version.to_string(), &d.classification.value),
                "doc": &self.row(i),
                "owner_title": self.hb.config.role_title(&d.owner.value),
                "effective": d.effective.map(|x| x.to_string()),
            }),
        );
        ctx.insert("body", &slot(0));
        let section = tera
            .render("print-section.html", &ctx)
            .map_err(|e| format!("rendering print.html: {}", super::theme::error_chain(&e)))?;
        let place = Place::Print {
            doc: d.id_str(),
            part: part.map(|this| InPart {
                this,
                layout: self.print_layout(),
                index_of: self.index_of(),
            }),
        };
        let body = self.with_body(i, |html| {
            resolve_body(
                &super::tidy::without_repeated_title(html, &d.body.headings, &d.title),
                &self.checked.links.targets[i],
                &place,
                &self.withheld,
            )
        })?;
        let body = super::tidy::label_checkboxes(&body).into_owned();
        Ok(splice(section.as_bytes(), &[body]))
    }

    /// print.html of a handbook printed in parts: why, and a link to each part with the
    /// documents it holds.
    pub(super) fn write_print_contents(&self, tera: &Tera, out: &Path) -> Result<(), String> {
        let layout = self.print_layout();
        let parts: Vec<_> = (0..layout.parts())
            .map(|k| self.part_summary(layout, k))
            .collect();
        let mut ctx = Context::new();
        ctx.insert("documents", &thousands(self.published().count()));
        ctx.insert("per_part", &thousands(self.opts.limits.print_part()));
        ctx.insert("parts", &parts);
        let page = self.page(tera, "print-parts.html", "print.html".into(), "", ctx)?;
        std::fs::write(out.join("print.html"), page.bytes)
            .map_err(|e| format!("cannot write {}: {e}", out.join("print.html").display()))
    }

    /// Part `k` (0-based) as `print/{k+1}.html`: its cover names the part and its range.
    pub(super) fn write_print_part(&self, tera: &Tera, k: usize, out: &Path) -> Result<(), String> {
        let layout = self.print_layout();
        let dir = out.join("print");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let before: usize = (0..k)
            .map(|j| {
                layout
                    .part(j)
                    .iter()
                    .filter(|&&i| self.is_published(i))
                    .count()
            })
            .sum();
        let mut ctx = Context::new();
        ctx.insert("part", &self.part_summary(layout, k));
        ctx.insert("parts", &layout.parts());
        ctx.insert("sections_before", &before);
        ctx.insert("contents", &slot(0));
        ctx.insert("sections", &slot(1));
        let path = format!("print/{}.html", k + 1);
        let fills = self.print_fills(tera, Some(k));
        self.write_slotted(tera, ("print-part.html", &path, "../"), ctx, fills, out)
    }

    /// What the contents page and a part's cover say of part `k`.
    fn part_summary(&self, layout: &Layout, k: usize) -> serde_json::Value {
        let docs = layout.part(k);
        let n = layout.per_part.unwrap_or(docs.len());
        let doc = |i: Option<&usize>| i.map(|&i| &self.hb.documents[i]);
        let (first, last) = (doc(docs.first()), doc(docs.last()));
        serde_json::json!({
            "number": k + 1,
            "path": format!("print/{}.html", k + 1),
            "from": thousands(k * n + 1),
            "to": thousands(k * n + docs.len()),
            "start": k * n + 1,
            "first_id": first.map(|d| d.id_str()), "first_title": first.map(|d| &d.title),
            "last_id": last.map(|d| d.id_str()), "last_title": last.map(|d| &d.title),
        })
    }
}
