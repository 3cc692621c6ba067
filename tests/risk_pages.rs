//! The risk pages: the register with its heat maps, one page per risk, the treatment plan,
//! risks.csv, links `[R-001](R-001)`, the home page, and the register withheld by
//! `--max-classification` below its level.

mod common;
use common::Handbook;

const RISKS: &str = "content/risks.yaml";

fn with_linking_draft() -> Handbook {
    let hb = Handbook::fixture("risks");
    hb.write(
        "content/mfa.md",
        "---\nid: STD-02\ntitle: MFA standard\ntype: standard\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n\n# MFA\n\nThis treats [the phishing risk](R-001).\n",
    );
    hb
}

#[test]
fn the_register_has_heat_maps_whose_cells_link_to_their_risks() {
    let hb = with_linking_draft();
    hb.build().assert_exit(0);
    let index = hb.read("public/risks/index.html");
    assert_eq!(index.matches("<svg class=\"heat-map\"").count(), 2);
    assert!(index.contains("<a href=\"#inherent-4x5\">"), "{index}");
    assert!(index.contains("<li id=\"inherent-4x5\">4 × 5: <a href=\"R-001.html\">R-001</a></li>"));
    assert!(index.contains("<li id=\"residual-2x4\">2 × 4: <a href=\"R-001.html\">R-001</a></li>"));
    let page = hb.read("public/risks/R-001.html");
    for text in [
        "Phishing captures staff credentials",
        "T-001",
        "Carl Iso (CISO) on 2026-03-05, expires 2027-03-05",
        "sha256:",
        "<a href=\"../documents/STD-02.html\">STD-02</a>",
    ] {
        assert!(page.contains(text), "{text} not in {page}");
    }
    let doc = hb.read("public/documents/STD-02.html");
    assert!(
        doc.contains("<a href=\"../risks/R-001.html\">the phishing risk</a>"),
        "{doc}"
    );
    let control = hb.read("public/controls/A.8.5.html");
    assert!(
        control.contains("<a href=\"../risks/R-001.html\">R-001</a> · SoA status"),
        "{control}"
    );
    let plan = hb.read("public/treatment-plan.html");
    assert!(
        plan.contains("<td>T-001</td><td><a href=\"risks/R-001.html\">R-001</a></td>"),
        "{plan}"
    );
    let home = hb.read("public/index.html");
    assert!(home.contains("0 of <a href=\"risks/index.html\">2 risks</a> above appetite · 0 treatment actions overdue"), "{home}");
    // The sidebar links the register.
    assert!(home.contains("href=\"risks/index.html\""), "{home}");
}

#[test]
fn risks_csv_has_one_row_per_risk_and_no_formula() {
    let hb = Handbook::fixture("risks");
    hb.write(
        RISKS,
        hb.read(RISKS).replace(
            "title: Phishing captures staff credentials",
            "title: \"=HYPERLINK(1)\"",
        ),
    );
    hb.build().assert_exit(0);
    let csv = hb.read("public/risks.csv");
    assert!(
        csv.starts_with("id,title,owner,likelihood,impact,inherent score"),
        "{csv}"
    );
    assert!(csv.contains("\r\nR-001,'=HYPERLINK(1),CISO,4,5,20,high,modify,A.5.17; A.6.3; A.8.5,2,4,8,medium,no,0,accepted,Carl Iso (CISO),2026-03-05,2027-03-05\r\n"), "{csv}");
}

#[test]
fn a_risk_above_appetite_is_on_the_home_page() {
    let hb = Handbook::fixture("risks");
    hb.write(
        RISKS,
        hb.read(RISKS).replace(
            "residual: { likelihood: 2, impact: 4 }",
            "residual: { likelihood: 3, impact: 4 }",
        ),
    );
    hb.run(&[
        "accept",
        "R-001",
        "--by",
        "Priya Raman",
        "--role",
        "CEO",
        "--date",
        "2026-05-01",
    ])
    .assert_exit(0);
    hb.build().assert_exit(0);
    let home = hb.read("public/index.html");
    assert!(
        home.contains("1 of <a href=\"risks/index.html\">2 risks</a> above appetite"),
        "{home}"
    );
    assert!(home.contains("<td><a href=\"risks/R-001.html\">R-001</a></td><td>Phishing captures staff credentials</td><td>CISO</td><td class=\"level-medium\">12 medium</td><td>accepted</td>"), "{home}");
}

#[test]
fn the_register_is_withheld_below_its_classification() {
    let hb = with_linking_draft();
    hb.run(&[
        "build",
        "--today",
        common::TODAY,
        "--max-classification",
        "internal",
    ])
    .assert_exit(0);
    assert!(!hb.path().join("public/risks").exists());
    assert!(!hb.path().join("public/risks.csv").exists());
    assert!(!hb.path().join("public/treatment-plan.html").exists());
    let doc = hb.read("public/documents/STD-02.html");
    assert!(
        doc.contains("<a href=\"../index.html\">the phishing risk</a>"),
        "{doc}"
    );
    assert!(!hb.read("public/soa.html").contains("risks/R-001.html"));
    // At the register's level (confidential, the second-highest) it is published.
    hb.run(&[
        "build",
        "--today",
        common::TODAY,
        "--max-classification",
        "confidential",
    ])
    .assert_exit(0);
    assert!(hb.path().join("public/risks/R-001.html").exists());
}

#[test]
fn new_risks_gives_the_starter_register_once() {
    let hb = Handbook::fixture("_base");
    let toml = hb.read("ismsbook.toml");
    let roles = "CTO = \"CTO\"\nCOO = \"COO\"\nITM = \"IT Manager\"\nHR = \"HR\"\n";
    hb.write(
        "ismsbook.toml",
        toml.replace("[approval]", &format!("{roles}\n[approval]")),
    );
    hb.run(&["new", "risks"]).assert_exit(0);
    let text = hb.read(RISKS);
    assert!(
        text.contains("R-001:") && !text.contains("acceptance:"),
        "{text}"
    );
    let run = hb.check();
    run.assert_exit(0);
    assert!(run
        .diagnostics()
        .iter()
        .any(|d| d.code == "residual-unaccepted"));
    let again = hb.run(&["new", "risks"]);
    again.assert_exit(1);
    assert!(again.stderr.contains("exists; `new` never overwrites"));
    assert_eq!(hb.read(RISKS), text);
}

#[test]
fn import_leaves_the_risk_register_absent() {
    let out = Handbook::empty();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .arg("import")
        .arg(common::fixtures().join("import/plain"))
        .arg(out.path().join("isms"))
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    assert!(out.path().join("isms/content").is_dir());
    assert!(!out.path().join("isms/content/risks.yaml").exists());
}

/// An edition below the register's level leaks none of it anywhere: no risk's title and no
/// treatment action's text (on `actions.html`/`.csv`, the calendar, the home page) in any
/// file. (Ids are left out of the search: documents at the edition's level cite them in
/// their own words.)
#[test]
fn an_edition_below_the_register_shows_no_risk_title_or_treatment_action_anywhere() {
    let hb = Handbook::example();
    hb.run(&[
        "build",
        "--today",
        common::TODAY,
        "--max-classification",
        "internal",
    ])
    .assert_exit(0);
    let register = hb.read("content/risks.yaml");
    let secrets: Vec<&str> = register
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("title: ")
                .or_else(|| l.strip_prefix("action: "))
        })
        .map(|v| v.trim_matches('"'))
        .collect();
    assert!(secrets.len() > 20, "{secrets:?}");
    for (path, bytes) in common::files(&hb.path().join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for s in &secrets {
            assert!(!text.contains(s), "{} shows {s:?}", path.display());
        }
    }
}
