//! Crosswalks: NIS2, GDPR, DORA and SOC 2 requirements traced to the ISMS, as the auditor of
//! each framework reads them.

mod common;
#[path = "serve/support.rs"]
mod support;

use std::io::{Read, Write};

use common::Handbook;

/// The `_base` handbook implements every control; `frameworks` enables NIS2 and GDPR and
/// excludes A.8.8 (vulnerability management).
fn excluded_a_8_8() -> Handbook {
    Handbook::fixture("frameworks")
}

#[test]
fn excluding_a_mapped_control_flags_the_requirement_it_serves() {
    let out = excluded_a_8_8().check();
    out.assert_exit(0);
    out.assert_diagnostic(
        "framework-requirement-uncovered",
        "ismsbook.toml:13:12",
        "NIS2 Art.21(2)(e)",
    );
    let flagged: Vec<_> = out
        .diagnostics()
        .into_iter()
        .filter(|d| d.code == "framework-requirement-uncovered")
        .collect();
    assert_eq!(
        flagged.len(),
        1,
        "only the requirement A.8.8 serves: {flagged:#?}"
    );
    assert_eq!(flagged[0].severity, "warning");
    assert!(
        flagged[0].message.contains(
            "is partially covered: A.8.8 (Management of technical vulnerabilities) excluded"
        ),
        "{}",
        flagged[0].message
    );
    assert!(flagged[0]
        .help
        .contains("requirements: [\"nis2:Art.21(2)(e)\"]"));
    // Applicable again, nothing is flagged.
    let hb = excluded_a_8_8();
    hb.write("content/soa.yaml", "excluded: {}\n");
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn an_approved_document_claiming_the_requirement_covers_it() {
    let hb = excluded_a_8_8();
    let page = hb.read("content/baseline.md");
    // Front matter is not in the approved digest: the document stays approved.
    hb.write(
        "content/baseline.md",
        page.replacen(
            "clauses:",
            "requirements: [\"nis2:Art.21(2)(e)\"]\nclauses:",
            1,
        ),
    );
    let out = hb.check();
    assert!(
        !out.diagnostics()
            .iter()
            .any(|d| d.code == "framework-requirement-uncovered"),
        "{:#?}",
        out.diagnostics()
    );
}

#[test]
fn a_requirement_with_no_mapped_control_in_place_is_uncovered() {
    let hb = excluded_a_8_8();
    // NIS2 Art.21(2)(h) and GDPR Art.32(1)(a) rest on cryptography (A.8.24); GDPR also on A.8.11.
    hb.write(
        "content/soa.yaml",
        "excluded:\n  A.8.24: No cryptography.\n  A.8.11: No masking.\n",
    );
    let out = hb.check();
    out.assert_diagnostic(
        "framework-requirement-uncovered",
        "ismsbook.toml:13:12",
        "NIS2 Art.21(2)(h) (Policies and procedures on the use of cryptography and, where appropriate, encryption) is uncovered: A.8.24",
    );
    out.assert_diagnostic(
        "framework-requirement-uncovered",
        "ismsbook.toml:13:20",
        "GDPR Art.32(1)(a)",
    );
}

#[test]
fn unknown_requirements_are_errors_at_their_line_with_a_suggestion() {
    let out = Handbook::fixture("unknown-requirement").check();
    out.assert_exit(1);
    let at = |line: u32| format!("content/claims.md:{line}:5");
    out.assert_diagnostic(
        "unknown-requirement",
        &at(11),
        "nis2 has no requirement `Art.22`",
    )
    .assert_diagnostic("unknown-requirement", &at(11), "did you mean \"nis2:Art.2")
    .assert_diagnostic(
        "unknown-requirement",
        &at(12),
        "framework `dora` is not enabled",
    )
    .assert_diagnostic(
        "unknown-requirement",
        &at(12),
        "enabled = [\"nis2\", \"gdpr\", \"dora\"]",
    )
    .assert_diagnostic("unknown-requirement", &at(13), "did you mean `nis2`?")
    .assert_diagnostic(
        "unknown-requirement",
        &at(14),
        "did you mean \"gdpr:Art.33\"?",
    )
    .assert_diagnostic(
        "unknown-requirement",
        &at(15),
        "did you mean \"gdpr:Art.32(1)(a)\"",
    );
    let unknown = out
        .diagnostics()
        .into_iter()
        .filter(|d| d.code == "unknown-requirement")
        .count();
    assert_eq!(
        unknown, 5,
        "nis2:Art.23 is valid; every other claim reported"
    );
}

#[test]
fn an_unknown_framework_in_the_configuration_is_an_error_with_a_suggestion() {
    let hb = excluded_a_8_8();
    let config = hb.read("ismsbook.toml").replace("\"gdpr\"]", "\"gpdr\"]");
    hb.write("ismsbook.toml", config);
    hb.check().assert_exit(1).assert_diagnostic(
        "config",
        "ismsbook.toml:13:20",
        "did you mean \"gdpr\"?",
    );
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

#[test]
fn each_enabled_framework_gets_a_page_and_a_csv_and_controls_name_what_they_serve() {
    let hb = excluded_a_8_8();
    hb.build().assert_exit(0);
    let index = hb.read("public/frameworks/index.html");
    assert!(index.contains("href=\"nis2.html\"") && index.contains("href=\"gdpr.csv\""));
    assert!(!index.contains("dora"), "only enabled frameworks");
    assert!(!hb.path().join("public/frameworks/dora.html").exists());
    let page = hb.read("public/frameworks/nis2.html");
    let row = page.split("<tr id=\"Art.21(2)(e)\"").nth(1).unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(row.contains("partially covered"), "{row}");
    assert!(row.contains("href=\"../controls/A.8.8.html\"") && row.contains("excluded"));
    assert!(
        row.contains("href=\"../documents/BASE-01.html\""),
        "the implementing document"
    );
    let csv = parse_csv(&hb.read("public/frameworks/nis2.csv"));
    assert_eq!(csv[0][..3], ["requirement", "title", "coverage"]);
    assert_eq!(csv.len(), 13, "a header and NIS2's 12 requirements");
    let e = csv.iter().find(|r| r[0] == "Art.21(2)(e)").unwrap();
    assert_eq!(e[2], "partially covered");
    assert!(e[3].contains("A.8.8 (excluded)") && e[3].contains("A.8.9 (implemented)"));
    assert_eq!(e[5], "BASE-01 v1.0");
    let control = hb.read("public/controls/A.8.8.html");
    assert!(
        control.contains("href=\"../frameworks/nis2.html#Art.21(2)(e)\""),
        "{control}"
    );
    assert!(control.contains("GDPR") || !control.contains("gdpr.html"));
}

#[test]
fn without_frameworks_the_index_says_how_to_enable_them() {
    let hb = Handbook::fixture("_base");
    hb.build().assert_exit(0);
    assert!(hb
        .read("public/frameworks/index.html")
        .contains("[frameworks] enabled"));
    assert!(!hb
        .read("public/controls/A.8.8.html")
        .contains("Framework requirements"));
}

/// The body of a page `serve` serves, after its news of `generation`.
fn served(port: u16, path: &str, generation: u64) -> String {
    let get = |path: &str| {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(40)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        raw.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    };
    if generation > 0 {
        get(&format!("/__ismsbook/poll?since={}", generation - 1));
    }
    get(path)
}

#[test]
fn serve_follows_a_claim_added_while_previewing() {
    let hb = excluded_a_8_8();
    let server = support::serve(&hb, &[]);
    let art_23 = |page: String| {
        let row = page.split("<tr id=\"Art.23\"").nth(1).unwrap().to_string();
        row.split("</tr>").next().unwrap().to_string()
    };
    let before = art_23(served(server.port, "/frameworks/nis2.html", 1));
    assert!(!before.contains("Claimed by"), "{before}");
    // Art.23 is covered already: the claim changes no diagnostic, only the pages.
    let page = hb.read("content/baseline.md");
    hb.write(
        "content/baseline.md",
        page.replacen("clauses:", "requirements: [\"nis2:Art.23\"]\nclauses:", 1),
    );
    let after = art_23(served(server.port, "/frameworks/nis2.html", 2));
    assert!(
        after.contains("Claimed by: <a href=\"../documents/BASE-01.html\">"),
        "the framework page follows the edit: {after}"
    );
    assert!(served(server.port, "/documents/BASE-01.html", 0).contains("NIS2 Art.23"));
}

/// A theme's own framework.html from before the rows had their template
/// (`framework-rows.html`) lists the requirements itself: its pages come out as ours do.
#[test]
fn a_theme_framework_page_from_before_the_rows_template_still_lists_every_requirement() {
    let hb = excluded_a_8_8();
    let ours = hb.build_into("ours", &[]);
    let old = excluded_a_8_8();
    let from = common::fixtures().join("framework-old-page/theme/templates/framework.html");
    old.write("theme/templates/framework.html", common::read_file(&from));
    let theirs = old.build_into("theirs", &[]);
    for page in ["frameworks/nis2.html", "frameworks/gdpr.html"] {
        let a = common::read_file(&ours.join(page));
        assert!(
            a.matches("<tr id=").count() > 10,
            "{page} lists requirements"
        );
        assert_eq!(a, common::read_file(&theirs.join(page)), "{page}");
    }
}

/// A framework's rows write each document's reference themselves (not through the macro):
/// a document withheld by `--max-classification` is named there, marked withheld, and
/// neither linked nor shown.
#[test]
fn a_withheld_document_on_a_framework_page_is_named_but_not_linked() {
    let hb = Handbook::fixture("withheld");
    let config = hb.read("ismsbook.toml");
    hb.write(
        "ismsbook.toml",
        format!("{config}\n[frameworks]\nenabled = [\"nis2\"]\n"),
    );
    let out = hb.build_into("out", &["--max-classification", "internal"]);
    let page = common::read_file(&out.join("frameworks/nis2.html"));
    assert!(
        page.contains("REG-009 Key Escrow Register <span class=\"withheld\">withheld</span>"),
        "the restricted register implements A.8.24, which NIS2 maps"
    );
    assert!(
        !page.contains("documents/REG-009.html"),
        "a withheld page is not linked"
    );
    assert!(!page.contains("XYZZY"), "nor its body shown");
}
