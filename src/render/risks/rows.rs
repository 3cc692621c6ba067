//! The rows the risk pages, risks.csv and the home page show, from the checked register.

use serde::Serialize;

use crate::check::risks::{expiry, AcceptanceState};
use crate::core::catalog::catalog;
use crate::core::types::Date;
use crate::load::config::Config;
use crate::load::risks::{Risk, Score};

#[derive(Clone, Debug, Serialize)]
pub struct ScoreView {
    pub likelihood: u32,
    pub impact: u32,
    pub score: u32,
    pub level: &'static str,
}

fn score(config: &Config, s: Score) -> ScoreView {
    ScoreView {
        likelihood: s.likelihood,
        impact: s.impact,
        score: s.value(),
        level: config.risk.level(s.value()).label(),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ActionRow {
    pub id: String,
    pub risk: String,
    pub action: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub done: String,
    pub overdue: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct RiskRow {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub assets: Vec<String>,
    pub inherent: ScoreView,
    pub treatment: &'static str,
    pub residual: ScoreView,
    pub above_appetite: bool,
    pub controls: Vec<(String, &'static str)>,
    pub actions: Vec<ActionRow>,
    pub open_actions: usize,
    pub review_last: String,
    pub acceptance: AcceptanceState,
    pub accepted_by: String,
    pub accepted_on: String,
    pub expires: String,
    pub digest: String,
}

pub fn row(config: &Config, today: Date, risk: &Risk, state: AcceptanceState) -> RiskRow {
    let id = risk.id.value.to_string();
    let actions: Vec<ActionRow> = risk
        .actions
        .iter()
        .map(|a| ActionRow {
            id: a.id.value.clone(),
            risk: id.clone(),
            action: a.action.clone(),
            owner: a.owner.value.clone(),
            due: a.due.map(|d| d.to_string()).unwrap_or_default(),
            status: a.status.to_string(),
            done: a.done.map(|d| d.to_string()).unwrap_or_default(),
            overdue: a.is_overdue(today),
        })
        .collect();
    let a = risk.acceptance.as_ref();
    RiskRow {
        title: risk.title.clone(),
        owner: risk.owner.value.clone(),
        assets: risk.assets.clone(),
        inherent: score(config, risk.inherent),
        treatment: risk.treatment.as_str(),
        residual: score(config, risk.residual),
        above_appetite: risk.residual.value() > config.risk.appetite,
        controls: risk
            .control_ids()
            .into_iter()
            .map(|c| (c.to_string(), catalog().control(c).map_or("", |k| k.title)))
            .collect(),
        open_actions: risk.actions.iter().filter(|a| a.is_open()).count(),
        actions,
        review_last: risk.review_last.map(|d| d.to_string()).unwrap_or_default(),
        acceptance: state,
        accepted_by: a
            .map(|a| format!("{} ({})", a.by, a.role.value))
            .unwrap_or_default(),
        accepted_on: a.map(|a| a.date.to_string()).unwrap_or_default(),
        expires: a
            .and_then(|a| expiry(config, a))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        digest: risk.digest(),
        id,
    }
}

/// A heat map (likelihood up, impact across) as inline SVG: each cell shows how many risks
/// it holds and links to their list below the map (`#<name>-<likelihood>x<impact>`).
pub fn heat_map(
    name: &str,
    scale: u32,
    cells: &[(u32, u32, &str)],
    level: impl Fn(u32) -> &'static str,
) -> String {
    const CELL: u32 = 44;
    let size = CELL * scale;
    let mut svg = format!(
        "<svg class=\"heat-map\" role=\"group\" aria-label=\"{name} risk heat map\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\">",
        w = size + 24,
        h = size + 24
    );
    for l in 1..=scale {
        for i in 1..=scale {
            let n = cells.iter().filter(|c| c.0 == l && c.1 == i).count();
            let (x, y) = (24 + (i - 1) * CELL, (scale - l) * CELL);
            let rect = format!(
                "<rect class=\"heat-{}\" x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\"/>",
                level(l * i)
            );
            if n == 0 {
                svg.push_str(&rect);
            } else {
                svg.push_str(&format!(
                    "<a href=\"#{name}-{l}x{i}\">{rect}<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text></a>",
                    x + CELL / 2,
                    y + CELL / 2 + 5
                ));
            }
        }
        svg.push_str(&format!(
            "<text class=\"axis\" x=\"10\" y=\"{}\" text-anchor=\"middle\">{l}</text>",
            (scale - l) * CELL + CELL / 2 + 5
        ));
    }
    for i in 1..=scale {
        svg.push_str(&format!(
            "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{i}</text>",
            24 + (i - 1) * CELL + CELL / 2,
            size + 18
        ));
    }
    svg.push_str("</svg>");
    svg
}
