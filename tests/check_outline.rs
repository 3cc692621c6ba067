//! `check` reads the links and headings of the bodies without writing their HTML (and
//! `load` opens plain files with one `openat2` on Linux): what it finds must be what a
//! build finds.

mod common;

use common::{Handbook, TODAY};

/// Links of every kind, to anchors of headings written in every way, some broken; a link in
/// raw HTML; a file reached through a folder link inside the handbook.
fn handbook() -> Handbook {
    let hb = Handbook::fixture("broken-link");
    hb.write(
        "content/policies/headings.md",
        "---\nid: POL-020\ntitle: Headings\ntype: policy\nversion: \"0.1\"\nstatus: draft\n\
         owner: CISO\nclassification: internal\n---\n\n# Headings\n\n## Scope\n\n## Scope\n\n\
         ## The `backup` job\n\n### Mine {#custom}\n\n\
         [a](#scope-1) [b](#the-backup-job) [c](#custom) [d](#scope-2) [e](POL-009#retention)\n\n\
         <p>Raw <a href=\"POL-404\">link</a> and <img src=\"missing.png\"></p>\n",
    );
    hb.write(
        "shared/linked.md",
        "---\nid: POL-021\ntitle: Linked\ntype: policy\nversion: \"0.1\"\nstatus: draft\n\
         owner: CISO\nclassification: internal\n---\n\n# Linked\n\n[x](POL-020#nowhere)\n",
    );
    std::os::unix::fs::symlink("../shared", hb.path().join("content/shared")).unwrap();
    hb
}

#[test]
fn check_reports_exactly_the_problems_a_build_reports() {
    let hb = handbook();
    let check = hb.check();
    let build = hb.run(&["build", "--format", "json", "--today", TODAY]);
    check.assert_exit(1);
    build.assert_exit(1);
    let seen = |run: &common::Run| -> Vec<String> {
        run.diagnostics()
            .into_iter()
            .map(|d| format!("{} {} {} {}", d.code, d.location, d.message, d.help))
            .collect()
    };
    assert_eq!(seen(&check), seen(&build));
    // The broken anchors are found, in a file read the portable way (through a link) too;
    // the good anchors (a repeated heading, code in a heading, a custom id) are not reported.
    check
        .assert_diagnostic(
            "broken-reference",
            "content/policies/headings.md:21:53",
            "#scope-2",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/shared/linked.md:13:5",
            "#nowhere",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/policies/headings.md:23:17",
            "POL-404",
        )
        .assert_diagnostic(
            "broken-reference",
            "content/policies/headings.md:23:49",
            "missing.png",
        );
    let reported = seen(&check).join("\n");
    for good in ["#scope-1 ", "#the-backup-job ", "#custom "] {
        assert!(
            !reported.contains(&format!("no heading {good}")),
            "{good} reported:\n{reported}"
        );
    }
}
