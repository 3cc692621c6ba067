//! Coverage is decided once, in the check: the rules, the SoA (HTML and CSV), the control
//! pages, the controls index and the dashboard all say the same thing about each control.

mod common;

use common::Handbook;

/// Four controls, one of each kind: A.5.2 implemented by the approved baseline, A.5.1 only by
/// a draft, A.7.4 excluded although the baseline claims it, A.8.34 excluded and unclaimed.
fn handbook() -> Handbook {
    let hb = Handbook::fixture("_base");
    let base = hb.read("content/baseline.md");
    let base = base
        .replace("controls: [A.5.1, A.5.2,", "controls: [A.5.2,")
        .replace(", A.8.34]", "]");
    hb.write("content/baseline.md", base);
    hb.write(
        "content/draft.md",
        "---\nid: POL-002\ntitle: Draft Policy\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\ncontrols: [A.5.1]\n---\n\nSome text.\n",
    );
    hb.write(
        "content/soa.yaml",
        "excluded:\n  A.7.4: We occupy no premises of our own.\n  A.8.34: No audits touch production.\n",
    );
    hb
}

/// The cells of the `soa.csv` row of `control` (the file has no quoted commas in these rows).
fn soa_row(csv: &str, control: &str) -> Vec<String> {
    let line = csv
        .lines()
        .find(|l| l.starts_with(&format!("{control},")))
        .unwrap_or_else(|| panic!("no row for {control} in {csv}"));
    line.split(',').map(str::to_string).collect()
}

#[test]
fn every_page_shows_the_coverage_the_check_decided() {
    let hb = handbook();
    hb.check()
        .assert_codes(&["control-only-in-drafts", "excluded-but-implemented"])
        .assert_diagnostic(
            "control-only-in-drafts",
            "content/soa.yaml",
            "A.5.1 (Policies for information security) is implemented only by documents not yet approved: POL-002",
        )
        .assert_diagnostic(
            "excluded-but-implemented",
            "content/baseline.md:18:369",
            "A.7.4 (Physical security monitoring) is excluded in soa.yaml",
        );
    hb.build().assert_exit(0);
    let csv = hb.read("public/soa.csv");
    let cells = |c: &str| {
        let row = soa_row(&csv, c);
        (row[3].clone(), row[5].clone(), row[6].clone())
    };
    let row = |a: &str, s: &str, d: &str| (a.to_string(), s.to_string(), d.to_string());
    assert_eq!(cells("A.5.2"), row("yes", "implemented", "BASE-01 v1.0"));
    // The SoA's status (DESIGN.md Part 2): only drafts and no action is "not implemented";
    // an excluded row says so, never "not implemented".
    assert_eq!(
        cells("A.5.1"),
        row("yes", "not implemented", "POL-002 v0.1")
    );
    assert_eq!(cells("A.7.4"), row("no", "excluded", "BASE-01 v1.0"));
    assert_eq!(cells("A.8.34"), row("no", "excluded", ""));

    let page = hb.read("public/controls/A.5.1.html");
    assert!(page.contains("status-partially-implemented\">partially implemented<"));
    let page = hb.read("public/controls/A.8.34.html");
    assert!(page.contains("no — excluded") && page.contains(">not implemented<"));
    let index = hb.read("public/index.html");
    assert!(index.contains("<strong>90 / 91</strong>"), "{index}");
    assert!(index.contains("1 only in drafts · 0 uncovered · 2 excluded"));
    let controls = hb.read("public/controls/index.html");
    assert!(controls.contains(
        "90 of 91 applicable controls implemented by approved documents; 1 only in drafts; 0 uncovered; 2 excluded."
    ));
}

#[test]
fn a_control_nothing_claims_any_more_is_uncovered_and_stops_the_build() {
    let hb = handbook();
    std::fs::remove_file(hb.path().join("content/draft.md")).unwrap();
    hb.check()
        .assert_codes(&["excluded-but-implemented", "uncovered-control"])
        .assert_diagnostic(
            "uncovered-control",
            "content/soa.yaml",
            "A.5.1 (Policies for information security) is applicable, but no document implements it",
        );
    hb.build().assert_exit(1);
}
