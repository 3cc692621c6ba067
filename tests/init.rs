//! `init` and `new`: a complete, valid draft handbook in one command; one document more.

mod common;
use common::Handbook;
use std::process::Command;

fn ismsbook(args: &[&str], cwd: &std::path::Path) -> common::Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn init_gives_a_handbook_with_no_errors_and_every_control_covered() {
    let tmp = Handbook::empty();
    ismsbook(
        &[
            "init",
            "isms",
            "--org",
            "Acme Ltd",
            "--set",
            "locations=Leeds",
        ],
        tmp.path(),
    )
    .assert_exit(0);
    let dir = tmp.path().join("isms");
    for f in [
        "ismsbook.toml",
        "content/soa.yaml",
        ".gitignore",
        "content/policies/access-control.md",
        "content/risks.yaml",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let check = ismsbook(
        &["check", "--format", "json", "--today", "2026-11-23"],
        &dir,
    );
    check.assert_exit(0);
    let diags = check.diagnostics();
    let count = |code: &str| diags.iter().filter(|d| d.code == code).count();
    assert_eq!(
        count("control-only-in-drafts"),
        93,
        "all 93 controls claimed, by drafts"
    );
    // The starter risks select every control between them, none accepted yet (drafts);
    // the SoA is not approved yet.
    assert_eq!(count("residual-unaccepted"), 8, "{diags:#?}");
    assert_eq!(count("soa-unapproved"), 1, "{diags:#?}");
    assert_eq!(diags.len(), 93 + 8 + 1, "{diags:#?}");
    assert!(diags.iter().all(|d| d.severity == "warning"));
    assert!(
        std::fs::read_to_string(dir.join("content/policies/isms-scope.md"))
            .unwrap()
            .contains("Acme Ltd")
    );
    // It builds, with every mandatory document present as a draft.
    ismsbook(&["build", "--today", "2026-11-23"], &dir).assert_exit(0);
    let readiness = std::fs::read_to_string(dir.join("public/readiness.html")).unwrap();
    assert!(!readiness.contains(">missing<"));
}

#[test]
fn init_refuses_a_directory_that_is_not_empty() {
    let tmp = Handbook::empty();
    tmp.write("notes.txt", "mine");
    let run = ismsbook(&["init", ".", "--org", "Acme Ltd"], tmp.path());
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("is not empty; `init` never overwrites"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    assert_eq!(tmp.read("notes.txt"), "mine");
    let no_org = ismsbook(&["init", "x"], tmp.path());
    assert!(
        no_org.stderr.contains("--org NAME is required"),
        "{}",
        no_org.stderr
    );
}

#[test]
fn new_takes_the_next_free_id_and_never_overwrites() {
    let hb = Handbook::fixture("_base");
    hb.write("content/p1.md", "---\nid: POL-007\ntitle: P\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n");
    let run = hb.run(&["new", "backup"]);
    run.assert_exit(0);
    assert!(
        run.stderr
            .contains("created POL-008 as content/policies/backup.md"),
        "{}",
        run.stderr
    );
    assert!(hb
        .read("content/policies/backup.md")
        .contains("id: POL-008"));
    let before = hb.read("content/policies/backup.md");
    let again = hb.run(&["new", "backup", "--id", "POL-008"]);
    again.assert_exit(1);
    assert!(
        again
            .stderr
            .contains("POL-008 is already used by content/policies/backup.md"),
        "{}",
        again.stderr
    );
    assert_eq!(hb.read("content/policies/backup.md"), before);
    let second = hb.run(&["new", "backup"]);
    second.assert_exit(0);
    assert!(
        hb.path()
            .join("content/policies/backup-pol-009.md")
            .is_file(),
        "a second copy gets its own file"
    );
    let unknown = hb.run(&["new", "bakup"]);
    assert!(
        unknown.stderr.contains("did you mean backup?"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn new_list_shows_one_line_per_template() {
    let hb = Handbook::fixture("_base");
    let run = hb.run(&["new", "--list"]);
    run.assert_exit(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.len() >= 29, "{}", run.stdout);
    assert!(lines.iter().any(|l| l.starts_with("access-control ")));
}
