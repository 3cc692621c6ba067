//! Splitting a document into front matter and body, and reading the front matter's fields.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use super::yaml::{self, Node, Value};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::model::{Approval, Review, Spanned};
use crate::suggest::did_you_mean;
use crate::types::{ControlId, Date, DocType, DocumentId, Interval, Status, Version};

pub const FIELDS: &[&str] = &[
    "id",
    "title",
    "type",
    "version",
    "status",
    "owner",
    "classification",
    "effective",
    "review",
    "approvals",
    "controls",
    "clauses",
    "related",
    "supersedes",
    "tags",
    "extra",
];
const REVIEW_FIELDS: &[&str] = &["interval", "last", "next"];
const APPROVAL_FIELDS: &[&str] = &["version", "by", "role", "date", "digest"];

/// Where the front matter and the body lie in a file's text.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// The file line of the first YAML line (2 when the file starts with `---`).
    pub yaml_line: u32,
    pub body_start: usize,
    pub body_line: u32,
}

const SKELETON: &str = "start the file with a front matter block, e.g.\n---\nid: POL-001\ntitle: Information Security Policy\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---";

/// Finds the front matter: a first line `---`, then YAML, then a line `---` (or `...`).
pub fn split<'a>(text: &'a str, file: &Path) -> Result<Split<'a>, Diagnostic> {
    let mut lines = LineIter { text, pos: 0 };
    let first = lines.next();
    if first.map(|(_, l)| l.trim_end()) != Some("---") {
        let message = if text.trim().is_empty() {
            "the file is empty: a document needs front matter"
        } else {
            "missing front matter: the file must start with a line `---`"
        };
        let first_len = first.map_or(1, |(_, l)| l.trim_end().chars().count().max(1));
        return Err(Diagnostic::error(Code::FrontMatter, file, message)
            .at(Span::new(1, 1, first_len as u32))
            .help(SKELETON));
    }
    let yaml_start = lines.pos;
    let mut line_no = 1;
    while let Some((start, line)) = lines.next() {
        line_no += 1;
        if matches!(line.trim_end(), "---" | "...") {
            return Ok(Split {
                yaml: &text[yaml_start..start],
                yaml_line: 2,
                body_start: lines.pos,
                body_line: line_no + 1,
            });
        }
    }
    Err(Diagnostic::error(
        Code::FrontMatter,
        file,
        "unterminated front matter: no closing `---` line",
    )
    .at(Span::new(1, 1, 3))
    .help("add a line `---` after the last front matter field, before the body"))
}

/// Lines with their byte offsets; a line includes no terminator.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (usize, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    }
}

/// The typed fields of one front matter block.
#[derive(Debug, Default)]
pub struct Fields {
    pub id: Option<Spanned<DocumentId>>,
    pub title: Option<String>,
    pub doc_type: Option<DocType>,
    pub version: Option<Version>,
    pub status: Option<Status>,
    pub owner: Option<Spanned<String>>,
    pub classification: Option<Spanned<String>>,
    pub effective: Option<Date>,
    pub review: Review,
    pub approvals: Vec<Approval>,
    pub controls: Vec<Spanned<ControlId>>,
    pub clauses: Vec<Spanned<String>>,
    pub related: Vec<Spanned<DocumentId>>,
    pub supersedes: Vec<Spanned<DocumentId>>,
    pub tags: Vec<String>,
    /// Where each known top-level key was written; unknown keys are reported, not kept.
    pub spans: Vec<(&'static str, Span)>,
    /// Control ids that did not parse, kept for the catalogue's help (2013 ids).
    pub bad_controls: Vec<Spanned<String>>,
}

/// Reads the fields, reporting every problem (not only the first) into `diags`.
pub fn read(split: &Split<'_>, file: &Path, diags: &mut Vec<Diagnostic>) -> Option<Fields> {
    let root = match yaml::parse(split.yaml, split.yaml_line) {
        Ok(Some(root)) => root,
        Ok(None) => {
            diags.push(
                Diagnostic::error(Code::FrontMatter, file, "the front matter is empty")
                    .at(Span::new(1, 1, 3))
                    .help(SKELETON),
            );
            return None;
        }
        Err(e) => {
            let line_text = split
                .yaml
                .lines()
                .nth((e.span.line - split.yaml_line) as usize);
            let help = if line_text.is_some_and(|l| l.contains('\t')) {
                "YAML does not allow tabs for indentation: indent with spaces".to_string()
            } else {
                "check the YAML syntax on this line: a `key: value` per line, lists as [a, b] or `- a` lines; quote values that contain `: ` or start with a special character".to_string()
            };
            diags.push(
                Diagnostic::error(
                    Code::FrontMatter,
                    file,
                    format!("invalid YAML: {}", e.message),
                )
                .at(e.span)
                .help(help),
            );
            return None;
        }
    };
    let Value::Map(entries) = &root.value else {
        diags.push(
            Diagnostic::error(
                Code::FrontMatter,
                file,
                format!(
                    "the front matter must be a mapping of `key: value` lines, not {}",
                    root.kind()
                ),
            )
            .at(root.span),
        );
        return None;
    };
    let mut r = Reader { file, diags };
    let mut f = Fields::default();
    for (key, value) in r.unique_entries(entries, FIELDS, "front matter") {
        f.spans.push((key, value.span));
        match key {
            "id" => {
                f.id = r.parse(value, key).map(|v| Spanned {
                    value: v,
                    span: value.span,
                })
            }
            "title" => f.title = r.text(value, key),
            "type" => f.doc_type = r.parse(value, key),
            "version" => f.version = r.version(value, key),
            "status" => f.status = r.parse(value, key),
            "owner" => f.owner = r.spanned_text(value, key),
            "classification" => f.classification = r.spanned_text(value, key),
            "effective" => f.effective = r.parse(value, key),
            "review" => f.review = r.review(value),
            "approvals" => f.approvals = r.approvals(value),
            "controls" => {
                for item in r.list(value, key) {
                    let Some(text) = r.text(item, key) else {
                        continue;
                    };
                    match ControlId::from_str(&text) {
                        Ok(c) => f.controls.push(Spanned {
                            value: c,
                            span: item.span,
                        }),
                        Err(_) => f.bad_controls.push(Spanned {
                            value: text,
                            span: item.span,
                        }),
                    }
                }
            }
            "clauses" => {
                f.clauses = r
                    .list(value, key)
                    .into_iter()
                    .filter_map(|item| r.spanned_text(item, key))
                    .collect()
            }
            "related" | "supersedes" => {
                let ids = r
                    .list(value, key)
                    .into_iter()
                    .filter_map(|item| {
                        r.parse(item, key).map(|v| Spanned {
                            value: v,
                            span: item.span,
                        })
                    })
                    .collect();
                if key == "related" {
                    f.related = ids;
                } else {
                    f.supersedes = ids;
                }
            }
            "tags" => {
                f.tags = r
                    .list(value, key)
                    .into_iter()
                    .filter_map(|i| r.text(i, key))
                    .collect()
            }
            _ => {} // extra: free-form by design
        }
    }
    Some(f)
}

/// How a field is written, for the help line of a wrong value.
fn example(key: &str) -> String {
    let field = key.rsplit('.').next().unwrap_or(key);
    let sample = match field {
        "id" => "POL-001".to_string(),
        "title" => "Access Control Policy  (quote it if it starts with [ { * & ! or contains `: `)"
            .to_string(),
        "type" => DocType::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        "version" => "\"1.2\"  (MAJOR.MINOR, quoted)".to_string(),
        "status" => Status::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        "effective" | "last" | "next" | "date" => {
            "2026-01-15  (a real date, YYYY-MM-DD)".to_string()
        }
        "interval" => "12 months".to_string(),
        "controls" => "[A.5.15, A.8.5]".to_string(),
        "clauses" => "[\"5.2\", \"6.1.2\"]".to_string(),
        "related" | "supersedes" => "[POL-001, PRO-004]".to_string(),
        "tags" => "[access, identity]".to_string(),
        "review" => "{ last: 2026-01-10, interval: 12 months }".to_string(),
        "approvals" => "written by `ismsbook approve`".to_string(),
        _ => "see the front matter reference in the README".to_string(),
    };
    format!("write it like: {field}: {sample}")
}

struct Reader<'a> {
    file: &'a Path,
    diags: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn wrong_type(&mut self, node: &Node, key: &str, expected: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::FrontMatter,
                self.file,
                format!("`{key}` must be {expected}, found {}", node.kind()),
            )
            .at(node.span)
            .help(example(key)),
        );
    }

    /// The entries of a mapping with known keys; unknown and repeated keys are reported.
    fn unique_entries<'n>(
        &mut self,
        entries: &'n [(Node, Node)],
        known: &[&'static str],
        what: &str,
    ) -> Vec<(&'static str, &'n Node)> {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut out = Vec::new();
        for (key, value) in entries {
            let Value::Scalar { text, .. } = &key.value else {
                self.wrong_type(key, "a key", "a plain name");
                continue;
            };
            if let Some(first) = seen.get(text.as_str()) {
                self.diags.push(
                    Diagnostic::error(
                        Code::FrontMatter,
                        self.file,
                        format!(
                            "duplicate key `{text}` in {what} (first at line {})",
                            first.line
                        ),
                    )
                    .at(key.span)
                    .help("keep one of the two entries"),
                );
                continue;
            }
            seen.insert(text, key.span);
            match known.iter().find(|k| **k == text) {
                Some(k) => out.push((*k, value)),
                None => {
                    let help = match did_you_mean(text, known.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if what == "front matter" => {
                            "put custom data under `extra:`; the fields are listed in the README"
                                .to_string()
                        }
                        None => format!("the keys of {what} are: {}", known.join(", ")),
                    };
                    self.diags.push(
                        Diagnostic::error(
                            Code::UnknownField,
                            self.file,
                            format!("unknown field `{text}` in {what}"),
                        )
                        .at(key.span)
                        .help(help),
                    );
                }
            }
        }
        out
    }

    fn text(&mut self, node: &Node, key: &str) -> Option<String> {
        match &node.value {
            Value::Scalar { text, .. } if !node.is_null() => Some(text.clone()),
            _ => {
                self.wrong_type(node, key, "a single value");
                None
            }
        }
    }

    fn spanned_text(&mut self, node: &Node, key: &str) -> Option<Spanned<String>> {
        self.text(node, key).map(|value| Spanned {
            value,
            span: node.span,
        })
    }

    fn parse<T: FromStr<Err = String>>(&mut self, node: &Node, key: &str) -> Option<T> {
        let text = self.text(node, key)?;
        match text.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(Code::FrontMatter, self.file, format!("`{key}`: {e}"))
                        .at(node.span)
                        .help(example(key)),
                );
                None
            }
        }
    }

    /// Versions are read from the scalar as written, so an unquoted `1.10` is 1.10.
    fn version(&mut self, node: &Node, key: &str) -> Option<Version> {
        let v: Version = self.parse(node, key)?;
        Some(v)
    }

    fn list<'n>(&mut self, node: &'n Node, key: &str) -> Vec<&'n Node> {
        match &node.value {
            Value::Seq(items) => items.iter().collect(),
            _ if node.is_null() => Vec::new(),
            _ => {
                self.wrong_type(node, key, "a list such as [A, B]");
                Vec::new()
            }
        }
    }

    fn review(&mut self, node: &Node) -> Review {
        let mut review = Review::default();
        let Value::Map(entries) = &node.value else {
            if !node.is_null() {
                self.wrong_type(node, "review", "a mapping with last, next or interval");
            }
            return review;
        };
        for (key, value) in self.unique_entries(entries, REVIEW_FIELDS, "review") {
            match key {
                "interval" => review.interval = self.parse::<Interval>(value, "review.interval"),
                "last" => review.last = self.parse(value, "review.last"),
                _ => review.next = self.parse(value, "review.next"),
            }
        }
        review
    }

    fn approvals(&mut self, node: &Node) -> Vec<Approval> {
        let mut out = Vec::new();
        for item in self.list(node, "approvals") {
            let Value::Map(entries) = &item.value else {
                self.wrong_type(
                    item,
                    "approvals",
                    "a list of mappings (version, by, role, date, digest)",
                );
                continue;
            };
            let mut digest_span = item.span;
            let (mut version, mut by, mut role, mut date, mut digest) =
                (None, None, None, None, None);
            for (key, value) in self.unique_entries(entries, APPROVAL_FIELDS, "an approval") {
                let name = format!("approvals.{key}");
                match key {
                    "version" => version = self.version(value, &name),
                    "by" => by = self.text(value, &name),
                    "role" => role = self.spanned_text(value, &name),
                    "date" => date = self.parse(value, &name),
                    _ => {
                        digest_span = value.span;
                        digest = self.digest(value);
                    }
                }
            }
            let missing: Vec<&str> = [
                ("version", version.is_none()),
                ("by", by.is_none()),
                ("role", role.is_none()),
                ("date", date.is_none()),
                ("digest", digest.is_none()),
            ]
            .iter()
            .filter(|(k, absent)| {
                *absent
                    && !entries
                        .iter()
                        .any(|(n, _)| matches!(&n.value, Value::Scalar { text, .. } if text == k))
            })
            .map(|(k, _)| *k)
            .collect();
            if !missing.is_empty() {
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingField,
                        self.file,
                        format!("approval without {}", missing.join(", ")),
                    )
                    .at(item.span)
                    .help("approvals are written by `ismsbook approve ID --by NAME --role ROLE`"),
                );
            }
            if let (Some(version), Some(by), Some(role), Some(date), Some(digest)) =
                (version, by, role, date, digest)
            {
                out.push(Approval {
                    version,
                    by,
                    role,
                    date,
                    digest,
                    span: item.span,
                    digest_span,
                });
            }
        }
        out
    }

    fn digest(&mut self, node: &Node) -> Option<String> {
        let text = self.text(node, "approvals.digest")?;
        let hex = text.strip_prefix("sha256:").unwrap_or("");
        if hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Some(text)
        } else {
            self.diags.push(
                Diagnostic::error(
                    Code::FrontMatter,
                    self.file,
                    "`approvals.digest` must be `sha256:` and 64 lowercase hex digits",
                )
                .at(node.span)
                .help("let `ismsbook approve` write the digest"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_finds_body_after_closing_line_with_crlf() {
        let text = "---\r\nid: POL-001\r\n---\r\nBody\r\n";
        let s = split(text, Path::new("x.md")).unwrap();
        assert_eq!(s.yaml, "id: POL-001\r\n");
        assert_eq!(&text[s.body_start..], "Body\r\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn unknown_and_duplicate_keys_are_all_reported() {
        let text = "---\nid: POL-001\nownr: CISO\nid: POL-002\n---\n";
        let s = split(text, Path::new("x.md")).unwrap();
        let mut diags = Vec::new();
        read(&s, Path::new("x.md"), &mut diags);
        assert_eq!(diags.len(), 2, "{diags:#?}");
        assert_eq!(diags[0].code, Code::UnknownField);
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `owner`?"));
        assert_eq!(diags[1].span.unwrap().line, 4);
    }
}
