//! One type for every problem found anywhere, and one place that prints it.
//!
//! Loaders, rules and commands produce [`Diagnostic`] values; only [`print_human`] and
//! [`to_json`] turn them into text (and [`super::formats`] into the forms CI systems read), so
//! the human and machine forms never disagree.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// The stable code of a rule. Codes are used in tests, in `--format json` and by users'
/// scripts, so a code's spelling never changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    FrontMatter,
    MissingField,
    UnknownField,
    DuplicateId,
    UnknownRole,
    UnknownClassification,
    UnknownControl,
    UnknownClause,
    BrokenReference,
    UnapprovedVersion,
    ChangedSinceApproval,
    ReviewOverdue,
    ReviewDueSoon,
    UncoveredControl,
    ControlOnlyInDrafts,
    ExclusionUnjustified,
    ExcludedButImplemented,
    MandatoryDocumentMissing,
    RetiredReferenced,
    /// `ismsbook.toml` is missing, unparsable or holds a value of the wrong kind.
    Config,
    /// A content file that cannot be read as a document: not UTF-8, too large, a symlink loop.
    UnreadableFile,
    /// A symbolic link under `content/` or `theme/` that points outside the handbook: never read.
    OutsideHandbook,
    /// A link or image whose scheme could run script or fetch from elsewhere (`javascript:`,
    /// `vbscript:`, `data:`, `file:` …): only http, https, mailto, relative and in-page survive.
    UnsafeLink,
    /// An HTML or SVG asset that carries script: it would run with the handbook's origin.
    ActiveAsset,
    /// Raw HTML nested deeper than browsers nest it (or with formatting left open): flattened.
    NestedTooDeep,
    /// Part 2: A risk entry of `content/risks.yaml` breaks the schema: an id not `R-` and 3-4 digits, a value out of range, an unknown key.
    RiskInvalid,
    /// Part 2: A reference (soa.yaml, a link `[R-001](R-001)`) to a risk that does not exist.
    UnknownRisk,
    /// Part 2: A reference (a record's findings, a link) to a nonconformity that does not exist.
    UnknownNonconformity,
    /// Part 2: `requirements:` names a framework that is not enabled, or a requirement the framework does not have.
    UnknownRequirement,
    /// Part 2: A risk selects a control that `soa.yaml` excludes.
    RiskControlExcluded,
    /// Part 2: An applicable control that no risk selects and no `included:` reason explains.
    InclusionUnjustified,
    /// Part 2: An `included:` reason cites a risk that does not select that control.
    SoaRiskMismatch,
    /// Part 2: A risk with no valid acceptance by its owner (or, above appetite, by a role of `accept_roles`).
    ResidualUnaccepted,
    /// Part 2: A risk acceptance whose digest no longer matches the assessment.
    AcceptanceStale,
    /// Part 2: A risk acceptance past its `expires` date.
    AcceptanceExpired,
    /// Part 2: A risk acceptance that expires within `warn_before`.
    AcceptanceDueSoon,
    /// Part 2: A treatment, corrective or management-review action past its due date and not done.
    ActionOverdue,
    /// Part 2: No internal-audit record within `[audit] interval`.
    InternalAuditStale,
    /// Part 2: No management-review record within `[management_review] interval`.
    ManagementReviewStale,
    /// Part 2: An applicable control or a clause 4-10 not audited within `[audit] cycle`.
    AuditProgrammeGap,
    /// Part 2: A management review that does not cover an input 9.3.2 asks for.
    ManagementReviewInputMissing,
    /// Part 2: A nonconformity closed with no effectiveness check.
    NonconformityClosedWithoutEffectiveness,
    /// Part 2: No record of a recurring activity within its interval.
    ActivityMissed,
    /// Part 2: A recurring activity's next run is due within `warn_before`.
    ActivityDueSoon,
    /// Part 2: `soa.yaml` has no approval.
    SoaUnapproved,
    /// Part 2: The SoA's decisions changed since its approval.
    SoaChangedSinceApproval,
    /// Part 2: An enabled framework's requirement with no applicable, implemented control and no claiming document.
    FrameworkRequirementUncovered,
    /// Part 2: An approval signature that does not verify against `allowed_signers`.
    ApprovalSignatureInvalid,
    /// Part 2: An approval without a signature where `[approval] signatures = "required"`.
    ApprovalUnsigned,
}

impl Code {
    pub const ALL: [Code; 49] = [
        Code::FrontMatter,
        Code::MissingField,
        Code::UnknownField,
        Code::DuplicateId,
        Code::UnknownRole,
        Code::UnknownClassification,
        Code::UnknownControl,
        Code::UnknownClause,
        Code::BrokenReference,
        Code::UnapprovedVersion,
        Code::ChangedSinceApproval,
        Code::ReviewOverdue,
        Code::ReviewDueSoon,
        Code::UncoveredControl,
        Code::ControlOnlyInDrafts,
        Code::ExclusionUnjustified,
        Code::ExcludedButImplemented,
        Code::MandatoryDocumentMissing,
        Code::RetiredReferenced,
        Code::Config,
        Code::UnreadableFile,
        Code::OutsideHandbook,
        Code::UnsafeLink,
        Code::ActiveAsset,
        Code::NestedTooDeep,
        Code::RiskInvalid,
        Code::UnknownRisk,
        Code::UnknownNonconformity,
        Code::UnknownRequirement,
        Code::RiskControlExcluded,
        Code::InclusionUnjustified,
        Code::SoaRiskMismatch,
        Code::ResidualUnaccepted,
        Code::AcceptanceStale,
        Code::AcceptanceExpired,
        Code::AcceptanceDueSoon,
        Code::ActionOverdue,
        Code::InternalAuditStale,
        Code::ManagementReviewStale,
        Code::AuditProgrammeGap,
        Code::ManagementReviewInputMissing,
        Code::NonconformityClosedWithoutEffectiveness,
        Code::ActivityMissed,
        Code::ActivityDueSoon,
        Code::SoaUnapproved,
        Code::SoaChangedSinceApproval,
        Code::FrameworkRequirementUncovered,
        Code::ApprovalSignatureInvalid,
        Code::ApprovalUnsigned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::FrontMatter => "front-matter",
            Code::MissingField => "missing-field",
            Code::UnknownField => "unknown-field",
            Code::DuplicateId => "duplicate-id",
            Code::UnknownRole => "unknown-role",
            Code::UnknownClassification => "unknown-classification",
            Code::UnknownControl => "unknown-control",
            Code::UnknownClause => "unknown-clause",
            Code::BrokenReference => "broken-reference",
            Code::UnapprovedVersion => "unapproved-version",
            Code::ChangedSinceApproval => "changed-since-approval",
            Code::ReviewOverdue => "review-overdue",
            Code::ReviewDueSoon => "review-due-soon",
            Code::UncoveredControl => "uncovered-control",
            Code::ControlOnlyInDrafts => "control-only-in-drafts",
            Code::ExclusionUnjustified => "exclusion-unjustified",
            Code::ExcludedButImplemented => "excluded-but-implemented",
            Code::MandatoryDocumentMissing => "mandatory-document-missing",
            Code::RetiredReferenced => "retired-referenced",
            Code::Config => "config",
            Code::UnreadableFile => "unreadable-file",
            Code::OutsideHandbook => "outside-handbook",
            Code::UnsafeLink => "unsafe-link",
            Code::ActiveAsset => "active-asset",
            Code::NestedTooDeep => "nested-too-deep",
            Code::RiskInvalid => "risk-invalid",
            Code::UnknownRisk => "unknown-risk",
            Code::UnknownNonconformity => "unknown-nonconformity",
            Code::UnknownRequirement => "unknown-requirement",
            Code::RiskControlExcluded => "risk-control-excluded",
            Code::InclusionUnjustified => "inclusion-unjustified",
            Code::SoaRiskMismatch => "soa-risk-mismatch",
            Code::ResidualUnaccepted => "residual-unaccepted",
            Code::AcceptanceStale => "acceptance-stale",
            Code::AcceptanceExpired => "acceptance-expired",
            Code::AcceptanceDueSoon => "acceptance-due-soon",
            Code::ActionOverdue => "action-overdue",
            Code::InternalAuditStale => "internal-audit-stale",
            Code::ManagementReviewStale => "management-review-stale",
            Code::AuditProgrammeGap => "audit-programme-gap",
            Code::ManagementReviewInputMissing => "management-review-input-missing",
            Code::NonconformityClosedWithoutEffectiveness => {
                "nonconformity-closed-without-effectiveness"
            }
            Code::ActivityMissed => "activity-missed",
            Code::ActivityDueSoon => "activity-due-soon",
            Code::SoaUnapproved => "soa-unapproved",
            Code::SoaChangedSinceApproval => "soa-changed-since-approval",
            Code::FrameworkRequirementUncovered => "framework-requirement-uncovered",
            Code::ApprovalSignatureInvalid => "approval-signature-invalid",
            Code::ApprovalUnsigned => "approval-unsigned",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a file: 1-based line and column (in characters), and a length in characters.
/// Always relative to the whole file, never to the front-matter block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub len: u32,
}

impl Span {
    pub fn new(line: u32, col: u32, len: u32) -> Span {
        Span { line, col, len }
    }

    /// The span of `range` (byte offsets) within `text`, whose first byte is on line
    /// `first_line`, column 1. Only the part of the range on its first line is kept.
    pub fn of_range(text: &str, range: std::ops::Range<usize>, first_line: u32) -> Span {
        let start = floor_char_boundary(text, range.start.min(text.len()));
        let before = &text[..start];
        let line = first_line + memchr::memchr_iter(b'\n', before.as_bytes()).count() as u32;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..start].chars().count() as u32 + 1;
        let end = floor_char_boundary(text, range.end.clamp(start, text.len()));
        let piece = &text[start..end];
        let piece = piece.split('\n').next().unwrap_or("");
        Span::new(
            line,
            col,
            piece.trim_end_matches('\r').chars().count().max(1) as u32,
        )
    }
}

/// Spans of many ranges in one text, in increasing order: each costs only the text between
/// it and the one before, so 100,000 links on one line are found in one pass over the line
/// instead of 100,000.
pub struct SpanCursor<'a> {
    text: &'a str,
    /// Byte offset reached, its line, and the characters between its line's start and it.
    pos: usize,
    line: u32,
    col: u32,
}

impl<'a> SpanCursor<'a> {
    pub fn new(text: &'a str, first_line: u32) -> Self {
        SpanCursor {
            text,
            pos: 0,
            line: first_line,
            col: 0,
        }
    }

    /// The same span as [`Span::of_range`].
    pub fn span(&mut self, range: std::ops::Range<usize>) -> Span {
        let text = self.text;
        let start = floor_char_boundary(text, range.start.min(text.len()));
        if start >= self.pos {
            let between = &text[self.pos..start];
            match memchr::memrchr(b'\n', between.as_bytes()) {
                Some(last) => {
                    self.line += memchr::memchr_iter(b'\n', between.as_bytes()).count() as u32;
                    self.col = between[last + 1..].chars().count() as u32;
                }
                None => self.col += between.chars().count() as u32,
            }
        } else {
            // Back a little (an image inside a link comes after the link's own target).
            let between = &text[start..self.pos];
            let lines = memchr::memchr_iter(b'\n', between.as_bytes()).count() as u32;
            if lines == 0 {
                self.col -= between.chars().count() as u32;
            } else {
                self.line -= lines;
                let line_start =
                    memchr::memrchr(b'\n', &text.as_bytes()[..start]).map_or(0, |i| i + 1);
                self.col = text[line_start..start].chars().count() as u32;
            }
        }
        self.pos = start;
        let end = floor_char_boundary(text, range.end.clamp(start, text.len()));
        let piece = &text[start..end];
        let piece = piece.split('\n').next().unwrap_or("");
        Span::new(
            self.line,
            self.col + 1,
            piece.trim_end_matches('\r').chars().count().max(1) as u32,
        )
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A problem found in the handbook: where it is, what is wrong, how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Relative to the handbook root, with `/` separators.
    pub file: PathBuf,
    pub span: Option<Span>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            file: file.into(),
            span: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(code: Code, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, message)
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn at_opt(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, as editors and terminals understand it.
    pub fn location(&self) -> String {
        let file = display_path(&self.file);
        match self.span {
            Some(s) => format!("{file}:{}:{}", s.line, s.col),
            None => file,
        }
    }
}

/// Paths are shown with `/` on every platform so that output and tests agree.
pub fn display_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Puts diagnostics in a stable order: by file, then position, then code.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.span, a.code, &a.message).cmp(&(&b.file, b.span, b.code, &b.message))
    });
}

/// How many errors and warnings a run found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
}

pub fn count(diags: &[Diagnostic]) -> Counts {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    Counts {
        errors,
        warnings: diags.len() - errors,
    }
}

/// Lines longer than this are not quoted, only located: quoting one means reading all of it,
/// once per diagnostic on it, and a terminal shows about a hundred characters anyway.
const MAX_QUOTED_LINE: usize = 1_000;

/// Prints diagnostics like rustc: header, location, the source line with a caret, help.
/// `source` gives the text of a file (relative path) when it is at hand.
pub fn print_human<'a>(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    source: &dyn Fn(&Path) -> Option<&'a str>,
    color: bool,
) -> io::Result<()> {
    use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Where each file's lines start, found once per file rather than once per diagnostic.
    let mut files: HashMap<&Path, Option<(&'a str, Vec<usize>)>> = HashMap::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path = display_path(&d.file);
        let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
        let excerpt = d.span.and_then(|s| {
            let (text, starts) = files
                .entry(d.file.as_path())
                .or_insert_with(|| source(&d.file).map(|t| (t, line_starts(t))))
                .as_ref()?;
            let line = nth_line(text, starts, s.line.checked_sub(1)? as usize)?;
            (line.len() <= MAX_QUOTED_LINE).then_some((s, line))
        });
        let mut group = match excerpt {
            Some((s, line)) => {
                let start = char_to_byte(line, s.col.saturating_sub(1) as usize);
                let end = char_to_byte(line, (s.col - 1 + s.len) as usize).max(start);
                title.element(
                    Snippet::source(line)
                        .line_start(s.line as usize)
                        .path(path.clone())
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            }
            None => {
                let loc = d.location();
                title.element(annotate_snippets::Origin::path(loc))
            }
        };
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        writeln!(out, "{}\n", renderer.render(&[group]))?;
    }
    Ok(())
}

/// The byte offset where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

/// Line `n` (from 0) without its line ending, as `str::lines` would give it.
fn nth_line<'t>(text: &'t str, starts: &[usize], n: usize) -> Option<&'t str> {
    let start = *starts.get(n)?;
    if start == text.len() && n > 0 {
        return None;
    }
    let end = starts.get(n + 1).map_or(text.len(), |next| next - 1);
    Some(text[start..end].trim_end_matches('\r'))
}

fn char_to_byte(line: &str, chars: usize) -> usize {
    line.char_indices()
        .nth(chars)
        .map_or(line.len(), |(i, _)| i)
}

/// The closing line of a run: how many errors and warnings, and what to do next.
pub fn summary(counts: Counts) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (counts.errors, counts.warnings) {
        (0, 0) => "no problems found".to_string(),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: Code,
    severity: Severity,
    file: String,
    line: Option<u32>,
    column: Option<u32>,
    length: Option<u32>,
    message: &'a str,
    help: Option<&'a str>,
}

/// The same diagnostics as data: one JSON object with a `diagnostics` array and the counts.
pub fn to_json(diags: &[Diagnostic]) -> String {
    let counts = count(diags);
    let report = JsonReport {
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code,
                severity: d.severity,
                file: display_path(&d.file),
                line: d.span.map(|s| s.line),
                column: d.span.map(|s| s.col),
                length: d.span.map(|s| s.len),
                message: &d.message,
                help: d.help.as_deref(),
            })
            .collect(),
        errors: counts.errors,
        warnings: counts.warnings,
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_of_range_counts_lines_and_characters() {
        let text = "ab\ncé [x](Y)\n";
        let at = text.find('(').unwrap();
        assert_eq!(Span::of_range(text, at..at + 3, 10), Span::new(11, 7, 3));
    }

    #[test]
    fn span_cursor_agrees_with_span_of_range_in_any_order() {
        let text = "ab\ncé [x](Y) [z](W)\n\nlast é line";
        let mut cursor = SpanCursor::new(text, 4);
        for at in [0, 3, 5, 8, 14, 13, 2, 22, 25, text.len(), 21, 9, 1] {
            let range = at..(at + 3).min(text.len());
            assert_eq!(
                cursor.span(range.clone()),
                Span::of_range(text, range, 4),
                "{at}"
            );
        }
    }

    #[test]
    fn lines_are_found_as_str_lines_finds_them() {
        let text = "one\r\ntwo\n\nfour\n";
        let starts = line_starts(text);
        let mine: Vec<_> = (0..6).map_while(|n| nth_line(text, &starts, n)).collect();
        assert_eq!(mine, text.lines().collect::<Vec<_>>());
    }

    #[test]
    fn every_code_has_a_distinct_spelling() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}
