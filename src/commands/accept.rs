//! `ismsbook accept R-001 --by NAME --role ROLE [--date]`: records the acceptance of a risk's
//! residual level, bound by its digest to the assessment (likelihood, impact, treatment,
//! controls, residual). Only the risk's `acceptance:` lines are written or replaced; the new
//! text is read again and refused unless every other risk and field came out the same.

use std::path::Path;

use super::approve::{plain_or_quoted, Refusal};
use super::yaml_lines::Lines;
use crate::check::risks::{may_accept, who_may_accept};
use crate::check::Checked;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::types::{Date, RiskId};
use crate::load::model::Handbook;
use crate::load::risks::{self, Risk, RISKS_FILE};

pub struct Request<'a> {
    pub id: &'a str,
    pub by: &'a str,
    pub role: &'a str,
    pub date: Date,
}

/// What the acceptance records.
pub struct Entry<'a> {
    pub by: &'a str,
    pub role: &'a str,
    pub date: Date,
    pub digest: &'a str,
}

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal {
        message: message.into(),
        diagnostics: Vec::new(),
    }
}

/// The lines of the acceptance, at the risk's own indentation (`indent`). The one place
/// that writes them (a signed acceptance adds its lines here).
pub fn acceptance_lines(e: &Entry<'_>, indent: &str, eol: &str) -> String {
    let inner = format!("{indent}{indent}");
    [
        format!("{indent}acceptance:"),
        format!("{inner}by: {}", plain_or_quoted(e.by)),
        format!("{inner}role: {}", plain_or_quoted(e.role)),
        format!("{inner}date: {}", e.date),
        format!("{inner}digest: {}", e.digest),
    ]
    .iter()
    .map(|l| format!("{l}{eol}"))
    .collect()
}

/// Checks the request and returns the new text of risks.yaml and the risk's digest.
pub fn accepted_text(
    hb: &Handbook,
    checked: &Checked,
    req: &Request<'_>,
) -> Result<(String, String), Refusal> {
    let (Some(register), Some(text)) = (&hb.risks, &hb.risks_source) else {
        return Err(refuse("the handbook has no content/risks.yaml"));
    };
    let id: RiskId = req.id.parse().map_err(refuse)?;
    let Some(risk) = register.get(&id) else {
        let ids = register.risks.iter().map(|r| r.id.value.as_str());
        let hint = crate::core::suggest::did_you_mean(req.id, ids)
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        return Err(refuse(format!("no risk has id {id}{hint}")));
    };
    let lines = Lines::new(text);
    let start = risk.id.span.line as usize - 1;
    let end = lines.block_end(start);
    permitted(hb, checked, risk, (start, end), req)?;
    let digest = risk.digest();
    if risk.acceptance.as_ref().is_some_and(|a| {
        a.by == req.by && a.role.value == req.role && a.digest.value == digest && a.date == req.date
    }) {
        return Err(refuse(format!(
            "{} already accepted {id} as {} on {}",
            req.by, req.role, req.date
        )));
    }
    let entry = Entry {
        by: req.by,
        role: req.role,
        date: req.date,
        digest: &digest,
    };
    let indent = (start + 1..end).find_map(|i| lines.indent(i)).unwrap_or(2);
    let pad = " ".repeat(indent);
    let new_lines = acceptance_lines(&entry, &pad, lines.eol);
    let new = match lines.find_key(start + 1, end, indent, "acceptance") {
        Some(at) => lines.splice(at, lines.block_end(at), &new_lines),
        None => lines.splice(end, end, &new_lines),
    };
    verify(hb, text, &new, risk, &entry).map_err(|why| {
        refuse(format!(
            "{id} cannot be accepted automatically: {why}.\nWrite its acceptance by hand in {RISKS_FILE}:\n{}",
            acceptance_lines(&entry, "  ", "\n").trim_end()
        ))
    })?;
    Ok((new, digest))
}

/// Refuses an acceptance while the risk's own lines (`start..end`, 0-based) have errors
/// other than those the acceptance settles, and by a role that may not give it.
fn permitted(
    hb: &Handbook,
    checked: &Checked,
    risk: &Risk,
    (start, end): (usize, usize),
    req: &Request<'_>,
) -> Result<(), Refusal> {
    let id = &risk.id.value;
    let settled = |code: Code| {
        matches!(
            code,
            Code::ResidualUnaccepted
                | Code::AcceptanceStale
                | Code::AcceptanceExpired
                | Code::ActionOverdue
        )
    };
    let blocking: Vec<Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.file == Path::new(RISKS_FILE) && d.is_error() && !settled(d.code))
        .filter(|d| {
            d.span
                .is_some_and(|s| (start + 1..=end).contains(&(s.line as usize)))
        })
        .cloned()
        .collect();
    if !blocking.is_empty() {
        return Err(Refusal {
            message: format!("{id} has errors; fix them before accepting it"),
            diagnostics: blocking,
        });
    }
    if !hb.config.has_role(req.role) {
        return Err(refuse(format!(
            "role {} is not declared under [roles] in ismsbook.toml",
            req.role
        )));
    }
    if !may_accept(&hb.config, risk, req.role) {
        return Err(refuse(format!(
            "role {} may not accept {id}: only {} may",
            req.role,
            who_may_accept(&hb.config, risk)
        )));
    }
    Ok(())
}

/// Everything a risk says, but where it says it.
fn summary(r: &Risk, skip_acceptance: bool) -> String {
    let actions: Vec<String> = r
        .actions
        .iter()
        .map(|a| {
            format!(
                "{}|{}|{}|{:?}|{}|{:?}",
                a.id.value, a.action, a.owner.value, a.due, a.status, a.done
            )
        })
        .collect();
    let acceptance = match (&r.acceptance, skip_acceptance) {
        (Some(a), false) => format!(
            "{}|{}|{}|{:?}|{}",
            a.by, a.role.value, a.date, a.expires, a.digest.value
        ),
        _ => String::new(),
    };
    format!(
        "{}|{}|{}|{:?}|{}|{:?}|{:?}|{acceptance}",
        r.id.value,
        r.title,
        r.owner.value,
        r.assets,
        r.canonical(),
        actions,
        r.review_last
    )
}

/// The new text must read as the old one, with this acceptance on this risk.
fn verify(hb: &Handbook, old: &str, new: &str, target: &Risk, e: &Entry<'_>) -> Result<(), String> {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let a = risks::read(old, &hb.config.risk, &mut before);
    let b = risks::read(new, &hb.config.risk, &mut after);
    if after.len() > before.len() || a.risks.len() != b.risks.len() {
        return Err("the edited file would not read the same".into());
    }
    for (x, y) in a.risks.iter().zip(&b.risks) {
        let is_target = x.id.value == target.id.value;
        if summary(x, is_target) != summary(y, is_target) {
            return Err(format!("the edit would change {}", x.id.value));
        }
        if is_target {
            let ok = y.acceptance.as_ref().is_some_and(|a| {
                a.by == e.by
                    && a.role.value == e.role
                    && a.date == e.date
                    && a.digest.value == e.digest
                    && a.expires.is_none()
            });
            if !ok {
                return Err("the acceptance would not read back as written".into());
            }
        }
    }
    Ok(())
}
