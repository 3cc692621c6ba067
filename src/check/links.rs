//! Resolving the links of every body: by document id (`POL-009#retention`), by control id
//! (`A.8.13`), by relative path to another content file or asset, or external.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use super::lookup::Sorted;
use crate::core::catalog::catalog;
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::suggest::{Budget, Suggester};
use crate::core::types::NonconformityId;
use crate::core::types::{ControlId, DocumentId};
use crate::load::markdown::html_scan;
use crate::load::model::{Document, Handbook};
use crate::load::CONTENT_DIR;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Document {
        id: DocumentId,
        anchor: Option<String>,
    },
    Control(ControlId),
    /// A risk of `content/risks.yaml`: `[R-001](R-001)`.
    Risk(crate::core::types::RiskId),
    /// A nonconformity of `content/nonconformities.yaml`: `[NC-2026-03](NC-2026-03)`.
    Nonconformity(crate::core::types::NonconformityId),
    /// A file under `content/`, relative to it, with an optional `#fragment`.
    Asset {
        path: PathBuf,
        fragment: Option<String>,
    },
    External(String),
    /// A heading of the same page.
    Anchor(String),
    /// Broken (reported) or pointing at a document that has no page (its own error reported).
    Unresolved,
}

/// Link targets per document (same order as `Handbook::documents`), per link of its body.
pub struct Resolved {
    pub targets: Vec<Vec<Target>>,
}

impl Resolved {
    /// The documents that link to document `to` or name it in `related`, as
    /// [`Resolved::backlinks`] has them for `to`: a scan, cheaper than the whole table when
    /// `serve` writes a page or two.
    pub fn backlinks_to<'a>(&self, hb: &'a Handbook, to: &DocumentId) -> BTreeSet<&'a DocumentId> {
        let from_to = |(doc, targets): (&'a Document, &Vec<Target>)| {
            let from = &doc.id.as_ref()?.value;
            let links =
                (targets.iter()).any(|t| matches!(t, Target::Document { id, .. } if id == to));
            let names = doc.related.iter().any(|r| &r.value == to);
            (from != to && (links || names)).then_some(from)
        };
        hb.documents
            .iter()
            .zip(&self.targets)
            .filter_map(from_to)
            .collect()
    }

    /// Which documents link to which (body links and `related`), for "referenced by".
    pub fn backlinks<'a>(
        &self,
        hb: &'a Handbook,
    ) -> BTreeMap<&'a DocumentId, BTreeSet<&'a DocumentId>> {
        // Pairs sorted once and grouped, rather than a tree insertion per link: `serve`
        // renders pages with these after every edit.
        let mut pairs: Vec<(&DocumentId, &DocumentId)> = Vec::new();
        let ids = hb
            .documents
            .iter()
            .filter_map(|d| Some((&d.id.as_ref()?.value, d)));
        let by_id = Sorted::first_of(ids.collect());
        for (doc, targets) in hb.documents.iter().zip(&self.targets) {
            let Some(from) = &doc.id else { continue };
            let linked = targets.iter().filter_map(|t| match t {
                Target::Document { id, .. } => {
                    by_id.get(id).and_then(|d| d.id.as_ref()).map(|s| &s.value)
                }
                _ => None,
            });
            let related = doc.related.iter().filter_map(|r| {
                by_id
                    .get(&r.value)
                    .and_then(|d| d.id.as_ref())
                    .map(|s| &s.value)
            });
            for to in linked.chain(related) {
                if to != &from.value {
                    pairs.push((to, &from.value));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let groups = pairs.chunk_by(|a, b| a.0 == b.0);
        groups
            .map(|g| (g[0].0, g.iter().map(|&(_, from)| from).collect()))
            .collect()
    }
}

pub fn resolve(hb: &Handbook, diags: &mut Vec<Diagnostic>) -> Resolved {
    let all: Vec<usize> = (0..hb.documents.len()).collect();
    let (docs, _) = resolve_documents(hb, &all);
    // Every body's problems, then every `related` list's: the order of a whole run.
    for d in &docs {
        diags.extend(d.body.iter().cloned());
    }
    for d in &docs {
        diags.extend(d.related.iter().cloned());
    }
    Resolved {
        targets: docs.into_iter().map(|d| d.targets).collect(),
    }
}

/// What resolving one document's links found: what `serve` keeps between edits.
#[derive(Clone, Debug, Default)]
pub struct DocumentLinks {
    /// Per link of its body.
    pub targets: Vec<Target>,
    /// The problems of its body's links, in link order.
    pub body: Vec<Diagnostic>,
    /// The unknown documents its `related` names.
    pub related: Vec<Diagnostic>,
}

/// Resolves the links of the documents at `indices` against the whole handbook, with one
/// set of hints for the run. Also says whether the hints ran out of budget: a "did you
/// mean" may then depend on which other documents were resolved in the same run.
///
/// A long list is resolved in parts on every core, each part with no budget for hints; a
/// document that asked for a hint (its links are broken) is then resolved again, in order,
/// with the run's hints. Only hints spend the budget, so the result is that of one pass in
/// order. A short list (`serve`'s edits) is that one pass.
pub fn resolve_documents(hb: &Handbook, indices: &[usize]) -> (Vec<DocumentLinks>, bool) {
    resolve_with_budget(hb, indices, crate::core::suggest::WORK)
}

/// [`resolve_documents`] with hints of `work` cells of budget.
fn resolve_with_budget(hb: &Handbook, indices: &[usize], work: u64) -> (Vec<DocumentLinks>, bool) {
    let ids = hb
        .documents
        .iter()
        .filter_map(|d| Some((&d.id.as_ref()?.value, d)));
    let by_id = Sorted::first_of(ids.collect());
    let paths = hb.documents.iter().map(|d| (d.path.as_path(), d));
    let by_path = Sorted::from_sorted(paths.collect());
    let assets: BTreeSet<&Path> = hb.assets.iter().map(PathBuf::as_path).collect();
    let unreadable: BTreeSet<&Path> = hb.unreadable.iter().map(PathBuf::as_path).collect();
    let context = |work: u64| Context {
        by_id: &by_id,
        by_path: &by_path,
        assets: &assets,
        unreadable: &unreadable,
        hints: Hints {
            budget: Budget::new(work),
            ..Hints::default()
        },
    };
    let ctx = context(work);
    if indices.len() <= PARALLEL_PART {
        let docs = indices.iter().map(|&i| ctx.document(hb, i)).collect();
        return (docs, ctx.hints.budget.exhausted());
    }
    let parts: Vec<&[usize]> = indices.chunks(PARALLEL_PART).collect();
    let resolved = crate::core::parallel::map(&parts, |part| {
        // No budget: a hint asked for here is worked out in the pass below, not twice.
        let ctx = context(0);
        part.iter()
            .map(|&i| {
                ctx.hints.asked.set(false);
                let links = ctx.document(hb, i);
                (links, ctx.hints.asked.get())
            })
            .collect::<Vec<_>>()
    });
    let docs = resolved
        .into_iter()
        .flatten()
        .zip(indices)
        .map(|((links, asked), &i)| match asked {
            true => ctx.document(hb, i),
            false => links,
        })
        .collect();
    (docs, ctx.hints.budget.exhausted())
}

/// Documents resolved by one core at a time: `serve`'s few stay on one.
const PARALLEL_PART: usize = 512;

impl<'a> Context<'a> {
    /// The links of document `i`: its body's and its `related` list's.
    fn document(&self, hb: &'a Handbook, i: usize) -> DocumentLinks {
        let doc = &hb.documents[i];
        let mut out = DocumentLinks::default();
        out.targets = doc
            .body
            .links
            .iter()
            .map(|link| self.link(hb, doc, link, &mut out.body))
            .collect();
        for r in &doc.related {
            if !self.by_id.contains_key(&r.value) {
                let (_, help) = self.unknown_document(&r.value);
                let mut d = Diagnostic::error(
                    Code::BrokenReference,
                    &doc.path,
                    format!("`related` names unknown document {}", r.value),
                )
                .at(r.span);
                d.help = help;
                out.related.push(d);
            }
        }
        out
    }

    /// One link of a body: its target, or a problem in `diags` and `Unresolved`.
    fn link(
        &self,
        hb: &Handbook,
        doc: &'a Document,
        link: &crate::load::markdown::Link,
        diags: &mut Vec<Diagnostic>,
    ) -> Target {
        match self.resolve(doc, &link.dest) {
            _ if link.dest.parse::<crate::core::types::RiskId>().is_ok() => {
                risk_link(hb, doc, link, diags)
            }
            _ if link.dest.parse::<NonconformityId>().is_ok() => {
                nonconformity_link(hb, doc, link, diags)
            }
            Ok(t) => t,
            Err(_) if unsafe_scheme(&link.dest).is_some() => {
                diags.push(unsafe_link(doc, link));
                Target::Unresolved
            }
            Err((message, help)) => {
                let mut d =
                    Diagnostic::error(Code::BrokenReference, &doc.path, message).at(link.span);
                d.help = help;
                diags.push(d);
                Target::Unresolved
            }
        }
    }
}

/// A link `[R-001](R-001)`: to the risk's page, or unknown-risk.
fn risk_link(
    hb: &Handbook,
    doc: &Document,
    link: &crate::load::markdown::Link,
    diags: &mut Vec<Diagnostic>,
) -> Target {
    let Ok(id) = link.dest.parse::<crate::core::types::RiskId>() else {
        return Target::Unresolved;
    };
    let empty = crate::load::risks::Risks::default();
    let risks = hb.risks.as_ref().unwrap_or(&empty);
    if risks.get(&id).is_some() {
        return Target::Risk(id);
    }
    diags.push(super::risks::unknown_risk(&doc.path, &id, link.span, risks));
    Target::Unresolved
}

/// A link `[NC-2026-03](NC-2026-03)`: to the nonconformity on `nonconformities.html`, or
/// unknown-nonconformity with the nearest id.
fn nonconformity_link(
    hb: &Handbook,
    doc: &Document,
    link: &crate::load::markdown::Link,
    diags: &mut Vec<Diagnostic>,
) -> Target {
    let Ok(id) = link.dest.parse::<NonconformityId>() else {
        return Target::Unresolved;
    };
    if hb.nonconformities.iter().any(|n| n.id.value == id) {
        return Target::Nonconformity(id);
    }
    let ids = hb.nonconformities.iter().map(|n| n.id.value.as_str());
    let help = match crate::core::suggest::did_you_mean(id.as_str(), ids) {
        Some(s) => format!("did you mean {s}?"),
        None => format!("add {id} to {}", crate::load::nonconformity::FILE),
    };
    diags.push(
        Diagnostic::error(
            Code::UnknownNonconformity,
            &doc.path,
            format!("link to unknown nonconformity {id}"),
        )
        .at(link.span)
        .help(help),
    );
    Target::Unresolved
}

type Problem = (String, Option<String>);

struct Context<'a> {
    by_id: &'a Sorted<'a, DocumentId>,
    by_path: &'a Sorted<'a, Path>,
    assets: &'a BTreeSet<&'a Path>,
    unreadable: &'a BTreeSet<&'a Path>,
    hints: Hints<'a>,
}

pub use crate::load::markdown::html_scan::SAFE_SCHEMES;

/// The scheme of `dest` when it is not a safe one, read as a browser reads it
/// (`JaVaScRiPt:`, `java\tscript:` and a leading control character are all `javascript:`).
pub fn unsafe_scheme(dest: &str) -> Option<String> {
    html_scan::scheme(dest).filter(|s| !SAFE_SCHEMES.contains(&s.as_str()))
}

fn unsafe_link(doc: &Document, link: &crate::load::markdown::Link) -> Diagnostic {
    let scheme = unsafe_scheme(&link.dest).unwrap_or_default();
    let shown: String = link
        .dest
        .chars()
        .take(48)
        .collect::<String>()
        .escape_debug()
        .to_string();
    let more = if link.dest.chars().count() > 48 {
        "…"
    } else {
        ""
    };
    let help = match scheme.as_str() {
        "data" | "file" => "put the file under content/ and link to it by its path relative to this document",
        s if s.len() == 1 => "a drive letter? Put the file under content/ and link to it by its relative path",
        _ => "only http, https and mailto links, document and control ids, relative paths and #anchors are published",
    };
    Diagnostic::error(
        Code::UnsafeLink,
        &doc.path,
        format!("unsafe link `{shown}{more}`: the `{scheme}:` scheme could run script or reach outside the handbook"),
    )
    .at(link.span)
    .help(help)
}

/// "Did you mean" for a whole run: candidates indexed once, when first needed, and one
/// budget of work, so thousands of broken links cost no more than a few hundred.
#[derive(Default)]
struct Hints<'a> {
    budget: Budget,
    /// Whether a hint was asked for since this was last cleared (see `resolve_documents`).
    asked: Cell<bool>,
    ids: OnceCell<Suggester<'a>>,
    paths: OnceCell<Suggester<'a>>,
    /// Per target document (by path), its heading anchors.
    anchors: RefCell<HashMap<&'a Path, Rc<Suggester<'a>>>>,
    /// Per document with many headings, the set of its anchors.
    anchor_sets: RefCell<HashMap<&'a Path, Rc<HashSet<&'a str>>>>,
}

impl<'a> Hints<'a> {
    /// The budget, to spend on a hint: every hint asks through here.
    fn budget(&self) -> &Budget {
        self.asked.set(true);
        &self.budget
    }

    /// Whether `doc` has a heading `#anchor`: a set per long document, so ten thousand
    /// in-page links to ten thousand headings are not a hundred million comparisons.
    fn has_anchor(&self, doc: &'a Document, anchor: &str) -> bool {
        let headings = &doc.body.headings;
        if headings.len() <= 16 {
            return headings.iter().any(|h| h.anchor == anchor);
        }
        let set = Rc::clone(
            self.anchor_sets
                .borrow_mut()
                .entry(doc.path.as_path())
                .or_insert_with(|| Rc::new(headings.iter().map(|h| h.anchor.as_str()).collect())),
        );
        set.contains(anchor)
    }

    fn anchor(&self, doc: &'a Document, anchor: &str) -> Option<&'a str> {
        let suggester = Rc::clone(
            self.anchors
                .borrow_mut()
                .entry(doc.path.as_path())
                .or_insert_with(|| {
                    Rc::new(Suggester::new(
                        doc.body.headings.iter().map(|h| h.anchor.as_str()),
                    ))
                }),
        );
        suggester.suggest(anchor, self.budget())
    }
}

/// At most this many headings are listed in the help of a broken anchor.
const HEADINGS_LISTED: usize = 12;

impl<'a> Context<'a> {
    fn resolve(&self, doc: &'a Document, dest: &str) -> Result<Target, Problem> {
        if dest.is_empty() {
            return Err((
                "empty link target".into(),
                Some("write the target inside the parentheses: [text](POL-001)".into()),
            ));
        }
        if let Some(scheme) = html_scan::scheme(dest) {
            if !SAFE_SCHEMES.contains(&scheme.as_str()) {
                return Err((format!("unsafe link scheme `{scheme}:`"), None));
            }
            return Ok(Target::External(html_scan::browser_url(dest)));
        }
        if let Some(anchor) = dest.strip_prefix('#') {
            self.check_anchor(doc, anchor, "this document")?;
            return Ok(Target::Anchor(anchor.to_string()));
        }
        let (path_part, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (dest, None),
        };
        if let Ok(id) = path_part.parse::<DocumentId>() {
            let Some(target) = self.by_id.get(&id) else {
                return Err(self.unknown_document(&id));
            };
            if let Some(anchor) = &fragment {
                self.check_anchor(target, anchor, &format!("{id}"))?;
            }
            return Ok(Target::Document {
                id,
                anchor: fragment,
            });
        }
        if path_part.starts_with("A.") {
            return match path_part.parse::<ControlId>() {
                Ok(c) if catalog().control(c).is_some() => Ok(Target::Control(c)),
                _ => Err((
                    format!("link to unknown control {path_part}"),
                    Some(
                        crate::core::catalog::unknown_control(
                            &doc.path,
                            path_part,
                            Span::new(1, 1, 1),
                        )
                        .help
                        .unwrap_or_default(),
                    ),
                )),
            };
        }
        if path_part.starts_with('/') || path_part.starts_with('\\') {
            let here = doc.path.parent().unwrap_or(Path::new(CONTENT_DIR));
            let help = self.absolute_help(here, path_part).unwrap_or_else(|| {
                "link by document id (`POL-009`) or by a path relative to this file (`../policies/backup.md`)".into()
            });
            return Err((
                format!("absolute site path `{path_part}`: the site must work under any sub-path"),
                Some(help),
            ));
        }
        let decoded = percent_decode(path_part);
        let here = doc.path.parent().unwrap_or(Path::new(CONTENT_DIR));
        let Some(joined) = normalize(&here.join(&decoded)) else {
            return Err(escapes(path_part));
        };
        let Ok(in_content) = joined.strip_prefix(CONTENT_DIR) else {
            return Err(escapes(path_part));
        };
        if let Some(target) = self.by_path.get(joined.as_path()) {
            if let Some(id) = &target.id {
                if let Some(anchor) = &fragment {
                    self.check_anchor(target, anchor, &decoded)?;
                }
                return Ok(Target::Document {
                    id: id.value.clone(),
                    anchor: fragment,
                });
            }
            return Ok(Target::Unresolved);
        }
        if self.unreadable.contains(joined.as_path()) {
            return Ok(Target::Unresolved);
        }
        if self.assets.contains(in_content) {
            return Ok(Target::Asset {
                path: in_content.to_path_buf(),
                fragment,
            });
        }
        let help = self
            .same_name(&decoded)
            .or_else(|| {
                self.hints
                    .paths
                    .get_or_init(|| Suggester::new(self.by_path.keys().filter_map(|p| p.to_str())))
                    .suggest(&joined.to_string_lossy(), self.hints.budget())
                    .map(Path::new)
                    // A neighbour in the same folder is no suggestion unless its name is
                    // close too: `offboarding.md` is not `access-review.md`.
                    .filter(|p| {
                        let name =
                            |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
                        match (name(Path::new(&decoded)), name(p)) {
                            (Some(a), Some(b)) => {
                                crate::core::suggest::did_you_mean(&a, [b.as_str()]).is_some()
                            }
                            _ => true,
                        }
                    })
            })
            .map(|p| self.did_you_mean_path(here, p))
            .unwrap_or_else(|| "link by document id (`POL-009`) or check the relative path".into());
        Err((
            format!(
                "link to `{path_part}`: no such file {}",
                crate::core::diagnostics::display_path(&joined)
            ),
            Some(help),
        ))
    }

    /// "did you mean `../x.md` (POL-009 Backup Policy)?" for a document at `to`, written as
    /// a link from the folder `here`.
    fn did_you_mean_path(&self, here: &Path, to: &Path) -> String {
        let link = super::relpath::relative(here, to);
        match self
            .by_path
            .get(to)
            .and_then(|d| d.id.as_ref().map(|i| (i, &d.title)))
        {
            Some((id, title)) => format!("did you mean `{link}` ({} {title})?", id.value),
            None => format!("did you mean `{link}`?"),
        }
    }

    /// The one document whose path ends with what the link names (`physical/locking.md`,
    /// `../locking.md`): a link written from another folder, or moved with its file.
    fn same_name(&self, written: &str) -> Option<&Path> {
        let tail: Vec<&std::ffi::OsStr> = Path::new(written)
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s),
                _ => None,
            })
            .collect();
        if tail.is_empty() {
            return None;
        }
        let mut found = self.by_path.keys().filter(|p| {
            let parts: Vec<&std::ffi::OsStr> = p.iter().collect();
            parts.ends_with(&tail)
        });
        let first = found.next()?;
        found.next().is_none().then_some(first.as_ref())
    }

    /// For `/physical/malware.html` or `/physical/malware.md`: the document at
    /// `content/physical/malware.md`, as a relative link, when there is one.
    fn absolute_help(&self, here: &Path, path: &str) -> Option<String> {
        let rel = percent_decode(path.trim_start_matches(['/', '\\']));
        let rel = rel
            .strip_suffix(".html")
            .map_or(rel.clone(), |s| format!("{s}.md"));
        let target = Path::new(CONTENT_DIR).join(rel);
        self.by_path
            .contains_key(target.as_path())
            .then(|| self.did_you_mean_path(here, &target))
    }

    fn unknown_document(&self, id: &DocumentId) -> Problem {
        let help = self
            .hints
            .ids
            .get_or_init(|| Suggester::new(self.by_id.keys().map(|k| k.as_str())))
            .suggest(id.as_str(), self.hints.budget())
            .and_then(|s| s.parse::<DocumentId>().ok())
            .and_then(|k| self.by_id.get(&k).map(|d| (k, d)))
            .map(|(k, d)| format!("did you mean {k} ({})?", d.title));
        (format!("link to unknown document {id}"), help)
    }
}

fn escapes(path: &str) -> Problem {
    (
        format!("link `{path}` leads outside content/"),
        Some("only files under content/ are published; move the file there".into()),
    )
}

impl<'a> Context<'a> {
    fn check_anchor(&self, doc: &'a Document, anchor: &str, name: &str) -> Result<(), Problem> {
        if self.hints.has_anchor(doc, anchor) {
            return Ok(());
        }
        let help = self
            .hints
            .anchor(doc, anchor)
            .map(|a| format!("did you mean #{a}?"))
            .or_else(|| {
                let headings = &doc.body.headings;
                (!headings.is_empty()).then(|| {
                    let all: Vec<String> = headings
                        .iter()
                        .take(HEADINGS_LISTED)
                        .map(|h| format!("#{}", h.anchor))
                        .collect();
                    let more = match headings.len().saturating_sub(HEADINGS_LISTED) {
                        0 => String::new(),
                        n => format!(" and {n} more"),
                    };
                    format!("its headings are {}{more}", all.join(", "))
                })
            });
        Err((format!("no heading #{anchor} in {name}"), help))
    }
}

/// Resolves `.` and `..` without touching the file system; `None` if it climbs above the start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// `%20` and friends in a link to a file with spaces or non-ASCII letters in its name.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `_base` fixture's document, `n` times over (POLICY-0001 …), each linking to an id
    /// three edits from another's: only a scan finds it, and the scan spends the budget.
    fn far_typos(n: usize) -> Handbook {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/_base");
        let source = crate::load::WorkTree { root: root.clone() };
        let today = "2026-06-01".parse().unwrap();
        let mut hb = crate::load::load(&root, &source, today, crate::load::Keep::Bodies).unwrap();
        let model = hb.documents[0].clone();
        hb.documents = (1..=n)
            .map(|k| {
                let mut d = model.clone();
                let id = d.id.as_mut().unwrap();
                id.value = format!("POLICY-{k:04}").parse().unwrap();
                d.path = PathBuf::from(format!("content/docs/{k:04}.md"));
                d.body.links = vec![crate::load::markdown::Link {
                    dest: format!("QRSICY-{:04}", (k * 7) % n + 1),
                    span: Span::new(8, 5, 8),
                    is_image: false,
                }];
                d.related.clear();
                d
            })
            .collect();
        hb
    }

    /// The links of the documents at `indices` in one pass, in order, with one set of
    /// hints: what [`resolve_documents`] must equal.
    fn in_one_pass(hb: &Handbook, indices: &[usize], work: u64) -> (Vec<DocumentLinks>, bool) {
        let by_id = Sorted::first_of(
            hb.documents
                .iter()
                .filter_map(|d| Some((&d.id.as_ref()?.value, d)))
                .collect(),
        );
        let by_path =
            Sorted::from_sorted(hb.documents.iter().map(|d| (d.path.as_path(), d)).collect());
        let none = BTreeSet::new();
        let ctx = Context {
            by_id: &by_id,
            by_path: &by_path,
            assets: &none,
            unreadable: &none,
            hints: Hints {
                budget: Budget::new(work),
                ..Hints::default()
            },
        };
        let docs = indices.iter().map(|&i| ctx.document(hb, i)).collect();
        (docs, ctx.hints.budget.exhausted())
    }

    #[test]
    fn hints_in_parts_equal_hints_in_one_pass_when_the_budget_runs_out() {
        let n = 3 * PARALLEL_PART + 100;
        let hb = far_typos(n);
        let all: Vec<usize> = (0..n).collect();
        // Enough for a few scans of every id, not for all of them.
        let work = 2_000_000;
        let (parts, parts_out) = resolve_with_budget(&hb, &all, work);
        let (one, one_out) = in_one_pass(&hb, &all, work);
        assert!(one_out, "the budget ran out");
        let hinted = |docs: &[DocumentLinks]| {
            docs.iter()
                .filter(|d| d.body.iter().any(|x| x.help.is_some()))
                .count()
        };
        assert!(
            hinted(&one) > 0 && hinted(&one) < n,
            "{} of {n} hinted",
            hinted(&one)
        );
        assert_eq!(parts_out, one_out);
        for (k, (a, b)) in parts.iter().zip(&one).enumerate() {
            assert_eq!(a.targets, b.targets, "document {k}");
            assert_eq!(a.body, b.body, "document {k}");
        }
        assert_eq!(parts.len(), one.len());
    }

    #[test]
    fn percent_decoding_handles_spaces_and_utf8() {
        assert_eq!(percent_decode("a%20b%C3%A9.png"), "a bé.png");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn normalize_refuses_to_climb_out() {
        assert_eq!(
            normalize(Path::new("content/a/../b.md")),
            Some(PathBuf::from("content/b.md"))
        );
        assert_eq!(normalize(Path::new("content/../../x")), None);
    }

    #[test]
    fn only_web_and_mail_schemes_are_safe() {
        assert_eq!(unsafe_scheme("https://example.com"), None);
        assert_eq!(unsafe_scheme(" MailTo:a@b"), None);
        assert_eq!(unsafe_scheme("A.8.13"), None);
        assert_eq!(unsafe_scheme("../x.md#a:b"), None);
        assert_eq!(
            unsafe_scheme("\u{1}JaVa\tScript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(unsafe_scheme("C:\\x").as_deref(), Some("c"));
        assert_eq!(unsafe_scheme("data:text/html,x").as_deref(), Some("data"));
    }
}
