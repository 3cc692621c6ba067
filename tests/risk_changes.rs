//! `changes` reports the SoA's decisions and the risk register: exclusions added and removed,
//! justifications changed, controls gaining or losing documents, risks added, removed,
//! re-scored and accepted, in Markdown, JSON and changes.html.

mod common;
use common::{commit_all, git, Handbook};

#[test]
fn an_edited_justification_is_an_error_until_approved_and_shows_in_changes() {
    let hb = Handbook::fixture("risks");
    git(&hb, &["init", "-q"]);
    commit_all(&hb, "Initial handbook");
    git(&hb, &["tag", "v1"]);

    let soa = hb.read("content/soa.yaml");
    hb.write(
        "content/soa.yaml",
        soa.replace("included:\n", "included:\n  A.5.31: R-002; and the GDPR\n"),
    );
    hb.check().assert_exit(1).assert_diagnostic(
        "soa-changed-since-approval",
        "content/soa.yaml:8:13",
        "decisions changed",
    );

    let run = hb.run(&["changes", "v1", "--format", "json"]);
    run.assert_exit(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["soa"]["justifications_changed"],
        serde_json::json!([["A.5.31", "R-002", "R-002; R-002; and the GDPR"]])
    );
    let md = hb.run(&["changes", "v1"]).stdout;
    assert!(md.contains("## Statement of Applicability\n\n- A.5.31 justification: \"R-002\" → \"R-002; R-002; and the GDPR\"\n"), "{md}");
}

#[test]
fn exclusions_documents_and_risks_changed_since_a_tag_are_listed() {
    let hb = Handbook::fixture("risks");
    git(&hb, &["init", "-q"]);
    commit_all(&hb, "Initial handbook");
    git(&hb, &["tag", "v1"]);

    // R-002 stops selecting A.7.4, which is excluded; R-001 is re-scored and accepted again;
    // R-003 is new; a draft implements A.5.1 too.
    let risks = hb
        .read("content/risks.yaml")
        .replacen("A.7.4, ", "", 1)
        .replace("likelihood: 4", "likelihood: 3");
    hb.write(
        "content/risks.yaml",
        format!("{risks}\nR-003:\n  title: Laptop stolen\n  owner: CISO\n  likelihood: 2\n  impact: 3\n  treatment: retain\n"),
    );
    let soa = hb.read("content/soa.yaml");
    hb.write(
        "content/soa.yaml",
        soa.replace(
            "excluded:\n",
            "excluded:\n  A.7.4: No premises of our own\n",
        ),
    );
    hb.write(
        "content/extra.md",
        "---\nid: STD-03\ntitle: Extra\ntype: standard\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\ncontrols: [A.5.1]\n---\n\n# Extra\n",
    );
    hb.run(&[
        "accept",
        "R-001",
        "--by",
        "Carl Iso",
        "--role",
        "CISO",
        "--date",
        "2026-05-01",
    ])
    .assert_exit(0);

    let run = hb.run(&["changes", "v1", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["soa"]["exclusions_added"],
        serde_json::json!([["A.7.4", "No premises of our own"]])
    );
    assert_eq!(
        json["soa"]["documents_gained"],
        serde_json::json!([["A.5.1", ["STD-03"]]])
    );
    assert_eq!(
        json["risks"]["added"],
        serde_json::json!([["R-003", "Laptop stolen"]])
    );
    assert_eq!(
        json["risks"]["rescored"],
        serde_json::json!([["R-001", "inherent 4×5 → 3×5"]])
    );
    assert_eq!(
        json["risks"]["accepted"],
        serde_json::json!([["R-001", "accepted by Carl Iso (CISO) on 2026-05-01"]])
    );

    // Accepted and approved again, the site builds, and changes.html shows it all.
    hb.write(
        "content/soa.yaml",
        hb.read("content/soa.yaml")
            .replace("version: \"1.0\"\nowner", "version: \"1.1\"\nowner"),
    );
    for risk in ["R-002", "R-003"] {
        hb.run(&[
            "accept",
            risk,
            "--by",
            "Carl Iso",
            "--role",
            "CISO",
            "--date",
            "2026-05-01",
        ])
        .assert_exit(0);
    }
    hb.run(&[
        "approve",
        "SoA",
        "--by",
        "Jane Doe",
        "--role",
        "CEO",
        "--date",
        "2026-05-02",
    ])
    .assert_exit(0);
    hb.build().assert_exit(0);
    let page = hb.read("public/changes.html");
    for text in [
        "<a href=\"controls/A.7.4.html\">A.7.4</a> excluded: No premises of our own",
        "<a href=\"controls/A.5.1.html\">A.5.1</a> now implemented by STD-03",
        "SoA version 1.1 approved by Jane Doe (CEO) on 2026-05-02",
        "<a href=\"risks/R-003.html\">R-003</a> added: Laptop stolen",
        "<a href=\"risks/R-001.html\">R-001</a> re-scored: inherent 4×5 → 3×5",
    ] {
        assert!(page.contains(text), "{text} not in {page}");
    }
}
