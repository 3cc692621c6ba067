//! What a page shows of an approval's signature (a document's approval, a risk's acceptance,
//! the SoA's approval): the signer, the key's fingerprint and whether it verified, as the
//! check found.

use super::context::Site;
use crate::check::signatures::Subject;
use crate::core::signing::{Signatures, Verdict};
use crate::load::model::Spanned;

impl Site<'_> {
    /// Who signed approval `j` of document `i`, with which key, and whether it verified.
    pub(super) fn signature_of(&self, i: usize, j: usize) -> Option<serde_json::Value> {
        let a = &self.hb.documents[i].approvals[j];
        let subject = Subject::Document {
            document: i,
            approval: j,
        };
        self.signature_view(subject, a.signer.as_ref(), a.signature.is_some())
    }

    /// The signature of the acceptance of risk `i` (register order); `{"unsigned": true}`
    /// for an unsigned one while signatures are on, `None` for none to show.
    pub(super) fn acceptance_signature(&self, i: usize) -> Option<serde_json::Value> {
        let a = self.hb.risks.as_ref()?.risks.get(i)?.acceptance.as_ref()?;
        let subject = Subject::Acceptance { risk: i };
        let view = self.signature_view(subject, a.signer.as_ref(), a.signature.is_some());
        view.or_else(|| self.unsigned())
    }

    /// The signature of approval `j` of soa.yaml, as [`Site::acceptance_signature`].
    pub(super) fn soa_signature(&self, j: usize) -> Option<serde_json::Value> {
        let a = self.hb.soa.approvals.get(j)?;
        let subject = Subject::Soa { approval: j };
        let view = self.signature_view(subject, a.signer.as_ref(), a.signature.is_some());
        view.or_else(|| self.unsigned())
    }

    /// An unsigned approval is worth saying only where approvals are signed.
    fn unsigned(&self) -> Option<serde_json::Value> {
        (self.hb.config.signatures != Signatures::Off)
            .then(|| serde_json::json!({ "unsigned": true }))
    }

    fn signature_view(
        &self,
        subject: Subject,
        signer: Option<&Spanned<String>>,
        signed: bool,
    ) -> Option<serde_json::Value> {
        let found = self
            .checked
            .signatures
            .iter()
            .find(|s| s.subject == subject);
        let Some(s) = found else {
            // With signatures off, a signature written is shown as not checked.
            let signer = signer.filter(|_| signed)?;
            return Some(serde_json::json!({ "signer": signer.value, "unchecked": true }));
        };
        let (fingerprint, valid) = match &s.verdict {
            Verdict::Valid { fingerprint } => (Some(fingerprint.as_str()), true),
            Verdict::Invalid { fingerprint, .. } => (fingerprint.as_deref(), false),
        };
        Some(serde_json::json!({ "signer": s.signer, "fingerprint": fingerprint, "valid": valid }))
    }
}
