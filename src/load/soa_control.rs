//! The SoA as a controlled document: `version:`, `owner:` and `approvals:` of
//! `content/soa.yaml` (DESIGN.md Part 2, "SoA as a controlled document").

use std::path::Path;

use super::model::{Approval, Soa, Spanned};
use super::yaml::{Node, Value};
use super::SOA_FILE;
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::types::{Date, Version};

const APPROVAL_KEYS: [&str; 7] = [
    "version",
    "by",
    "role",
    "date",
    "digest",
    "signer",
    "signature",
];

fn scalar(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar { text, .. } if !node.is_null() => Some(text.trim()),
        _ => None,
    }
}

fn wrong(span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::FrontMatter, SOA_FILE, message)
        .at(span)
        .help(help)
}

/// Reads one of the keys `version`, `owner` or `approvals` into `soa`.
pub fn read(name: &str, value: &Node, soa: &mut Soa, diags: &mut Vec<Diagnostic>) {
    match name {
        "version" => match scalar(value).map(str::parse::<Version>) {
            Some(Ok(v)) => {
                soa.version = Some(Spanned {
                    value: v,
                    span: value.span,
                })
            }
            _ => diags.push(wrong(
                value.span,
                "`version` of soa.yaml must be MAJOR.MINOR".into(),
                "write it quoted, like  version: \"1.0\"",
            )),
        },
        "owner" => match scalar(value) {
            Some(role) => {
                soa.owner = Some(Spanned {
                    value: role.to_string(),
                    span: value.span,
                })
            }
            None => diags.push(wrong(
                value.span,
                "`owner` of soa.yaml must be a role".into(),
                "write it like  owner: CISO",
            )),
        },
        _ => match &value.value {
            Value::Seq(items) => {
                soa.approvals = items.iter().filter_map(|i| approval(i, diags)).collect()
            }
            _ if value.is_null() => {}
            _ => diags.push(wrong(
                value.span,
                "`approvals` of soa.yaml must be a list".into(),
                "let `ismsbook approve SoA --by NAME --role ROLE` write it",
            )),
        },
    }
}

fn approval(node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Approval> {
    let help = "let `ismsbook approve SoA --by NAME --role ROLE` write it";
    let Value::Map(pairs) = &node.value else {
        diags.push(wrong(
            node.span,
            "an approval must be a mapping".into(),
            help,
        ));
        return None;
    };
    let (mut version, mut by, mut role, mut date, mut digest) = (None, None, None, None, None);
    let (mut signer, mut signature) = (None, None);
    for (k, v) in pairs {
        let key = scalar(k).unwrap_or("");
        let text = scalar(v).unwrap_or("");
        match key {
            "version" => version = text.parse::<Version>().ok(),
            "by" => by = Some(text.to_string()),
            "role" => {
                role = Some(Spanned {
                    value: text.to_string(),
                    span: v.span,
                })
            }
            "date" => date = text.parse::<Date>().ok(),
            "digest" => digest = Some((text.to_string(), v.span)),
            "signer" => {
                signer = Some(Spanned {
                    value: text.to_string(),
                    span: v.span,
                })
            }
            "signature" => {
                signature = Some(Spanned {
                    value: text.to_string(),
                    span: v.span,
                })
            }
            _ => diags.push(
                Diagnostic::error(
                    Code::UnknownField,
                    Path::new(SOA_FILE),
                    format!("unknown key `{key}` in an approval"),
                )
                .at(k.span)
                .help(format!(
                    "an approval has the keys {}",
                    APPROVAL_KEYS.join(", ")
                )),
            ),
        }
    }
    match (version, by, role, date, digest) {
        (Some(version), Some(by), Some(role), Some(date), Some((digest, digest_span))) => {
            Some(Approval {
                version,
                by,
                role,
                date,
                digest,
                span: node.span,
                digest_span,
                signer,
                signature,
            })
        }
        _ => {
            diags.push(wrong(
                node.span,
                "an approval of the SoA needs version, by, role, date (YYYY-MM-DD) and digest"
                    .into(),
                help,
            ));
            None
        }
    }
}
