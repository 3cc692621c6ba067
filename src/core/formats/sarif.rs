//! SARIF 2.1.0 (OASIS), the format of GitHub code scanning and most security dashboards: one
//! run of the tool `ismsbook`, one rule per code with its documentation from docs/rules.md, one
//! result per diagnostic at its file, line and column.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rules::{plain, rule};
use super::{fingerprints, repo_path};
use crate::core::diagnostics::{Code, Diagnostic, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base that every result's relative path is resolved against: the repository's top.
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    /// Columns count characters, as a diagnostic's do.
    column_kind: &'a str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    /// SARIF asks for a name unlike the id, or none (`config` would be `Config`).
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The log, pretty-printed.
pub fn render(prefix: &str, diags: &[Diagnostic]) -> String {
    let results = diags
        .iter()
        .zip(fingerprints(prefix, diags))
        .map(|(d, fp)| result(prefix, d, fp))
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "ismsbook",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: Code::ALL.iter().map(|&c| descriptor(c)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

/// A rule: the code, its "when" as description and its "how to fix" as help.
fn descriptor(code: Code) -> Descriptor {
    let doc = rule(code);
    let when = doc.as_ref().map_or("", |r| r.when);
    let fix = doc.as_ref().map_or("", |r| r.fix);
    let first_sentence = when
        .split(". ")
        .next()
        .unwrap_or(when)
        .trim_end_matches('.');
    let name: String = code
        .as_str()
        .split('-')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect();
    Descriptor {
        id: code.as_str(),
        name: (!name.eq_ignore_ascii_case(code.as_str())).then_some(name),
        short_description: Text {
            text: format!("{}.", plain(first_sentence)),
        },
        full_description: Text { text: plain(when) },
        help: Help {
            text: plain(fix),
            markdown: fix.to_string(),
        },
        default_configuration: Configuration {
            level: level(doc.map_or(Severity::Error, |r| r.severity)),
        },
    }
}

fn result<'a>(prefix: &str, d: &'a Diagnostic, fingerprint: String) -> SarifResult<'a> {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    SarifResult {
        rule_id: d.code.as_str(),
        rule_index: Code::ALL.iter().position(|&c| c == d.code).unwrap_or(0),
        level: level(d.severity),
        message: Text { text },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri_path(&repo_path(prefix, d)),
                    uri_base_id: SRCROOT,
                },
                // Code scanning needs a line: a problem of a whole file is put on its first.
                region: Region {
                    start_line: d.span.map_or(1, |s| s.line),
                    start_column: d.span.map(|s| s.col),
                    end_column: d.span.map(|s| s.col + s.len),
                },
            },
        }],
        partial_fingerprints: BTreeMap::from([("ismsbook/v1", fingerprint)]),
    }
}

/// A relative path as a URI reference: every byte outside the unreserved set and `/` is
/// percent-encoded, so spaces, `%`, `#`, `?` and a `:` that would read as a scheme survive.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri_path("content/a b:c%é.md"),
            "content/a%20b%3Ac%25%C3%A9.md"
        );
    }

    #[test]
    fn rules_carry_their_documentation() {
        let d = descriptor(Code::UnknownControl);
        assert_eq!(d.name.as_deref(), Some("UnknownControl"));
        assert_eq!(descriptor(Code::Config).name, None);
        assert_eq!(d.help.markdown, "Use the 2022 id (`A.5.15`).");
        assert_eq!(d.help.text, "Use the 2022 id (A.5.15).");
        assert_eq!(
            descriptor(Code::ReviewDueSoon).default_configuration.level,
            "warning"
        );
    }
}
