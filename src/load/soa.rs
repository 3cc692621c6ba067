//! `content/soa.yaml`: which controls are excluded and why, and why others are included.

use std::path::Path;

use super::yaml::{self, Value};
use super::SOA_FILE;
use crate::core::catalog::{catalog, unknown_control};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::suggest::did_you_mean;
use crate::core::types::ControlId;
use crate::load::model::{Soa, Spanned};

pub fn read(text: &str, diags: &mut Vec<Diagnostic>) -> Soa {
    let file = Path::new(SOA_FILE);
    let mut soa = Soa::default();
    let root = match yaml::parse(text, 1) {
        Ok(Some(root)) => root,
        Ok(None) => return soa,
        Err(e) => {
            diags.push(
                Diagnostic::error(Code::FrontMatter, file, format!("invalid YAML: {}", e.message))
                    .at(e.span)
                    .help("soa.yaml holds two mappings, `excluded:` and `included:`, of control id to text"),
            );
            return soa;
        }
    };
    let Value::Map(sections) = &root.value else {
        diags.push(
            Diagnostic::error(
                Code::FrontMatter,
                file,
                "soa.yaml must be a mapping with `excluded:` and `included:`",
            )
            .at(root.span),
        );
        return soa;
    };
    for (key, value) in sections {
        let name = match &key.value {
            Value::Scalar { text, .. } => text.as_str(),
            _ => "",
        };
        let excluded = match name {
            "excluded" => true,
            "included" => false,
            "version" | "owner" | "approvals" => {
                super::soa_control::read(name, value, &mut soa, diags);
                continue;
            }
            _ => {
                let help = match did_you_mean(name, ["excluded", "included"]) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "soa.yaml has two sections: `excluded:` and `included:`".to_string(),
                };
                let message = match name {
                    "" => "a section without a name in soa.yaml".to_string(),
                    _ => format!("unknown section `{name}` in soa.yaml"),
                };
                diags.push(
                    Diagnostic::error(Code::UnknownField, file, message)
                        .at(key.span)
                        .help(help),
                );
                continue;
            }
        };
        let entries = match &value.value {
            Value::Map(entries) => entries.as_slice(),
            _ if value.is_null() => &[],
            _ => {
                diags.push(
                    Diagnostic::error(
                        Code::FrontMatter,
                        file,
                        format!("`{name}` must map control ids to text, e.g.  A.7.4: We have no premises of our own"),
                    )
                    .at(value.span),
                );
                continue;
            }
        };
        for (control, reason) in entries {
            let Value::Scalar { text: id_text, .. } = &control.value else {
                continue;
            };
            let id = match id_text.parse::<ControlId>() {
                Ok(id) if catalog().control(id).is_some() => id,
                _ => {
                    diags.push(unknown_control(file, id_text, control.span));
                    continue;
                }
            };
            let text = match &reason.value {
                Value::Scalar { text, .. } if !reason.is_null() => text.trim().to_string(),
                _ => String::new(),
            };
            if excluded && text.is_empty() {
                diags.push(
                    Diagnostic::error(
                        Code::ExclusionUnjustified,
                        file,
                        format!("{id} is excluded without a justification"),
                    )
                    .at(control.span)
                    .help(format!(
                        "say why the control does not apply, e.g.  {id}: We occupy no premises of our own"
                    )),
                );
            }
            let map = if excluded {
                &mut soa.excluded
            } else {
                &mut soa.included
            };
            map.insert(
                id,
                Spanned {
                    value: text,
                    span: control.span,
                },
            );
        }
    }
    soa
}
