//! approval-signature-invalid and approval-unsigned: every signed approval verified in-process
//! against `allowed_signers`, as `ssh-keygen -Y verify` would, once per check. The document
//! pages and the bundle read the verdicts and never verify again. Risk acceptances and the
//! SoA's approvals: see [`registers`].

mod registers;

pub use registers::{acceptance_message, soa_message, ACCEPTANCE_VERSION};

use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::signing::{self, AllowedSigners, Signatures, Verdict};
use crate::core::types::Status;
use crate::load::model::{Approval, Document, Handbook};

/// What a signed approval approves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Approval `approval` of `hb.documents[document]`.
    Document { document: usize, approval: usize },
    /// The acceptance of the risk `hb.risks.risks[risk]`.
    Acceptance { risk: usize },
    /// Approval `approval` of soa.yaml.
    Soa { approval: usize },
}

/// One signed approval and what verifying it found.
#[derive(Clone, Debug)]
pub struct SignedApproval {
    pub subject: Subject,
    pub signer: String,
    /// The exact text signed: what `ssh-keygen -Y verify` reads on standard input.
    pub message: String,
    pub armored: String,
    pub verdict: Verdict,
}

/// The keys of `allowed_signers`, read once per check; a line that is not a signer is a
/// `config` error at its line. `None` when signatures are off or the file is absent.
pub fn allowed_signers(hb: &Handbook, diags: &mut Vec<Diagnostic>) -> Option<AllowedSigners> {
    if hb.config.signatures == Signatures::Off {
        return None;
    }
    let text = hb.allowed_signers.as_deref()?;
    let (allowed, problems) = AllowedSigners::parse(text);
    for (line, why) in problems {
        let width = text
            .lines()
            .nth(line as usize - 1)
            .map_or(1, |l| l.chars().count());
        diags.push(
            Diagnostic::error(
                Code::Config,
                &hb.config.allowed_signers,
                format!("not an allowed signer: {why}"),
            )
            .at(Span::new(line, 1, width.max(1) as u32))
            .help("a line is `PRINCIPALS [OPTIONS] KEYTYPE KEY`, e.g. `jane@example.org ssh-ed25519 AAAA…` (see ssh-keygen(1), ALLOWED SIGNERS)"),
        );
    }
    Some(allowed)
}

/// The verdict on one signed approval of anything (a document, a risk acceptance, the SoA):
/// `message` is its [`signing::approval_message`].
pub fn verdict(
    hb: &Handbook,
    allowed: Option<&AllowedSigners>,
    message: &str,
    signer: &str,
    armored: &str,
) -> Verdict {
    let today = hb.today.to_string().replace('-', "");
    match allowed {
        Some(allowed) => signing::verify(allowed, signer, message, armored, &today),
        None => Verdict::Invalid {
            reason: format!(
                "it cannot be verified: the handbook has no {}",
                hb.config.allowed_signers
            ),
            fingerprint: signing::fingerprint(armored),
        },
    }
}

/// Verifies every signed approval (of documents, risk acceptances and the SoA) and reports
/// the rules' findings.
pub fn check(hb: &Handbook, diags: &mut Vec<Diagnostic>) -> Vec<SignedApproval> {
    let config = &hb.config;
    if config.signatures == Signatures::Off {
        return Vec::new();
    }
    let allowed = allowed_signers(hb, diags);
    let mut out = Vec::new();
    for (i, doc) in hb.documents.iter().enumerate() {
        for (j, a) in doc.approvals.iter().enumerate() {
            let current = a.version == doc.version && doc.status != Status::Retired;
            let (signer, signature) = match (&a.signer, &a.signature) {
                (Some(signer), Some(signature)) => (signer, signature),
                (None, None) => {
                    if current && config.signatures == Signatures::Required {
                        diags.push(unsigned(doc, a));
                    }
                    continue;
                }
                (Some(s), None) | (None, Some(s)) => {
                    diags.push(half_signed(doc, s.span));
                    continue;
                }
            };
            let message = message(doc, a);
            let verdict = verdict(
                hb,
                allowed.as_ref(),
                &message,
                &signer.value,
                &signature.value,
            );
            if let Verdict::Invalid { reason, .. } = &verdict {
                diags.push(invalid(doc, a, signature.span, reason, hb));
            }
            out.push(SignedApproval {
                subject: Subject::Document {
                    document: i,
                    approval: j,
                },
                signer: signer.value.clone(),
                message,
                armored: signature.value.clone(),
                verdict,
            });
        }
    }
    registers::check(hb, allowed.as_ref(), diags, &mut out);
    out
}

/// The message a document's approval signs.
pub fn message(doc: &Document, a: &Approval) -> String {
    signing::approval_message(doc.id_str(), a.version, &a.role.value, a.date, &a.digest)
}

fn unsigned(doc: &Document, a: &Approval) -> Diagnostic {
    Diagnostic::error(
        Code::ApprovalUnsigned,
        &doc.path,
        format!(
            "the approval of version {} by {} ({}) is not signed, and ismsbook.toml requires signatures",
            a.version, a.by, a.role.value
        ),
    )
    .at(a.span)
    .help(format!(
        "sign it: ismsbook approve {} --by \"{}\" --role {} --sign KEYFILE",
        doc.id_str(),
        a.by,
        a.role.value
    ))
}

fn half_signed(doc: &Document, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ApprovalSignatureInvalid,
        &doc.path,
        "an approval needs both `signer:` and `signature:`, or neither",
    )
    .at(span)
    .help("let `ismsbook approve --sign KEYFILE` write them")
}

fn invalid(doc: &Document, a: &Approval, span: Span, reason: &str, hb: &Handbook) -> Diagnostic {
    let help = if hb.allowed_signers.is_none() {
        format!(
            "create {} with the signers' public keys (`jane@example.org ssh-ed25519 AAAA…` a line), or set [approval] allowed_signers",
            hb.config.allowed_signers
        )
    } else {
        format!(
            "approve again with a key allowed_signers lists: ismsbook approve {} --by \"{}\" --role {} --sign KEYFILE; or add the signer's key to {}",
            doc.id_str(),
            a.by,
            a.role.value,
            hb.config.allowed_signers
        )
    };
    Diagnostic::error(
        Code::ApprovalSignatureInvalid,
        &doc.path,
        format!(
            "the signature of the approval of version {} by {} does not verify: {reason}",
            a.version, a.by
        ),
    )
    .at(span)
    .help(help)
}
