//! `ismsbook accept R-001 --by NAME --role ROLE [--date] [--sign KEYFILE]`: records the
//! acceptance of a risk's residual level, bound by its digest to the assessment (likelihood,
//! impact, treatment, controls, residual), signed when asked. Only the risk's `acceptance:`
//! lines are written or replaced; the new text is read again and refused unless every other
//! risk and field came out the same.

use std::path::Path;

use super::approve::sign::{sign_at, signature_for, Signature, Step};
use super::approve::{plain_or_quoted, Refusal};
use super::yaml_lines::Lines;
use crate::check::risks::{may_accept, who_may_accept};
use crate::check::signatures::ACCEPTANCE_VERSION;
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
    /// `--sign KEYFILE`: sign the acceptance with this SSH key.
    pub sign: Option<&'a Path>,
}

/// What the acceptance records.
pub struct Entry<'a> {
    pub by: &'a str,
    pub role: &'a str,
    pub date: Date,
    pub digest: &'a str,
    pub signature: Option<&'a Signature>,
}

impl Entry<'_> {
    /// The message its signature signs (`check::signatures::acceptance_message`).
    pub fn message(&self, id: &RiskId) -> String {
        crate::core::signing::approval_message(
            id.as_str(),
            ACCEPTANCE_VERSION,
            self.role,
            self.date,
            self.digest,
        )
    }
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
    let mut lines = vec![
        format!("{indent}acceptance:"),
        format!("{inner}by: {}", plain_or_quoted(e.by)),
        format!("{inner}role: {}", plain_or_quoted(e.role)),
        format!("{inner}date: {}", e.date),
        format!("{inner}digest: {}", e.digest),
    ];
    if let Some(sig) = e.signature {
        lines.push(format!("{inner}signer: {}", plain_or_quoted(&sig.signer)));
        lines.push(format!("{inner}signature: {}", sig.yaml()));
    }
    lines.iter().map(|l| format!("{l}{eol}")).collect()
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
    if let Some(a) = risk.acceptance.as_ref().filter(|a| {
        a.by == req.by && a.role.value == req.role && a.digest.value == digest && a.date == req.date
    }) {
        // Accepting again with a key signs the acceptance already there.
        match (req.sign, &a.signature) {
            (Some(key), None) => return Ok((sign_in_place(hb, text, risk, key)?, digest)),
            _ => {
                return Err(refuse(format!(
                    "{} already accepted {id} as {} on {}",
                    req.by, req.role, req.date
                )))
            }
        }
    }
    let mut entry = Entry {
        by: req.by,
        role: req.role,
        date: req.date,
        digest: &digest,
        signature: None,
    };
    let signature = match req.sign {
        Some(key) => Some(signature_for(hb, key, &entry.message(&id)).map_err(refuse)?),
        None => None,
    };
    entry.signature = signature.as_ref();
    let new = write_entry(hb, text, risk, &entry).map_err(refuse)?;
    Ok((new, digest))
}

/// `text` (risks.yaml, where `risk` was read) with the risk's acceptance signed with `key`
/// (over the acceptance as written): `signer:` and `signature:` added, every other byte kept.
pub fn sign_in_place(
    hb: &Handbook,
    text: &str,
    risk: &Risk,
    key: &Path,
) -> Result<String, Refusal> {
    let Some(a) = &risk.acceptance else {
        return Err(refuse(format!(
            "{} has no acceptance to sign",
            risk.id.value
        )));
    };
    let message = crate::check::signatures::acceptance_message(risk, a);
    let sig = signature_for(hb, key, &message).map_err(refuse)?;
    let path = [Step::Key(risk.id.value.as_str()), Step::Key("acceptance")];
    sign_at(text, &path, &sig).map_err(|why| {
        refuse(format!(
            "the acceptance of {} cannot be signed automatically: {why}.\nAdd to it by hand in {RISKS_FILE}:\n    signer: {}\n    signature: {}",
            risk.id.value,
            plain_or_quoted(&sig.signer),
            sig.yaml()
        ))
    })
}

/// `text` (risks.yaml, where `risk` was read) with the risk's acceptance replaced by `e`, or
/// why it cannot be, with the lines to write by hand.
fn write_entry(hb: &Handbook, text: &str, risk: &Risk, e: &Entry<'_>) -> Result<String, String> {
    let lines = Lines::new(text);
    let start = risk.id.span.line as usize - 1;
    let end = lines.block_end(start);
    let indent = (start + 1..end).find_map(|i| lines.indent(i)).unwrap_or(2);
    let pad = " ".repeat(indent);
    let new_lines = acceptance_lines(e, &pad, lines.eol);
    let new = match lines.find_key(start + 1, end, indent, "acceptance") {
        Some(at) => lines.splice(at, lines.block_end(at), &new_lines),
        None => lines.splice(end, end, &new_lines),
    };
    verify(hb, text, &new, risk, e).map_err(|why| {
        format!(
            "{} cannot be accepted automatically: {why}.\nWrite its acceptance by hand in {RISKS_FILE}:\n{}",
            risk.id.value,
            acceptance_lines(e, "  ", "\n").trim_end()
        )
    })?;
    Ok(new)
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
                | Code::ApprovalUnsigned
                | Code::ApprovalSignatureInvalid
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
                    && a.signer.as_ref().map(|s| s.value.as_str())
                        == e.signature.map(|s| s.signer.as_str())
                    && a.signature.as_ref().map(|s| s.value.as_str())
                        == e.signature.map(|s| s.armored.trim())
            });
            if !ok {
                return Err("the acceptance would not read back as written".into());
            }
        }
    }
    Ok(())
}
