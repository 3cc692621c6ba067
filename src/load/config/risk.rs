//! `[risk]` of ismsbook.toml: the scale and levels of the risk register, the appetite and who
//! may accept a risk above it (DESIGN.md Part 2, "Risks").

use toml::de::{DeTable, DeValue};

use super::{Config, Reader};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::types::Interval;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskConfig {
    /// Likelihood and impact run from 1 to `scale`.
    pub scale: u32,
    /// A score (likelihood x impact) up to `low` is low, up to `medium` medium, above high.
    pub low: u32,
    pub medium: u32,
    /// Residual scores above this need acceptance by a role of `accept_roles`.
    pub appetite: u32,
    pub accept_roles: Vec<String>,
    /// How long an acceptance holds when it names no `expires`.
    pub review: Interval,
    /// The register's classification level; `None`: the second-highest configured level.
    pub classification: Option<String>,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            scale: 5,
            low: 6,
            medium: 12,
            appetite: 8,
            accept_roles: vec!["CEO".to_string()],
            review: Interval::Months(12),
            classification: None,
        }
    }
}

/// A score's level, as the register and the heat maps name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

impl RiskConfig {
    pub fn level(&self, score: u32) -> Level {
        if score <= self.low {
            Level::Low
        } else if score <= self.medium {
            Level::Medium
        } else {
            Level::High
        }
    }
}

impl Config {
    /// The classification level of the risk register: `[risk] classification`, else the
    /// second-highest configured level.
    pub fn risk_classification(&self) -> &str {
        match &self.risk.classification {
            Some(level) => level,
            None => {
                let n = self.levels.len();
                self.levels
                    .get(n.saturating_sub(2))
                    .map_or("", String::as_str)
            }
        }
    }
}

const KEYS: &[&str] = &[
    "scale",
    "levels",
    "appetite",
    "accept_roles",
    "review",
    "classification",
];

impl Reader<'_> {
    fn small_number(&mut self, value: &toml::Spanned<DeValue<'_>>, key: &str) -> Option<u32> {
        match value.get_ref() {
            DeValue::Integer(i) => match i.as_str().parse::<u32>() {
                Ok(n) if (1..=10_000).contains(&n) => Some(n),
                _ => {
                    self.wrong(value, "a whole number from 1 to 10000", key);
                    None
                }
            },
            _ => {
                self.wrong(value, "a whole number", key);
                None
            }
        }
    }

    pub(super) fn read_risk(&mut self, t: &DeTable<'_>, c: &mut Config) {
        let mut risk = c.risk.clone();
        for (key, value) in t.iter() {
            let name = key.get_ref().as_ref();
            let full = format!("risk.{name}");
            match name {
                "scale" => {
                    if let Some(n) = self.small_number(value, &full) {
                        risk.scale = n.min(10);
                    }
                }
                "appetite" => {
                    if let Some(n) = self.small_number(value, &full) {
                        risk.appetite = n;
                    }
                }
                "levels" => {
                    if let Some(levels) = self.table(value, &full) {
                        for (k, v) in levels.iter() {
                            match k.get_ref().as_ref() {
                                "low" => {
                                    risk.low =
                                        self.small_number(v, "risk.levels.low").unwrap_or(risk.low)
                                }
                                "medium" => {
                                    risk.medium = self
                                        .small_number(v, "risk.levels.medium")
                                        .unwrap_or(risk.medium)
                                }
                                _ => self.unknown(k, "[risk] levels", &["low", "medium"]),
                            }
                        }
                    }
                }
                "accept_roles" => {
                    if let Some(roles) = self.strings(value, &full) {
                        risk.accept_roles = roles;
                    }
                }
                "review" => {
                    if let Some(i) = self.interval(value, &full) {
                        risk.review = i;
                    }
                }
                "classification" => risk.classification = self.string(value, &full),
                _ => self.unknown(key, "[risk]", KEYS),
            }
        }
        for role in &risk.accept_roles {
            if !c.has_role(role) {
                let span = self.find_line(role);
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownRole,
                        super::FILE,
                        format!("risk accept role `{role}` is not declared in [roles]"),
                    )
                    .at(span)
                    .help(format!("declare it under [roles], e.g. {role} = \"…\"")),
                );
            }
        }
        if let Some(level) = &risk.classification {
            if c.level_rank(level).is_none() {
                let span = self.find_line(level);
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownClassification,
                        super::FILE,
                        format!("risk classification `{level}` is not a level of [classification]"),
                    )
                    .at(span)
                    .help(format!("the levels are: {}", c.levels.join(", "))),
                );
            }
        }
        c.risk = risk;
    }
}
