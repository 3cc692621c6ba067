//! `ismsbook.toml`: read with spans so that every wrong key is reported at its line, all at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::suggest::did_you_mean;
use crate::core::types::{DocType, Interval};

pub mod operation;
pub use operation::{Audit, Certification, Every, Operation};
mod risk;
pub use risk::RiskConfig;
mod part2;

pub const FILE: &str = "ismsbook.toml";
/// A configuration is a few kilobytes; a megabyte is a mistake (or an attack) that the TOML
/// parser would otherwise spend seconds on.
pub const MAX_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Config {
    pub title: String,
    pub organization: String,
    /// Short name -> full title, in the order declared.
    pub roles: Vec<(String, String)>,
    /// From least to most sensitive.
    pub levels: Vec<String>,
    pub default_interval: Interval,
    pub warn_before: Interval,
    pub intervals: BTreeMap<DocType, Interval>,
    pub approval_roles: Vec<String>,
    /// Per document type, the roles whose approval counts; overrides `approval_roles`.
    pub approval_by_type: BTreeMap<DocType, Vec<String>>,
    /// `[audit]`, `[management_review]`, `[certification]`.
    pub operation: Operation,
    /// `[handbook] stage`: how strict the completeness and approval rules are.
    pub stage: crate::core::stage::Stage,
    /// `[risk]`: the scale, levels and appetite of the risk register.
    pub risk: RiskConfig,
    /// `[frameworks] enabled`: the crosswalks that apply, in the order written.
    pub frameworks: Vec<&'static crate::core::frameworks::Framework>,
    /// `[approval] signatures` and `allowed_signers` (a path relative to the root).
    pub signatures: crate::core::signing::Signatures,
    pub allowed_signers: String,
    /// `[search] language`: how words are stemmed, at build and in the browser alike.
    pub search_language: SearchLanguage,
    /// `[print] paper`: the page size of print.html and `--pdf`.
    pub paper: Paper,
}

/// The stemmer of the search index and of the queries (the browser has the same one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SearchLanguage {
    /// Snowball English (Porter2): "restoring" finds "restore".
    #[default]
    English,
    /// Words as written, lower-cased: for a handbook in a language without a stemmer here.
    None,
}

/// The paper size of printed pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// The CSS `@page` size.
    pub fn css(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        let roles = vec![
            ("CEO".to_string(), "Chief Executive Officer".to_string()),
            (
                "CISO".to_string(),
                "Chief Information Security Officer".to_string(),
            ),
        ];
        Config {
            title: String::new(),
            organization: String::new(),
            approval_roles: roles.iter().map(|(k, _)| k.clone()).collect(),
            roles,
            levels: ["public", "internal", "confidential", "restricted"]
                .map(String::from)
                .to_vec(),
            default_interval: Interval::Months(12),
            warn_before: Interval::Days(30),
            intervals: BTreeMap::from([(DocType::Record, Interval::None)]),
            approval_by_type: BTreeMap::new(),
            operation: Operation::default(),
            stage: Default::default(),
            risk: RiskConfig::default(),
            frameworks: Vec::new(),
            signatures: crate::core::signing::Signatures::Optional,
            allowed_signers: "allowed_signers".to_string(),
            search_language: SearchLanguage::default(),
            paper: Paper::default(),
        }
    }
}

impl Config {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|(k, _)| k == role)
    }

    pub fn role_title(&self, role: &str) -> Option<&str> {
        self.roles
            .iter()
            .find(|(k, _)| k == role)
            .map(|(_, v)| v.as_str())
    }

    /// The position of a classification level, higher is more sensitive.
    pub fn level_rank(&self, level: &str) -> Option<usize> {
        self.levels.iter().position(|l| l == level)
    }

    pub fn review_interval(&self, doc_type: DocType) -> Interval {
        self.intervals
            .get(&doc_type)
            .copied()
            .unwrap_or(self.default_interval)
    }

    pub fn approver_roles(&self, doc_type: DocType) -> &[String] {
        self.approval_by_type
            .get(&doc_type)
            .unwrap_or(&self.approval_roles)
    }
}

/// Finds the handbook root: `start` or the nearest ancestor holding `ismsbook.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(FILE).is_file())
        .map(Path::to_path_buf)
}

/// Reads the configuration. Problems come back as diagnostics next to a usable configuration
/// (defaults where a value was wrong), so the rest of the handbook can still be checked.
pub fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
    let mut reader = Reader {
        text,
        diags: Vec::new(),
    };
    let mut config = Config::default();
    if text.len() > MAX_BYTES {
        reader.diags.push(
            Diagnostic::error(
                Code::Config,
                FILE,
                format!(
                    "the configuration is {:.1} MiB; it may be at most {} MiB",
                    text.len() as f64 / 1048576.0,
                    MAX_BYTES / 1048576
                ),
            )
            .help("see the example in docs/configuration.md: a configuration is a few lines"),
        );
        return (config, reader.diags);
    }
    let table = match DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            let span = e.span().map(|r| span_of(text, r));
            let message = e.message().trim().to_string();
            reader.diags.push(
                Diagnostic::error(Code::Config, FILE, format!("invalid TOML: {message}"))
                    .at_opt(span)
                    .help("see the example in docs/configuration.md"),
            );
            return (config, reader.diags);
        }
    };
    reader.read_root(&table, &mut config);
    (config, reader.diags)
}

/// The span of a byte range, never past the end of its line or of the file: TOML reports an
/// error after a stray `\r` beyond the text an editor shows, and one at the end of a file on
/// the line after its last line break (which becomes the start of the last line).
fn span_of(text: &str, range: std::ops::Range<usize>) -> Span {
    let mut span = Span::of_range(text, range, 1);
    let lines = text.lines().count().max(1) as u32;
    if span.line > lines {
        span.line = lines;
        span.col = 1;
    }
    let line = text.lines().nth(span.line as usize - 1).unwrap_or("");
    let width = line.trim_end_matches('\r').chars().count() as u32;
    span.col = span.col.min(width + 1);
    span
}

struct Reader<'t> {
    text: &'t str,
    diags: Vec<Diagnostic>,
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

impl Reader<'_> {
    fn span(&self, range: std::ops::Range<usize>) -> Span {
        span_of(self.text, range)
    }

    fn unknown(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, section: &str, known: &[&str]) {
        let name = key.get_ref().as_ref();
        let mut d = Diagnostic::error(
            Code::UnknownField,
            FILE,
            format!("unknown key `{name}` in {section}"),
        )
        .at(self.span(key.span()));
        d.help = Some(match did_you_mean(name, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the keys of {section} are: {}", known.join(", ")),
        });
        self.diags.push(d);
    }

    fn wrong(&mut self, value: &Spanned<DeValue<'_>>, what: &str, key: &str) {
        self.diags.push(
            Diagnostic::error(Code::Config, FILE, format!("`{key}` must be {what}"))
                .at(self.span(value.span())),
        );
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong(value, "a string", key);
                None
            }
        }
    }

    fn table<'a, 'i>(
        &mut self,
        value: &'a Spanned<DeValue<'i>>,
        key: &str,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong(value, "a table", key);
                None
            }
        }
    }

    fn strings(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<Vec<String>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong(value, "a list of strings", key);
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            out.push(self.string(item, key)?);
        }
        Some(out)
    }

    fn interval(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<Interval> {
        let text = self.string(value, key)?;
        match text.parse() {
            Ok(i) => Some(i),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(Code::Config, FILE, format!("`{key}`: {e}"))
                        .at(self.span(value.span())),
                );
                None
            }
        }
    }

    fn read_root(&mut self, root: &DeTable<'_>, config: &mut Config) {
        const KEYS: &[&str] = &[
            "handbook",
            "roles",
            "classification",
            "review",
            "approval",
            "audit",
            "management_review",
            "certification",
            "risk",
            "frameworks",
            "search",
            "print",
        ];
        let mut saw_handbook = false;
        for (key, value) in root.iter() {
            match key.get_ref().as_ref() {
                "handbook" => {
                    saw_handbook = true;
                    if let Some(t) = self.table(value, "handbook") {
                        self.read_handbook(t, value, config);
                    }
                }
                "roles" => {
                    if let Some(t) = self.table(value, "roles") {
                        self.read_roles(t, config);
                    }
                }
                "classification" => {
                    if let Some(t) = self.table(value, "classification") {
                        self.read_classification(t, config);
                    }
                }
                "review" => {
                    if let Some(t) = self.table(value, "review") {
                        self.read_review(t, config);
                    }
                }
                "approval" => {
                    if let Some(t) = self.table(value, "approval") {
                        self.read_approval(t, config);
                    }
                }
                "audit" => {
                    if let Some(t) = self.table(value, "audit") {
                        config.operation.audit = Some(self.read_audit(t, value));
                    }
                }
                "management_review" => {
                    if let Some(t) = self.table(value, "management_review") {
                        config.operation.management_review =
                            Some(self.read_management_review(t, value));
                    }
                }
                "certification" => {
                    if let Some(t) = self.table(value, "certification") {
                        config.operation.certification = self.read_certification(t, value);
                    }
                }
                "risk" => {
                    if let Some(t) = self.table(value, "risk") {
                        self.read_risk(t, config);
                    }
                }
                "frameworks" => {
                    if let Some(t) = self.table(value, "frameworks") {
                        self.read_frameworks(t, config);
                    }
                }
                "search" | "print" => {
                    let name = key.get_ref().to_string();
                    if let Some(t) = self.table(value, &name) {
                        self.read_presentation(&name, t, config);
                    }
                }
                _ => self.unknown(key, "ismsbook.toml", KEYS),
            }
        }
        if !saw_handbook {
            self.diags.push(
                Diagnostic::error(Code::MissingField, FILE, "missing table [handbook]")
                    .at(Span::new(1, 1, 1))
                    .help("add:\n[handbook]\ntitle = \"Information Security Management System\"\norganization = \"Example Ltd\""),
            );
        }
    }

    fn read_handbook(&mut self, t: &DeTable<'_>, whole: &Spanned<DeValue<'_>>, c: &mut Config) {
        // Outer None: the key is absent; inner None: present but not a string (reported).
        let (mut title, mut org) = (None, None);
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "title" => title = Some(self.string(value, "handbook.title")),
                "organization" => org = Some(self.string(value, "handbook.organization")),
                "stage" => self.stage(value, c),
                _ => self.unknown(key, "[handbook]", &["title", "organization", "stage"]),
            }
        }
        let header = self.span(whole.span());
        for (name, value, example) in [
            (
                "title",
                &title,
                "\"Information Security Management System\"",
            ),
            ("organization", &org, "\"Example Ltd\""),
        ] {
            if value.is_none() {
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingField,
                        FILE,
                        format!("missing key `handbook.{name}`"),
                    )
                    .at(header)
                    .help(format!("add `{name} = {example}` under [handbook]")),
                );
            }
        }
        c.title = title.flatten().unwrap_or_default();
        c.organization = org.flatten().unwrap_or_default();
    }

    fn stage(&mut self, value: &Spanned<DeValue<'_>>, c: &mut Config) {
        let Some(text) = self.string(value, "handbook.stage") else {
            return;
        };
        match text.parse() {
            Ok(stage) => c.stage = stage,
            Err(e) => self.diags.push(
                Diagnostic::error(Code::Config, FILE, format!("`handbook.stage`: {e}"))
                    .at(self.span(value.span()))
                    .help("draft and implementing report missing coverage, reviews and records as warnings; certified (the default) as errors"),
            ),
        }
    }

    fn read_roles(&mut self, t: &DeTable<'_>, c: &mut Config) {
        let mut roles = Vec::new();
        for (key, value) in t.iter() {
            let name = key.get_ref().to_string();
            if let Some(title) = self.string(value, &format!("roles.{name}")) {
                roles.push((name, title));
            }
        }
        c.approval_roles = roles.iter().map(|(k, _)| k.clone()).collect();
        c.roles = roles;
    }

    fn read_classification(&mut self, t: &DeTable<'_>, c: &mut Config) {
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "levels" => {
                    if let Some(levels) = self.strings(value, "classification.levels") {
                        if levels.is_empty() {
                            self.wrong(value, "a non-empty list", "classification.levels");
                        } else {
                            c.levels = levels;
                        }
                    }
                }
                _ => self.unknown(key, "[classification]", &["levels"]),
            }
        }
    }

    fn read_review(&mut self, t: &DeTable<'_>, c: &mut Config) {
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "default_interval" => {
                    if let Some(i) = self.interval(value, "review.default_interval") {
                        c.default_interval = i;
                    }
                }
                "warn_before" => {
                    if let Some(i) = self.interval(value, "review.warn_before") {
                        c.warn_before = i;
                    }
                }
                "intervals" => {
                    if let Some(t) = self.table(value, "review.intervals") {
                        self.per_type(t, "[review.intervals]", |r, e| {
                            let (key, value) = e;
                            let i =
                                r.interval(value, &format!("review.intervals.{}", key.get_ref()))?;
                            Some(i)
                        })
                        .into_iter()
                        .for_each(|(ty, i)| {
                            c.intervals.insert(ty, i);
                        });
                    }
                }
                _ => self.unknown(
                    key,
                    "[review]",
                    &["default_interval", "warn_before", "intervals"],
                ),
            }
        }
    }

    fn read_approval(&mut self, t: &DeTable<'_>, c: &mut Config) {
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "roles" => {
                    if let Some(roles) = self.strings(value, "approval.roles") {
                        c.approval_roles = roles;
                    }
                }
                "types" => {
                    if let Some(t) = self.table(value, "approval.types") {
                        c.approval_by_type = self
                            .per_type(t, "[approval.types]", |r, (key, value)| {
                                r.strings(value, &format!("approval.types.{}", key.get_ref()))
                            })
                            .into_iter()
                            .collect();
                    }
                }
                "signatures" | "allowed_signers" => self.read_signatures(key, value, c),
                _ => self.unknown(
                    key,
                    "[approval]",
                    &["roles", "types", "signatures", "allowed_signers"],
                ),
            }
        }
        let declared: Vec<String> = c.roles.iter().map(|(k, _)| k.clone()).collect();
        let used: Vec<&String> = c
            .approval_roles
            .iter()
            .chain(c.approval_by_type.values().flatten())
            .collect();
        for role in used {
            if !declared.contains(role) {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownRole,
                        FILE,
                        format!("approval role `{role}` is not declared in [roles]"),
                    )
                    .at(self.find_line(role))
                    .help(format!("declare it under [roles], e.g. {role} = \"…\"")),
                );
            }
        }
    }

    /// `[search] language` and `[print] paper`: one key each, a word from a short list.
    fn read_presentation(&mut self, section: &str, t: &DeTable<'_>, c: &mut Config) {
        let (key_name, words): (&str, &[&str]) = match section {
            "search" => ("language", &["english", "none"]),
            _ => ("paper", &["A4", "letter"]),
        };
        for (key, value) in t.iter() {
            if key.get_ref().as_ref() != key_name {
                self.unknown(key, &format!("[{section}]"), &[key_name]);
                continue;
            }
            let full = format!("{section}.{key_name}");
            let Some(word) = self.string(value, &full) else {
                continue;
            };
            match (section, word.to_ascii_lowercase().as_str()) {
                ("search", "english") => c.search_language = SearchLanguage::English,
                ("search", "none") => c.search_language = SearchLanguage::None,
                ("print", "a4") => c.paper = Paper::A4,
                ("print", "letter") => c.paper = Paper::Letter,
                _ => self.diags.push(
                    Diagnostic::error(
                        Code::Config,
                        FILE,
                        format!(
                            "`{full}` is `{word}`; it must be one of: {}",
                            words.join(", ")
                        ),
                    )
                    .at(self.span(value.span()))
                    .help(format!(
                        "write `{key_name} = \"{}\"` under [{section}]",
                        words[0]
                    )),
                ),
            }
        }
    }

    /// Reads a table keyed by document type (`policy = …`), reporting unknown types.
    fn per_type<T>(
        &mut self,
        t: &DeTable<'_>,
        section: &str,
        mut read: impl FnMut(&mut Self, Entry<'_, '_>) -> Option<T>,
    ) -> Vec<(DocType, T)> {
        let mut out = Vec::new();
        for entry in t.iter() {
            match entry.0.get_ref().parse::<DocType>() {
                Ok(ty) => {
                    if let Some(v) = read(self, entry) {
                        out.push((ty, v));
                    }
                }
                Err(_) => {
                    let names: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
                    self.unknown(entry.0, section, &names);
                }
            }
        }
        out
    }

    fn find_line(&self, needle: &str) -> Span {
        let quoted = format!("\"{needle}\"");
        match self.text.find(&quoted) {
            Some(at) => span_of(self.text, at..at + quoted.len()),
            None => Span::new(1, 1, 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_reported_at_their_line_with_a_suggestion() {
        let (_, diags) = parse(
            "[handbook]\ntitle = \"T\"\norganisation = \"X\"\n[review]\ndefault_intervall = \"1 year\"\n",
        );
        let unknown: Vec<_> = diags
            .iter()
            .filter(|d| d.code == Code::UnknownField)
            .collect();
        assert_eq!(unknown.len(), 2, "{diags:#?}");
        assert_eq!(unknown[0].span.unwrap().line, 3);
        assert_eq!(
            unknown[0].help.as_deref(),
            Some("did you mean `organization`?")
        );
        assert_eq!(unknown[1].span.unwrap().line, 5);
    }

    #[test]
    fn search_language_and_paper_are_read_and_wrong_words_reported() {
        let (c, diags) = parse(
            "[handbook]\ntitle = \"T\"\norganization = \"O\"\n[search]\nlanguage = \"none\"\n[print]\npaper = \"letter\"\n",
        );
        assert!(diags.is_empty(), "{diags:#?}");
        assert_eq!(c.search_language, SearchLanguage::None);
        assert_eq!(c.paper, Paper::Letter);
        let (c, diags) = parse(
            "[handbook]\ntitle = \"T\"\norganization = \"O\"\n[print]\npaper = \"A5\"\npapr = 1\n",
        );
        assert_eq!(c.paper, Paper::A4);
        assert_eq!(diags.len(), 2, "{diags:#?}");
        assert_eq!(diags[0].span.unwrap().line, 5);
        assert!(
            diags[0].message.contains("one of: A4, letter"),
            "{diags:#?}"
        );
        assert_eq!(diags[1].help.as_deref(), Some("did you mean `paper`?"));
    }

    #[test]
    fn defaults_fill_everything_but_title_and_organization() {
        let (c, diags) = parse("[handbook]\ntitle = \"T\"\norganization = \"O\"\n");
        assert!(diags.is_empty(), "{diags:#?}");
        assert_eq!(c.review_interval(DocType::Policy), Interval::Months(12));
        assert_eq!(c.review_interval(DocType::Record), Interval::None);
        assert_eq!(c.levels.len(), 4);
    }
}
