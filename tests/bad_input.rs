//! Bad input: each case gets a clear diagnostic, never a panic, and nothing is written.

mod common;
use common::Handbook;

/// Builds the handbook and asserts the build failed with `code` at `location` and wrote nothing.
fn assert_build_refused(hb: &Handbook, code: &str, location: &str, text: &str) {
    hb.check()
        .assert_exit(1)
        .assert_diagnostic(code, location, text);
    let build = hb.build();
    build.assert_exit(1);
    assert!(!build.stderr.contains("panicked"), "{}", build.stderr);
    assert!(
        build.stderr.contains("nothing was written"),
        "{}",
        build.stderr
    );
    assert!(
        !hb.path().join("public").exists(),
        "a failed build must not write public/"
    );
}

#[test]
fn tabs_in_yaml_say_to_indent_with_spaces() {
    assert_build_refused(
        &Handbook::fixture("tab-in-yaml"),
        "front-matter",
        "content/tabs.md:4:2",
        "indent with spaces",
    );
}

#[test]
fn a_field_of_the_wrong_type_is_named() {
    assert_build_refused(
        &Handbook::fixture("wrong-type"),
        "front-matter",
        "content/wrong.md:3:8",
        "`title` must be a single value, found a list",
    );
}

#[test]
fn an_impossible_date_is_rejected() {
    assert_build_refused(
        &Handbook::fixture("invalid-date"),
        "front-matter",
        "content/date.md:9:12",
        "month 02 of 2026 has no day 30",
    );
}

#[test]
fn a_file_that_is_not_utf8_is_located() {
    assert_build_refused(
        &Handbook::fixture("not-utf8"),
        "unreadable-file",
        "content/latin1.md:3:11",
        "invalid byte 0xe9",
    );
}

#[test]
fn an_empty_file_needs_front_matter() {
    assert_build_refused(
        &Handbook::fixture("empty-file"),
        "front-matter",
        "content/empty.md:1:1",
        "the file is empty",
    );
}

#[test]
fn a_duplicate_key_points_at_the_second() {
    assert_build_refused(
        &Handbook::fixture("duplicate-key"),
        "front-matter",
        "content/dup.md:9:1",
        "duplicate key `title` in front matter (first at line 3)",
    );
}

#[test]
fn a_five_megabyte_file_is_refused_with_advice() {
    let hb = Handbook::fixture("_base");
    let mut text = String::from("---\nid: POL-001\ntitle: Huge\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n");
    while text.len() < 5 * 1024 * 1024 {
        text.push_str("A line of policy text that goes on and on for the sake of size.\n");
    }
    hb.write("content/huge.md", text);
    assert_build_refused(
        &hb,
        "unreadable-file",
        "content/huge.md",
        "a document may be at most 4 MiB",
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_followed_forever() {
    let hb = Handbook::fixture("_base");
    std::fs::create_dir_all(hb.path().join("content/loop")).unwrap();
    std::os::unix::fs::symlink("..", hb.path().join("content/loop/back")).unwrap();
    assert_build_refused(
        &hb,
        "unreadable-file",
        "content/loop/back",
        "symbolic link loop",
    );
}

#[test]
fn byte_order_mark_and_crlf_are_tolerated() {
    Handbook::fixture("bom-and-crlf")
        .check()
        .assert_exit(0)
        .assert_no_diagnostics();
}

#[test]
fn hidden_files_and_editor_droppings_are_not_content() {
    Handbook::fixture("ignored-files")
        .check()
        .assert_exit(0)
        .assert_no_diagnostics();
}

#[test]
fn an_unquoted_version_1_10_stays_1_10() {
    let hb = Handbook::fixture("version-safety");
    // The approval is for "1.10": reading the version as 1.1 would make it unapproved.
    hb.check().assert_exit(0).assert_no_diagnostics();
    hb.build().assert_exit(0);
    let page = hb.read("public/documents/POL-001.html");
    assert!(page.contains("<td>1.10</td>"), "{page}");
}

#[test]
fn a_missing_configuration_is_a_usage_error() {
    let hb = Handbook::empty();
    let run = hb.run(&["check"]);
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("has no ismsbook.toml; run `ismsbook init"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_build_never_touches_content() {
    let hb = Handbook::fixture("broken-link");
    let before = common::files(&hb.path().join("content"));
    hb.build().assert_exit(1);
    hb.run(&["build", "--today", common::TODAY, "--out", "content/out"])
        .assert_exit(1);
    assert_eq!(common::files(&hb.path().join("content")), before);
}
