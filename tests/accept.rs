//! `ismsbook accept` and `ismsbook approve SoA`: each writes its entry bound to a digest and
//! touches no other byte; each refuses a role that may not sign.

mod common;
use common::Handbook;

const RISKS: &str = "content/risks.yaml";
const SOA: &str = "content/soa.yaml";

#[test]
fn accept_writes_the_acceptance_the_fixture_holds_byte_for_byte() {
    let hb = Handbook::fixture("risks");
    let original = hb.read(RISKS);
    let at = original.rfind("  acceptance:").unwrap();
    hb.write(RISKS, &original[..at]);
    hb.check().assert_codes(&["residual-unaccepted"]);
    hb.run(&[
        "accept",
        "R-002",
        "--by",
        "Carl Iso",
        "--role",
        "CISO",
        "--date",
        "2026-03-05",
    ])
    .assert_exit(0);
    assert_eq!(hb.read(RISKS), original);
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn a_changed_assessment_is_accepted_again_in_place() {
    let hb = Handbook::fixture("risks");
    let crlf = hb
        .read(RISKS)
        .replace("likelihood: 4", "likelihood: 3")
        .replace('\n', "\r\n");
    hb.write(RISKS, &crlf);
    hb.check().assert_codes(&["acceptance-stale"]);
    hb.run(&[
        "accept",
        "R-001",
        "--by",
        "Carl Iso",
        "--role",
        "CISO",
        "--date",
        "2026-06-01",
    ])
    .assert_exit(0);
    let after = hb.read(RISKS);
    let changed: Vec<(&str, &str)> = crlf
        .split("\r\n")
        .zip(after.split("\r\n"))
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert_eq!(changed[0], ("    date: 2026-03-05", "    date: 2026-06-01"));
    assert!(changed[1].1.starts_with("    digest: sha256:"));
    assert_eq!(after.matches("\r\n").count(), crlf.matches("\r\n").count());
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn a_role_that_may_not_accept_is_refused_and_nothing_changes() {
    let hb = Handbook::fixture("risks");
    let text = hb.read(RISKS).replace(
        "residual: { likelihood: 2, impact: 4 }",
        "residual: { likelihood: 3, impact: 4 }",
    );
    hb.write(RISKS, &text);
    let run = hb.run(&["accept", "R-001", "--by", "Carl Iso", "--role", "CISO"]);
    run.assert_exit(1);
    assert!(run.stderr.contains("role CISO may not accept R-001: only CEO (its residual score 12 is above the appetite of 8) may"), "{}", run.stderr);
    assert_eq!(hb.read(RISKS), text);
    hb.run(&[
        "accept",
        "R-001",
        "--by",
        "Priya Raman",
        "--role",
        "CEO",
        "--date",
        "2026-06-01",
    ])
    .assert_exit(0);
    hb.check().assert_exit(0).assert_no_diagnostics();
    let run = hb.run(&["accept", "R-404", "--by", "X", "--role", "CEO"]);
    run.assert_exit(1);
    assert!(
        run.stderr.contains("no risk has id R-404"),
        "{}",
        run.stderr
    );
}

#[test]
fn approve_soa_writes_the_approval_the_fixture_holds_byte_for_byte() {
    let hb = Handbook::fixture("risks");
    let original = hb.read(SOA);
    let start = original.find("approvals:").unwrap();
    let end = original.find("excluded:").unwrap();
    hb.write(SOA, format!("{}{}", &original[..start], &original[end..]));
    hb.check()
        .assert_exit(0)
        .assert_codes(&["soa-unapproved"])
        .assert_diagnostic(
            "soa-unapproved",
            "content/soa.yaml:1:10",
            "version 1.0 of the SoA has no approval",
        );
    let run = hb.run(&["approve", "SoA", "--by", "Carl Iso", "--role", "CISO"]);
    run.assert_exit(1);
    assert!(
        run.stderr.contains("role CISO may not approve the SoA"),
        "{}",
        run.stderr
    );
    hb.run(&[
        "approve",
        "SoA",
        "--by",
        "Jane Doe",
        "--role",
        "CEO",
        "--date",
        "2026-03-10",
    ])
    .assert_exit(0);
    assert_eq!(hb.read(SOA), original);
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn an_edited_justification_voids_the_soa_approval_until_a_new_version_is_approved() {
    let hb = Handbook::fixture("risks");
    hb.write(
        SOA,
        hb.read(SOA)
            .replace("included:\n", "included:\n  A.5.31: R-002; and the GDPR\n"),
    );
    hb.check()
        .assert_exit(1)
        .assert_codes(&["soa-changed-since-approval"])
        .assert_diagnostic(
            "soa-changed-since-approval",
            "content/soa.yaml:8:13",
            "decisions changed since version 1.0",
        );
    let run = hb.run(&["approve", "SoA", "--by", "Jane Doe", "--role", "CEO"]);
    run.assert_exit(1);
    assert!(run.stderr.contains("bump `version:`"), "{}", run.stderr);
    hb.write(
        SOA,
        hb.read(SOA)
            .replace("version: \"1.0\"\nowner", "version: \"1.1\"\nowner"),
    );
    hb.run(&[
        "approve",
        "SoA",
        "--by",
        "Jane Doe",
        "--role",
        "CEO",
        "--date",
        "2026-06-01",
    ])
    .assert_exit(0);
    hb.check().assert_exit(0).assert_no_diagnostics();
    assert_eq!(hb.read(SOA).matches("  - version:").count(), 2);
}
