//! The risk pages (`risks/index.html` with its heat maps, `risks/<ID>.html`,
//! `treatment-plan.html`, `risks.csv`) and what the SoA page shows of the SoA as a
//! controlled document.

use tera::Context;

use super::context::Site;

impl Site<'_> {
    /// The SoA's version, owner, approval and status counts, for `soa.html`.
    pub(super) fn soa_context(&self, ctx: &mut Context) {
        let soa = &self.hb.soa;
        let digest = crate::check::soa::digest(&self.checked.soa);
        let approved = soa.version.as_ref().and_then(|v| {
            soa.approvals
                .iter()
                .rev()
                .find(|a| a.version == v.value && a.digest == digest)
                .map(|a| format!("{} ({}) on {}", a.by, a.role.value, a.date))
        });
        let counts: Vec<(&str, usize)> = crate::check::soa::counts(&self.checked.soa)
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(s, n)| (s.label(), n))
            .collect();
        ctx.insert(
            "soa",
            &serde_json::json!({
                "version": soa.version.as_ref().map(|v| v.value.to_string()),
                "owner": soa.owner.as_ref().map(|o| o.value.clone()),
                "approved": approved,
                "counts": counts,
            }),
        );
    }
}
