//! `import`: GitBook, MkDocs and plain folders become handbooks; bodies stay byte for byte,
//! assets come along, broken links and 2013 cross-references are reported.

mod common;
use common::{fixtures, Handbook};
use std::path::Path;

fn import(src: &str, extra: &[&str]) -> (Handbook, common::Run) {
    let out = Handbook::empty();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .arg("import")
        .arg(fixtures().join("import").join(src))
        .arg(out.path().join("isms"))
        .args(extra)
        .output()
        .unwrap();
    let run = common::Run {
        code: run.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
    };
    (out, run)
}

/// Every Markdown file of `src` ends, in the imported handbook, with exactly its bytes
/// (after its own front matter, if it had one).
fn assert_bodies_identical(src: &Path, content: &Path) {
    for (rel, original) in common::files(src)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "md"))
    {
        if rel == Path::new("SUMMARY.md") {
            continue;
        }
        let body: &[u8] = match original.strip_prefix(b"---\n") {
            Some(rest) => {
                let end = rest.windows(5).position(|w| w == b"\n---\n").unwrap();
                &rest[end + 5..]
            }
            None => &original,
        };
        let imported = std::fs::read(content.join(&rel)).unwrap();
        assert!(imported.starts_with(b"---\nid: "), "{}", rel.display());
        assert!(imported.ends_with(body), "{} body changed", rel.display());
    }
}

#[test]
fn a_gitbook_becomes_a_handbook_in_the_authors_order() {
    let src = fixtures().join("import/gitbook");
    let before = common::files(&src);
    let (out, run) = import("gitbook", &["--org", "Acme Ltd"]);
    run.assert_exit(0);
    let dir = out.path().join("isms");
    assert_bodies_identical(&src, &dir.join("content"));
    assert_eq!(common::files(&src), before, "the source is never written");
    for line in [
        "Source: a GitBook. Wrote",
        "- DOC-001 Introduction (`content/README.md`)",
        "- POL-001 Information Security Policy (`content/policies/infosec.md`)",
        "- POL-002 Access Control Policy (`content/policies/access-control.md`)",
        "- `content/images/backup flow.png`",
        "- `content/signed/access-control-signed.pdf`",
        "- `content/policies/access-control.md:13:40`: link to `../procedures/missing.md`",
        "- `content/policies/infosec.md:15`: `####6.1.1 Risk assessment`",
        "- POL-002: A.9.2.3 → A.8.2",
        "- PRO-001: A.12.3.1 → A.8.13",
        "## Controls nothing claims (90 of 93)",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in:\n{}",
            run.stdout
        );
    }
    let config = std::fs::read_to_string(dir.join("ismsbook.toml")).unwrap();
    assert!(config.contains("organization = \"Acme Ltd\"") && config.contains("CISO = "));
    // check runs on the result and finds the same broken link, at the same place.
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args([
            "check",
            "--format",
            "json",
            "--today",
            common::TODAY,
            "--root",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let check = common::Run {
        code: check.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&check.stdout).into(),
        stderr: String::new(),
    };
    check.assert_exit(1).assert_diagnostic(
        "broken-reference",
        "content/policies/access-control.md:13:40",
        "../procedures/missing.md",
    );
    let broken: Vec<_> = check
        .diagnostics()
        .into_iter()
        .filter(|d| d.code == "broken-reference")
        .collect();
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert!(
        std::fs::read_to_string(dir.join("content/policies/access-control.md"))
            .unwrap()
            .contains("controls: [A.8.2]")
    );
}

#[test]
fn imported_assets_are_served_with_the_pages() {
    let (out, run) = import("gitbook", &["--org", "Acme Ltd"]);
    run.assert_exit(0);
    let dir = out.path().join("isms");
    // Fix the one broken link and exclude what nobody implements yet, then build.
    let access = dir.join("content/policies/access-control.md");
    let text = std::fs::read_to_string(&access)
        .unwrap()
        .replace("../procedures/missing.md", "../procedures/backup.md");
    std::fs::write(&access, text).unwrap();
    let mut soa = String::from("excluded:\n");
    for line in run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("## Controls nothing claims"))
        .nth(2)
        .unwrap()
        .split(", ")
    {
        soa.push_str(&format!("  {line}: Not yet assessed after the import.\n"));
    }
    std::fs::write(dir.join("content/soa.yaml"), soa).unwrap();
    let build = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["build", "--today", common::TODAY, "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(dir.join("public/assets/images/backup flow.png").is_file());
    let page = std::fs::read_to_string(dir.join("public/documents/PRO-001.html")).unwrap();
    assert!(
        page.contains("src=\"../assets/images/backup%20flow.png\""),
        "{page}"
    );
    let pdf = std::fs::read_to_string(dir.join("public/documents/POL-002.html")).unwrap();
    assert!(pdf.contains("href=\"../assets/signed/access-control-signed.pdf\""));
}

#[test]
fn an_mkdocs_project_takes_titles_from_its_nav() {
    let src = fixtures().join("import/mkdocs");
    let (out, run) = import("mkdocs", &["--owner", "ITM", "--id-pattern", "BETA-###"]);
    run.assert_exit(0);
    let dir = out.path().join("isms");
    assert_bodies_identical(&src.join("docs"), &dir.join("content"));
    for line in [
        "Source: a MkDocs.",
        "- BETA-001 Home (`content/index.md`)",
        "- BETA-002 Acceptable Use (`content/policies/acceptable-use.md`)",
        "- BETA-003 Remote Working (`content/policies/remote.md`)",
        "link to `../guides/vpn.md`",
        "- BETA-003: A.6.2.1 → A.8.1",
        "- `policies/acceptable-use.md`",
        "- `content/files/remote-form.pdf`",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in:\n{}",
            run.stdout
        );
    }
    assert!(std::fs::read_to_string(dir.join("ismsbook.toml"))
        .unwrap()
        .contains("ITM = "));
}

#[test]
fn a_plain_folder_gets_ids_from_its_folders() {
    let (out, run) = import("plain", &[]);
    run.assert_exit(0);
    for line in [
        "Source: a plain folder.",
        "- POL-001 Cryptography (`content/policies/crypto.md`)",
        "- STD-001 Key Management Standard (`content/standards/keys.md`)",
        "link to `nowhere.md`",
        "- POL-001: A.10.1.1 → A.8.24",
        "- `content/media/signed.pdf`",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in:\n{}",
            run.stdout
        );
    }
    assert!(out.path().join("isms/content/media/keys.png").is_file());
}

#[test]
fn import_refuses_a_folder_that_is_not_empty_or_inside_the_source() {
    let out = Handbook::empty();
    out.write("isms/notes.txt", "mine");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .arg("import")
        .arg(fixtures().join("import/plain"))
        .arg(out.path().join("isms"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is not empty"));
    let inside = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .arg("import")
        .arg(fixtures().join("import/plain"))
        .arg(fixtures().join("import/plain/out"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&inside.stderr).contains("import never writes into its source"));
    assert!(!fixtures().join("import/plain/out").exists());
}
