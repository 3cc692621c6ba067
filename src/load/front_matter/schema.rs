//! The front matter's fields, in one table. The parser, the required-field check, the "did you
//! mean" of an unknown key, the help examples and `docs/front-matter.md` all read [`FIELDS`], so
//! a field added here is parsed, checked, suggested and documented, or the build fails
//! (`tests/docs.rs` compares the generated reference with the file).

use std::path::Path;

use super::{Fields, Reader};
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::types::{DocType, RecordKind, ReviewInput, Status};
use crate::load::model::Spanned;
use crate::load::yaml::Node;

/// What a field's value is: for the docs' type column and the "write it like" help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    DocumentId,
    Text,
    DocType,
    Version,
    Status,
    Role,
    Level,
    Date,
    Interval,
    /// A mapping of the fields named `<this>.<key>`.
    Mapping,
    /// A list of mappings of the fields named `<this>.<key>`.
    MappingList,
    Controls,
    Clauses,
    DocumentIds,
    Texts,
    Digest,
    FreeForm,
    Boolean,
    RecordType,
    NonconformityIds,
    Roles,
    ReviewInputs,
    Actions,
    ActivityId,
}

impl Kind {
    pub fn describe(self) -> String {
        let one_of = |names: Vec<&str>| {
            let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("one of {}", names.join(", "))
        };
        match self {
            Kind::DocumentId => "document id: 2-6 capital letters, `-`, 2-4 digits".into(),
            Kind::Text => "text".into(),
            Kind::DocType => one_of(DocType::ALL.iter().map(|t| t.as_str()).collect()),
            Kind::Version => "version `MAJOR.MINOR`".into(),
            Kind::Status => one_of(Status::ALL.iter().map(|t| t.as_str()).collect()),
            Kind::Role => "a role of `[roles]` in ismsbook.toml".into(),
            Kind::Level => "a level of `[classification]` in ismsbook.toml".into(),
            Kind::Date => "date `YYYY-MM-DD`".into(),
            Kind::Interval => {
                "interval: `N days`, `N weeks`, `N months`, `N years` or `none`".into()
            }
            Kind::Mapping => "mapping of the fields below".into(),
            Kind::MappingList => "list of mappings of the fields below".into(),
            Kind::Controls => "list of Annex A control ids".into(),
            Kind::Clauses => "list of clause ids".into(),
            Kind::DocumentIds => "list of document ids".into(),
            Kind::Texts => "list of text".into(),
            Kind::Digest => "`sha256:` and 64 lowercase hex digits".into(),
            Kind::FreeForm => "anything".into(),
            Kind::Boolean => "`true` or `false`".into(),
            Kind::RecordType => one_of(RecordKind::ALL.iter().map(|t| t.as_str()).collect()),
            Kind::NonconformityIds => "list of nonconformity ids (`NC-2026-03`)".into(),
            Kind::Roles => "list of roles of `[roles]`".into(),
            Kind::ReviewInputs => format!(
                "list, each {}",
                one_of(ReviewInput::ALL.iter().map(|t| t.as_str()).collect())
            ),
            Kind::Actions => "list of actions `{ id, action, owner, due, status, done }`".into(),
            Kind::ActivityId => "activity id: `ACT-` and 2-3 digits".into(),
        }
    }

    /// What to add after the example in a help line, if the example alone could mislead.
    fn hint(self) -> Option<String> {
        match self {
            Kind::Text => Some("quote it if it starts with [ { * & ! or contains `: `".into()),
            Kind::Version => Some("MAJOR.MINOR, quoted".into()),
            Kind::Date => Some("a real date, YYYY-MM-DD".into()),
            Kind::DocType | Kind::Status => Some(self.describe().replace('`', "")),
            Kind::Interval => Some("or 6 weeks, 1 year, 30 days, none".into()),
            _ => None,
        }
    }
}

/// When a field must be present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Required {
    Always,
    /// Once `status: approved`; absent, it is a `missing-field` error.
    OnceApproved,
    /// Once approved, but checked by a rule of its own that says more than "missing"
    /// (`approvals`: `unapproved-version` names the version that lacks an approval).
    OnceApprovedBy(Code),
    Never,
}

impl Required {
    pub fn describe(self) -> String {
        match self {
            Required::Always => "always".into(),
            Required::OnceApproved => "once approved".into(),
            Required::OnceApprovedBy(code) => format!("once approved (`{code}`)"),
            Required::Never => "no".into(),
        }
    }
}

type Set = fn(&mut Reader<'_>, &'static str, &Node, &mut Fields);

/// One field of the front matter.
pub struct Field {
    /// The key; a field inside a mapping is `parent.key` (`review.last`).
    pub name: &'static str,
    pub kind: Kind,
    pub required: Required,
    /// What it means, one sentence, for the reference.
    pub help: &'static str,
    /// A value as written in YAML.
    pub example: &'static str,
    /// Reads the value into the parsed fields, reporting a wrong one.
    pub(super) set: Set,
}

impl Field {
    /// The key as written in its mapping: `last` of `review.last`.
    pub fn key(&self) -> &'static str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }

    /// The mapping it belongs to: `""` at the top, else the parent's name.
    pub fn parent(&self) -> &'static str {
        self.name.rsplit_once('.').map_or("", |(p, _)| p)
    }

    /// The help line of a wrong or missing value.
    pub fn write_it_like(&self) -> String {
        if matches!(self.kind, Kind::Mapping | Kind::MappingList) {
            let mut out = String::from("write it like:\n");
            FIELDS.write_yaml(self, &mut out);
            if self.name == "approvals" {
                out.push_str("(`ismsbook approve` writes approvals)");
            }
            return out.trim_end().to_string();
        }
        let mut out = format!("write it like: {}: {}", self.key(), self.example);
        if let Some(hint) = self.kind.hint() {
            out.push_str(&format!("  ({hint})"));
        }
        out
    }
}

/// The table, with the questions the loader and the docs ask of it.
pub struct Schema(&'static [Field]);

impl Schema {
    pub fn iter(&self) -> impl Iterator<Item = &'static Field> + Clone {
        self.0.iter()
    }

    pub fn get(&self, name: &str) -> Option<&'static Field> {
        self.0.iter().find(|f| f.name == name)
    }

    /// The fields one mapping may hold: `""` for the top level, else a field's name.
    pub fn children(&self, parent: &'static str) -> impl Iterator<Item = &'static Field> + Clone {
        self.0.iter().filter(move |f| f.parent() == parent)
    }

    /// The help of a missing front matter: the fields every document needs.
    pub fn skeleton(&self) -> String {
        let mut out = String::from("start the file with a front matter block, e.g.\n---\n");
        for f in self.children("").filter(|f| f.required == Required::Always) {
            out.push_str(&format!("{}: {}\n", f.name, f.example));
        }
        out.push_str("---");
        out
    }

    /// A front matter with every field, nested ones in place: the reference's example.
    pub fn example(&self) -> String {
        let mut out = String::from("---\n");
        for f in self.children("") {
            self.write_yaml(f, &mut out);
        }
        out.push_str("---\n");
        out
    }

    /// One top-level field as YAML lines, its nested fields below it.
    fn write_yaml(&self, f: &Field, out: &mut String) {
        if !matches!(f.kind, Kind::Mapping | Kind::MappingList) {
            out.push_str(&format!("{}: {}\n", f.name, f.example));
            return;
        }
        out.push_str(&format!("{}:\n", f.name));
        for (i, c) in self.children(f.name).enumerate() {
            let lead = match (f.kind, i) {
                (Kind::MappingList, 0) => "  - ",
                (Kind::MappingList, _) => "    ",
                _ => "  ",
            };
            out.push_str(&format!("{lead}{}: {}\n", c.key(), c.example));
        }
    }

    /// The reference table of `docs/front-matter.md`.
    pub fn markdown_table(&self) -> String {
        let mut out = String::from(
            "| field | value | required | meaning | example |\n| --- | --- | --- | --- | --- |\n",
        );
        for f in self.iter() {
            let example = match f.kind {
                Kind::Mapping | Kind::MappingList => String::new(),
                _ => format!("`{}`", f.example),
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {example} |\n",
                f.name,
                f.kind.describe(),
                f.required.describe(),
                f.help.replace('|', "\\|"),
            ));
        }
        out
    }

    /// Reports every required field the front matter does not write (a field written with a
    /// wrong value has had its own error). `missing-field` errors point at the opening `---`,
    /// or at the mapping that lacks the field. A mapping is required whenever one of its fields
    /// is (`tests` below hold the table to that), so an absent one is reported once.
    pub fn require(&self, fields: &Fields, file: &Path, diags: &mut Vec<Diagnostic>) {
        let approved = fields.status == Some(Status::Approved);
        let written = |name: &str| fields.spans.iter().find(|(k, _)| *k == name).map(|s| s.1);
        let header = Span::new(1, 1, 3);
        for f in self.iter() {
            let needed = match f.required {
                Required::Always => true,
                Required::OnceApproved => approved,
                Required::OnceApprovedBy(_) | Required::Never => false,
            };
            if !needed || written(f.name).is_some() {
                continue;
            }
            // Fields of a list's items are checked item by item, as the list is read.
            let parent = self.get(f.parent());
            if parent.is_some_and(|p| p.kind != Kind::Mapping) {
                continue;
            }
            let when = match f.required {
                Required::OnceApproved => ": it is required once the status is approved",
                _ => "",
            };
            let key_span = |name: &str| fields.key_spans.iter().find(|(k, _)| *k == name);
            let diag = match parent.map(|p| (p, key_span(p.name).map(|s| s.1))) {
                None => Diagnostic::error(
                    Code::MissingField,
                    file,
                    format!("missing field `{}`", f.name),
                )
                .at(header)
                .help(format!(
                    "add `{}: {}` to the front matter{when}",
                    f.name, f.example
                )),
                // The mapping is absent: its own row reports it, once.
                Some((_, None)) => continue,
                Some((p, Some(span))) => Diagnostic::error(
                    Code::MissingField,
                    file,
                    format!("missing field `{}`", f.name),
                )
                .at(span)
                .help(format!(
                    "add `{}: {}` under `{}:`{when}",
                    f.key(),
                    f.example,
                    p.name
                )),
            };
            diags.push(diag);
        }
    }
}

/// Every field of the front matter. Order is the reference's and the example's order.
pub static FIELDS: Schema = Schema(&[
    Field {
        name: "id",
        kind: Kind::DocumentId,
        required: Required::Always,
        help: "The document's stable key, unique in the handbook. Links, `related` and approvals use it; keep it when the file moves.",
        example: "POL-005",
        set: |r, k, n, f| f.id = r.parse(n, k).map(|value| Spanned { value, span: n.span }),
    },
    Field {
        name: "title",
        kind: Kind::Text,
        required: Required::Always,
        help: "The title shown on the page, in lists and in the register.",
        example: "Access Control Policy",
        set: |r, k, n, f| f.title = r.text(n, k),
    },
    Field {
        name: "type",
        kind: Kind::DocType,
        required: Required::Always,
        help: "What kind of document it is; sets the default review interval.",
        example: "policy",
        set: |r, k, n, f| f.doc_type = r.parse(n, k),
    },
    Field {
        name: "version",
        kind: Kind::Version,
        required: Required::Always,
        help: "The version of the text. Quote it: an unquoted `1.10` is still read as 1.10, never 1.1.",
        example: "\"1.2\"",
        set: |r, k, n, f| f.version = r.parse(n, k),
    },
    Field {
        name: "status",
        kind: Kind::Status,
        required: Required::Always,
        help: "Where the document stands. `approved` makes `effective`, `review.last` and an approval of the current version required.",
        example: "draft",
        set: |r, k, n, f| f.status = r.parse(n, k),
    },
    Field {
        name: "owner",
        kind: Kind::Role,
        required: Required::Always,
        help: "The role that owns the document and reviews it.",
        example: "CISO",
        set: |r, k, n, f| f.owner = r.spanned_text(n, k),
    },
    Field {
        name: "classification",
        kind: Kind::Level,
        required: Required::Always,
        help: "How sensitive the document is; `--max-classification` leaves out documents above a level.",
        example: "internal",
        set: |r, k, n, f| f.classification = r.spanned_text(n, k),
    },
    Field {
        name: "effective",
        kind: Kind::Date,
        required: Required::OnceApproved,
        help: "The date the approved version took effect.",
        example: "2026-01-15",
        set: |r, k, n, f| f.effective = r.parse(n, k),
    },
    Field {
        name: "review",
        kind: Kind::Mapping,
        required: Required::OnceApproved,
        help: "The review cycle. The next review is `next`, else `last` plus `interval`.",
        example: "{ last: 2026-01-10 }",
        set: |r, k, n, f| r.review(n, k, f),
    },
    Field {
        name: "review.interval",
        kind: Kind::Interval,
        required: Required::Never,
        help: "This document's review interval; default: `[review.intervals]` for its type, else `review.default_interval`.",
        example: "12 months",
        set: |r, k, n, f| f.review.interval = r.parse(n, k),
    },
    Field {
        name: "review.last",
        kind: Kind::Date,
        required: Required::OnceApproved,
        help: "The date of the last review.",
        example: "2026-01-10",
        set: |r, k, n, f| f.review.last = r.parse(n, k),
    },
    Field {
        name: "review.next",
        kind: Kind::Date,
        required: Required::Never,
        help: "The date of the next review, when it is not `last` plus the interval.",
        example: "2027-01-10",
        set: |r, k, n, f| f.review.next = r.parse(n, k),
    },
    Field {
        name: "approvals",
        kind: Kind::MappingList,
        required: Required::OnceApprovedBy(Code::UnapprovedVersion),
        help: "Who approved which version; written by `ismsbook approve`. Only an approval of the current version by an approving role counts.",
        example: "",
        set: |r, k, n, f| r.approvals(n, k, f),
    },
    Field {
        name: "approvals.version",
        kind: Kind::Version,
        required: Required::Always,
        help: "The version approved.",
        example: "\"1.2\"",
        set: |r, k, n, f| f.draft.version = r.parse(n, k),
    },
    Field {
        name: "approvals.by",
        kind: Kind::Text,
        required: Required::Always,
        help: "The name of the person who approved.",
        example: "Jane Doe",
        set: |r, k, n, f| f.draft.by = r.text(n, k),
    },
    Field {
        name: "approvals.role",
        kind: Kind::Role,
        required: Required::Always,
        help: "The role they approved in; it counts if `[approval]` lists it for the document's type.",
        example: "CEO",
        set: |r, k, n, f| f.draft.role = r.spanned_text(n, k),
    },
    Field {
        name: "approvals.date",
        kind: Kind::Date,
        required: Required::Always,
        help: "The date of the approval.",
        example: "2026-01-12",
        set: |r, k, n, f| f.draft.date = r.parse(n, k),
    },
    Field {
        name: "approvals.digest",
        kind: Kind::Digest,
        required: Required::Always,
        help: "SHA-256 of the body approved (every byte after the closing `---` line, CRLF read as LF). A different body is `changed-since-approval`.",
        example: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        set: |r, k, n, f| f.draft.digest = r.digest(n, k).map(|d| (d, n.span)),
    },
    Field {
        name: "approvals.signer",
        kind: Kind::Text,
        required: Required::Never,
        help: "Who signed the approval: a principal of the `allowed_signers` file; written by `ismsbook approve --sign`.",
        example: "\"jane@example.org\"",
        set: |r, k, n, f| f.draft.signer = r.spanned_text(n, k),
    },
    Field {
        name: "approvals.signature",
        kind: Kind::Text,
        required: Required::Never,
        help: "The armoured SSH signature (namespace `ismsbook-approval`) of the approval's message; written by `ismsbook approve --sign`. It must verify against `allowed_signers` (`approval-signature-invalid`).",
        example: "\"-----BEGIN SSH SIGNATURE-----\\n…\\n-----END SSH SIGNATURE-----\\n\"",
        set: |r, k, n, f| f.draft.signature = r.spanned_text(n, k),
    },
    Field {
        name: "controls",
        kind: Kind::Controls,
        required: Required::Never,
        help: "The Annex A controls this document implements (`5.15` is read as `A.5.15`). They make the trace, the coverage and the Statement of Applicability.",
        example: "[A.5.15, A.5.18, A.8.5]",
        set: |r, k, n, f| r.controls(n, k, f),
    },
    Field {
        name: "clauses",
        kind: Kind::Clauses,
        required: Required::Never,
        help: "The clauses (4-10) whose documented information this document is; quote them.",
        example: "[\"5.2\", \"6.1.2\"]",
        set: |r, k, n, f| {
            f.clauses = r
                .list(n, k)
                .into_iter()
                .filter_map(|item| r.spanned_text(item, k))
                .collect()
        },
    },
    Field {
        name: "requirements",
        kind: Kind::Texts,
        required: Required::Never,
        help: "Requirements of enabled frameworks (`[frameworks]`) this document meets directly, as `framework:requirement`; a claimed requirement counts as covered.",
        example: "[\"nis2:Art.23\", \"gdpr:Art.33\"]",
        set: |r, k, n, f| {
            f.requirements = r
                .list(n, k)
                .into_iter()
                .filter_map(|item| r.spanned_text(item, k))
                .collect()
        },
    },
    Field {
        name: "related",
        kind: Kind::DocumentIds,
        required: Required::Never,
        help: "Ids of related documents; each must exist.",
        example: "[POL-001, PRO-004]",
        set: |r, k, n, f| f.related = r.ids(n, k),
    },
    Field {
        name: "supersedes",
        kind: Kind::DocumentIds,
        required: Required::Never,
        help: "Ids of the documents this one replaces, shown on its page.",
        example: "[POL-002]",
        set: |r, k, n, f| f.supersedes = r.ids(n, k),
    },
    Field {
        name: "tags",
        kind: Kind::Texts,
        required: Required::Never,
        help: "Free keywords, shown on the document's page.",
        example: "[access, identity]",
        set: |r, k, n, f| {
            f.tags = r
                .list(n, k)
                .into_iter()
                .filter_map(|i| r.text(i, k))
                .collect()
        },
    },
    Field {
        name: "activities",
        kind: Kind::MappingList,
        required: Required::Never,
        help: "The recurring activities this document prescribes (access reviews, restore tests, metrics reports); each is proven by `kind: activity` records and, once the document is approved, checked by `activity-missed`.",
        example: "",
        set: |r, k, n, f| r.activities(n, k, f),
    },
    Field {
        name: "activities.id",
        kind: Kind::ActivityId,
        required: Required::Always,
        help: "The activity's id, unique in the handbook; its records name it.",
        example: "ACT-01",
        set: |r, k, n, f| r.activity_field(k, n, f),
    },
    Field {
        name: "activities.what",
        kind: Kind::Text,
        required: Required::Always,
        help: "What is done, as the calendar shows it.",
        example: "Quarterly access review of production systems",
        set: |r, k, n, f| r.activity_field(k, n, f),
    },
    Field {
        name: "activities.every",
        kind: Kind::Interval,
        required: Required::Always,
        help: "How often; a run is due this long after the last record (or after `effective`).",
        example: "3 months",
        set: |r, k, n, f| r.activity_field(k, n, f),
    },
    Field {
        name: "activities.owner",
        kind: Kind::Role,
        required: Required::Always,
        help: "The role that carries it out.",
        example: "CISO",
        set: |r, k, n, f| r.activity_field(k, n, f),
    },
    Field {
        name: "activities.controls",
        kind: Kind::Controls,
        required: Required::Never,
        help: "The controls the activity operates; their pages link to it and its records.",
        example: "[A.5.18, A.8.2]",
        set: |r, k, n, f| r.activity_field(k, n, f),
    },
    Field {
        name: "record",
        kind: Kind::Mapping,
        required: Required::Never,
        help: "What a `type: record` document proves: an internal audit, a management review or one run of an activity. `kind` and `date` are required in it; the kind fixes the other fields. A record counts from `date`, whatever its status.",
        example: "{ kind: activity, activity: ACT-01, date: 2026-10-03 }",
        set: |r, k, n, f| r.record(n, k, f),
    },
    Field {
        name: "record.kind",
        kind: Kind::RecordType,
        required: Required::Never,
        help: "What the record proves (required in a record block).",
        example: "internal-audit",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.date",
        kind: Kind::Date,
        required: Required::Never,
        help: "When the audit, review or run took place (required in a record block).",
        example: "2026-09-15",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.auditor",
        kind: Kind::Text,
        required: Required::Never,
        help: "internal-audit: who audited.",
        example: "Dana Lee (external)",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.independent",
        kind: Kind::Boolean,
        required: Required::Never,
        help: "internal-audit: whether the auditor is independent of the audited area (9.2.2).",
        example: "true",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.scope",
        kind: Kind::Mapping,
        required: Required::Never,
        help: "internal-audit: what was audited; the audit programme counts it against the cycle.",
        example: "{ clauses: [\"4\", \"9.2\"], controls: [A.5.15, A.5.18] }",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.scope.clauses",
        kind: Kind::Clauses,
        required: Required::Never,
        help: "Clauses audited; `4` covers 4.1 to 4.4.",
        example: "[\"4\", \"9.2\"]",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.scope.controls",
        kind: Kind::Controls,
        required: Required::Never,
        help: "Annex A controls audited.",
        example: "[A.5.15, A.5.18]",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.findings",
        kind: Kind::NonconformityIds,
        required: Required::Never,
        help: "internal-audit: the nonconformities raised; each must exist in `content/nonconformities.yaml`.",
        example: "[NC-2026-03]",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.attendees",
        kind: Kind::Roles,
        required: Required::Never,
        help: "management-review: the roles present.",
        example: "[CEO, CISO]",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.inputs",
        kind: Kind::ReviewInputs,
        required: Required::Never,
        help: "management-review: what 9.3.2 asks the review to consider; each missing one is `management-review-input-missing`.",
        example: "[previous-actions, context-changes, interested-parties, performance, feedback, risks, improvement]",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.actions",
        kind: Kind::Actions,
        required: Required::Never,
        help: "management-review: the actions decided; ids unique across every action of the handbook.",
        example: "[{ id: MR-2026-01, action: Budget a second restore engineer, owner: CTO, due: 2027-03-31, status: planned }]",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "record.activity",
        kind: Kind::ActivityId,
        required: Required::Never,
        help: "activity: the id of the activity this record proves one run of.",
        example: "ACT-01",
        set: |r, k, n, f| r.record_field(k, n, f),
    },
    Field {
        name: "extra",
        kind: Kind::FreeForm,
        required: Required::Never,
        help: "Your own data, never checked. Any key not in this table is an `unknown-field` error, so a typo cannot pass unnoticed.",
        example: "{ reviewer_notes: none }",
        set: |_, _, _, _| {},
    },
]);

#[cfg(test)]
mod tests {
    use super::*;

    fn strictness(r: Required) -> u8 {
        match r {
            Required::Always => 2,
            Required::OnceApproved => 1,
            Required::OnceApprovedBy(_) | Required::Never => 0,
        }
    }

    #[test]
    fn the_table_is_consistent() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(
                FIELDS.iter().skip(i + 1).all(|g| g.name != f.name),
                "{} twice",
                f.name
            );
            if f.parent().is_empty() {
                continue;
            }
            let p = FIELDS
                .get(f.parent())
                .unwrap_or_else(|| panic!("{} has no parent", f.name));
            assert!(matches!(p.kind, Kind::Mapping | Kind::MappingList));
            // `require` reports an absent mapping once, on its own row.
            if p.kind == Kind::Mapping {
                assert!(
                    strictness(p.required) >= strictness(f.required),
                    "{}",
                    f.name
                );
            }
        }
    }
}
