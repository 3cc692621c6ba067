//! Git history through gix: revisions per document (renames followed), the version label,
//! and `build --rev`. The git program is used only to set up the repositories.

mod common;
use common::{commit_all, git, Handbook};
use std::process::Command;

fn git_output(hb: &Handbook, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(hb.path())
        .output()
        .expect("git must be installed for the history tests");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn draft(id: &str, text: &str) -> String {
    format!("---\nid: {id}\ntitle: Document {id}\ntype: procedure\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n\n# {id}\n\n{text}\n")
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

#[test]
fn changes_lists_added_renamed_and_changed_documents_with_a_redline() {
    let hb = repository();
    // Approve the policy and gain a control, then compare with the first tag.
    let text = hb
        .read("content/policies/remote.md")
        .replace("version: \"0.1\"", "version: \"1.0\"")
        .replace(
            "classification: internal\n",
            "classification: internal\ncontrols: [A.6.7]\n",
        );
    hb.write("content/policies/remote.md", text);
    git(&hb, &["tag", "v2026.2"]);
    let md = hb.run(&["changes", "v2026.1..v2026.2"]);
    md.assert_exit(0);
    assert!(
        md.stdout.contains("# Changes from v2026.1 to v2026.2"),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("## Added\n\n- POL-001 Remote Working Policy (v0.1, draft) `content/policies/remote.md`"), "{}", md.stdout);
    let json = hb.run(&["changes", "v2026.1", "--format", "json"]);
    json.assert_exit(0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["to"], "the work tree");
    assert_eq!(v["added"][0]["id"], "POL-001");
    // Between the two commits after the tag: a rename and an edit, shown as a redline.
    let between = hb.run(&["changes", "HEAD~1..HEAD"]);
    assert!(
        between
            .stdout
            .contains("- renamed: `content/draft.md` → `content/policies/remote.md`"),
        "{}",
        between.stdout
    );
    assert!(
        between.stdout.contains("[-First-]{+Second+}"),
        "{}",
        between.stdout
    );
    let work = hb.run(&["changes", "HEAD"]);
    assert!(
        work.stdout.contains("- version: 0.1 → 1.0")
            && work.stdout.contains("- controls gained: A.6.7"),
        "{}",
        work.stdout
    );
}

#[test]
fn the_changes_page_redlines_a_body_edited_since_the_tag() {
    let hb = repository();
    git(&hb, &["tag", "v2026.2"]);
    let text = hb
        .read("content/policies/remote.md")
        .replace("Second text.", "Third text.");
    hb.write("content/policies/remote.md", text);
    hb.build().assert_exit(0);
    let page = hb.read("public/changes.html");
    assert!(page.contains("Changes since v2026.2"), "{page}");
    assert!(page.contains("<del>Second</del><ins>Third</ins>"), "{page}");
}

#[test]
fn the_changes_page_shows_what_changed_since_the_previous_tag() {
    let hb = repository();
    hb.build().assert_exit(0);
    let page = hb.read("public/changes.html");
    assert!(page.contains("Changes since v2026.1"), "{page}");
    assert!(page.contains("POL-001</a> Remote Working Policy"), "{page}");
}

/// The tree diff reads only the changed middle of a big directory: edits at its start, end
/// and middle, additions, deletions and a sub-directory must all still be found, exactly as
/// `git log` finds them.
#[test]
fn revisions_match_git_log_for_every_kind_of_change_in_a_big_directory() {
    let hb = Handbook::fixture("_base");
    git(&hb, &["init", "-q", "-b", "main"]);
    hb.write(".gitignore", "/public\n");
    let path = |n: u32| format!("content/many/doc-{n:02}.md");
    let id = |n: u32| format!("DOC-{n:02}");
    for n in 1..=30 {
        hb.write(&path(n), draft(&id(n), "First."));
    }
    commit_all(&hb, "Thirty documents");
    let edit = |n: u32, text: &str| hb.write(&path(n), draft(&id(n), text));
    edit(1, "Edited first.");
    commit_all(&hb, "Edit the first entry");
    edit(30, "Edited last.");
    commit_all(&hb, "Edit the last entry");
    edit(15, "Edited middle.");
    commit_all(&hb, "Edit the middle entry");
    hb.write("content/many/a00.md", draft("DOC-00", "New first."));
    commit_all(&hb, "Add an entry before all others");
    std::fs::remove_file(hb.path().join(path(30))).unwrap();
    commit_all(&hb, "Remove the last entry");
    edit(7, "Edited together.");
    edit(8, "Edited together.");
    commit_all(&hb, "Edit two neighbours");
    hb.write(
        "content/many/sub/x.md",
        draft("DOC-31", "In a sub-directory."),
    );
    commit_all(&hb, "Add a sub-directory");
    hb.write(
        "content/many/sub/x.md",
        draft("DOC-31", "Edited in a sub-directory."),
    );
    commit_all(&hb, "Edit inside the sub-directory");
    hb.build().assert_exit(0);

    let files = [("DOC-00".to_string(), "content/many/a00.md".to_string())]
        .into_iter()
        .chain((1..30).map(|n| (id(n), path(n))))
        .chain([("DOC-31".to_string(), "content/many/sub/x.md".to_string())]);
    for (doc, file) in files {
        let mut expected: Vec<String> =
            git_output(&hb, &["log", "--abbrev=7", "--format=%h", "--", &file])
                .lines()
                .map(String::from)
                .collect();
        let page = hb.read(&format!("public/documents/{doc}.html"));
        let mut shown: Vec<String> = page
            .split("<tr><td><code>")
            .skip(1)
            .filter_map(|row| row.split("</code>").next())
            .map(String::from)
            .collect();
        expected.sort();
        shown.sort();
        assert_eq!(shown, expected, "revisions of {doc} ({file})");
    }
}

/// A file keeps its history when its document is renumbered: every change to it belongs to
/// the id its newest version holds.
#[test]
fn a_renumbered_document_keeps_the_history_of_its_file() {
    let hb = Handbook::fixture("_base");
    git(&hb, &["init", "-q", "-b", "main"]);
    hb.write(".gitignore", "/public\n");
    hb.write("content/remote.md", draft("POL-001", "First."));
    commit_all(&hb, "Add the policy as POL-001");
    hb.write("content/remote.md", draft("POL-007", "First."));
    commit_all(&hb, "Renumber it POL-007");
    hb.build().assert_exit(0);
    let page = hb.read("public/documents/POL-007.html");
    assert!(
        page.contains("Add the policy as POL-001") && page.contains("Renumber it POL-007"),
        "{page}"
    );
}
