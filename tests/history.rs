//! Git history through gix: revisions per document (renames followed), the version label,
//! and `build --rev`. The git program is used only to set up the repositories.

mod common;
use common::Handbook;
use std::process::Command;

fn git(hb: &Handbook, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(hb.path())
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Author")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", "2026-03-01T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-03-01T10:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", hb.path())
        .output()
        .expect("git must be installed for the history tests");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn commit_all(hb: &Handbook, message: &str) {
    git(hb, &["add", "-A"]);
    git(hb, &["commit", "-q", "-m", message]);
}

const DRAFT: &str = "---\nid: POL-001\ntitle: Remote Working Policy\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n\n# Remote Working\n\nFirst text.\n";

fn repository() -> Handbook {
    let hb = Handbook::fixture("_base");
    git(&hb, &["init", "-q", "-b", "main"]);
    hb.write(".gitignore", "/public\n");
    commit_all(&hb, "Initial handbook");
    git(&hb, &["tag", "v2026.1"]);
    hb.write("content/draft.md", DRAFT);
    commit_all(&hb, "Add remote working policy");
    std::fs::create_dir_all(hb.path().join("content/policies")).unwrap();
    git(
        &hb,
        &["mv", "content/draft.md", "content/policies/remote.md"],
    );
    hb.write(
        "content/policies/remote.md",
        DRAFT.replace("First text.", "Second text."),
    );
    commit_all(&hb, "Move the remote working policy under policies/");
    hb
}

#[test]
fn document_pages_show_their_revisions_with_renames_followed() {
    let hb = repository();
    hb.build().assert_exit(0);
    let page = hb.read("public/documents/POL-001.html");
    assert!(
        page.contains("Move the remote working policy under policies/"),
        "{page}"
    );
    assert!(page.contains("Add remote working policy"));
    assert!(page.contains("Ada Author") && page.contains("2026-03-01"));
    let base = hb.read("public/documents/BASE-01.html");
    assert!(base.contains("Initial handbook") && !base.contains("Add remote working policy"));
}

#[test]
fn the_version_label_is_the_tag_or_a_describe_label_marked_when_dirty() {
    let hb = repository();
    hb.build().assert_exit(0);
    let index = hb.read("public/index.html");
    assert!(
        index.contains("v2026.1-2-g"),
        "describe label expected: {index}"
    );
    assert!(!index.contains("+dirty"));
    git(&hb, &["tag", "v2026.2"]);
    hb.build().assert_exit(0);
    assert!(
        hb.read("public/documents/index.html")
            .contains(">v2026.2 ·"),
        "the tag at HEAD labels every page"
    );
    hb.write(
        "content/policies/remote.md",
        DRAFT.replace("First text.", "Uncommitted text."),
    );
    hb.build().assert_exit(0);
    assert!(hb.read("public/index.html").contains("v2026.2+dirty"));
}

#[test]
fn build_rev_builds_a_tag_from_the_object_store_without_touching_the_work_tree() {
    let hb = repository();
    hb.write("content/policies/remote.md", "this would not even parse");
    let run = hb.run(&["build", "--rev", "v2026.1", "--today", common::TODAY]);
    run.assert_exit(0);
    assert!(
        !hb.path().join("public/documents/POL-001.html").exists(),
        "POL-001 did not exist at v2026.1"
    );
    assert!(hb.read("public/index.html").contains("v2026.1"));
    assert_eq!(
        hb.read("content/policies/remote.md"),
        "this would not even parse"
    );
    let unknown = hb.run(&["build", "--rev", "v9", "--today", common::TODAY]);
    unknown.assert_exit(2);
    assert!(
        unknown.stderr.contains("unknown revision `v9`"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn without_git_everything_else_works_with_a_note() {
    let hb = Handbook::fixture("_base");
    let run = hb.build();
    run.assert_exit(0);
    assert!(
        run.stderr
            .contains("note: no revision history: not in a git repository"),
        "{}",
        run.stderr
    );
    assert!(hb
        .read("public/documents/BASE-01.html")
        .contains("no revision history"));
}
