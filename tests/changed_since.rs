//! `check --changed-since REV`: a pull request sees the problems it brings (in the files it
//! changed, and elsewhere because of them), not the handbook's older ones.

mod common;

use common::{commit_all, git, Handbook, TODAY};

/// `_base` without A.5.1, which only the draft `a.md` implements; `b.md` has an old problem.
/// Committed and tagged `base`.
fn repo() -> Handbook {
    let hb = Handbook::fixture("changed-since");
    let base = hb.read("content/baseline.md");
    hb.write("content/baseline.md", base.replacen("[A.5.1, ", "[", 1));
    git(&hb, &["init", "-q"]);
    commit_all(&hb, "handbook");
    git(&hb, &["tag", "base"]);
    hb
}

fn changed_since(hb: &Handbook, rev: &str) -> common::Run {
    hb.run(&[
        "check",
        "--format",
        "json",
        "--today",
        TODAY,
        "--changed-since",
        rev,
    ])
}

#[test]
fn shows_the_changes_problems_and_the_ones_they_cause_elsewhere() {
    let hb = repo();
    hb.check()
        .assert_codes(&["unknown-control", "control-only-in-drafts"]);
    // The change: a.md drops A.5.1 (now covered by no document) and gains a broken link,
    // committed; a new file in the work tree, not yet committed, has a problem of its own.
    let a = hb.read("content/a.md");
    hb.write(
        "content/a.md",
        a.replace("controls: [A.5.1]", "controls: []") + "\nSee [the old one](POL-404).\n",
    );
    commit_all(&hb, "a.md: no longer implements A.5.1");
    hb.write("content/c.md", "no front matter\n");

    let run = changed_since(&hb, "base");
    run.assert_exit(1)
        .assert_diagnostic("broken-reference", "content/a.md:14:19", "POL-404")
        .assert_diagnostic("uncovered-control", "content", "A.5.1")
        .assert_diagnostic("front-matter", "content/c.md:1:1", "front matter")
        .assert_codes(&["broken-reference", "uncovered-control", "front-matter"]);
    assert!(
        run.stderr
            .contains("--changed-since base: 2 changed files; 1 problem in unchanged files"),
        "{}",
        run.stderr
    );
    // Without the option, b.md's old problem is there too.
    hb.check().assert_codes(&[
        "broken-reference",
        "uncovered-control",
        "front-matter",
        "unknown-control",
    ]);
    // Since the last commit only the work tree's new file counts.
    changed_since(&hb, "HEAD").assert_codes(&["front-matter"]);
}

#[test]
fn no_change_reports_nothing_and_passes_despite_old_errors() {
    let hb = repo();
    changed_since(&hb, "base")
        .assert_exit(0)
        .assert_no_diagnostics();
    // Human and CI formats take it too.
    let run = hb.run(&[
        "check",
        "--format",
        "github",
        "--today",
        TODAY,
        "--changed-since",
        "base",
    ]);
    run.assert_exit(0);
    assert_eq!(run.stdout, "");
}

#[test]
fn an_old_problem_in_a_changed_file_is_shown() {
    let hb = repo();
    let b = hb.read("content/b.md");
    hb.write("content/b.md", b.replace("A problem", "An old problem"));
    changed_since(&hb, "base")
        .assert_exit(1)
        .assert_codes(&["unknown-control"]);
}

#[test]
fn an_unknown_revision_or_no_repository_is_a_usage_error() {
    let hb = repo();
    let run = changed_since(&hb, "no-such-tag");
    run.assert_exit(2);
    assert!(
        run.stderr.contains("unknown revision `no-such-tag`"),
        "{}",
        run.stderr
    );
    let plain = Handbook::fixture("changed-since");
    let run = changed_since(&plain, "HEAD");
    run.assert_exit(2);
    assert!(
        run.stderr.contains("--changed-since needs git history"),
        "{}",
        run.stderr
    );
}
