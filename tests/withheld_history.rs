//! What an edition withholds (`--max-classification`) stays withheld through the history
//! pages: a redline shows the words of both versions, so the older version's classification
//! counts as much as the current one's.

mod common;
use common::{commit_all, git, Handbook};

const SECRET: &str = "The vault opens with 4711-KESTREL.";

fn vault(classification: &str, text: &str) -> String {
    format!("---\nid: PRO-007\ntitle: Vault Procedure\ntype: procedure\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: {classification}\n---\n\n# Vault\n\nKeep the vault shut. {text}\n")
}

/// A restricted procedure at tag v1; since then its secret sentence was cut and it was
/// reclassified internal.
fn downgraded() -> Handbook {
    let hb = Handbook::fixture("_base");
    git(&hb, &["init", "-q", "-b", "main"]);
    hb.write(".gitignore", "/public\n");
    hb.write("content/vault.md", vault("restricted", SECRET));
    commit_all(&hb, "Vault procedure");
    git(&hb, &["tag", "v1"]);
    hb.write(
        "content/vault.md",
        vault("internal", "Ask the CISO for the code."),
    );
    commit_all(&hb, "Vault procedure for everyone");
    hb
}

#[test]
fn a_redline_never_shows_the_words_of_a_version_classified_above_the_edition() {
    let hb = downgraded();
    hb.run(&["build", "--max-classification", "internal"])
        .assert_exit(0);
    let changes = hb.read("public/changes.html");
    assert!(changes.contains("Vault Procedure"), "{changes}");
    assert!(!changes.contains("4711-KESTREL"), "{changes}");
    for (path, bytes) in common::files(&hb.path().join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("4711-KESTREL"), "{} leaks", path.display());
    }
    // The document itself is internal now: its page is published.
    assert!(hb
        .read("public/documents/PRO-007.html")
        .contains("Ask the CISO"));
}

#[test]
fn without_a_maximum_the_redline_shows_both_versions() {
    let hb = downgraded();
    hb.build().assert_exit(0);
    let changes = hb.read("public/changes.html");
    assert!(
        changes.contains("<del>The vault opens with 4711-KESTREL.</del>")
            || changes.contains("4711-KESTREL"),
        "{changes}"
    );
}

#[test]
fn the_auditors_bundle_never_shows_the_words_of_a_version_classified_above_the_edition() {
    let hb = downgraded();
    let zip_path = hb.path().join("edition.zip");
    hb.run(&[
        "bundle",
        "--max-classification",
        "internal",
        "-o",
        zip_path.to_str().unwrap(),
    ])
    .assert_exit(0);
    let file = std::fs::File::open(&zip_path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut saw_changes = false;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        saw_changes |= name.ends_with("changes.md");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("4711-KESTREL"), "{name} leaks");
    }
    assert!(saw_changes, "the bundle carries changes.md");
}
