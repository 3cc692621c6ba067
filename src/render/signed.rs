//! What a document page shows of an approval's signature: the signer, the key's fingerprint
//! and whether it verified, as the check found.

use super::context::Site;
use crate::core::signing::Verdict;

impl Site<'_> {
    /// Who signed approval `j` of document `i`, with which key, and whether it verified.
    pub(super) fn signature_of(&self, i: usize, j: usize) -> Option<serde_json::Value> {
        let found = self
            .checked
            .signatures
            .iter()
            .find(|s| s.document == i && s.approval == j);
        let Some(s) = found else {
            // With signatures off, a signature written is shown as not checked.
            let a = &self.hb.documents[i].approvals[j];
            let signer = a.signer.as_ref().filter(|_| a.signature.is_some())?;
            return Some(serde_json::json!({ "signer": signer.value, "unchecked": true }));
        };
        let (fingerprint, valid) = match &s.verdict {
            Verdict::Valid { fingerprint } => (Some(fingerprint.as_str()), true),
            Verdict::Invalid { fingerprint, .. } => (fingerprint.as_deref(), false),
        };
        Some(serde_json::json!({ "signer": s.signer, "fingerprint": fingerprint, "valid": valid }))
    }
}
