//! What an edition leaves out: the documents classified above `--max-classification`, and the
//! assets no published document references. Decided once; pages, print, search, redlines,
//! PDFs and the bundle all ask this value.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::check::links::{Resolved, Target};
use crate::load::model::Handbook;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Withheld {
    /// The level it was decided for: `None` publishes everything.
    level: Option<String>,
    /// Ids of the withheld documents. A link names an id, and under a duplicate id the
    /// stricter document wins: every document with a withheld id is withheld.
    ids: BTreeSet<String>,
    /// The levels at or below the maximum: what the edition shows.
    shown: BTreeSet<String>,
    /// The assets to publish; `None`: all of them.
    assets: Option<BTreeSet<PathBuf>>,
    /// The risk register (`[risk] classification`) is above the level: no risk pages.
    risks: bool,
}

impl Withheld {
    /// Nothing withheld: a build without `--max-classification`.
    pub fn none() -> Withheld {
        Withheld::default()
    }

    /// Withholds the documents above `max` (and those whose level is unknown), and every
    /// asset that no published document references: a file named only by a withheld
    /// document, by any syntax, or by no document at all, may be as secret as the document
    /// next to it. A `max` that is not a level withholds nothing; callers refuse it first.
    pub fn above(hb: &Handbook, links: &Resolved, max: Option<&str>) -> Withheld {
        let Some((level, rank)) = max.and_then(|m| Some((m, hb.config.level_rank(m)?))) else {
            return Withheld::none();
        };
        let ids: BTreeSet<String> = hb
            .documents
            .iter()
            .filter(|d| {
                hb.config
                    .level_rank(&d.classification.value)
                    .is_none_or(|r| r > rank)
            })
            .map(|d| d.id_str().to_string())
            .collect();
        let published = |i: usize| {
            let d = &hb.documents[i];
            d.id.is_some() && !ids.contains(d.id_str())
        };
        let assets = links
            .targets
            .iter()
            .enumerate()
            .filter(|&(i, _)| published(i))
            .flat_map(|(_, targets)| targets)
            .filter_map(|t| match t {
                Target::Asset { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect();
        Withheld {
            level: Some(level.to_string()),
            ids,
            shown: hb.config.levels[..=rank].iter().cloned().collect(),
            assets: Some(assets),
            risks: hb
                .config
                .level_rank(hb.config.risk_classification())
                .is_none_or(|r| r > rank),
        }
    }

    /// Whether the edition leaves out the risk register (its pages, CSV and links).
    pub fn risks(&self) -> bool {
        self.risks
    }

    /// The level this was decided for.
    pub fn level(&self) -> Option<&str> {
        self.level.as_deref()
    }

    /// Whether documents with this id are withheld.
    pub fn id(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Whether document `i` of `hb` gets a page (and a place in print, search and PDFs).
    pub fn publishes(&self, hb: &Handbook, i: usize) -> bool {
        let d = &hb.documents[i];
        d.id.is_some() && !self.ids.contains(d.id_str())
    }

    /// How many distinct ids are withheld.
    pub fn count(&self) -> usize {
        self.ids.len()
    }

    /// The assets of `hb` to publish, in `hb.assets` order.
    pub fn published_assets<'a>(&self, hb: &'a Handbook) -> Vec<&'a Path> {
        hb.assets
            .iter()
            .map(PathBuf::as_path)
            .filter(|a| self.assets.as_ref().is_none_or(|keep| keep.contains(*a)))
            .collect()
    }

    /// Whether text classified `level` is left out (a level not in ismsbook.toml is).
    pub fn level_withheld(&self, level: &str) -> bool {
        self.level.is_some() && !self.shown.contains(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> (Handbook, Resolved) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/_base");
        let source = crate::load::WorkTree { root: root.clone() };
        let today = "2026-06-01".parse().unwrap();
        let hb = crate::load::load(&root, &source, today, crate::load::Keep::Bodies).unwrap();
        let links = crate::check::links::resolve(&hb, &mut Vec::new());
        (hb, links)
    }

    #[test]
    fn documents_above_the_level_and_of_unknown_levels_are_withheld() {
        let (mut hb, links) = base();
        hb.assets.push("secret-diagram.svg".into());
        let w = Withheld::above(&hb, &links, Some("internal"));
        assert_eq!(w.level(), Some("internal"));
        assert!(w.publishes(&hb, 0) && w.count() == 0);
        // An asset no published document references stays out of an edition.
        assert!(w.published_assets(&hb).is_empty());

        hb.documents[0].classification.value = "confidential".into();
        let w = Withheld::above(&hb, &links, Some("internal"));
        assert!(!w.publishes(&hb, 0) && w.id("BASE-01") && w.count() == 1);
        hb.documents[0].classification.value = "no such level".into();
        assert!(Withheld::above(&hb, &links, Some("restricted")).id("BASE-01"));
    }

    #[test]
    fn without_a_level_everything_is_published() {
        let (mut hb, links) = base();
        hb.assets.push("diagram.svg".into());
        hb.documents[0].classification.value = "restricted".into();
        for w in [
            Withheld::none(),
            Withheld::above(&hb, &links, None),
            Withheld::above(&hb, &links, Some("not a level")),
        ] {
            assert!(w.publishes(&hb, 0) && w.count() == 0 && w.level().is_none());
            assert_eq!(w.published_assets(&hb).len(), 1);
        }
    }

    #[test]
    fn the_check_decides_coverage_and_what_an_edition_withholds() {
        let (mut hb, _) = base();
        hb.documents[0].classification.value = "confidential".into();
        let checked = crate::check::check_for(&hb, Some("internal"));
        assert_eq!(checked.withheld.level(), Some("internal"));
        assert!(!checked.withheld.publishes(&hb, 0));
        assert_eq!(checked.coverage.len(), 93);
        let checked = crate::check::check(&hb);
        assert_eq!(checked.withheld, Withheld::none());
    }
}
