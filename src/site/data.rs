//! Following an edit of `content/risks.yaml` or `content/soa.yaml` for `serve`: the file
//! alone is read again; the pages that show risks or the SoA are named for writing (every
//! page that lists, every control page, and the documents that link to a risk).

use std::path::{Path, PathBuf};

use super::Site;
use crate::core::catalog::catalog;
use crate::core::types::RiskId;
use crate::load::model::Document;
use crate::load::risks::RISKS_FILE;
use crate::load::{self, SOA_FILE};

/// The risks a document's body links to, in order.
pub(super) fn risk_links(doc: &Document) -> Vec<String> {
    doc.body
        .links
        .iter()
        .filter(|l| l.dest.parse::<RiskId>().is_ok())
        .map(|l| l.dest.clone())
        .collect()
}

impl Site {
    /// An edit of risks.yaml or soa.yaml that the site had and still has: read alone. Its
    /// creation or removal changes every page's menu, and reopens the site.
    pub(super) fn is_data_edit(&self, rel: &Path) -> bool {
        let had = match rel {
            p if p == Path::new(RISKS_FILE) => self.hb.risks_source.is_some(),
            p if p == Path::new(SOA_FILE) => self.hb.soa_source.is_some(),
            _ => false,
        };
        had && self.root.join(rel).is_file()
    }

    pub(super) fn reread_data(&mut self, path: &PathBuf) {
        let mut diags = Vec::new();
        let text = load::read_text(self.source.as_ref(), path, &mut diags).unwrap_or_default();
        let hb = &mut self.hb;
        if path == Path::new(RISKS_FILE) {
            hb.risks = Some(load::risks::read(&text, &hb.config.risk, &mut diags));
            hb.risks_source = Some(text);
        } else {
            hb.soa = load::read_soa(&text, &mut diags);
            hb.soa_source = Some(text);
        }
        hb.diagnostics.retain(|d| &d.file != path);
        hb.diagnostics.extend(diags);
        let pending = &mut self.pending;
        pending.lists = true;
        pending.risks = true;
        pending
            .controls
            .extend(catalog().controls.iter().map(|c| c.id));
        let linking = hb.documents.iter().filter(|d| !risk_links(d).is_empty());
        pending.documents.extend(linking.map(|d| d.path.clone()));
    }
}
