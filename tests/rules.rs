//! One test per rule of docs/rules.md: a fixture handbook showing the problem, one command, the
//! exact diagnostic expected. Each fails if its rule is removed.

mod common;
use common::Handbook;

#[test]
fn the_base_fixture_is_clean() {
    Handbook::fixture("_base")
        .check()
        .assert_exit(0)
        .assert_no_diagnostics();
}

#[test]
fn missing_front_matter_is_reported_with_a_skeleton() {
    Handbook::fixture("missing-front-matter")
        .check()
        .assert_exit(1)
        .assert_codes(&["front-matter"])
        .assert_diagnostic(
            "front-matter",
            "content/notes.md:1:1",
            "must start with a line `---`",
        );
}

#[test]
fn unterminated_front_matter_is_reported() {
    Handbook::fixture("unterminated-front-matter")
        .check()
        .assert_exit(1)
        .assert_diagnostic("front-matter", "content/open.md:1:1", "no closing `---`");
}

#[test]
fn missing_field_names_the_field() {
    Handbook::fixture("missing-field")
        .check()
        .assert_exit(1)
        .assert_codes(&["missing-field"])
        .assert_diagnostic(
            "missing-field",
            "content/no-owner.md:1:1",
            "missing field `owner`",
        );
}

#[test]
fn unknown_field_suggests_the_right_one() {
    Handbook::fixture("unknown-field")
        .check()
        .assert_exit(1)
        .assert_codes(&["unknown-field"])
        .assert_diagnostic(
            "unknown-field",
            "content/typo.md:9:1",
            "did you mean `owner`?",
        );
}

#[test]
fn duplicate_id_names_both_paths() {
    Handbook::fixture("duplicate-id")
        .check()
        .assert_exit(1)
        .assert_codes(&["duplicate-id"])
        .assert_diagnostic(
            "duplicate-id",
            "content/b.md:2:5",
            "both content/a.md and content/b.md",
        );
}

#[test]
fn unknown_role_suggests_a_declared_one() {
    Handbook::fixture("unknown-role")
        .check()
        .assert_exit(1)
        .assert_codes(&["unknown-role"])
        .assert_diagnostic("unknown-role", "content/role.md:7:8", "did you mean CEO?");
}

#[test]
fn unknown_classification_lists_the_levels() {
    Handbook::fixture("unknown-classification")
        .check()
        .assert_exit(1)
        .assert_codes(&["unknown-classification"])
        .assert_diagnostic(
            "unknown-classification",
            "content/class.md:8:17",
            "public, internal, confidential, restricted",
        );
}

#[test]
fn broken_links_are_reported_with_file_line_column_and_suggestion() {
    let run = Handbook::fixture("broken-link").check();
    run.assert_exit(1)
        .assert_diagnostic(
            "broken-reference",
            "content/policies/access.md:17:25",
            "did you mean POL-009 (Backup Policy)?",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/policies/access.md:18:15",
            "no heading #nope in POL-009",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/policies/access.md:18:45",
            "no such file content/procedures/missing.md",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/policies/access.md:19:12",
            "absolute site path",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/policies/access.md:19:47",
            "leads outside content/",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/policies/access.md:19:82",
            "unknown control A.8.99",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/policies/access.md:9:20",
            "`related` names unknown document POL-404",
        );
    // The good links of the same file (id, id#anchor, relative path, control, URL, own anchor) pass.
    assert_eq!(run.diagnostics().len(), 7, "{:#?}", run.diagnostics());
}

#[test]
fn human_output_looks_like_rustc() {
    let run = Handbook::fixture("broken-link").check_human();
    run.assert_exit(1);
    let expected = "\
error[broken-reference]: link to unknown document POL-099
  --> content/policies/access.md:17:25
   |
17 | See the [backup policy](POL-099) for retention.
   |                         ^^^^^^^
   |
   = help: did you mean POL-009 (Backup Policy)?";
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    assert!(
        run.stderr.trim_end().ends_with("7 errors, 0 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_control_names_the_2022_successor_of_a_2013_id() {
    Handbook::fixture("unknown-control")
        .check()
        .assert_exit(1)
        .assert_codes(&["unknown-control", "unknown-control"])
        .assert_diagnostic(
            "unknown-control",
            "content/old.md:9:12",
            "in 2022 it became A.8.2 (Privileged access rights)",
        )
        .assert_diagnostic("unknown-control", "content/old.md:9:21", "A.5.99");
}

#[test]
fn unknown_clause_suggests_a_near_one() {
    Handbook::fixture("unknown-clause")
        .check()
        .assert_exit(1)
        .assert_codes(&["unknown-clause"])
        .assert_diagnostic(
            "unknown-clause",
            "content/clause.md:9:20",
            "`11.1` is not a clause",
        );
}

#[test]
fn an_applicable_control_no_document_implements_fails_check() {
    Handbook::fixture("uncovered-control")
        .check()
        .assert_exit(1)
        .assert_codes(&["uncovered-control"])
        .assert_diagnostic(
            "uncovered-control",
            "content/soa.yaml",
            "A.5.1 (Policies for information security)",
        );
}

#[test]
fn a_control_implemented_only_in_drafts_is_a_warning() {
    Handbook::fixture("control-only-in-drafts")
        .check()
        .assert_exit(0)
        .assert_codes(&["control-only-in-drafts", "control-only-in-drafts"])
        .assert_diagnostic("control-only-in-drafts", "content", "A.8.34");
    Handbook::fixture("control-only-in-drafts")
        .run(&["check", "--deny-warnings", "--today", common::TODAY])
        .assert_exit(1);
}

#[test]
fn an_exclusion_without_justification_is_an_error() {
    Handbook::fixture("exclusion-unjustified")
        .check()
        .assert_exit(1)
        .assert_diagnostic(
            "exclusion-unjustified",
            "content/soa.yaml:3:3",
            "A.7.5 is excluded without a justification",
        )
        .assert_diagnostic("exclusion-unjustified", "content/soa.yaml:4:3", "A.7.6");
}

#[test]
fn an_excluded_control_a_document_claims_is_a_warning() {
    Handbook::fixture("excluded-but-implemented")
        .check()
        .assert_exit(0)
        .assert_codes(&["excluded-but-implemented"])
        .assert_diagnostic(
            "excluded-but-implemented",
            "content/baseline.md:18:376",
            "soa.yaml line 2",
        );
}

#[test]
fn a_missing_mandatory_document_is_a_warning() {
    Handbook::fixture("mandatory-document-missing")
        .check()
        .assert_exit(0)
        .assert_codes(&["mandatory-document-missing"])
        .assert_diagnostic("mandatory-document-missing", "content", "clause 9.3");
}

#[test]
fn approved_status_needs_an_approval_of_the_current_version() {
    Handbook::fixture("unapproved-version")
        .check()
        .assert_exit(1)
        .assert_codes(&["unapproved-version"])
        .assert_diagnostic(
            "unapproved-version",
            "content/unapproved.md:6:9",
            "ismsbook approve POL-001",
        );
}

#[test]
fn a_changed_body_voids_the_approval() {
    Handbook::fixture("changed-since-approval")
        .check()
        .assert_exit(1)
        .assert_codes(&["changed-since-approval"])
        .assert_diagnostic(
            "changed-since-approval",
            "content/changed.md:17:13",
            "bump the version (e.g. to \"1.1\")",
        );
}

#[test]
fn an_overdue_review_is_an_error() {
    Handbook::fixture("review-overdue")
        .check()
        .assert_exit(1)
        .assert_codes(&["review-overdue"])
        .assert_diagnostic(
            "review-overdue",
            "content/overdue.md:11:7",
            "due on 2026-05-01",
        );
}

#[test]
fn a_review_due_soon_is_a_warning() {
    Handbook::fixture("review-due-soon")
        .check()
        .assert_exit(0)
        .assert_codes(&["review-due-soon"])
        .assert_diagnostic(
            "review-due-soon",
            "content/soon.md:11:7",
            "due on 2026-06-20, in 19 days",
        );
}

#[test]
fn linking_a_retired_document_is_a_warning() {
    Handbook::fixture("retired-referenced")
        .check()
        .assert_exit(0)
        .assert_codes(&["retired-referenced", "retired-referenced"])
        .assert_diagnostic(
            "retired-referenced",
            "content/new.md:12:22",
            "POL-002 (Old Policy) is retired",
        );
}

#[test]
fn config_problems_are_reported_at_their_line() {
    Handbook::fixture("config-errors")
        .check()
        .assert_exit(1)
        .assert_diagnostic(
            "unknown-field",
            "ismsbook.toml:3:1",
            "did you mean `organization`?",
        )
        .assert_diagnostic(
            "missing-field",
            "ismsbook.toml:1:1",
            "handbook.organization",
        )
        .assert_diagnostic(
            "config",
            "ismsbook.toml:10:20",
            "`fortnightly` is not an interval",
        );
}

#[test]
fn every_independent_problem_is_reported_in_one_run() {
    let run = Handbook::fixture("many-problems").check();
    run.assert_exit(1).assert_codes(&[
        "unknown-role",
        "unknown-classification",
        "unknown-field",
        "unknown-control",
        "unknown-clause",
        "broken-reference",
        "front-matter",
        "duplicate-id",
        "front-matter",
    ]);
}

#[test]
fn an_approved_document_whose_review_lacks_last_is_told_to_add_it() {
    let hb = Handbook::fixture("_base");
    let text = hb.read("content/baseline.md");
    hb.write(
        "content/baseline.md",
        text.replace("  last: 2026-01-10", "  interval: 12 months"),
    );
    hb.check()
        .assert_exit(1)
        .assert_codes(&["missing-field"])
        .assert_diagnostic(
            "missing-field",
            "content/baseline.md:10:1",
            "add `last: 2026-01-10` under `review:`",
        );
}
