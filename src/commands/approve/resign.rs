//! `ismsbook sign-approvals --by NAME --sign KEYFILE`: an approver signs, in one go, every
//! approval of a current version they made that is unsigned or no longer verifies (a key
//! rotated in `allowed_signers`). Each approval is signed over its own subject, version, role,
//! date and digest; an approval whose digest no longer matches the body is left alone (it is
//! `changed-since-approval`, and wants a new approval, not a signature).

use std::path::Path;

use super::{refuse, sign, Refusal};
use crate::check::signatures::Subject;
use crate::check::Checked;
use crate::core::signing::Verdict;
use crate::core::types::Status;
use crate::load::model::{Document, Handbook};

/// The new text of each document with an approval by `by` to sign, and how many it signs.
pub fn signed_texts<'h>(
    hb: &'h Handbook,
    checked: &Checked,
    by: &str,
    key: &Path,
) -> Result<Vec<(&'h Document, String, usize)>, Refusal> {
    let mut out = Vec::new();
    for (i, doc) in hb.documents.iter().enumerate() {
        if doc.status == Status::Retired || doc.source.is_empty() {
            continue;
        }
        let verified = |j: usize| {
            checked.signatures.iter().any(|s| {
                s.subject
                    == (Subject::Document {
                        document: i,
                        approval: j,
                    })
                    && matches!(s.verdict, Verdict::Valid { .. })
            })
        };
        let due: Vec<usize> = (0..doc.approvals.len())
            .filter(|&j| {
                let a = &doc.approvals[j];
                a.by == by && a.version == doc.version && a.digest == doc.digest && !verified(j)
            })
            .collect();
        if due.is_empty() {
            continue;
        }
        let split = crate::load::split(&doc.source, &doc.path).map_err(|d| Refusal {
            message: format!("{} has no front matter", doc.id_str()),
            diagnostics: vec![d],
        })?;
        let yaml_start = split.yaml.as_ptr() as usize - doc.source.as_ptr() as usize;
        let yaml_end = yaml_start + split.yaml.len();
        let mut yaml = split.yaml.to_string();
        for &j in &due {
            let message = sign::message_of(doc, &doc.approvals[j]);
            let signature = sign::signature_for(hb, key, &message).map_err(refuse)?;
            yaml = sign::sign_existing(&yaml, j, &signature).map_err(|why| {
                refuse(format!(
                    "{} cannot be signed automatically: {why}; sign it with `ismsbook approve {} --by \"{by}\" --role {} --sign KEYFILE`",
                    doc.id_str(),
                    doc.id_str(),
                    doc.approvals[j].role.value
                ))
            })?;
        }
        let text = format!(
            "{}{yaml}{}",
            &doc.source[..yaml_start],
            &doc.source[yaml_end..]
        );
        out.push((doc, text, due.len()));
    }
    Ok(out)
}
