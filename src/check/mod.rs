//! Check: the rules of docs/rules.md over the loaded handbook. Each rule reads the model and
//! adds diagnostics; none changes anything.

pub mod coverage;
pub mod frameworks;
pub mod incremental;
pub mod links;
mod lookup;
pub mod natural;
pub mod operation;
mod relpath;
pub mod risks;
pub mod signatures;
pub mod soa;
pub mod stage;
pub mod withheld;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::core::catalog::{catalog, unknown_control};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::suggest::did_you_mean;
use crate::core::types::{Date, DocumentId, Status};
use crate::load::config::Config;
use crate::load::model::{Document, Handbook};
use crate::load::{CONTENT_DIR, SOA_FILE};
pub use coverage::{ControlCoverage, Coverage, Implementation};
use links::{Resolved, Target};
pub use withheld::Withheld;

/// The result of checking: every diagnostic (load's included), sorted, the resolved links,
/// each control's coverage and what the edition withholds: what rendering and `changes` read.
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub links: Resolved,
    /// Every control of the catalogue, in catalogue order.
    pub coverage: Vec<ControlCoverage>,
    pub withheld: Withheld,
    /// Audits, reviews, activities and the audit programme, as the rules decided them.
    pub operating: operation::Operating,
    /// The SoA derived from the risks: every control, in catalogue order.
    pub soa: Vec<soa::SoaEntry>,
    /// Each risk's acceptance state, in register order.
    pub risk_states: Vec<risks::AcceptanceState>,
    /// Every requirement of every enabled framework, with its coverage.
    pub frameworks: Vec<frameworks::FrameworkCoverage>,
    /// Every signed approval, verified.
    pub signatures: Vec<signatures::SignedApproval>,
}

/// Checks the handbook for a complete edition.
pub fn check(hb: &Handbook) -> Checked {
    check_for(hb, None)
}

/// Checks the handbook for an edition that withholds the documents above
/// `max_classification` (a level of ismsbook.toml: callers refuse any other first).
pub fn check_for(hb: &Handbook, max_classification: Option<&str>) -> Checked {
    incremental::Tracked::full(hb, max_classification).0
}

/// The rules that read one document alone (besides its links): what `serve` re-runs for
/// an edited document only.
fn document_rules(doc: &Document, hb: &Handbook, diags: &mut Vec<Diagnostic>) {
    declared_names(doc, &hb.config, diags);
    catalogue_ids(doc, diags);
    approval(doc, &hb.config, diags);
    review(doc, &hb.config, hb.today, diags);
}

/// The rules over the whole handbook, after the per-document ones: `links` and
/// `link_problems` are what resolving every document's links found, `document_problems`
/// what [`document_rules`] found, each in document order.
fn assemble(
    hb: &Handbook,
    max_classification: Option<&str>,
    links: Resolved,
    link_problems: Vec<Diagnostic>,
    document_problems: Vec<Diagnostic>,
) -> Checked {
    let mut diags = hb.diagnostics.clone();
    diags.extend(link_problems);
    duplicate_ids(hb, &mut diags);
    diags.extend(document_problems);
    let coverage = coverage::compute(hb);
    coverage_rules(hb, &coverage, &mut diags);
    risks::rules(hb, &mut diags);
    let soa = soa::compute(hb, &coverage, &soa::concerns(hb));
    soa::rules(hb, &soa, &mut diags);
    let claims = frameworks::claims(hb, &mut diags);
    let frameworks = frameworks::compute(hb, &coverage, &claims);
    frameworks::rule(hb, &frameworks, &mut diags);
    let signatures = signatures::check(hb, &mut diags);
    mandatory_documents(hb, &mut diags);
    retired_referenced(hb, &links, &mut diags);
    let operating = operation::compute(hb);
    operation::check(hb, &operating, &mut diags);
    stage::apply(hb.config.stage, &mut diags);
    crate::core::diagnostics::sort(&mut diags);
    natural::sort(&mut diags);
    diags.dedup();
    let withheld = Withheld::above(hb, &links, max_classification);
    Checked {
        diagnostics: diags,
        links,
        coverage,
        withheld,
        operating,
        soa,
        risk_states: risks::states(hb),
        frameworks,
        signatures,
    }
}

fn duplicate_ids(hb: &Handbook, diags: &mut Vec<Diagnostic>) {
    // Hashed, then only the few groups of more than one document put in order.
    let mut groups: std::collections::HashMap<&str, Vec<&Document>> =
        std::collections::HashMap::with_capacity(hb.documents.len());
    for d in &hb.documents {
        if let Some(id) = &d.id {
            groups.entry(id.value.as_str()).or_default().push(d);
        }
    }
    let groups: BTreeMap<&str, Vec<&Document>> = groups
        .into_iter()
        .filter(|(_, docs)| docs.len() > 1)
        .collect();
    for (id, docs) in groups {
        let first = docs[0];
        for other in &docs[1..] {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    &other.path,
                    format!(
                        "duplicate id {id}: used by both {} and {}",
                        crate::core::diagnostics::display_path(&first.path),
                        crate::core::diagnostics::display_path(&other.path)
                    ),
                )
                .at_opt(other.id.as_ref().map(|i| i.span))
                .help("give one of them a new id; `ismsbook new` picks the next free one"),
            );
        }
    }
}

fn declared_names(doc: &Document, config: &Config, diags: &mut Vec<Diagnostic>) {
    let roles: Vec<&str> = config.roles.iter().map(|(k, _)| k.as_str()).collect();
    let mut check_role = |role: &crate::load::model::Spanned<String>, what: &str| {
        if !role.value.is_empty() && !config.has_role(&role.value) {
            let help = match did_you_mean(&role.value, roles.iter().copied()) {
                Some(s) => {
                    format!("did you mean {s}? Roles are declared under [roles] in ismsbook.toml")
                }
                None => format!(
                    "declared roles: {}; add a new one under [roles] in ismsbook.toml",
                    roles.join(", ")
                ),
            };
            diags.push(
                Diagnostic::error(
                    Code::UnknownRole,
                    &doc.path,
                    format!(
                        "{what} `{}` is not a role declared in ismsbook.toml",
                        role.value
                    ),
                )
                .at(role.span)
                .help(help),
            );
        }
    };
    check_role(&doc.owner, "owner");
    for a in &doc.approvals {
        check_role(&a.role, "approval role");
    }
    let class = &doc.classification;
    if !class.value.is_empty() && config.level_rank(&class.value).is_none() {
        let help = match did_you_mean(&class.value, config.levels.iter().map(String::as_str)) {
            Some(s) => format!("did you mean {s}?"),
            None => format!("the levels are: {}", config.levels.join(", ")),
        };
        diags.push(
            Diagnostic::error(
                Code::UnknownClassification,
                &doc.path,
                format!(
                    "classification `{}` is not a level declared in ismsbook.toml",
                    class.value
                ),
            )
            .at(class.span)
            .help(help),
        );
    }
}

fn catalogue_ids(doc: &Document, diags: &mut Vec<Diagnostic>) {
    let cat = catalog();
    for c in &doc.controls {
        if cat.control(c.value).is_none() {
            diags.push(unknown_control(&doc.path, &c.value.to_string(), c.span));
        }
    }
    for clause in &doc.clauses {
        if cat.clause(&clause.value).is_none() {
            let help = match did_you_mean(&clause.value, cat.clauses.iter().map(|c| c.id)) {
                Some(s) => format!(
                    "did you mean {s} ({})?",
                    cat.clause(s).map_or("", |c| c.title)
                ),
                None => "clauses are 4 to 10 with their sub-clauses, e.g. \"6.1.2\"".to_string(),
            };
            diags.push(
                Diagnostic::error(
                    Code::UnknownClause,
                    &doc.path,
                    format!("`{}` is not a clause of ISO/IEC 27001:2022", clause.value),
                )
                .at(clause.span)
                .help(help),
            );
        }
    }
}

fn approval(doc: &Document, config: &Config, diags: &mut Vec<Diagnostic>) {
    if doc.status != Status::Approved {
        return;
    }
    let approvers = config.approver_roles(doc.doc_type);
    let valid = doc
        .approvals
        .iter()
        .rev()
        .find(|a| a.version == doc.version && approvers.contains(&a.role.value));
    let Some(approval) = valid else {
        let by_other_role = doc.approvals.iter().find(|a| a.version == doc.version);
        let help = match by_other_role {
            Some(a) => format!(
                "the approval by {} as {} does not count: only {} may approve a {}",
                a.by,
                a.role.value,
                approvers.join(" or "),
                doc.doc_type
            ),
            None => format!(
                "have it approved: ismsbook approve {} --by NAME --role {}; or set status back to draft",
                doc.id_str(),
                approvers.first().map_or("ROLE", String::as_str)
            ),
        };
        diags.push(
            Diagnostic::error(
                Code::UnapprovedVersion,
                &doc.path,
                format!(
                    "status is approved, but version {} has no approval",
                    doc.version
                ),
            )
            .at_opt(doc.field_span("status"))
            .help(help),
        );
        return;
    };
    if approval.digest != doc.digest {
        let next = crate::core::types::Version {
            major: doc.version.major,
            minor: doc.version.minor + 1,
        };
        diags.push(
            Diagnostic::error(
                Code::ChangedSinceApproval,
                &doc.path,
                format!(
                    "the body changed since version {} was approved by {} on {}",
                    doc.version, approval.by, approval.date
                ),
            )
            .at(approval.digest_span)
            .help(format!(
                "bump the version (e.g. to \"{next}\"), set status to draft or in-review and have it approved again; or revert the body to the approved text"
            )),
        );
    }
}

/// When the document is next due for review, if it has a review cycle.
pub fn next_review(doc: &Document, config: &Config) -> Option<Date> {
    if let Some(next) = doc.review.next {
        return Some(next);
    }
    let interval = doc
        .review
        .interval
        .unwrap_or_else(|| config.review_interval(doc.doc_type));
    doc.review.last?.plus(interval)
}

/// Where a document stands with its review: for the rules, the reviews page and the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReviewState {
    Overdue,
    DueSoon,
    Later,
    NoCycle,
}

impl ReviewState {
    /// How the register, the reviews page and the CSV files name it.
    pub fn label(self) -> &'static str {
        match self {
            ReviewState::Overdue => "overdue",
            ReviewState::DueSoon => "due soon",
            ReviewState::Later => "scheduled",
            ReviewState::NoCycle => "no review cycle",
        }
    }
}

impl std::fmt::Display for ReviewState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for ReviewState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

pub fn review_state(doc: &Document, config: &Config, today: Date) -> (ReviewState, Option<Date>) {
    let Some(next) = next_review(doc, config) else {
        return (ReviewState::NoCycle, None);
    };
    let warn_from = next.minus(config.warn_before).unwrap_or(next);
    let state = if today > next {
        ReviewState::Overdue
    } else if today >= warn_from {
        ReviewState::DueSoon
    } else {
        ReviewState::Later
    };
    (state, Some(next))
}

fn review(doc: &Document, config: &Config, today: Date, diags: &mut Vec<Diagnostic>) {
    if doc.status != Status::Approved {
        return;
    }
    let span = doc.field_span("review");
    match review_state(doc, config, today) {
        (ReviewState::Overdue, Some(next)) => diags.push(
            Diagnostic::error(
                Code::ReviewOverdue,
                &doc.path,
                format!(
                    "review overdue: it was due on {next} ({} days ago)",
                    next.days_until(today)
                ),
            )
            .at_opt(span)
            .help(format!(
                "review the document with its owner ({}), then set review.last to the review date",
                doc.owner.value
            )),
        ),
        (ReviewState::DueSoon, Some(next)) => diags.push(
            Diagnostic::warning(
                Code::ReviewDueSoon,
                &doc.path,
                format!("review due on {next}, in {} days", today.days_until(next)),
            )
            .at_opt(span)
            .help(format!(
                "plan the review with its owner ({})",
                doc.owner.value
            )),
        ),
        _ => {}
    }
}

fn soa_file(hb: &Handbook) -> PathBuf {
    if hb.soa_source.is_some() {
        PathBuf::from(SOA_FILE)
    } else {
        PathBuf::from(CONTENT_DIR)
    }
}

/// uncovered-control, control-only-in-drafts and excluded-but-implemented, from the coverage
/// the check computed.
fn coverage_rules(hb: &Handbook, coverage: &[ControlCoverage], diags: &mut Vec<Diagnostic>) {
    let cat = catalog();
    for (c, control) in coverage.iter().zip(&cat.controls) {
        let docs = c.by.iter().map(|&i| &hb.documents[i]);
        match c.coverage {
            Coverage::Excluded { .. } => {
                let line = hb.soa.excluded.get(&c.control).map_or(0, |e| e.span.line);
                for doc in docs {
                    let span = doc
                        .controls
                        .iter()
                        .find(|x| x.value == c.control)
                        .map(|x| x.span);
                    diags.push(
                        Diagnostic::warning(
                            Code::ExcludedButImplemented,
                            &doc.path,
                            format!("{} ({}) is excluded in soa.yaml, but this document implements it", c.control, control.title),
                        )
                        .at_opt(span)
                        .help(format!(
                            "remove {} from `controls:` here, or remove its exclusion (soa.yaml line {line})",
                            c.control
                        )),
                    );
                }
            }
            Coverage::Uncovered => diags.push(
                Diagnostic::error(
                    Code::UncoveredControl,
                    soa_file(hb),
                    format!("{} ({}) is applicable, but no document implements it", c.control, control.title),
                )
                .help(format!(
                    "add {} to `controls:` of the document that implements it, or exclude it in content/soa.yaml with a justification",
                    c.control
                )),
            ),
            Coverage::OnlyInDrafts => {
                let names: Vec<&str> = docs.map(|d| d.id_str()).collect();
                diags.push(
                    Diagnostic::warning(
                        Code::ControlOnlyInDrafts,
                        soa_file(hb),
                        format!(
                            "{} ({}) is implemented only by documents not yet approved: {}",
                            c.control,
                            control.title,
                            names.join(", ")
                        ),
                    )
                    .help("have one of them approved"),
                );
            }
            Coverage::Implemented => {}
        }
    }
}

/// For each mandatory piece of documented information: the documents that address it.
pub fn mandatory_coverage(
    hb: &Handbook,
) -> Vec<(&'static crate::core::catalog::Mandatory, Vec<&Document>)> {
    catalog()
        .mandatory
        .iter()
        .map(|m| {
            let docs = hb
                .documents
                .iter()
                .filter(|d| d.status != Status::Retired)
                .filter(|d| {
                    d.clauses
                        .iter()
                        .any(|c| m.met_by.contains(&c.value.as_str()))
                })
                .collect();
            (m, docs)
        })
        .collect()
}

fn mandatory_documents(hb: &Handbook, diags: &mut Vec<Diagnostic>) {
    for (m, docs) in mandatory_coverage(hb) {
        if m.met_by.is_empty() || !docs.is_empty() {
            continue;
        }
        diags.push(
            Diagnostic::warning(
                Code::MandatoryDocumentMissing,
                CONTENT_DIR,
                format!("no document addresses clause {}: {}", m.clause, m.title),
            )
            .help(format!(
                "list \"{}\" in `clauses:` of the document that holds it (`ismsbook new --list` shows templates)",
                m.met_by[0]
            )),
        );
    }
}

fn retired_referenced(hb: &Handbook, links: &Resolved, diags: &mut Vec<Diagnostic>) {
    // Most handbooks retire few documents: a set of those, not a map of all, is looked up
    // for every link of every document.
    if !hb.documents.iter().any(|d| d.status == Status::Retired) {
        return;
    }
    let mut first: std::collections::HashMap<&DocumentId, &Document> =
        std::collections::HashMap::with_capacity(hb.documents.len());
    for d in &hb.documents {
        if let Some(id) = &d.id {
            first.entry(&id.value).or_insert(d);
        }
    }
    let by_id: std::collections::HashMap<&DocumentId, &Document> = first
        .into_iter()
        .filter(|(_, d)| d.status == Status::Retired)
        .collect();
    for (doc, targets) in hb.documents.iter().zip(&links.targets) {
        if doc.status == Status::Retired {
            continue;
        }
        let body = doc
            .body
            .links
            .iter()
            .zip(targets)
            .filter_map(|(link, t)| match t {
                Target::Document { id, .. } => Some((id, link.span)),
                _ => None,
            });
        let related = doc.related.iter().map(|r| (&r.value, r.span));
        for (id, span) in body.chain(related) {
            if let Some(target) = by_id.get(id).filter(|t| t.status == Status::Retired) {
                diags.push(
                    Diagnostic::warning(
                        Code::RetiredReferenced,
                        &doc.path,
                        format!("{id} ({}) is retired", target.title),
                    )
                    .at(span)
                    .help("link to the document that replaced it (see its `supersedes`), or remove the link"),
                );
            }
        }
    }
}
