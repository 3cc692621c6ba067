//! `ismsbook approve SoA --by NAME --role ROLE [--sign KEYFILE]`: records an approval of the
//! SoA's current version in soa.yaml, bound to the digest of its decisions (see
//! `check::soa::decisions`), signed when asked. One item is added under `approvals:` (the key
//! is added after `owner:` or `version:` when absent); the new text is read again and refused
//! unless all else reads the same. Approving again with a key signs the approval in place.

use std::path::Path;

use super::sign::{self, signature_for, Signature};
use super::{plain_or_quoted, Refusal};
use crate::check::Checked;
use crate::commands::yaml_lines::Lines;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::types::{Date, Version};
use crate::load::model::{Handbook, Soa, Spanned};
use crate::load::SOA_FILE;

/// What the approval records.
pub struct Entry<'a> {
    pub version: Version,
    pub by: &'a str,
    pub role: &'a str,
    pub date: Date,
    pub digest: &'a str,
    pub signature: Option<&'a Signature>,
}

impl Entry<'_> {
    /// The message its signature signs (`check::signatures::soa_message`).
    pub fn message(&self) -> String {
        crate::core::signing::approval_message(
            "SoA",
            self.version,
            self.role,
            self.date,
            self.digest,
        )
    }
}

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal {
        message: message.into(),
        diagnostics: Vec::new(),
    }
}

/// The lines of one approval item, its dash at `indent`. The one place that writes them (a
/// signed approval adds its lines here).
pub fn approval_item(e: &Entry<'_>, indent: &str, eol: &str) -> String {
    let inner = format!("{indent}  ");
    let mut lines = vec![
        format!("{indent}- version: \"{}\"", e.version),
        format!("{inner}by: {}", plain_or_quoted(e.by)),
        format!("{inner}role: {}", plain_or_quoted(e.role)),
        format!("{inner}date: {}", e.date),
        format!("{inner}digest: {}", e.digest),
    ];
    if let Some(sig) = e.signature {
        lines.push(format!("{inner}signer: {}", plain_or_quoted(&sig.signer)));
        lines.push(format!("{inner}signature: {}", sig.yaml()));
    }
    lines.iter().map(|l| format!("{l}{eol}")).collect()
}

/// Checks the request and returns the new text of soa.yaml, the version and the digest.
pub fn approved_text(
    hb: &Handbook,
    checked: &Checked,
    by: &str,
    role: &str,
    date: Date,
    key: Option<&Path>,
) -> Result<(String, Version, String), Refusal> {
    let Some(text) = &hb.soa_source else {
        return Err(refuse("the handbook has no content/soa.yaml"));
    };
    let blocking = blocking(checked);
    if !blocking.is_empty() {
        return Err(Refusal {
            message: "the SoA has errors; fix them before approving it".into(),
            diagnostics: blocking,
        });
    }
    let Some(version) = hb.soa.version.as_ref().map(|v| v.value) else {
        return Err(refuse("soa.yaml has no `version:`; add `version: \"1.0\"` and `owner: ROLE` at its top, then approve it"));
    };
    let approvers = &hb.config.approval_roles;
    if !approvers.iter().any(|r| r == role) {
        return Err(refuse(format!(
            "role {role} may not approve the SoA: [approval] roles in ismsbook.toml allows {}",
            approvers.join(", ")
        )));
    }
    let digest = crate::check::soa::digest(&checked.soa);
    let same_version = hb.soa.approvals.iter().enumerate();
    for (j, a) in same_version.filter(|(_, a)| a.version == version) {
        if a.digest != digest {
            return Err(refuse(format!(
                "version {version} of the SoA was approved by {} on {} with different decisions; bump `version:` in soa.yaml (e.g. to \"{}.{}\") before approving the changed SoA",
                a.by, a.date, version.major, version.minor + 1
            )));
        }
        if a.by == by && a.role.value == role {
            if let (Some(key), None) = (key, &a.signature) {
                return sign_in_place(hb, text, j, key).map(|new| (new, version, digest));
            }
            return Err(refuse(format!(
                "{by} already approved version {version} of the SoA as {role}"
            )));
        }
    }
    let mut entry = Entry {
        version,
        by,
        role,
        date,
        digest: &digest,
        signature: None,
    };
    let signature = match key {
        Some(key) => Some(signature_for(hb, key, &entry.message()).map_err(refuse)?),
        None => None,
    };
    entry.signature = signature.as_ref();
    let new = insert(text, &entry);
    verify(&hb.soa, &new, &entry).map_err(|why| {
        refuse(format!(
            "the SoA cannot be approved automatically: {why}.\nAdd under `approvals:` in {SOA_FILE} by hand:\n{}",
            approval_item(&entry, "  ", "\n").trim_end()
        ))
    })?;
    Ok((new, version, digest))
}

/// The errors an approval of the SoA waits for: soa.yaml's own (but those an approval
/// settles) and the risk register's that decide applicability.
fn blocking(checked: &Checked) -> Vec<Diagnostic> {
    checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter(|d| {
            (d.file == Path::new(SOA_FILE)
                && !matches!(
                    d.code,
                    Code::SoaChangedSinceApproval
                        | Code::ApprovalUnsigned
                        | Code::ApprovalSignatureInvalid
                ))
                || matches!(
                    d.code,
                    Code::RiskInvalid | Code::RiskControlExcluded | Code::UnknownRisk
                )
        })
        .cloned()
        .collect()
}

/// soa.yaml with its approval `index` signed with `key` (over the approval as written).
pub fn sign_in_place(
    hb: &Handbook,
    text: &str,
    index: usize,
    key: &Path,
) -> Result<String, Refusal> {
    let a = &hb.soa.approvals[index];
    let message = crate::check::signatures::soa_message(a);
    let sig = signature_for(hb, key, &message).map_err(refuse)?;
    sign::sign_existing(text, index, &sig).map_err(|why| {
        refuse(format!(
            "the SoA's approval cannot be signed automatically: {why}.\nAdd to its approval by {} in {SOA_FILE} by hand:\n  signer: {}\n  signature: {}",
            a.by,
            plain_or_quoted(&sig.signer),
            sig.yaml()
        ))
    })
}

/// The text with the approval added under `approvals:`, or with `approvals:` added after
/// `owner:` (or `version:`) when there is none yet.
fn insert(text: &str, entry: &Entry<'_>) -> String {
    let lines = Lines::new(text);
    match lines.find_key(0, lines.lines.len(), 0, "approvals") {
        Some(at) => {
            let end = lines.block_end(at);
            let indent = (at + 1..end).find_map(|i| lines.indent(i)).unwrap_or(2);
            let item = approval_item(entry, &" ".repeat(indent), lines.eol);
            lines.splice(end, end, &item)
        }
        None => {
            let after = ["owner", "version"]
                .iter()
                .find_map(|k| lines.find_key(0, lines.lines.len(), 0, k))
                .map_or(0, |i| lines.block_end(i));
            let item = approval_item(entry, "  ", lines.eol);
            lines.splice(after, after, &format!("approvals:{}{item}", lines.eol))
        }
    }
}

fn verify(old: &Soa, new_text: &str, e: &Entry<'_>) -> Result<(), String> {
    let mut diags = Vec::new();
    let new = crate::load::read_soa(new_text, &mut diags);
    let values = |s: &Soa| {
        let ex: Vec<(String, String)> = s
            .excluded
            .iter()
            .map(|(k, v)| (k.to_string(), v.value.clone()))
            .collect();
        let inc: Vec<(String, String)> = s
            .included
            .iter()
            .map(|(k, v)| (k.to_string(), v.value.clone()))
            .collect();
        let approvals: Vec<String> = s
            .approvals
            .iter()
            .map(|a| {
                let signed = |s: &Option<Spanned<String>>| s.as_ref().map(|s| s.value.clone());
                format!(
                    "{}|{}|{}|{}|{}|{:?}|{:?}",
                    a.version,
                    a.by,
                    a.role.value,
                    a.date,
                    a.digest,
                    signed(&a.signer),
                    signed(&a.signature)
                )
            })
            .collect();
        (
            ex,
            inc,
            s.version.as_ref().map(|v| v.value),
            s.owner.as_ref().map(|o| o.value.clone()),
            approvals,
        )
    };
    let (mut want, got) = (values(old), values(&new));
    let sig = e.signature;
    want.4.push(format!(
        "{}|{}|{}|{}|{}|{:?}|{:?}",
        e.version,
        e.by,
        e.role,
        e.date,
        e.digest,
        sig.map(|s| s.signer.clone()),
        sig.map(|s| s.armored.trim().to_string())
    ));
    if !diags.is_empty() || want != got {
        return Err(
            "the edited file would not read back as the same SoA with this approval".into(),
        );
    }
    Ok(())
}
