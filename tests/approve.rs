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

/// The fixture's document with `shape` (YAML lines, status and approval fields) in place of
/// its own status and review fields.
fn with_front_matter(hb: &Handbook, shape: &str) -> String {
    let text = format!(
        "---\nid: POL-001\ntitle: Remote Working Policy\ntype: policy\nversion: \"1.2\"\nowner: CISO\nclassification: internal\n{shape}---\n\n# Remote Working Policy\n\nWork from anywhere the [Baseline](BASE-01) allows.\n"
    );
    hb.write("content/draft.md", &text);
    text
}

const DIGEST: &str = "sha256:d2141dead8c9170d1fdc7d8c6ef213e70cc0b8d73b18708e7ebcdee64be01b81";
const OLD: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

fn item(dash: &str) -> String {
    format!("{dash}- version: \"1.2\"\n{dash}  by: Jane Doe\n{dash}  role: CEO\n{dash}  date: 2026-05-02\n{dash}  digest: {DIGEST}\n")
}

/// Approves a document whose front matter has `before`, and expects exactly `after`.
fn approves_to(before: &str, after: &str) {
    let hb = Handbook::fixture("approve");
    let text = with_front_matter(&hb, before);
    hb.run(APPROVE).assert_exit(0);
    assert_eq!(hb.read("content/draft.md"), text.replacen(before, after, 1));
    hb.check().assert_exit(0).assert_no_diagnostics();
}

/// Refuses to approve a document whose front matter has `shape`, naming `what`, and
/// leaves the file as it was.
fn refuses(shape: &str, what: &str) {
    let hb = Handbook::fixture("approve");
    let text = with_front_matter(&hb, shape);
    let run = hb.run(APPROVE);
    run.assert_exit(1);
    for needle in [what, "by hand", "status: approved", "nothing was changed"] {
        assert!(
            run.stderr.contains(needle),
            "{needle:?} in:\n{}",
            run.stderr
        );
    }
    assert_eq!(hb.read("content/draft.md"), text, "the file is untouched");
}

#[test]
fn a_block_scalar_status_is_refused_not_mangled() {
    // Was: `stapprovedtus: |-`, exit 0.
    refuses(
        "status: |-\n  draft\n",
        "`status` is not a plain or quoted value",
    );
    refuses(
        "status: >-\n  draft\n",
        "`status` is not a plain or quoted value",
    );
}

#[test]
fn an_empty_review_gets_its_last_date_under_it() {
    // Was: `last:` appended under the next key.
    let after = format!(
        "status: approved\neffective: 2026-05-02\nreview:\n  last: 2026-05-02\ntags: [remote]\napprovals:\n{}",
        item("  ")
    );
    approves_to("status: draft\nreview:\ntags: [remote]\n", &after);
    // Last in the front matter, where the old edit put `last:` under the new `approvals:`.
    let after = format!(
        "status: approved\neffective: 2026-05-02\ntags: [remote]\nreview:\n  last: 2026-05-02\napprovals:\n{}",
        item("  ")
    );
    approves_to("status: draft\ntags: [remote]\nreview:\n", &after);
}

#[test]
fn an_empty_flow_list_of_approvals_becomes_a_block_list() {
    let after = format!(
        "status: approved\neffective: 2026-05-02\nreview:\n  last: 2026-05-02\napprovals:  # none yet\n{}tags: []\n",
        item("  ")
    );
    approves_to(
        "status: draft\napprovals: []  # none yet\ntags: []\n",
        &after,
    );
}

#[test]
fn quoted_and_commented_status_values_keep_their_quotes_and_comments() {
    let rest = format!(
        "effective: 2026-05-02\nreview:\n  last: 2026-05-02\napprovals:\n{}",
        item("  ")
    );
    approves_to(
        "status: \"draft\"\n",
        &format!("status: \"approved\"\n{rest}"),
    );
    approves_to(
        "status: 'in-review'   # asked 2026-04-01\n",
        &format!("status: 'approved'   # asked 2026-04-01\n{rest}"),
    );
}

#[test]
fn flow_mapping_reviews_are_kept_or_completed_in_place() {
    let tail = format!("approvals:\n{}", item("  "));
    approves_to(
        "status: draft\nreview: {last: 2026-04-30}\n",
        &format!("status: approved\neffective: 2026-05-02\nreview: {{last: 2026-04-30}}\n{tail}"),
    );
    approves_to(
        "status: draft\nreview: { interval: 6 months }\n",
        &format!(
            "status: approved\neffective: 2026-05-02\nreview: {{ last: 2026-05-02, interval: 6 months }}\n{tail}"
        ),
    );
}

#[test]
fn a_new_version_is_added_to_the_approvals_in_their_own_style() {
    let approved = "status: approved\neffective: 2026-01-15\nreview:\n  last: 2026-01-10\n";
    let old_item = format!(
        "- version: \"1.1\"\n  by: Tom\n  role: CEO\n  date: 2026-01-12\n  digest: {OLD}\n"
    );
    // An indentless block list, followed by a comment and another key.
    approves_to(
        &format!("{approved}approvals:\n{old_item}# history ends here\ntags: []\n"),
        &format!(
            "{approved}approvals:\n{old_item}{}# history ends here\ntags: []\n",
            item("")
        ),
    );
    // A flow list.
    let flow = format!("{{version: \"1.1\", by: Tom, role: CEO, date: 2026-01-12, digest: {OLD}}}");
    approves_to(
        &format!("{approved}approvals: [{flow}]\n"),
        &format!(
            "{approved}approvals: [{flow}, {{version: \"1.2\", by: Jane Doe, role: CEO, date: 2026-05-02, digest: {DIGEST}}}]\n"
        ),
    );
}

#[test]
fn a_crlf_file_with_an_empty_review_stays_crlf() {
    let hb = Handbook::fixture("approve");
    let text = with_front_matter(&hb, "status: draft\nreview:\n").replace('\n', "\r\n");
    hb.write("content/draft.md", &text);
    hb.run(APPROVE).assert_exit(0);
    let after = hb.read("content/draft.md");
    assert!(!after.replace("\r\n", "").contains('\n'), "{after:?}");
    assert!(
        after.contains("review:\r\n  last: 2026-05-02\r\n"),
        "{after:?}"
    );
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn anchors_and_aliases_are_refused() {
    refuses(
        "status: draft\nextra:\n  note: &n keep\n  copy: *n\n",
        "anchors or aliases",
    );
}

#[test]
fn a_symlinked_document_stays_a_link_and_its_target_gets_the_approval() {
    let hb = Handbook::fixture("approve");
    std::fs::create_dir_all(hb.path().join("shared")).unwrap();
    std::fs::rename(
        hb.path().join("content/draft.md"),
        hb.path().join("shared/draft.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../shared/draft.md", hb.path().join("content/draft.md")).unwrap();
    hb.run(APPROVE).assert_exit(0);
    let link = std::fs::symlink_metadata(hb.path().join("content/draft.md")).unwrap();
    assert!(link.file_type().is_symlink(), "still a link");
    assert!(hb.read("shared/draft.md").contains("    by: Jane Doe\n"));
    hb.check().assert_exit(0).assert_no_diagnostics();
    let leftovers: Vec<_> = std::fs::read_dir(hb.path().join("shared"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["draft.md"], "no temporary file left behind");
}

#[test]
fn a_read_only_document_is_refused_and_a_mode_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let hb = Handbook::fixture("approve");
    let path = hb.path().join("content/draft.md");
    let before = hb.read("content/draft.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = hb.run(APPROVE);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("read-only (mode 0444)") && run.stderr.contains("chmod u+w"),
        "{}",
        run.stderr
    );
    assert_eq!(hb.read("content/draft.md"), before);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o444, "not made writable");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    hb.run(APPROVE).assert_exit(0);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640);
    assert!(hb.read("content/draft.md").contains("status: approved"));
}

#[test]
fn a_hard_linked_document_is_refused_rather_than_split() {
    let hb = Handbook::fixture("approve");
    std::fs::hard_link(
        hb.path().join("content/draft.md"),
        hb.path().join("draft-copy.md"),
    )
    .unwrap();
    let before = hb.read("content/draft.md");
    let run = hb.run(APPROVE);
    run.assert_exit(2);
    assert!(run.stderr.contains("has 2 hard links"), "{}", run.stderr);
    assert_eq!(hb.read("content/draft.md"), before);
}
