//! What changed between two versions of the handbook: documents added, removed, renamed and
//! changed, version bumps, approvals given, controls gained and lost, and a redline of each
//! changed body. This is what a surveillance auditor asks first.

use std::collections::BTreeSet;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::check::{coverage, ControlCoverage};
use crate::core::diagnostics::display_path;
use crate::core::types::{ControlId, Status};
use crate::load::model::{Document, Handbook};
use crate::load::Source;

#[derive(Clone, Debug, Serialize)]
pub struct Changes {
    pub from: String,
    pub to: String,
    pub added: Vec<DocSummary>,
    pub removed: Vec<DocSummary>,
    pub changed: Vec<Changed>,
    /// Applicable controls implemented (by any non-retired document) before and after.
    pub controls_gained: Vec<String>,
    pub controls_lost: Vec<String>,
    /// The SoA's decisions that changed (exclusions, justifications, implementing documents).
    pub soa: super::register::SoaChanges,
    /// Risks added, removed, re-scored and accepted.
    pub risks: super::register::RiskChanges,
}

#[derive(Clone, Debug, Serialize)]
pub struct DocSummary {
    pub id: String,
    pub title: String,
    pub version: String,
    pub status: Status,
    pub path: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Changed {
    pub id: String,
    pub title: String,
    pub renamed_from: Option<String>,
    pub path: String,
    pub version_from: String,
    pub version_to: String,
    pub status_from: Status,
    pub status_to: Status,
    pub approvals_given: Vec<String>,
    pub controls_gained: Vec<String>,
    pub controls_lost: Vec<String>,
    pub body_changed: bool,
    /// The classification of each version: an edition that withholds either withholds the
    /// redline, which shows words of both (see `Withheld::redact`).
    #[serde(skip)]
    pub classifications: [String; 2],
    /// The body as runs of kept, removed and added words; long kept runs shortened.
    pub redline: Vec<Piece>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Piece {
    pub kind: PieceKind,
    pub text: String,
}

/// Whether a run of words is kept, removed or added; serialised as "same", "del", "ins".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PieceKind {
    Same,
    Del,
    Ins,
}

fn summary(d: &Document) -> DocSummary {
    DocSummary {
        id: d.id_str().to_string(),
        title: d.title.clone(),
        version: d.version.to_string(),
        status: d.status,
        path: display_path(&d.path),
    }
}

fn controls(d: &Document) -> BTreeSet<ControlId> {
    d.controls.iter().map(|c| c.value).collect()
}

/// The applicable controls some non-retired document claims, from coverage as the check
/// decides it.
fn covered(controls: &[ControlCoverage]) -> BTreeSet<ControlId> {
    controls
        .iter()
        .filter(|c| c.coverage.is_claimed())
        .map(|c| c.control)
        .collect()
}

fn names(set: impl IntoIterator<Item = ControlId>) -> Vec<String> {
    set.into_iter().map(|c| c.to_string()).collect()
}

/// What changed between two states of the handbook, each read from its `Source`: where a
/// side was loaded without its texts, the texts of changed bodies are read again for the
/// redlines (and left out if the file has changed since).
pub fn compare(
    (from, from_source): (&Handbook, &dyn Source),
    (to, to_source): (&Handbook, &dyn Source),
    from_label: &str,
    to_label: &str,
) -> Changes {
    let body = |hb: &Handbook, source: &dyn Source, d: &Document| -> String {
        if !d.source.is_empty() {
            return d.body_text().to_string();
        }
        crate::load::reread(hb, source, &d.path)
            .and_then(|text| text.get(d.body_start..).map(str::to_string))
            .unwrap_or_default()
    };
    let old = from.by_id();
    let new = to.by_id();
    let added = new
        .iter()
        .filter(|(id, _)| !old.contains_key(*id))
        .map(|(_, d)| summary(d))
        .collect();
    let removed = old
        .iter()
        .filter(|(id, _)| !new.contains_key(*id))
        .map(|(_, d)| summary(d))
        .collect();
    let mut changed = Vec::new();
    for (id, n) in &new {
        let Some(o) = old.get(id) else { continue };
        let body_changed = o.digest != n.digest;
        let (oc, nc) = (controls(o), controls(n));
        let approvals_given = approvals_given(o, n);
        let renamed = o.path != n.path;
        if !(body_changed
            || renamed
            || o.version != n.version
            || o.status != n.status
            || oc != nc
            || !approvals_given.is_empty())
        {
            continue;
        }
        changed.push(Changed {
            id: id.to_string(),
            title: n.title.clone(),
            renamed_from: renamed.then(|| display_path(&o.path)),
            path: display_path(&n.path),
            version_from: o.version.to_string(),
            version_to: n.version.to_string(),
            status_from: o.status,
            status_to: n.status,
            approvals_given,
            controls_gained: names(nc.difference(&oc).copied()),
            controls_lost: names(oc.difference(&nc).copied()),
            body_changed,
            classifications: [
                o.classification.value.clone(),
                n.classification.value.clone(),
            ],
            redline: if body_changed {
                redline(&body(from, from_source, o), &body(to, to_source, n))
            } else {
                Vec::new()
            },
        });
    }
    let (before, after) = (
        covered(&coverage::compute(from)),
        covered(&coverage::compute(to)),
    );
    Changes {
        from: from_label.to_string(),
        to: to_label.to_string(),
        added,
        removed,
        changed,
        controls_gained: names(after.difference(&before).copied()),
        controls_lost: names(before.difference(&after).copied()),
        soa: super::register::soa_changes(from, to),
        risks: super::register::risk_changes(from, to),
    }
}

/// The approvals of `n` that `o` did not have, as sentences.
fn approvals_given(o: &Document, n: &Document) -> Vec<String> {
    let key = |a: &crate::load::model::Approval| {
        (
            a.version.to_string(),
            a.by.clone(),
            a.role.value.clone(),
            a.date.to_string(),
        )
    };
    let known: BTreeSet<_> = o.approvals.iter().map(key).collect();
    n.approvals
        .iter()
        .filter(|a| !known.contains(&key(a)))
        .map(|a| {
            format!(
                "version {} approved by {} ({}) on {}",
                a.version, a.by, a.role.value, a.date
            )
        })
        .collect()
}

/// Words removed and added between two bodies; unchanged stretches longer than a few lines
/// keep only their edges, so a one-word edit in a long policy reads as one line.
pub fn redline(old: &str, new: &str) -> Vec<Piece> {
    const EDGE: usize = 12;
    let old = old.replace("\r\n", "\n");
    let new = new.replace("\r\n", "\n");
    let diff = TextDiff::from_words(old.as_str(), new.as_str());
    let mut pieces: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => PieceKind::Same,
            ChangeTag::Delete => PieceKind::Del,
            ChangeTag::Insert => PieceKind::Ins,
        };
        match pieces.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => pieces.push(Piece {
                kind,
                text: change.value().to_string(),
            }),
        }
    }
    let count = pieces.len();
    for (i, p) in pieces
        .iter_mut()
        .enumerate()
        .filter(|(_, p)| p.kind == PieceKind::Same)
    {
        let words: Vec<&str> = p.text.split_whitespace().collect();
        if words.len() <= 3 * EDGE {
            continue;
        }
        let head = if i == 0 {
            String::new()
        } else {
            words[..EDGE].join(" ") + " "
        };
        let tail = if i + 1 == count {
            String::new()
        } else {
            " ".to_string() + &words[words.len() - EDGE..].join(" ") + " "
        };
        let lead = if i == 0 { "" } else { " " };
        p.text = format!("{lead}{head}…{tail}");
    }
    pieces
}

/// The changes as Markdown, for a terminal, a ticket or an audit file.
pub fn to_markdown(c: &Changes) -> String {
    let mut out = format!("# Changes from {} to {}\n\n", c.from, c.to);
    let list = |out: &mut String, title: &str, docs: &[DocSummary]| {
        if !docs.is_empty() {
            out.push_str(&format!("## {title}\n\n"));
            for d in docs {
                out.push_str(&format!(
                    "- {} {} (v{}, {}) `{}`\n",
                    d.id, d.title, d.version, d.status, d.path
                ));
            }
            out.push('\n');
        }
    };
    list(&mut out, "Added", &c.added);
    list(&mut out, "Removed", &c.removed);
    if !c.changed.is_empty() {
        out.push_str("## Changed\n\n");
        for d in &c.changed {
            out.push_str(&format!("### {} {}\n\n", d.id, d.title));
            if let Some(from) = &d.renamed_from {
                out.push_str(&format!("- renamed: `{from}` → `{}`\n", d.path));
            }
            if d.version_from != d.version_to {
                out.push_str(&format!(
                    "- version: {} → {}\n",
                    d.version_from, d.version_to
                ));
            }
            if d.status_from != d.status_to {
                out.push_str(&format!("- status: {} → {}\n", d.status_from, d.status_to));
            }
            for a in &d.approvals_given {
                out.push_str(&format!("- {a}\n"));
            }
            if !d.controls_gained.is_empty() {
                out.push_str(&format!(
                    "- controls gained: {}\n",
                    d.controls_gained.join(", ")
                ));
            }
            if !d.controls_lost.is_empty() {
                out.push_str(&format!(
                    "- controls lost: {}\n",
                    d.controls_lost.join(", ")
                ));
            }
            if d.body_changed {
                out.push_str("\nRedline (`[-removed-]` `{+added+}`):\n\n> ");
                for p in &d.redline {
                    let text = match p.kind {
                        PieceKind::Del => format!("[-{}-]", p.text),
                        PieceKind::Ins => format!("{{+{}+}}", p.text),
                        PieceKind::Same => p.text.clone(),
                    };
                    out.push_str(&text.replace('\n', "\n> "));
                }
                out.push('\n');
            }
            out.push('\n');
        }
    }
    if !c.controls_gained.is_empty() || !c.controls_lost.is_empty() {
        out.push_str("## Coverage\n\n");
        if !c.controls_gained.is_empty() {
            out.push_str(&format!(
                "- controls now implemented: {}\n",
                c.controls_gained.join(", ")
            ));
        }
        if !c.controls_lost.is_empty() {
            out.push_str(&format!(
                "- controls no longer implemented: {}\n",
                c.controls_lost.join(", ")
            ));
        }
        out.push('\n');
    }
    if c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty() {
        out.push_str("No document changed.\n");
    }
    super::register::to_markdown(c, &mut out);
    out
}

impl Changes {
    /// Clears the redlines of withheld documents, and of documents whose other version was
    /// classified above the edition: a redline shows the removed words too, so a document
    /// cut down and reclassified would leak what it was cut from.
    pub fn redact(&mut self, withheld: &crate::check::Withheld) {
        let hidden = |d: &Changed| {
            withheld.id(&d.id) || d.classifications.iter().any(|l| withheld.level_withheld(l))
        };
        for d in self.changed.iter_mut().filter(|d| hidden(d)) {
            d.redline.clear();
        }
        if withheld.risks() {
            self.risks = Default::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redline_marks_words_and_shortens_long_unchanged_runs() {
        let long: String = (0..100).map(|i| format!("w{i} ")).collect();
        let old = format!("{long}keep old end");
        let new = format!("{long}keep new end");
        let r = redline(&old, &new);
        let kinds: Vec<_> = r.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                PieceKind::Same,
                PieceKind::Del,
                PieceKind::Ins,
                PieceKind::Same
            ]
        );
        assert!(
            r[0].text.starts_with('…') && r[0].text.len() < 150,
            "{:?}",
            r[0].text
        );
        assert_eq!((r[1].text.as_str(), r[2].text.as_str()), ("old", "new"));
    }
}
