//! The SoA derived from the risks: justification (the selecting risks, then the `included:`
//! reason) and status (implemented / partially implemented / planned / not implemented /
//! excluded), as soa.csv and soa.html show them.

mod common;
use common::Handbook;

const RISKS: &str = "content/risks.yaml";

/// The cells of `control`'s row in soa.csv: justification, status, documents, risks.
fn soa_row(hb: &Handbook, control: &str) -> [String; 4] {
    let csv = hb.read("public/soa.csv");
    let line = csv
        .lines()
        .find(|l| l.starts_with(&format!("{control},")))
        .unwrap_or_else(|| panic!("no row {control} in\n{csv}"));
    let cells: Vec<&str> = line.split(',').collect();
    [4, 5, 6, 7].map(|i| cells[i].to_string())
}

fn with_t001(status: &str) -> Handbook {
    let hb = Handbook::fixture("risks");
    let text = hb.read(RISKS).replace(
        "      due: 2026-05-31\n      status: done\n      done: 2026-05-20\n",
        &format!("      due: 2026-12-31\n{status}"),
    );
    hb.write(RISKS, text);
    hb
}

#[test]
fn the_soa_is_justified_by_the_risks_and_each_row_has_a_status() {
    let hb = Handbook::fixture("risks");
    hb.build().assert_exit(0);
    assert_eq!(
        soa_row(&hb, "A.5.17"),
        ["R-001", "implemented", "BASE-01 v1.0", "R-001"]
    );
    assert_eq!(
        soa_row(&hb, "A.5.1"),
        ["R-002", "implemented", "BASE-01 v1.0", "R-002"]
    );
    let page = hb.read("public/soa.html");
    assert!(page.contains("<th>Risks</th>"), "{page}");
    assert!(page.contains("<a href=\"risks/R-001.html\">R-001</a>"));
    assert!(page.contains("Version 1.0 · owner CISO · approved by Jane Doe (CEO) on 2026-03-10"));
    assert!(page.contains("93 implemented"));
}

#[test]
fn finishing_the_last_open_action_of_a_control_makes_it_implemented() {
    let hb = with_t001("      status: in-progress\n");
    hb.build().assert_exit(0);
    assert_eq!(soa_row(&hb, "A.5.17")[1], "partially implemented");
    assert_eq!(soa_row(&hb, "A.8.5")[1], "partially implemented");
    assert_eq!(soa_row(&hb, "A.5.1")[1], "implemented");

    let hb = with_t001("      status: done\n      done: 2026-05-30\n");
    hb.build().assert_exit(0);
    assert_eq!(soa_row(&hb, "A.5.17")[1], "implemented");
}

#[test]
fn a_control_with_an_action_but_no_approved_document_is_planned() {
    let hb = with_t001("      status: planned\n");
    let base = hb.read("content/baseline.md");
    hb.write("content/baseline.md", base.replacen("A.5.17, ", "", 1));
    hb.write(
        "content/mfa.md",
        "---\nid: STD-01\ntitle: MFA\ntype: standard\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\ncontrols: [A.5.17]\n---\n\n# MFA\n",
    );
    // Another implementing document is a changed decision: the SoA is approved again.
    let soa = hb.read("content/soa.yaml");
    hb.write(
        "content/soa.yaml",
        soa.replace("version: \"1.0\"\nowner", "version: \"1.1\"\nowner"),
    );
    hb.run(&["approve", "SoA", "--by", "Jane Doe", "--role", "CEO"])
        .assert_exit(0);
    hb.build().assert_exit(0);
    assert_eq!(soa_row(&hb, "A.5.17")[1..3], ["planned", "STD-01 v0.1"]);
}
