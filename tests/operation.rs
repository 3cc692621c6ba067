//! The ISMS in operation (DESIGN.md Part 2): audits, management reviews, recurring activities,
//! nonconformities and their actions, each rule pinned by moving `--today` over one fixture.

mod common;
use common::{Handbook, Run};

fn check_on(hb: &Handbook, today: &str) -> Run {
    hb.run(&["check", "--format", "json", "--today", today])
}

fn fixture() -> Handbook {
    Handbook::fixture("operation")
}

#[test]
fn a_handbook_that_keeps_its_audits_reviews_and_activities_is_clean() {
    check_on(&fixture(), "2026-06-01")
        .assert_exit(0)
        .assert_no_diagnostics();
}

#[test]
fn corrective_and_management_review_actions_past_due_are_errors_at_their_id() {
    let run = check_on(&fixture(), "2026-10-01");
    run.assert_exit(1)
        .assert_diagnostic(
            "action-overdue",
            "content/nonconformities.yaml:10:13",
            "CA-2026-01-1 of NC-2026-01 was due on 2026-07-31",
        )
        .assert_diagnostic(
            "action-overdue",
            "content/records/management-review-2026.md:16:13",
            "MR-2026-01 of REC-03 was due on 2026-09-30",
        );
    // A day before, neither is late; a done action never is.
    let codes: Vec<String> = check_on(&fixture(), "2026-07-31")
        .diagnostics()
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert!(!codes.contains(&"action-overdue".to_string()), "{codes:?}");
}

#[test]
fn an_action_id_used_twice_anywhere_is_a_duplicate() {
    let hb = fixture();
    let ncs = hb.read("content/nonconformities.yaml");
    hb.write(
        "content/nonconformities.yaml",
        ncs.replace("CA-2026-02-1", "MR-2026-01"),
    );
    check_on(&hb, "2026-06-01")
        .assert_exit(1)
        .assert_diagnostic(
            "duplicate-id",
            "content/records/management-review-2026.md:16:13",
            "also at content/nonconformities.yaml:19",
        );
}

#[test]
fn no_internal_audit_or_management_review_within_the_interval_is_stale() {
    check_on(&fixture(), "2027-03-11")
        .assert_diagnostic(
            "internal-audit-stale",
            "content/records/internal-audit-2026.md:11:9",
            "no internal audit since 2026-03-10",
        )
        .assert_diagnostic(
            "management-review-stale",
            "content/records/management-review-2026.md:11:9",
            "the next was due on 2027-02-01",
        );
    let codes: Vec<String> = check_on(&fixture(), "2027-01-31")
        .diagnostics()
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert!(
        !codes.iter().any(|c| c.ends_with("-stale")),
        "a year has not passed: {codes:?}"
    );
}

#[test]
fn a_declared_audit_programme_without_any_record_is_stale_at_the_table() {
    let hb = fixture();
    std::fs::remove_file(hb.path().join("content/records/internal-audit-2026.md")).unwrap();
    check_on(&hb, "2026-06-01").assert_diagnostic(
        "internal-audit-stale",
        "ismsbook.toml:12:1",
        "no internal audit record at all",
    );
}

#[test]
fn a_record_counts_from_its_date_whatever_its_status() {
    let hb = fixture();
    let text = hb.read("content/records/internal-audit-2026.md");
    hb.write(
        "content/records/internal-audit-2026.md",
        text.replace("status: draft", "status: retired"),
    );
    let codes: Vec<String> = check_on(&hb, "2026-12-01")
        .diagnostics()
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert!(
        !codes.contains(&"internal-audit-stale".to_string()),
        "{codes:?}"
    );
}

#[test]
fn controls_and_clauses_not_audited_within_the_cycle_are_programme_gaps() {
    let hb = fixture();
    let toml = hb.read("ismsbook.toml");
    // Certified in 2023: the first cycle has run its course by 2026-06.
    hb.write(
        "ismsbook.toml",
        format!("{toml}\n[certification]\nbody = \"Cert Ltd\"\nissued = 2023-01-01\n"),
    );
    let run = check_on(&hb, "2026-06-01");
    run.assert_exit(0)
        .assert_diagnostic(
            "audit-programme-gap",
            "ismsbook.toml:14:1",
            "control A.5.1 (Policies for information security) has not been audited",
        )
        .assert_diagnostic("audit-programme-gap", "ismsbook.toml:14:1", "A.8.34");
    let gaps: Vec<String> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.code == "audit-programme-gap")
        .map(|d| d.message)
        .collect();
    // 93 controls less the 3 audited; every clause 4.1-10.2 was in scope.
    assert_eq!(gaps.len(), 90, "{gaps:#?}");
    assert!(!gaps
        .iter()
        .any(|m| m.contains("A.5.18") || m.contains("clause")));
    // Before the first cycle has run (no certificate: from the first audit), no gap is reported.
    check_on(&fixture(), "2028-06-01")
        .diagnostics()
        .iter()
        .for_each(|d| assert_ne!(d.code, "audit-programme-gap", "{d:?}"));
}

#[test]
fn a_management_review_that_skips_an_input_of_9_3_2_is_warned() {
    let hb = fixture();
    let text = hb.read("content/records/management-review-2026.md");
    hb.write(
        "content/records/management-review-2026.md",
        text.replace("           feedback, risks,", "           risks,"),
    );
    check_on(&hb, "2026-06-01")
        .assert_exit(0)
        .assert_codes(&["management-review-input-missing"])
        .assert_diagnostic(
            "management-review-input-missing",
            "content/records/management-review-2026.md:13:11",
            "feedback from interested parties (9.3.2 e)",
        );
}

#[test]
fn a_nonconformity_closed_without_an_effectiveness_check_is_an_error() {
    let hb = fixture();
    let text = hb.read("content/nonconformities.yaml");
    hb.write(
        "content/nonconformities.yaml",
        text.replace(
            "  effectiveness: { checked: 2026-04-01, by: CISO, effective: true }\n",
            "",
        ),
    );
    check_on(&hb, "2026-06-01")
        .assert_exit(1)
        .assert_codes(&["nonconformity-closed-without-effectiveness"])
        .assert_diagnostic(
            "nonconformity-closed-without-effectiveness",
            "content/nonconformities.yaml:20:11",
            "NC-2026-02 is closed on 2026-04-01 with no effectiveness check",
        );
}

#[test]
fn a_finding_that_is_no_nonconformity_is_reported_with_a_suggestion() {
    let hb = fixture();
    let text = hb.read("content/records/internal-audit-2026.md");
    hb.write(
        "content/records/internal-audit-2026.md",
        text.replace(
            "findings: [NC-2026-01]",
            "findings: [NC-2026-01, NC-2026-03]",
        ),
    );
    check_on(&hb, "2026-06-01")
        .assert_exit(1)
        .assert_codes(&["unknown-nonconformity"])
        .assert_diagnostic(
            "unknown-nonconformity",
            "content/records/internal-audit-2026.md:15:26",
            "did you mean NC-2026-01?",
        );
}

#[test]
fn a_link_to_a_nonconformity_leads_to_it_and_an_unknown_one_is_reported() {
    let hb = fixture();
    let text = hb.read("content/records/internal-audit-2026.md");
    hb.write(
        "content/records/internal-audit-2026.md",
        text.replace(
            "Findings in the body.",
            "Findings: [the first](NC-2026-01).",
        ),
    );
    hb.run(&["build", "--today", "2026-06-01"]).assert_exit(0);
    let page = hb.read("public/documents/REC-02.html");
    assert!(
        page.contains("href=\"../nonconformities.html#NC-2026-01\""),
        "{page}"
    );
    let text = hb.read("content/records/internal-audit-2026.md");
    hb.write(
        "content/records/internal-audit-2026.md",
        text.replace("(NC-2026-01)", "(NC-2026-10)"),
    );
    check_on(&hb, "2026-06-01")
        .assert_exit(1)
        .assert_codes(&["unknown-nonconformity"])
        .assert_diagnostic(
            "unknown-nonconformity",
            "content/records/internal-audit-2026.md:18:23",
            "did you mean NC-2026-01?",
        );
}

#[test]
fn a_recurring_activity_is_due_soon_then_missed() {
    let hb = fixture();
    check_on(&hb, "2026-06-20")
        .assert_exit(0)
        .assert_diagnostic(
            "activity-due-soon",
            "content/procedures/access-review.md:19:9",
            "ACT-01 (Quarterly access review of production systems) is due on 2026-07-10",
        );
    check_on(&hb, "2026-07-11").assert_diagnostic(
        "activity-missed",
        "content/procedures/access-review.md:19:9",
        "last run 2026-04-10 (REC-01)",
    );
    // A new run resets the clock.
    hb.write(
        "content/records/access-review-2026-07.md",
        hb.read("content/records/access-review-2026-04.md")
            .replace("REC-01", "REC-04")
            .replace("2026-04-10", "2026-07-08"),
    );
    check_on(&hb, "2026-07-11").assert_no_diagnostics();
}

#[test]
fn wrong_operation_data_is_reported_at_its_line_without_a_panic() {
    let hb = fixture();
    hb.write(
        "content/nonconformities.yaml",
        "NC-26-1:\n  raised: 2026-13-01\nNC-2026-05:\n  raised: 2026-01-01\n  description: x\n  severty: minor\n",
    );
    hb.write(
        "content/records/internal-audit-2026.md",
        hb.read("content/records/internal-audit-2026.md")
            .replace("kind: internal-audit", "kind: internal-audti")
            .replace("  auditor:", "  audtor:"),
    );
    let run = check_on(&hb, "2026-06-01");
    run.assert_exit(1)
        .assert_diagnostic(
            "front-matter",
            "content/nonconformities.yaml:1:1",
            "not a nonconformity id",
        )
        .assert_diagnostic(
            "unknown-field",
            "content/nonconformities.yaml:6:3",
            "did you mean `severity`?",
        )
        .assert_diagnostic(
            "front-matter",
            "content/records/internal-audit-2026.md:10:9",
            "internal-audti",
        )
        .assert_diagnostic(
            "unknown-field",
            "content/records/internal-audit-2026.md:12:3",
            "did you mean `auditor`?",
        );
}

#[test]
fn the_operation_pages_show_actions_nonconformities_programme_and_activities() {
    let hb = fixture();
    let ncs = hb.read("content/nonconformities.yaml");
    // A cell a spreadsheet would run stays text.
    hb.write(
        "content/nonconformities.yaml",
        ncs.replace(
            "action: Screen lock after 5 minutes by policy",
            "action: \"=HYPERLINK(1) Screen lock\"",
        ),
    );
    hb.build().assert_exit(0);
    let actions = hb.read("public/actions.csv");
    let lines: Vec<&str> = actions.lines().collect();
    assert_eq!(lines[0], "id,kind,of,action,owner,due,status,done,overdue");
    // Open actions by due date, then the done one.
    assert!(
        lines[1].starts_with("CA-2026-01-1,corrective,NC-2026-01,"),
        "{actions}"
    );
    assert!(
        lines[2].starts_with("MR-2026-01,management-review,REC-03,"),
        "{actions}"
    );
    assert!(
        lines[3].contains(",'=HYPERLINK(1) Screen lock,"),
        "{actions}"
    );
    let nc = hb.read("public/nonconformities.html");
    assert!(nc.contains("closed on 2026-04-01") && nc.contains("Offboarding ticket not linked"));
    assert!(
        nc.contains(r#"<a href="documents/REC-02.html">REC-02</a>"#),
        "found by the audit"
    );
    let programme = hb.read("public/audit-programme.html");
    assert!(programme.contains(r#"<tr class="gap"><td><a href="controls/A.5.1.html">A.5.1</a>"#));
    assert!(!programme.contains(r#"<tr class="gap"><td><a href="controls/A.5.18.html">"#));
    let procedure = hb.read("public/documents/PRO-01.html");
    assert!(
        procedure.contains("Next due: 2026-07-10 (scheduled)"),
        "{procedure}"
    );
    assert!(procedure.contains(r#"2026-04-10: <a href="REC-01.html">REC-01</a>"#));
    let control = hb.read("public/controls/A.8.2.html");
    assert!(control
        .contains(r#"<a href="../documents/PRO-01.html#ACT-01">ACT-01 Quarterly access review"#));
    let audit = hb.read("public/documents/REC-02.html");
    assert!(audit.contains(r#"<a href="../nonconformities.html#NC-2026-01">NC-2026-01</a>"#));
    let run = hb.read("public/documents/REC-01.html");
    assert!(
        run.contains(r#"<a href="PRO-01.html#ACT-01">ACT-01</a>"#),
        "{run}"
    );
    let home = hb.read("public/index.html");
    assert!(home.contains("<strong>2026-03-10</strong> last internal audit"));
    assert!(home.contains("<strong>2</strong> open actions"));
}

/// The text of every entry of a zip, by name.
fn unzip(path: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let mut text = String::new();
            e.read_to_string(&mut text).unwrap_or_default();
            (e.name().unwrap().to_string(), text)
        })
        .collect()
}

#[test]
fn a_surveillance_bundle_holds_the_changes_and_the_nonconformities_since_the_last_audit() {
    let hb = fixture();
    let ncs = hb.read("content/nonconformities.yaml");
    // At the last audit only NC-2026-02 was known.
    let (first, second) = ncs.split_once("\nNC-2026-02:").unwrap();
    hb.write(
        "content/nonconformities.yaml",
        format!("NC-2026-02:{second}"),
    );
    common::git(&hb, &["init", "-q"]);
    common::commit_all(&hb, "as audited");
    common::git(&hb, &["tag", "audit-2026"]);
    hb.write(
        "content/nonconformities.yaml",
        format!("{first}\nNC-2026-02:{second}"),
    );
    hb.write(
        "content/records/access-review-2026-05.md",
        hb.read("content/records/access-review-2026-04.md")
            .replace("REC-01", "REC-05")
            .replace("2026-04-10", "2026-05-10"),
    );
    common::commit_all(&hb, "after the audit");
    let out = hb.path().join("surveillance.zip");
    hb.run(&[
        "bundle",
        "--since",
        "audit-2026",
        "--today",
        "2026-06-01",
        "-o",
        out.to_str().unwrap(),
    ])
    .assert_exit(0);
    let files = unzip(&out);
    let report = files
        .iter()
        .find(|(name, _)| name.ends_with("/nonconformities-since.md"))
        .map(|(_, text)| text)
        .expect("nonconformities-since.md in the bundle");
    assert!(
        report.starts_with("# Nonconformities raised since audit-2026"),
        "{report}"
    );
    assert!(
        report.contains("| NC-2026-01 | 2026-03-10 | internal-audit | minor |"),
        "{report}"
    );
    assert!(
        report.contains("CA-2026-01-1 in-progress (due 2026-07-31)") && report.contains("| open |")
    );
    assert!(
        !report.contains("NC-2026-02"),
        "raised before the audit: {report}"
    );
    let changes = files
        .iter()
        .find(|(n, _)| n.ends_with("/changes.md"))
        .unwrap()
        .1;
    assert!(
        changes.starts_with("# Changes from audit-2026"),
        "{changes}"
    );
    assert!(changes.contains("REC-05"), "{changes}");
}

#[test]
fn two_years_on_the_example_reports_stale_audit_and_review_overdue_actions_and_gaps() {
    let hb = Handbook::example();
    let run = check_on(&hb, "2028-11-30");
    run.assert_exit(1)
        .assert_diagnostic(
            "internal-audit-stale",
            "content/records/internal-audit-report.md:26:9",
            "no internal audit since 2026-09-25",
        )
        .assert_diagnostic(
            "management-review-stale",
            "content/records/management-review-minutes.md:26:9",
            "no management review since 2026-10-22",
        )
        .assert_diagnostic(
            "action-overdue",
            "content/nonconformities.yaml:66:13",
            "CA-2026-04-1 of NC-2026-04 was due on 2026-12-15",
        )
        .assert_diagnostic(
            "action-overdue",
            "content/records/management-review-minutes.md:31:13",
            "MR-2026-01 of REC-003",
        )
        .assert_diagnostic(
            "audit-programme-gap",
            "ismsbook.toml:46:1",
            "control A.6.1 (Screening) has not been audited within the audit cycle",
        )
        .assert_diagnostic(
            "activity-missed",
            "content/policies/backup.md:25:9",
            "ACT-02",
        );
    let count = |code: &str| run.diagnostics().iter().filter(|d| d.code == code).count();
    // The 2027 line of the programme (A.5.1-A.5.14, people, physical, A.8.1-A.8.14 but
    // A.8.8 and A.8.13) was never held, and the 2025 audit has left the cycle.
    assert_eq!(count("audit-programme-gap"), 48);
    // 3 corrective, 5 of the management review and the 7 open treatment actions of the risks.
    assert_eq!(count("action-overdue"), 15, "every open action of 2026");
    // Today the same handbook is clean.
    check_on(&hb, "2026-11-30")
        .assert_exit(0)
        .assert_no_diagnostics();
}

/// Uncomments the lines a template leaves commented for the user to fill in.
fn uncomment(text: &str, starts: &[&str]) -> String {
    text.lines()
        .map(|l| match starts.iter().find(|s| l.starts_with(*s)) {
            Some(_) => l.replacen("# ", "", 1),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn the_templates_filled_in_give_a_handbook_in_operation() {
    let tmp = Handbook::empty();
    let dir = tmp.path().join("isms");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args([
            "init",
            dir.to_str().unwrap(),
            "--org",
            "Acme Ltd",
            "--set",
            "year=2026",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let edit = |rel: &str, starts: &[&str], f: &dyn Fn(String) -> String| {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, f(uncomment(&text, starts))).unwrap();
    };
    edit(
        "ismsbook.toml",
        &[
            "# [",
            "# interval",
            "# cycle",
            "# body",
            "# certificate",
            "# issued",
        ],
        &|t| t,
    );
    edit(
        "content/records/internal-audit-report.md",
        &["# record:", "#   "],
        &|t| t,
    );
    edit(
        "content/records/management-review-minutes.md",
        &["# record:", "#   "],
        &|t| t,
    );
    edit("content/nonconformities.yaml", &["# NC-", "#   "], &|t| {
        t.replace("\n{}\n", "\n")
    });
    let run = |today: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
            .args([
                "check",
                "--format",
                "json",
                "--today",
                today,
                "--root",
                dir.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    let codes = |r: &Run| -> Vec<String> {
        let mut c: Vec<String> = r
            .diagnostics()
            .into_iter()
            .map(|d| d.code)
            // A new handbook's drafts, starter risks (not yet accepted) and SoA (not yet
            // approved) wait for their owners: warnings this test is not about.
            .filter(|c| {
                ![
                    "control-only-in-drafts",
                    "residual-unaccepted",
                    "soa-unapproved",
                ]
                .contains(&c.as_str())
            })
            .collect();
        c.dedup();
        c
    };
    // The filled-in audit, review and nonconformity are valid and on time.
    assert_eq!(codes(&run("2026-11-23")), Vec::<String>::new());
    // A year on, the programme they started is due again.
    let later = codes(&run("2027-10-01"));
    for code in ["internal-audit-stale", "action-overdue"] {
        assert!(later.iter().any(|c| c == code), "{code}: {later:?}");
    }
}

#[test]
fn before_the_first_review_the_certificate_starts_the_clock() {
    let hb = fixture();
    std::fs::remove_file(hb.path().join("content/records/management-review-2026.md")).unwrap();
    let toml = hb.read("ismsbook.toml");
    hb.write(
        "ismsbook.toml",
        format!("{toml}\n[certification]\nbody = \"Cert Ltd\"\nissued = 2026-03-20\n"),
    );
    let on_the_day = check_on(&hb, "2027-03-20").diagnostics();
    assert!(
        !on_the_day
            .iter()
            .any(|d| d.code == "management-review-stale"),
        "{on_the_day:#?}"
    );
    check_on(&hb, "2027-03-21").assert_diagnostic(
        "management-review-stale",
        "ismsbook.toml:16:1",
        "no management review record since the certificate: one was due by 2027-03-20",
    );
}

#[test]
fn serve_follows_a_new_run_onto_the_procedure_control_and_calendar_pages() {
    use ismsbook::site::{History, Options, Site, Update};
    let hb = fixture();
    let opts = || Options {
        history: History::None,
        ..Options::new("2026-06-01".parse().unwrap())
    };
    let mut site = Site::open(hb.path(), opts()).unwrap();
    let served = tempfile::tempdir().unwrap();
    site.render_to(served.path()).unwrap();
    let rel = "content/records/access-review-2026-04.md";
    hb.write(rel, hb.read(rel).replace("2026-04-10", "2026-05-20"));
    match site.update(&[std::path::PathBuf::from(rel)]).unwrap() {
        Update::Pages(pages) => {
            site.write_pages(served.path(), &pages).unwrap();
            site.write_whole(served.path()).unwrap();
        }
        other => panic!("a run edit is a page update, not {other:?}"),
    }
    let fresh = tempfile::tempdir().unwrap();
    Site::open(hb.path(), opts())
        .unwrap()
        .render_to(fresh.path())
        .unwrap();
    for page in [
        "documents/PRO-01.html",
        "controls/A.8.2.html",
        "calendar.ics",
        "calendar.html",
        "index.html",
    ] {
        let read = |dir: &std::path::Path| std::fs::read_to_string(dir.join(page)).unwrap();
        assert_eq!(read(served.path()), read(fresh.path()), "{page}");
    }
    assert!(
        std::fs::read_to_string(served.path().join("documents/PRO-01.html"))
            .unwrap()
            .contains("Next due: 2026-08-20")
    );
}

#[test]
fn an_audit_without_scope_or_a_run_without_its_activity_is_missing_a_field() {
    let hb = fixture();
    let rel = "content/records/internal-audit-2026.md";
    let text = hb.read(rel);
    let scope = text.lines().find(|l| l.contains("scope:")).unwrap();
    hb.write(rel, text.replace(&format!("{scope}\n"), ""));
    let rel = "content/records/access-review-2026-04.md";
    hb.write(rel, hb.read(rel).replace("activity: ACT-01, ", ""));
    check_on(&hb, "2026-06-01")
        .assert_diagnostic(
            "missing-field",
            "content/records/internal-audit-2026.md:9:1",
            "kind internal-audit needs `scope`",
        )
        .assert_diagnostic(
            "missing-field",
            "content/records/access-review-2026-04.md:9:1",
            "kind activity needs `activity`",
        );
}

#[test]
fn an_edition_without_a_withheld_review_leaves_out_its_actions() {
    let hb = fixture();
    let rel = "content/records/management-review-2026.md";
    hb.write(
        rel,
        hb.read(rel)
            .replace("classification: internal", "classification: confidential"),
    );
    hb.run(&[
        "build",
        "--today",
        "2026-06-01",
        "--max-classification",
        "internal",
    ])
    .assert_exit(0);
    for file in [
        "public/actions.csv",
        "public/actions.html",
        "public/calendar.ics",
    ] {
        let text = hb.read(file);
        assert!(!text.contains("MR-2026-01"), "{file}: {text}");
        assert!(text.contains("CA-2026-01-1"), "{file}");
    }
}
