//! The rules of the risk register: roles, controls against the SoA, acceptances bound to the
//! assessment, and the references to risks from soa.yaml.

use std::path::Path;

use crate::core::catalog::catalog;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::suggest::did_you_mean;
use crate::core::types::RiskId;
use crate::load::config::Config;
use crate::load::model::{Handbook, Spanned};
use crate::load::risks::{Risk, Risks, RISKS_FILE};
use crate::load::SOA_FILE;

/// Every rule about risks; nothing when the handbook has no register, but references to
/// risks in soa.yaml.
pub fn rules(hb: &Handbook, diags: &mut Vec<Diagnostic>) {
    let empty = Risks::default();
    let risks = hb.risks.as_ref().unwrap_or(&empty);
    let file = Path::new(RISKS_FILE);
    for risk in &risks.risks {
        role(&hb.config, &risk.owner, "owner", diags);
        if let Some(a) = &risk.acceptance {
            role(&hb.config, &a.role, "acceptance role", diags);
        }
        for c in &risk.controls {
            if let Some(why) = hb.soa.excluded.get(&c.value) {
                let title = catalog().control(c.value).map_or("", |k| k.title);
                diags.push(
                    Diagnostic::error(
                        Code::RiskControlExcluded,
                        file,
                        format!("{} selects {} ({title}), which soa.yaml excludes", risk.id.value, c.value),
                    )
                    .at(c.span)
                    .help(format!(
                        "include {} (remove its exclusion at soa.yaml line {}), or stop selecting it in {}",
                        c.value, why.span.line, risk.id.value
                    )),
                );
            }
        }
        acceptance(hb, risk, diags);
    }
    // Without a register, an `included:` reason may cite an outside one: nothing to check.
    if hb.risks.is_some() {
        references(hb, risks, diags);
    }
}

fn role(config: &Config, role: &Spanned<String>, what: &str, diags: &mut Vec<Diagnostic>) {
    if role.value.is_empty() || config.has_role(&role.value) {
        return;
    }
    let roles = config.roles.iter().map(|(k, _)| k.as_str());
    let help = match did_you_mean(&role.value, roles) {
        Some(s) => format!("did you mean {s}? Roles are declared under [roles] in ismsbook.toml"),
        None => "declare it under [roles] in ismsbook.toml".to_string(),
    };
    diags.push(
        Diagnostic::error(
            Code::UnknownRole,
            RISKS_FILE,
            format!(
                "{what} `{}` is not a role declared in ismsbook.toml",
                role.value
            ),
        )
        .at(role.span)
        .help(help),
    );
}

/// Whether `role` may accept `risk`: its owner up to the appetite, a role of `accept_roles`
/// at any score.
pub fn may_accept(config: &Config, risk: &Risk, role: &str) -> bool {
    config.risk.accept_roles.iter().any(|r| r == role)
        || (role == risk.owner.value && risk.residual.value() <= config.risk.appetite)
}

/// Who may accept `risk`, in words, for the help lines and the refusal of `accept`.
pub fn who_may_accept(config: &Config, risk: &Risk) -> String {
    let roles = config.risk.accept_roles.join(" or ");
    if risk.residual.value() <= config.risk.appetite {
        format!("its owner ({}) or {roles}", risk.owner.value)
    } else {
        format!(
            "{roles} (its residual score {} is above the appetite of {})",
            risk.residual.value(),
            config.risk.appetite
        )
    }
}

fn acceptance(hb: &Handbook, risk: &Risk, diags: &mut Vec<Diagnostic>) {
    let id = &risk.id.value;
    let config = &hb.config;
    let Some(a) = risk
        .acceptance
        .as_ref()
        .filter(|a| may_accept(config, risk, &a.role.value))
    else {
        let (span, message) = match &risk.acceptance {
            Some(a) => (
                a.role.span,
                format!(
                    "{id} was accepted by {} as {}, who may not accept it",
                    a.by, a.role.value
                ),
            ),
            None => (
                risk.id.span,
                format!("{id} has no acceptance of its residual risk"),
            ),
        };
        // A risk not yet accepted at all is a draft, like a document not yet approved (a
        // new handbook's starter risks): a warning. An acceptance by a role that may not
        // give it is an error.
        let diagnostic = match risk.acceptance {
            Some(_) => Diagnostic::error(Code::ResidualUnaccepted, RISKS_FILE, message),
            None => Diagnostic::warning(Code::ResidualUnaccepted, RISKS_FILE, message),
        };
        diags.push(diagnostic.at(span).help(format!(
            "{} may accept it: ismsbook accept {id} --by NAME --role ROLE",
            who_may_accept(config, risk)
        )));
        return;
    };
    if a.digest.value != risk.digest() {
        diags.push(
            Diagnostic::error(
                Code::AcceptanceStale,
                RISKS_FILE,
                format!("the assessment of {id} changed since {} accepted it on {}", a.by, a.date),
            )
            .at(a.digest.span)
            .help(format!(
                "have the changed assessment accepted again: ismsbook accept {id} --by NAME --role {}",
                a.role.value
            )),
        );
    }
    expiry_rules(hb, risk, a, diags);
}

/// acceptance-expired and acceptance-due-soon.
fn expiry_rules(
    hb: &Handbook,
    risk: &Risk,
    a: &crate::load::risks::Acceptance,
    diags: &mut Vec<Diagnostic>,
) {
    let (id, config) = (&risk.id.value, &hb.config);
    let Some(expires) = expiry(config, a) else {
        return;
    };
    let warn_from = expires.minus(config.warn_before).unwrap_or(expires);
    if hb.today > expires {
        diags.push(
            Diagnostic::error(
                Code::AcceptanceExpired,
                RISKS_FILE,
                format!("the acceptance of {id} expired on {expires}"),
            )
            .at(a.span)
            .help(format!(
                "review {id} with its owner ({}) and accept it again",
                risk.owner.value
            )),
        );
    } else if hb.today >= warn_from {
        diags.push(
            Diagnostic::warning(
                Code::AcceptanceDueSoon,
                RISKS_FILE,
                format!(
                    "the acceptance of {id} expires on {expires}, in {} days",
                    hb.today.days_until(expires)
                ),
            )
            .at(a.span)
            .help(format!(
                "plan the review of {id} with its owner ({})",
                risk.owner.value
            )),
        );
    }
}

/// When an acceptance expires: its `expires`, else its date plus `[risk] review`.
pub fn expiry(
    config: &Config,
    a: &crate::load::risks::Acceptance,
) -> Option<crate::core::types::Date> {
    a.expires.or_else(|| a.date.plus(config.risk.review))
}

/// Where a risk's acceptance stands, the worst first: what the register and the home page show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AcceptanceState {
    Unaccepted,
    Stale,
    Expired,
    DueSoon,
    Accepted,
}

impl AcceptanceState {
    pub fn label(self) -> &'static str {
        match self {
            AcceptanceState::Unaccepted => "not accepted",
            AcceptanceState::Stale => "stale",
            AcceptanceState::Expired => "expired",
            AcceptanceState::DueSoon => "due soon",
            AcceptanceState::Accepted => "accepted",
        }
    }
}

impl serde::Serialize for AcceptanceState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// The acceptance state of every risk, in register order.
pub fn states(hb: &Handbook) -> Vec<AcceptanceState> {
    let config = &hb.config;
    hb.risks
        .iter()
        .flat_map(|r| &r.risks)
        .map(|risk| {
            let Some(a) = risk
                .acceptance
                .as_ref()
                .filter(|a| may_accept(config, risk, &a.role.value))
            else {
                return AcceptanceState::Unaccepted;
            };
            if a.digest.value != risk.digest() {
                return AcceptanceState::Stale;
            }
            match expiry(config, a) {
                Some(e) if hb.today > e => AcceptanceState::Expired,
                Some(e) if hb.today >= e.minus(config.warn_before).unwrap_or(e) => {
                    AcceptanceState::DueSoon
                }
                _ => AcceptanceState::Accepted,
            }
        })
        .collect()
}

/// unknown-risk and soa-risk-mismatch for the risks an `included:` reason cites.
fn references(hb: &Handbook, risks: &Risks, diags: &mut Vec<Diagnostic>) {
    for (control, reason) in &hb.soa.included {
        for id in RiskId::find_all(&reason.value) {
            match risks.get(&id) {
                None => diags.push(unknown_risk(SOA_FILE, &id, reason.span, risks)),
                Some(risk) if !risk.selects(*control) => diags.push(
                    Diagnostic::warning(
                        Code::SoaRiskMismatch,
                        SOA_FILE,
                        format!("the reason for {control} cites {id}, but {id} does not select {control}"),
                    )
                    .at(reason.span)
                    .help(format!("add {control} to `controls:` of {id} in content/risks.yaml, or correct the reason")),
                ),
                Some(_) => {}
            }
        }
    }
}

/// The diagnostic for a reference to a risk that does not exist.
pub fn unknown_risk(
    file: impl AsRef<Path>,
    id: &RiskId,
    span: crate::core::diagnostics::Span,
    risks: &Risks,
) -> Diagnostic {
    let ids = risks.risks.iter().map(|r| r.id.value.as_str());
    let help = match did_you_mean(id.as_str(), ids) {
        Some(s) => format!("did you mean {s}?"),
        None => format!("add {id} to content/risks.yaml, or correct the id"),
    };
    Diagnostic::error(
        Code::UnknownRisk,
        file.as_ref(),
        format!("no risk has id {id}"),
    )
    .at(span)
    .help(help)
}
