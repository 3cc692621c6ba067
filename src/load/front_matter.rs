//! Splitting a document into front matter and body, and reading the front matter's fields.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use super::yaml::{self, Node, Value};
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::suggest::did_you_mean;
use crate::core::types::{ControlId, Date, DocType, DocumentId, Status, Version};
use crate::load::model::{Approval, Review, Spanned};

mod index;
mod record;
mod schema;
pub use schema::{Field, Required, FIELDS};

/// Where the front matter and the body lie in a file's text.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// The file line of the first YAML line (2 when the file starts with `---`).
    pub yaml_line: u32,
    pub body_start: usize,
    pub body_line: u32,
}

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
            .help(FIELDS.skeleton()));
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
    pub requirements: Vec<Spanned<String>>,
    pub related: Vec<Spanned<DocumentId>>,
    pub supersedes: Vec<Spanned<DocumentId>>,
    pub tags: Vec<String>,
    pub record: Option<crate::load::record::Record>,
    pub activities: Vec<crate::load::record::Activity>,
    /// Where each known top-level key was written; unknown keys are reported, not kept.
    pub spans: Vec<(&'static str, Span)>,
    /// Control ids that did not parse, kept for the catalogue's help (2013 ids).
    pub bad_controls: Vec<Spanned<String>>,
    /// Where each top-level key itself was written: a field missing from a mapping is
    /// reported at the mapping's key.
    key_spans: Vec<(&'static str, Span)>,
    /// The approval being read: its fields' setters fill it, `approvals` takes it.
    draft: ApprovalDraft,
    /// The activity being read, like `draft`.
    activity: record::ActivityDraft,
}

#[derive(Debug, Default)]
struct ApprovalDraft {
    version: Option<Version>,
    by: Option<String>,
    role: Option<Spanned<String>>,
    date: Option<Date>,
    digest: Option<(String, Span)>,
    signer: Option<Spanned<String>>,
    signature: Option<Spanned<String>>,
}

/// Reads the fields, reporting every problem (not only the first) into `diags`.
pub fn read(split: &Split<'_>, file: &Path, diags: &mut Vec<Diagnostic>) -> Option<Fields> {
    let root = match yaml::parse(split.yaml, split.yaml_line) {
        Ok(Some(root)) => root,
        Ok(None) => {
            diags.push(
                Diagnostic::error(Code::FrontMatter, file, "the front matter is empty")
                    .at(Span::new(1, 1, 3))
                    .help(FIELDS.skeleton()),
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
    for (field, key, value) in r.unique_entries(entries, "", "front matter") {
        f.spans.push((field.name, value.span));
        f.key_spans.push((field.name, key));
        (field.set)(&mut r, field.name, value, &mut f);
    }
    Some(f)
}

/// How a field is written, for the help line of a wrong value.
fn example(key: &str) -> String {
    match FIELDS.get(key) {
        Some(field) => field.write_it_like(),
        None => "see docs/front-matter.md".to_string(),
    }
}

/// The keys of a mapping field, for a message: `interval, last, next`.
fn keys_of(parent: &'static str) -> String {
    let keys: Vec<&str> = FIELDS.children(parent).map(Field::key).collect();
    keys.join(", ")
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

    /// The entries of a mapping with the schema's fields under `parent`; unknown and repeated
    /// keys are reported.
    fn unique_entries<'n>(
        &mut self,
        entries: &'n [(Node, Node)],
        parent: &'static str,
        what: &str,
    ) -> Vec<(&'static Field, Span, &'n Node)> {
        let known = FIELDS.children(parent);
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
            match index::field(parent, text) {
                Some(f) => out.push((f, key.span, value)),
                None => {
                    let help = match did_you_mean(text, known.clone().map(Field::key)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if parent.is_empty() => {
                            "put custom data under `extra:`; the fields are listed in docs/front-matter.md"
                                .to_string()
                        }
                        None => {
                            let keys: Vec<&str> = known.clone().map(Field::key).collect();
                            format!("the keys of {what} are: {}", keys.join(", "))
                        }
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

    /// Reads `review:` into `f.review`, recording where each of its keys was written.
    fn review(&mut self, node: &Node, key: &'static str, f: &mut Fields) {
        let Value::Map(entries) = &node.value else {
            if !node.is_null() {
                let expected = format!("a mapping of {}", keys_of(key));
                self.wrong_type(node, key, &expected);
            }
            return;
        };
        for (field, _, value) in self.unique_entries(entries, key, key) {
            f.spans.push((field.name, value.span));
            (field.set)(self, field.name, value, f);
        }
    }

    fn approvals(&mut self, node: &Node, key: &'static str, f: &mut Fields) {
        for item in self.list(node, key) {
            let Value::Map(entries) = &item.value else {
                let expected = format!("a list of mappings of {}", keys_of(key));
                self.wrong_type(item, key, &expected);
                continue;
            };
            f.draft = ApprovalDraft::default();
            let mut written = Vec::new();
            for (field, _, value) in self.unique_entries(entries, key, "an approval") {
                written.push(field);
                (field.set)(self, field.name, value, f);
            }
            // A key written with a wrong value has had its own error: only absent ones here.
            let missing: Vec<&str> = FIELDS
                .children(key)
                .filter(|c| c.required == Required::Always)
                .filter(|c| !written.iter().any(|w| std::ptr::eq(*w, *c)))
                .map(Field::key)
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
            let d = std::mem::take(&mut f.draft);
            if let (Some(version), Some(by), Some(role), Some(date), Some((digest, digest_span))) =
                (d.version, d.by, d.role, d.date, d.digest)
            {
                f.approvals.push(Approval {
                    version,
                    by,
                    role,
                    date,
                    digest,
                    span: item.span,
                    digest_span,
                    signer: d.signer,
                    signature: d.signature,
                });
            }
        }
    }

    fn controls(&mut self, node: &Node, key: &str, f: &mut Fields) {
        for item in self.list(node, key) {
            let Some(text) = self.text(item, key) else {
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

    fn ids(&mut self, node: &Node, key: &str) -> Vec<Spanned<DocumentId>> {
        self.list(node, key)
            .into_iter()
            .filter_map(|item| {
                self.parse(item, key).map(|value| Spanned {
                    value,
                    span: item.span,
                })
            })
            .collect()
    }

    fn digest(&mut self, node: &Node, key: &str) -> Option<String> {
        let text = self.text(node, key)?;
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
                    format!("`{key}` must be `sha256:` and 64 lowercase hex digits"),
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

    fn read_text(text: &str) -> (Option<Fields>, Vec<Diagnostic>) {
        let s = split(text, Path::new("x.md")).unwrap();
        let mut diags = Vec::new();
        let fields = read(&s, Path::new("x.md"), &mut diags);
        if let Some(f) = &fields {
            FIELDS.require(f, Path::new("x.md"), &mut diags);
        }
        (fields, diags)
    }

    #[test]
    fn the_schema_example_sets_every_field_without_a_problem() {
        let (f, diags) = read_text(&FIELDS.example());
        assert!(diags.is_empty(), "{diags:#?}");
        let f = f.unwrap();
        for field in FIELDS.iter().filter(|f| f.parent() != "approvals") {
            assert!(
                f.spans.iter().any(|(k, _)| *k == field.name),
                "{} not read",
                field.name
            );
        }
        assert_eq!(f.approvals.len(), 1);
        assert_eq!(f.controls.len(), 3);
        assert!(f.review.last.is_some() && f.review.next.is_some());
        assert!(f.review.interval.is_some() && f.effective.is_some());
    }

    #[test]
    fn required_fields_are_the_schemas() {
        let (_, diags) = read_text("---\nstatus: approved\nreview:\n  interval: 1 year\n---\n");
        let missing: Vec<&str> = diags
            .iter()
            .filter(|d| d.code == Code::MissingField)
            .map(|d| d.message.trim_start_matches("missing field "))
            .collect();
        assert_eq!(
            missing,
            [
                "`id`",
                "`title`",
                "`type`",
                "`version`",
                "`owner`",
                "`classification`",
                "`effective`",
                "`review.last`"
            ],
            "approvals are left to unapproved-version: {diags:#?}"
        );
        let last = diags
            .iter()
            .find(|d| d.message.contains("review.last"))
            .unwrap();
        assert_eq!(last.span, Some(Span::new(3, 1, 6)), "at the `review` key");
        // An approved document without `review:` at all is told to add the mapping.
        let (_, diags) = read_text("---\nstatus: approved\n---\n");
        assert!(diags.iter().any(|d| d.message == "missing field `review`"
            && d.help
                .as_deref()
                .is_some_and(|h| h.contains("review: { last: 2026-01-10 }"))));
        // A draft needs neither.
        let (_, diags) = read_text("---\nstatus: draft\n---\n");
        assert!(
            !diags.iter().any(|d| d.message.contains("review")),
            "{diags:#?}"
        );
    }

    #[test]
    fn an_unknown_key_in_a_mapping_lists_the_schemas_keys() {
        let (_, diags) = read_text("---\nreview:\n  frequency: 1 year\n---\n");
        let d = diags.iter().find(|d| d.code == Code::UnknownField).unwrap();
        assert_eq!(d.message, "unknown field `frequency` in review");
        assert_eq!(
            d.help.as_deref(),
            Some("the keys of review are: interval, last, next")
        );
    }
}
