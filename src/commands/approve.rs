//! `ismsbook approve`: records an approval of the current version, bound to the body's digest.
//!
//! The front matter is edited through the YAML the parser read, never re-serialised nor
//! searched as text: comments, key order, quoting and line endings stay as they were. Only
//! the status value changes, and the approval is added (with `effective` and `review.last`
//! when they are absent: an approval is a review). What cannot be edited with certainty is
//! refused, with the lines to write by hand. The file is replaced in place: see [`write`].

mod edit;
pub mod resign;
pub mod resign_registers;
pub mod sign;
pub mod soa;
mod tree;
mod write;

pub use edit::plain_or_quoted;
pub use write::{write, write_file};

use crate::check::Checked;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::types::{Date, Status};
use crate::load::model::{Document, Handbook};

pub struct Request<'a> {
    pub id: &'a str,
    pub by: &'a str,
    pub role: &'a str,
    pub date: Date,
    /// `--sign KEYFILE`: sign the approval with this SSH key.
    pub sign: Option<&'a std::path::Path>,
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
        let hint = crate::core::suggest::did_you_mean(req.id, ids)
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
                Code::UnapprovedVersion
                    | Code::ReviewOverdue
                    | Code::ChangedSinceApproval
                    | Code::ApprovalUnsigned
                    | Code::ApprovalSignatureInvalid
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
    let same = |a: &&crate::load::model::Approval| {
        a.version == doc.version && a.by == req.by && a.role.value == req.role
    };
    if let Some(i) = doc.approvals.iter().position(|a| same(&a)) {
        // Approving again with a key signs the approval already there.
        if let (Some(key), None) = (req.sign, &doc.approvals[i].signature) {
            let message = sign::message_of(doc, &doc.approvals[i]);
            let signature = sign::signature_for(hb, key, &message).map_err(refuse)?;
            return Ok((sign_in_place(doc, i, &signature)?, doc));
        }
        return Err(refuse(format!(
            "{} already approved version {} of {} as {}",
            req.by, doc.version, req.id, req.role
        )));
    }
    let signature = match req.sign {
        Some(key) => {
            let message = crate::core::signing::approval_message(
                doc.id_str(),
                doc.version,
                req.role,
                req.date,
                &doc.digest,
            );
            Some(sign::signature_for(hb, key, &message).map_err(refuse)?)
        }
        None => None,
    };
    Ok((edit(doc, req, signature.as_ref())?, doc))
}

/// The document's text with approval `index` signed.
fn sign_in_place(doc: &Document, index: usize, sig: &sign::Signature) -> Result<String, Refusal> {
    let text = &doc.source;
    let split = crate::load::split(text, &doc.path).map_err(|d| Refusal {
        message: format!("{} has no front matter", doc.id_str()),
        diagnostics: vec![d],
    })?;
    let yaml_start = split.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let yaml_end = yaml_start + split.yaml.len();
    match sign::sign_existing(split.yaml, index, sig) {
        Ok(new) => Ok(format!("{}{new}{}", &text[..yaml_start], &text[yaml_end..])),
        Err(why) => Err(refuse(format!(
            "{} cannot be signed automatically: {why}.\nAdd to its approval by hand ({}):\n  signer: {}\n  signature: {}",
            doc.id_str(),
            crate::core::diagnostics::display_path(&doc.path),
            sig.signer,
            sig.yaml()
        ))),
    }
}

/// The document's text with the approval recorded in its front matter, or why approve will
/// not edit it (with the lines to add by hand).
fn edit(
    doc: &Document,
    req: &Request<'_>,
    signature: Option<&sign::Signature>,
) -> Result<String, Refusal> {
    let text = &doc.source;
    let split = crate::load::split(text, &doc.path).map_err(|d| Refusal {
        message: format!("{} has no front matter", req.id),
        diagnostics: vec![d],
    })?;
    let needs = edit::Needs {
        status: doc.status != Status::Approved,
        effective: doc.effective.is_none(),
        review_last: doc.review.last.is_none(),
    };
    let approval = edit::Approval {
        version: doc.version.to_string(),
        by: req.by,
        role: req.role,
        date: req.date.to_string(),
        digest: &doc.digest,
        signature,
    };
    let yaml_start = split.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let yaml_end = yaml_start + split.yaml.len();
    match edit::edit(split.yaml, needs, &approval) {
        Ok(new) => Ok(format!("{}{new}{}", &text[..yaml_start], &text[yaml_end..])),
        Err(why) => Err(refuse(format!(
            "{} cannot be approved automatically: {why}.\nEdit its front matter by hand ({}), setting:\n{}",
            req.id,
            crate::core::diagnostics::display_path(&doc.path),
            edit::by_hand(needs, &approval).trim_end()
        ))),
    }
}
