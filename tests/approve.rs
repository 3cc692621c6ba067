//! `approve`: binds an approval to the exact text, touching nothing else in the file.

mod common;
use common::Handbook;

const APPROVE: &[&str] = &[
    "approve",
    "POL-001",
    "--by",
    "Jane Doe",
    "--role",
    "CEO",
    "--date",
    "2026-05-02",
];

#[test]
fn approval_adds_lines_and_changes_only_the_status_value() {
    let hb = Handbook::fixture("approve");
    let before = hb.read("content/draft.md");
    hb.run(APPROVE).assert_exit(0);
    let after = hb.read("content/draft.md");
    let digest = "sha256:d2141dead8c9170d1fdc7d8c6ef213e70cc0b8d73b18708e7ebcdee64be01b81";
    let expected = before
        .replace("status: draft  # will be approved\n", "status: approved  # will be approved\neffective: 2026-05-02\n")
        .replace("review:\n", "review:\n  last: 2026-05-02\n")
        .replace(
            "  reviewer-notes: keep me\n",
            &format!("  reviewer-notes: keep me\napprovals:\n  - version: \"1.2\"\n    by: Jane Doe\n    role: CEO\n    date: 2026-05-02\n    digest: {digest}\n"),
        );
    assert_eq!(after, expected);
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn one_changed_character_of_the_body_voids_the_approval_but_review_dates_do_not() {
    let hb = Handbook::fixture("approve");
    hb.run(APPROVE).assert_exit(0);
    let approved = hb.read("content/draft.md");
    hb.write(
        "content/draft.md",
        approved.replace("  last: 2026-05-02", "  last: 2026-05-20"),
    );
    hb.check().assert_exit(0).assert_no_diagnostics();
    hb.write(
        "content/draft.md",
        approved.replace("Work from anywhere", "Work from everywhere"),
    );
    hb.check()
        .assert_exit(1)
        .assert_codes(&["changed-since-approval"]);
    // The same version cannot be approved again with the changed text.
    let run = hb.run(APPROVE);
    run.assert_exit(1);
    assert!(
        run.stderr.contains("bump the version (e.g. to \"1.3\")"),
        "{}",
        run.stderr
    );
}

#[test]
fn refusals_leave_the_file_untouched() {
    let hb = Handbook::fixture("approve");
    let before = hb.read("content/draft.md");
    let role = hb.run(&["approve", "POL-001", "--by", "Tom", "--role", "CISO"]);
    role.assert_exit(1);
    assert!(
        role.stderr.contains("role CISO may not approve a policy"),
        "{}",
        role.stderr
    );
    let unknown = hb.run(&["approve", "POL-002", "--by", "Tom", "--role", "CEO"]);
    unknown.assert_exit(1);
    assert!(
        unknown
            .stderr
            .contains("no document has id POL-002; did you mean POL-001?"),
        "{}",
        unknown.stderr
    );
    hb.write(
        "content/draft.md",
        before.replace("owner: CISO", "owner: CFO"),
    );
    let broken = hb.run(APPROVE);
    broken.assert_exit(1);
    assert!(
        broken.stderr.contains("error[unknown-role]") && broken.stderr.contains("has errors"),
        "{}",
        broken.stderr
    );
    assert_eq!(
        hb.read("content/draft.md"),
        before.replace("owner: CISO", "owner: CFO")
    );
}

#[test]
fn crlf_files_stay_crlf() {
    let hb = Handbook::fixture("approve");
    let crlf = hb.read("content/draft.md").replace('\n', "\r\n");
    hb.write("content/draft.md", &crlf);
    hb.run(APPROVE).assert_exit(0);
    let after = hb.read("content/draft.md");
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
    assert!(after.ends_with("allows.\r\n"));
    hb.check().assert_exit(0).assert_no_diagnostics();
}
