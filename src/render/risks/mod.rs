//! The risk pages (`risks/index.html` with its heat maps, `risks/<ID>.html`,
//! `treatment-plan.html`, `risks.csv`) and what the SoA page shows of the SoA as a
//! controlled document.

mod rows;

use std::collections::BTreeMap;
use std::path::PathBuf;

use tera::{Context, Tera};

use super::context::Site;
use super::OutputFile;
use crate::check::links::Target;
use rows::{heat_map, row, ActionRow, RiskRow};

/// Every risk's row, made on first use: the register, its pages, the treatment plan and the
/// home page all show them (made for each, they were about 2% of a build).
#[derive(Default)]
pub(super) struct Rows(std::sync::OnceLock<Vec<RiskRow>>);

/// What the risk register in pages says of sorting and filtering.
const RISKS_NOTE: &str = "Sorting and the filter work on this page; risks.csv holds every risk.";

impl Site<'_> {
    /// Whether this edition has risk pages: a register, not withheld.
    pub(super) fn has_risk_pages(&self) -> bool {
        self.hb.risks.is_some() && !self.withheld.risks()
    }

    pub(super) fn risk_rows(&self) -> &[RiskRow] {
        self.risk_rows.0.get_or_init(|| {
            let hb = self.hb;
            hb.risks
                .iter()
                .flat_map(|r| &r.risks)
                .zip(&self.checked.risk_states)
                .map(|(risk, &state)| row(&hb.config, hb.today, risk, state))
                .collect()
        })
    }

    /// The published documents linking to each risk, in document order: found once for all
    /// risk pages (a thousand risks each scanning ten thousand documents was quadratic).
    fn risk_refs(&self) -> &BTreeMap<&str, Vec<usize>> {
        self.risk_refs.get_or_init(|| {
            let mut refs: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (j, targets) in self.checked.links.targets.iter().enumerate() {
                if !self.is_published(j) {
                    continue;
                }
                for t in targets {
                    if let Target::Risk(id) = t {
                        let docs = refs.entry(id.as_str()).or_default();
                        if docs.last() != Some(&j) {
                            docs.push(j);
                        }
                    }
                }
            }
            refs
        })
    }

    /// Every treatment action, overdue first, then by due date.
    fn treatment_actions(&self) -> Vec<ActionRow> {
        let mut actions: Vec<ActionRow> = self
            .risk_rows()
            .iter()
            .flat_map(|r| r.actions.iter().cloned())
            .collect();
        actions.sort_by(|a, b| (!a.overdue, &a.due, &a.id).cmp(&(!b.overdue, &b.due, &b.id)));
        actions
    }

    /// What the home page shows of the risks: those above appetite, the overdue actions.
    pub(super) fn risk_dashboard(&self) -> serde_json::Value {
        if !self.has_risk_pages() {
            return serde_json::Value::Null;
        }
        let rows = self.risk_rows();
        let above: Vec<&RiskRow> = rows.iter().filter(|r| r.above_appetite).collect();
        let overdue: Vec<ActionRow> = self
            .treatment_actions()
            .into_iter()
            .filter(|a| a.overdue)
            .collect();
        serde_json::json!({ "total": rows.len(), "above_appetite": above, "overdue_actions": overdue })
    }

    pub(super) fn risks_index(&self, tera: &Tera) -> Result<Vec<OutputFile>, String> {
        let rows = self.risk_rows();
        let config = &self.hb.config.risk;
        let level = |s: u32| config.level(s).label();
        let mut maps = Vec::new();
        for (name, title) in [("inherent", "Inherent"), ("residual", "Residual")] {
            let at = |r: &RiskRow| match name {
                "inherent" => (r.inherent.likelihood, r.inherent.impact),
                _ => (r.residual.likelihood, r.residual.impact),
            };
            let cells: Vec<(u32, u32, &str)> = rows
                .iter()
                .map(|r| (at(r).0, at(r).1, r.id.as_str()))
                .collect();
            let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
            let mut sorted = cells.clone();
            sorted.sort_by_key(|c| std::cmp::Reverse((c.0 * c.1, c.0, c.1)));
            for (l, i, id) in sorted {
                let key = format!("{l}x{i}");
                match groups.last_mut() {
                    Some((k, ids)) if *k == key => ids.push(id),
                    _ => groups.push((key, vec![id])),
                }
            }
            maps.push(serde_json::json!({
                "name": name, "title": title,
                "svg": heat_map(name, config.scale, &cells, level),
                "cells": groups,
            }));
        }
        let mut ctx = Context::new();
        ctx.insert("risk_count", &rows.len());
        ctx.insert("appetite", &config.appetite);
        // Past the limit of rows, in pages; the heat maps (every risk) on the first alone.
        let mut files = self.paged_rows(
            rows,
            "risks/index",
            ("risks", RISKS_NOTE),
            |p, ctx, rows| {
                let maps = if p == 0 { &maps[..] } else { &[] };
                let path = super::paged::page_file("risks/index", p);
                let lazy = [rows[0], ("maps", &maps)];
                self.listing_page(tera, ("risks.html", path, "../"), ctx, &lazy)
            },
            ctx,
        )?;
        files.push(self.risks_csv(rows));
        Ok(files)
    }

    fn risks_csv(&self, rows: &[RiskRow]) -> OutputFile {
        let header = [
            "id",
            "title",
            "owner",
            "likelihood",
            "impact",
            "inherent score",
            "inherent level",
            "treatment",
            "controls",
            "residual likelihood",
            "residual impact",
            "residual score",
            "residual level",
            "above appetite",
            "open actions",
            "acceptance",
            "accepted by",
            "accepted on",
            "expires",
        ];
        let text = super::csv::table(
            &header,
            rows.iter().map(|r| {
                let controls: Vec<&str> = r.controls.iter().map(|c| c.0.as_str()).collect();
                vec![
                    r.id.clone(),
                    r.title.clone(),
                    r.owner.clone(),
                    r.inherent.likelihood.to_string(),
                    r.inherent.impact.to_string(),
                    r.inherent.score.to_string(),
                    r.inherent.level.to_string(),
                    r.treatment.to_string(),
                    controls.join("; "),
                    r.residual.likelihood.to_string(),
                    r.residual.impact.to_string(),
                    r.residual.score.to_string(),
                    r.residual.level.to_string(),
                    if r.above_appetite { "yes" } else { "no" }.to_string(),
                    r.open_actions.to_string(),
                    r.acceptance.label().to_string(),
                    r.accepted_by.clone(),
                    r.accepted_on.clone(),
                    r.expires.clone(),
                ]
            }),
        );
        OutputFile {
            path: PathBuf::from("risks.csv"),
            bytes: text.into_bytes(),
        }
    }

    pub(super) fn risk_page(&self, tera: &Tera, i: usize) -> Result<OutputFile, String> {
        // Every risk's row is made once for all the pages (each making every row was
        // quadratic: 1,000 risks took seconds).
        let hb = self.hb;
        let r = self
            .risk_rows()
            .get(i)
            .ok_or("no such risk in the register")?;
        let referenced_by: Vec<_> = self
            .risk_refs()
            .get(r.id.as_str())
            .into_iter()
            .flatten()
            .map(|&j| {
                let d = &hb.documents[j];
                serde_json::json!({ "id": d.id_str(), "title": d.title })
            })
            .collect();
        let mut ctx = Context::new();
        ctx.insert("risk", r);
        ctx.insert("owner_title", &self.hb.config.role_title(&r.owner));
        ctx.insert("referenced_by", &referenced_by);
        ctx.insert("appetite", &self.hb.config.risk.appetite);
        ctx.insert("signature", &self.acceptance_signature(i));
        let page = ("risk.html", format!("risks/{}.html", r.id), "../");
        self.listing_page(tera, page, ctx, &[])
    }

    pub(super) fn treatment_plan(&self, tera: &Tera) -> Result<OutputFile, String> {
        let mut ctx = Context::new();
        ctx.insert("actions", &self.treatment_actions());
        let page = ("treatment-plan.html", "treatment-plan.html".into(), "");
        self.listing_page(tera, page, ctx, &[])
    }

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
        // The signature of the approval shown as the SoA's (see render::signed).
        let shown = soa.version.as_ref().and_then(|v| {
            soa.approvals
                .iter()
                .rposition(|a| a.version == v.value && a.digest == digest)
        });
        ctx.insert("soa_signature", &shown.and_then(|j| self.soa_signature(j)));
    }
}
