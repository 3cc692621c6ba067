//! Signed risk acceptances (content/risks.yaml) and SoA approvals (content/soa.yaml): the
//! message each signs and the two rules over them, as for a document's approvals.

use super::{verdict, SignedApproval, Subject};
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::signing::{self, AllowedSigners, Signatures, Verdict};
use crate::load::model::{Approval, Handbook, Spanned};
use crate::load::risks::{Acceptance, Risk, RISKS_FILE};
use crate::load::SOA_FILE;

/// The `version:` an acceptance's message carries. A risk has no version: its acceptance is
/// bound to the assessment by the digest alone, so the field holds a placeholder and the
/// message keeps the one format `ssh-keygen -Y verify` checks for every approval.
pub const ACCEPTANCE_VERSION: &str = "-";

/// The message a risk's acceptance signs.
pub fn acceptance_message(risk: &Risk, a: &Acceptance) -> String {
    signing::approval_message(
        risk.id.value.as_str(),
        ACCEPTANCE_VERSION,
        &a.role.value,
        a.date,
        &a.digest.value,
    )
}

/// The message an approval of the SoA signs: its version and the digest of its decisions.
pub fn soa_message(a: &Approval) -> String {
    signing::approval_message("SoA", a.version, &a.role.value, a.date, &a.digest)
}

/// One approval of a register, as the rules see it.
struct Item<'a> {
    file: &'static str,
    subject: Subject,
    signer: Option<&'a Spanned<String>>,
    signature: Option<&'a Spanned<String>>,
    /// Of the current version (the SoA) or the risk's one acceptance: required mode wants it
    /// signed.
    current: bool,
    /// Where an unsigned approval is reported.
    span: Span,
    message: String,
    /// "the acceptance of R-001 by Tom Okafor (CISO)".
    what: String,
    /// The command that signs it.
    sign: String,
}

/// Verifies every signed acceptance and SoA approval into `out`; reports the findings.
pub(super) fn check(
    hb: &Handbook,
    allowed: Option<&AllowedSigners>,
    diags: &mut Vec<Diagnostic>,
    out: &mut Vec<SignedApproval>,
) {
    let risks = hb.risks.iter().flat_map(|r| &r.risks).enumerate();
    for (i, risk) in risks {
        let Some(a) = &risk.acceptance else {
            continue;
        };
        let item = Item {
            file: RISKS_FILE,
            subject: Subject::Acceptance { risk: i },
            signer: a.signer.as_ref(),
            signature: a.signature.as_ref(),
            current: true,
            span: a.span,
            message: acceptance_message(risk, a),
            what: format!(
                "the acceptance of {} by {} ({})",
                risk.id.value, a.by, a.role.value
            ),
            sign: format!("ismsbook sign-approvals --by \"{}\" --sign KEYFILE", a.by),
        };
        one(hb, allowed, item, diags, out);
    }
    let version = hb.soa.version.as_ref().map(|v| v.value);
    for (j, a) in hb.soa.approvals.iter().enumerate() {
        let item = Item {
            file: SOA_FILE,
            subject: Subject::Soa { approval: j },
            signer: a.signer.as_ref(),
            signature: a.signature.as_ref(),
            current: Some(a.version) == version,
            span: a.span,
            message: soa_message(a),
            what: format!(
                "the approval of version {} of the SoA by {} ({})",
                a.version, a.by, a.role.value
            ),
            sign: format!(
                "ismsbook approve SoA --by \"{}\" --role {} --sign KEYFILE",
                a.by, a.role.value
            ),
        };
        one(hb, allowed, item, diags, out);
    }
}

fn one(
    hb: &Handbook,
    allowed: Option<&AllowedSigners>,
    item: Item<'_>,
    diags: &mut Vec<Diagnostic>,
    out: &mut Vec<SignedApproval>,
) {
    let (signer, signature) = match (item.signer, item.signature) {
        (Some(signer), Some(signature)) => (signer, signature),
        (None, None) => {
            if item.current && hb.config.signatures == Signatures::Required {
                diags.push(
                    Diagnostic::error(
                        Code::ApprovalUnsigned,
                        item.file,
                        format!(
                            "{} is not signed, and ismsbook.toml requires signatures",
                            item.what
                        ),
                    )
                    .at(item.span)
                    .help(format!("sign it: {}", item.sign)),
                );
            }
            return;
        }
        (Some(s), None) | (None, Some(s)) => {
            diags.push(
                Diagnostic::error(
                    Code::ApprovalSignatureInvalid,
                    item.file,
                    format!(
                        "{} needs both `signer:` and `signature:`, or neither",
                        item.what
                    ),
                )
                .at(s.span)
                .help(format!("let ismsbook write them: {}", item.sign)),
            );
            return;
        }
    };
    let verdict = verdict(hb, allowed, &item.message, &signer.value, &signature.value);
    if let Verdict::Invalid { reason, .. } = &verdict {
        let help = match hb.allowed_signers {
            None => format!(
                "create {} with the signers' public keys (`jane@example.org ssh-ed25519 AAAA…` a line), or set [approval] allowed_signers",
                hb.config.allowed_signers
            ),
            Some(_) => format!(
                "sign it again with a key allowed_signers lists: {}; or add the signer's key to {}",
                item.sign, hb.config.allowed_signers
            ),
        };
        diags.push(
            Diagnostic::error(
                Code::ApprovalSignatureInvalid,
                item.file,
                format!("the signature of {} does not verify: {reason}", item.what),
            )
            .at(signature.span)
            .help(help),
        );
    }
    out.push(SignedApproval {
        subject: item.subject,
        signer: signer.value.clone(),
        message: item.message,
        armored: signature.value.clone(),
        verdict,
    });
}
