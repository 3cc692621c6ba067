//! `content/risks.yaml`: the risk register as data (DESIGN.md Part 2, "Risks"). Each risk's
//! assessment, its treatment plan (actions) and its acceptance, read with positions so every
//! problem is reported at its line, like front matter.

mod read;

pub use read::read;

use sha2::{Digest, Sha256};

use super::action::Action;
use super::model::Spanned;
use crate::core::diagnostics::Span;
use crate::core::types::{ControlId, Date, RiskId, Treatment};

pub const RISKS_FILE: &str = "content/risks.yaml";

/// A likelihood and an impact, each 1..=[risk].scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Score {
    pub likelihood: u32,
    pub impact: u32,
}

impl Score {
    pub fn value(self) -> u32 {
        self.likelihood * self.impact
    }
}

/// An acceptance as written by `ismsbook accept`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acceptance {
    pub by: String,
    pub role: Spanned<String>,
    pub date: Date,
    pub expires: Option<Date>,
    pub digest: Spanned<String>,
    /// The `acceptance:` key.
    pub span: Span,
    /// Who signed it (a principal of `allowed_signers`) and the armoured SSH signature,
    /// written by `ismsbook accept --sign`.
    pub signer: Option<Spanned<String>>,
    pub signature: Option<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Risk {
    pub id: Spanned<RiskId>,
    pub title: String,
    pub owner: Spanned<String>,
    pub assets: Vec<String>,
    pub inherent: Score,
    pub treatment: Treatment,
    pub controls: Vec<Spanned<ControlId>>,
    pub actions: Vec<Action>,
    /// The residual score; the inherent one when none is written.
    pub residual: Score,
    pub review_last: Option<Date>,
    pub acceptance: Option<Acceptance>,
    /// [`Risk::digest`], hashed once: every check compares it, and `serve` checks after
    /// every edit of any document.
    pub(crate) digest: std::sync::OnceLock<String>,
}

impl Risk {
    /// The controls selected, in catalogue order, each once.
    pub fn control_ids(&self) -> Vec<ControlId> {
        let mut ids: Vec<ControlId> = self.controls.iter().map(|c| c.value).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn selects(&self, control: ControlId) -> bool {
        self.controls.iter().any(|c| c.value == control)
    }

    /// The canonical text of the assessment an acceptance binds to.
    pub fn canonical(&self) -> String {
        let controls: Vec<String> = self.control_ids().iter().map(|c| c.to_string()).collect();
        format!(
            "likelihood={}\nimpact={}\ntreatment={}\ncontrols={}\nresidual={}x{}\n",
            self.inherent.likelihood,
            self.inherent.impact,
            self.treatment,
            controls.join(","),
            self.residual.likelihood,
            self.residual.impact
        )
    }

    /// `sha256:<hex>` of [`Risk::canonical`].
    pub fn digest(&self) -> String {
        (self.digest)
            .get_or_init(|| sha256(&self.canonical()))
            .clone()
    }
}

/// `sha256:` and the lowercase hex SHA-256 of `text`.
pub fn sha256(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    // By hand: a risk page computes its digest, and `format!` per byte was most of that.
    for b in digest.iter() {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

/// The register: risks in file order.
#[derive(Clone, Debug, Default)]
pub struct Risks {
    pub risks: Vec<Risk>,
}

impl Risks {
    pub fn get(&self, id: &RiskId) -> Option<&Risk> {
        self.risks.iter().find(|r| &r.id.value == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_of_the_canonical_text_with_controls_in_catalogue_order() {
        let text = "R-001:\n  title: Phishing\n  owner: CISO\n  likelihood: 4\n  impact: 5\n  treatment: modify\n  controls: [A.5.17, A.8.5, A.6.3, A.5.9]\n  residual: { likelihood: 2, impact: 4 }\n";
        let risks = read(text, &Default::default(), &mut Vec::new());
        let r = &risks.risks[0];
        assert_eq!(
            r.canonical(),
            "likelihood=4\nimpact=5\ntreatment=modify\ncontrols=A.5.9,A.5.17,A.6.3,A.8.5\nresidual=2x4\n"
        );
        assert_eq!(r.digest(), sha256(&r.canonical()));
        assert_eq!(
            sha256(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
