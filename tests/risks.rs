//! The risk register (`content/risks.yaml`) and the rules of DESIGN.md Part 2 about it: one
//! fixture test per rule, each starting from the clean `risks` fixture and breaking one thing.

mod common;
use common::Handbook;

const RISKS: &str = "content/risks.yaml";
const SOA: &str = "content/soa.yaml";

fn fixture() -> Handbook {
    Handbook::fixture("risks")
}

/// The fixture with `from` replaced by `to` in `file` (which must contain it).
fn edited(file: &str, from: &str, to: &str) -> Handbook {
    let hb = fixture();
    let text = hb.read(file);
    assert!(text.contains(from), "{file} lacks {from:?}");
    hb.write(file, text.replacen(from, to, 1));
    hb
}

#[test]
fn the_risks_fixture_is_clean() {
    fixture().check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn a_broken_risk_entry_is_reported_at_each_line() {
    let hb = edited(
        RISKS,
        "R-002:\n  title: Everything else goes wrong\n  owner: CISO\n  likelihood: 2\n",
        "R-002:\n  title: Everything else goes wrong\n  owner: CISO\n  likelihood: 7\n  impacts: 3\n",
    );
    let text = hb.read(RISKS);
    hb.write(RISKS, format!("{text}\nRISK-9:\n  title: x\n"));
    hb.write(
        RISKS,
        hb.read(RISKS)
            .replacen("treatment: modify", "treatment: mitigate", 1),
    );
    hb.check()
        .assert_exit(1)
        .assert_diagnostic("risk-invalid", "content/risks.yaml:28:15", "from 1 to 5")
        .assert_diagnostic("risk-invalid", "content/risks.yaml:29:3", "did you mean")
        .assert_diagnostic(
            "risk-invalid",
            "content/risks.yaml:8:14",
            "modify, retain, avoid, share",
        )
        .assert_diagnostic(
            "risk-invalid",
            "content/risks.yaml:40:1",
            "`RISK-9` is not a risk id",
        );
}

#[test]
fn a_risk_an_included_reason_cites_must_exist() {
    let hb = fixture();
    hb.write(
        SOA,
        hb.read(SOA)
            .replace("included:\n", "included:\n  A.5.31: R-999 and the law\n"),
    );
    hb.check().assert_diagnostic(
        "unknown-risk",
        "content/soa.yaml:11:3",
        "no risk has id R-999",
    );
}

#[test]
fn a_link_to_a_risk_must_name_one_that_exists() {
    let hb = fixture();
    let doc = hb.read("content/baseline.md");
    hb.write(
        "content/baseline.md",
        format!("{doc}\nSee [phishing](R-001) and [the other](R-011).\n"),
    );
    hb.check()
        .assert_codes(&["changed-since-approval", "unknown-risk"])
        .assert_diagnostic(
            "unknown-risk",
            "content/baseline.md:28:39",
            "did you mean R-001?",
        );
}

#[test]
fn a_risk_selecting_an_excluded_control_is_reported_at_the_risk() {
    let hb = fixture();
    hb.write(
        SOA,
        hb.read(SOA)
            .replace("excluded:\n", "excluded:\n  A.8.5: We have no logins\n"),
    );
    hb.check().assert_exit(1).assert_diagnostic(
        "risk-control-excluded",
        "content/risks.yaml:9:22",
        "R-001 selects A.8.5",
    );
}

#[test]
fn an_applicable_control_no_risk_selects_is_unjustified() {
    let hb = edited(RISKS, "controls: [A.5.1, ", "controls: [");
    hb.check()
        .assert_diagnostic(
            "inclusion-unjustified",
            "content/soa.yaml",
            "A.5.1 (Policies for information security) is applicable",
        )
        .assert_codes(&[
            "inclusion-unjustified",
            "acceptance-stale",
            "soa-changed-since-approval",
        ]);
    // A reason under `included:` justifies it.
    hb.write(
        SOA,
        hb.read(SOA).replace(
            "included:\n",
            "included:\n  A.5.1: Required by clause 5.2\n",
        ),
    );
    let codes: Vec<String> = hb
        .check()
        .diagnostics()
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert!(
        !codes.contains(&"inclusion-unjustified".to_string()),
        "{codes:?}"
    );
}

#[test]
fn an_included_reason_citing_a_risk_that_does_not_select_the_control_is_a_mismatch() {
    let hb = fixture();
    hb.write(
        SOA,
        hb.read(SOA).replace(
            "included:\n",
            "included:\n  A.5.17: R-002 and our contracts\n",
        ),
    );
    hb.check().assert_diagnostic(
        "soa-risk-mismatch",
        "content/soa.yaml:11:3",
        "R-002 does not select A.5.17",
    );
}

#[test]
fn a_risk_without_acceptance_or_accepted_by_the_wrong_role_is_unaccepted() {
    let hb = fixture();
    let text = hb.read(RISKS);
    let at = text.rfind("  acceptance:").unwrap();
    hb.write(RISKS, &text[..at]);
    // Not yet accepted at all: a draft, warned about.
    let run = hb.check();
    run.assert_exit(0)
        .assert_codes(&["residual-unaccepted"])
        .assert_diagnostic(
            "residual-unaccepted",
            "content/risks.yaml:25:1",
            "R-002 has no acceptance",
        );
    assert_eq!(run.diagnostics()[0].severity, "warning");

    // Above the appetite (3 x 4 = 12 > 8), the owner may no longer accept R-001.
    let hb = edited(
        RISKS,
        "residual: { likelihood: 2, impact: 4 }",
        "residual: { likelihood: 3, impact: 4 }",
    );
    hb.check().assert_exit(1).assert_diagnostic(
        "residual-unaccepted",
        "content/risks.yaml:21:11",
        "CEO (its residual score 12 is above the appetite of 8)",
    );
}

#[test]
fn changing_one_likelihood_makes_the_acceptance_stale() {
    let hb = edited(RISKS, "likelihood: 4", "likelihood: 3");
    hb.check()
        .assert_exit(1)
        .assert_codes(&["acceptance-stale"])
        .assert_diagnostic(
            "acceptance-stale",
            "content/risks.yaml:23:13",
            "the assessment of R-001 changed",
        );
}

#[test]
fn an_acceptance_past_its_expiry_is_expired_and_one_close_to_it_due_soon() {
    let hb = edited(
        RISKS,
        "    date: 2026-03-05\n    digest",
        "    date: 2026-03-05\n    expires: 2026-05-01\n    digest",
    );
    hb.check()
        .assert_codes(&["acceptance-expired"])
        .assert_diagnostic(
            "acceptance-expired",
            "content/risks.yaml:19:3",
            "expired on 2026-05-01",
        );
    let hb = edited(
        RISKS,
        "    date: 2026-03-05\n    digest",
        "    date: 2026-03-05\n    expires: 2026-06-20\n    digest",
    );
    hb.check()
        .assert_exit(0)
        .assert_codes(&["acceptance-due-soon"]);
    // The default expiry: the date plus [risk] review (12 months).
    fixture()
        .run(&["check", "--format", "json", "--today", "2027-03-06"])
        .assert_diagnostic(
            "acceptance-expired",
            "content/risks.yaml:19:3",
            "expired on 2027-03-05",
        );
}

#[test]
fn an_open_treatment_action_past_due_is_overdue() {
    let hb = edited(
        RISKS,
        "      status: done\n      done: 2026-05-20\n",
        "      status: in-progress\n",
    );
    hb.check()
        .assert_exit(1)
        .assert_codes(&["action-overdue"])
        .assert_diagnostic(
            "action-overdue",
            "content/risks.yaml:11:11",
            "treatment action T-001",
        );
}

#[test]
fn an_action_id_is_unique_across_the_handbook() {
    let hb = edited(
        RISKS,
        "  residual: { likelihood: 1, impact: 2 }",
        "  actions:\n    - { id: T-001, action: Again, owner: CISO, due: 2027-01-01 }\n  residual: { likelihood: 1, impact: 2 }",
    );
    hb.check().assert_diagnostic(
        "duplicate-id",
        "content/risks.yaml:33:13",
        "also at content/risks.yaml:11",
    );
}

#[test]
fn a_key_written_twice_in_a_risk_is_refused_not_silently_replaced() {
    let hb = edited(RISKS, "  impact: 5\n", "  impact: 5\n  impact: 1\n");
    hb.check().assert_exit(1).assert_diagnostic(
        "risk-invalid",
        "content/risks.yaml:8:3",
        "`impact` is written twice in R-001",
    );
}
