//! `ismsbook approve`: records an approval of the current version, bound to the body's digest.
//!
//! The file is edited line by line, never re-serialised: comments, key order, quoting and line
//! endings stay as they were. Only the status value changes, and lines are added for the
//! approval (and for `effective` and `review.last` when they are absent: an approval is a review).

use std::fs;
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Document, Handbook};
use crate::types::{Date, Status};
use crate::validate::Checked;

pub struct Request<'a> {
    pub id: &'a str,
    pub by: &'a str,
    pub role: &'a str,
    pub date: Date,
}

/// Why an approval was refused; the file is untouched.
#[derive(Debug)]
pub struct Refusal {
    pub message: String,
    /// The document's own errors, when those are the reason.
    pub diagnostics: Vec<Diagnostic>,
}

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal {
        message: message.into(),
        diagnostics: Vec::new(),
    }
}

/// Checks the request against the handbook and returns the new text of the document's file.
pub fn approved_text<'h>(
    hb: &'h Handbook,
    checked: &Checked,
    req: &Request<'_>,
) -> Result<(String, &'h Document), Refusal> {
    let Some(doc) = hb.documents.iter().find(|d| d.id_str() == req.id) else {
        let ids: Vec<&str> = hb.documents.iter().map(|d| d.id_str()).collect();
        let hint = crate::suggest::did_you_mean(req.id, ids)
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        return Err(refuse(format!("no document has id {}{hint}", req.id)));
    };
    // Problems an approval itself settles, or that concern other documents, do not block it.
    let blocking: Vec<Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.file == doc.path && d.is_error())
        .filter(|d| {
            !matches!(
                d.code,
                Code::UnapprovedVersion | Code::ReviewOverdue | Code::ChangedSinceApproval
            )
        })
        .cloned()
        .collect();
    if !blocking.is_empty() {
        return Err(Refusal {
            message: format!("{} has errors; fix them before approving it", req.id),
            diagnostics: blocking,
        });
    }
    if doc.status == Status::Retired {
        return Err(refuse(format!(
            "{} is retired; a retired document is not approved",
            req.id
        )));
    }
    let approvers = hb.config.approver_roles(doc.doc_type);
    if !approvers.iter().any(|r| r == req.role) {
        return Err(refuse(format!(
            "role {} may not approve a {}: [approval] in ismsbook.toml allows {}",
            req.role,
            doc.doc_type,
            approvers.join(", ")
        )));
    }
    if let Some(earlier) = doc
        .approvals
        .iter()
        .find(|a| a.version == doc.version && a.digest != doc.digest)
    {
        return Err(refuse(format!(
            "version {} was approved by {} on {} with different text; bump the version (e.g. to \"{}.{}\") before approving the changed text",
            doc.version,
            earlier.by,
            earlier.date,
            doc.version.major,
            doc.version.minor + 1
        )));
    }
    if doc
        .approvals
        .iter()
        .any(|a| a.version == doc.version && a.by == req.by && a.role.value == req.role)
    {
        return Err(refuse(format!(
            "{} already approved version {} of {} as {}",
            req.by, doc.version, req.id, req.role
        )));
    }
    Ok((edit(doc, req), doc))
}

/// Writes the new text next to the file and renames it into place.
pub fn write(root: &Path, doc: &Document, text: &str) -> std::io::Result<()> {
    let path = root.join(&doc.path);
    let mut original = fs::read(&path)?;
    // `load` dropped a byte-order mark; keep the file's own.
    let bom: &[u8] = if original.starts_with(b"\xEF\xBB\xBF") {
        b"\xEF\xBB\xBF"
    } else {
        b""
    };
    original.clear();
    original.extend_from_slice(bom);
    original.extend_from_slice(text.as_bytes());
    let tmp = path.with_extension("md.ismsbook-approve");
    fs::write(&tmp, &original)?;
    fs::rename(&tmp, &path)
}

fn yaml_plain_or_quoted(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_alphanumeric() || " .'-".contains(c))
        && !s.starts_with([' ', '\'', '-'])
        && !s.ends_with(' ');
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The document's text with the approval recorded.
fn edit(doc: &Document, req: &Request<'_>) -> String {
    let text = &doc.source;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // Each line's own ending is kept, so a file with mixed endings keeps them.
    let mut lines: Vec<String> = Vec::new();
    let mut endings: Vec<&str> = Vec::new();
    for l in text.split_inclusive('\n') {
        let content = l.trim_end_matches(['\r', '\n']);
        lines.push(content.to_string());
        endings.push(&l[content.len()..]);
    }
    // Front matter occupies lines 1..closing (0-based indices 1..closing).
    let closing = (doc.body_line - 2) as usize;
    let top_level = |lines: &[String], key: &str| -> Option<usize> {
        (1..closing).find(|&i| {
            let l = &lines[i];
            l.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(':'))
        })
    };
    // The last line of the block a top-level key opens (before the next top-level key).
    let block_end = |lines: &[String], start: usize, closing: usize| -> usize {
        let mut end = start;
        for (i, l) in lines.iter().enumerate().take(closing).skip(start + 1) {
            let t = l.trim_start();
            if !l.starts_with([' ', '\t', '-']) && !t.is_empty() && !t.starts_with('#') {
                break;
            }
            if !t.is_empty() && !t.starts_with('#') {
                end = i;
            }
        }
        end
    };
    let date = req.date.to_string();
    let mut inserts: Vec<(usize, Vec<String>)> = Vec::new(); // insert after index

    // status: replace the value in place.
    let status_line = top_level(&lines, "status");
    if doc.status != Status::Approved {
        if let (Some(i), Some(span)) = (status_line, doc.field_span("status")) {
            let line = &lines[i];
            let start = line
                .char_indices()
                .nth(span.col as usize - 1)
                .map_or(line.len(), |(b, _)| b);
            let end = line
                .char_indices()
                .nth((span.col + span.len) as usize - 1)
                .map_or(line.len(), |(b, _)| b);
            lines[i] = format!("{}approved{}", &line[..start], &line[end..]);
        }
    }
    let anchor = status_line.map_or(closing - 1, |i| block_end(&lines, i, closing));
    let mut after_status = Vec::new();
    if doc.effective.is_none() && top_level(&lines, "effective").is_none() {
        after_status.push(format!("effective: {date}"));
    }
    match top_level(&lines, "review") {
        None => {
            after_status.push("review:".to_string());
            after_status.push(format!("  last: {date}"));
        }
        Some(i) if doc.review.last.is_none() => {
            let line = lines[i].clone();
            let value = line["review:".len()..].trim();
            if value.starts_with('{') {
                let inner = value.trim_start_matches('{').trim_end_matches('}').trim();
                let new = if inner.is_empty() {
                    format!("{{ last: {date} }}")
                } else {
                    format!("{{ last: {date}, {inner} }}")
                };
                let at = line.find('{').unwrap_or(line.len());
                let close = line.rfind('}').map_or(line.len(), |c| c + 1);
                lines[i] = format!("{}{}{}", &line[..at], new, &line[close..]);
            } else {
                let indent = lines
                    .get(i + 1)
                    .filter(|l| l.starts_with(' '))
                    .map_or(2, |l| l.len() - l.trim_start().len());
                inserts.push((i, vec![format!("{}last: {date}", " ".repeat(indent))]));
            }
        }
        Some(_) => {}
    }
    if !after_status.is_empty() {
        inserts.push((anchor, after_status));
    }

    let item = |indent: usize| -> Vec<String> {
        let pad = " ".repeat(indent);
        vec![
            format!("{pad}- version: \"{}\"", doc.version),
            format!("{pad}  by: {}", yaml_plain_or_quoted(req.by)),
            format!("{pad}  role: {}", yaml_plain_or_quoted(req.role)),
            format!("{pad}  date: {date}"),
            format!("{pad}  digest: {}", doc.digest),
        ]
    };
    match top_level(&lines, "approvals") {
        None => {
            let mut block = vec!["approvals:".to_string()];
            block.extend(item(2));
            inserts.push((closing - 1, block));
        }
        Some(i) => {
            let line = &lines[i];
            let value = line["approvals:".len()..].trim();
            if value.starts_with('[') {
                // `approvals: []`: turn the empty flow list into a block list.
                lines[i] = "approvals:".to_string();
                inserts.push((i, item(2)));
            } else {
                let end = block_end(&lines, i, closing);
                let indent = lines[i + 1..=end]
                    .iter()
                    .find(|l| l.trim_start().starts_with('-'))
                    .map_or(2, |l| l.len() - l.trim_start().len());
                inserts.push((end, item(indent)));
            }
        }
    }

    // Apply insertions from the bottom up so indices stay valid.
    inserts.sort_by_key(|(after, _)| std::cmp::Reverse(*after));
    for (after, new) in inserts {
        for (k, l) in new.into_iter().enumerate() {
            lines.insert(after + 1 + k, l);
            endings.insert(after + 1 + k, eol);
        }
    }
    lines
        .iter()
        .zip(&endings)
        .map(|(l, e)| format!("{l}{e}"))
        .collect()
}
