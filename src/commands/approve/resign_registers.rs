//! `sign-approvals` over the registers: the approver's current risk acceptances in
//! content/risks.yaml and their approvals of the SoA's current version in content/soa.yaml,
//! each unsigned or no longer verifying. As for documents, an acceptance or approval whose
//! digest no longer matches (stale, changed since approval) is left alone: it wants a new
//! acceptance or approval, not a signature.

use std::path::Path;

use super::{soa, Refusal};
use crate::check::risks::may_accept;
use crate::check::signatures::Subject;
use crate::check::Checked;
use crate::commands::accept::sign_in_place;
use crate::core::signing::Verdict;
use crate::load::model::Handbook;

fn verified(checked: &Checked, subject: Subject) -> bool {
    checked
        .signatures
        .iter()
        .any(|s| s.subject == subject && matches!(s.verdict, Verdict::Valid { .. }))
}

/// The new text of risks.yaml with every current acceptance by `by` signed, and how many;
/// `None` when there is none to sign.
pub fn signed_acceptances(
    hb: &Handbook,
    checked: &Checked,
    by: &str,
    key: &Path,
) -> Result<Option<(String, usize)>, Refusal> {
    let (Some(register), Some(source)) = (&hb.risks, &hb.risks_source) else {
        return Ok(None);
    };
    let mut text = source.clone();
    let mut n = 0;
    for (i, risk) in register.risks.iter().enumerate() {
        let Some(a) = &risk.acceptance else {
            continue;
        };
        let digest = risk.digest();
        let due = a.by == by
            && a.digest.value == digest
            && may_accept(&hb.config, risk, &a.role.value)
            && !verified(checked, Subject::Acceptance { risk: i });
        if !due {
            continue;
        }
        text = sign_in_place(hb, &text, risk, key)?;
        n += 1;
    }
    Ok((n > 0).then_some((text, n)))
}

/// The new text of soa.yaml with every approval of its current decisions by `by` signed, and
/// how many; `None` when there is none to sign.
pub fn signed_soa(
    hb: &Handbook,
    checked: &Checked,
    by: &str,
    key: &Path,
) -> Result<Option<(String, usize)>, Refusal> {
    let (Some(source), Some(version)) = (&hb.soa_source, &hb.soa.version) else {
        return Ok(None);
    };
    let digest = crate::check::soa::digest(&checked.soa);
    let mut text = source.clone();
    let mut n = 0;
    for (j, a) in hb.soa.approvals.iter().enumerate() {
        let due = a.by == by
            && a.version == version.value
            && a.digest == digest
            && !verified(checked, Subject::Soa { approval: j });
        if due {
            text = soa::sign_in_place(hb, &text, j, key)?;
            n += 1;
        }
    }
    Ok((n > 0).then_some((text, n)))
}
