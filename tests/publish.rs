//! Publishing: classification-aware output, print, PDF, the auditor's bundle and `verify`.

mod common;
use common::Handbook;
use std::io::{Read, Write};
use std::process::Command;

#[test]
fn a_withheld_document_is_listed_but_nothing_of_its_body_is_published() {
    let hb = Handbook::fixture("withheld");
    hb.run(&[
        "build",
        "--today",
        common::TODAY,
        "--max-classification",
        "internal",
    ])
    .assert_exit(0);
    let out = hb.path().join("public");
    for (path, bytes) in common::files(&out) {
        let path = path.display();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("XYZZY-PLUGH-42"),
            "{path} leaks the withheld body"
        );
        assert!(
            !text.contains("PNG-SECRET-BYTES"),
            "{path} is the withheld document's image"
        );
    }
    assert!(!out.join("documents/REG-009.html").exists());
    let register = hb.read("public/documents/index.html");
    assert!(
        register.contains("Key Escrow Register") && register.contains("withheld"),
        "the register still lists it"
    );
    let soa = hb.read("public/soa.html");
    assert!(
        soa.contains("REG-009 v0.3 (withheld)"),
        "the SoA keeps the trace"
    );
    let public = hb.read("public/documents/POL-002.html");
    assert!(
        public.contains("href=\"../documents/index.html\""),
        "links to it lead to the register"
    );
    // Without the option, it is published.
    hb.build().assert_exit(0);
    assert!(hb
        .read("public/documents/REG-009.html")
        .contains("XYZZY-PLUGH-42"));
    let bad = hb.run(&["build", "--max-classification", "secret"]);
    bad.assert_exit(2);
    assert!(
        bad.stderr
            .contains("public, internal, confidential, restricted"),
        "{}",
        bad.stderr
    );
}

#[test]
fn print_html_holds_every_document_with_its_control_block_and_unique_ids() {
    let hb = Handbook::linked();
    hb.build().assert_exit(0);
    let print = hb.read("public/print.html");
    for id in ["BASE-01", "POL-005", "POL-009"] {
        assert!(
            print.contains(&format!(
                "<article class=\"document print-document\" id=\"{id}\">"
            )),
            "{id}"
        );
    }
    assert!(
        print.contains("href=\"#POL-009-retention\""),
        "links between documents become anchors"
    );
    let mut ids: Vec<&str> = print
        .split(" id=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "every id in print.html is unique");
    assert!(
        hb.read("public/static/style.css").contains("counter(page)"),
        "printed pages are numbered"
    );
}

#[test]
fn pdf_without_chromium_says_so() {
    let hb = Handbook::fixture("_base");
    let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["build", "--pdf", "--root"])
        .arg(hb.path())
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pdf needs Chromium"));
    assert!(!hb.path().join("public").exists());
}

fn bundle(hb: &Handbook, name: &str) -> std::path::PathBuf {
    let out = hb.path().join(name);
    hb.run(&[
        "bundle",
        "--today",
        common::TODAY,
        "-o",
        out.to_str().unwrap(),
    ])
    .assert_exit(0);
    out
}

#[test]
fn two_bundles_of_one_revision_are_identical_and_sha256sum_accepts_them() {
    let hb = Handbook::fixture("_base");
    let a = std::fs::read(bundle(&hb, "a.zip")).unwrap();
    let b = std::fs::read(bundle(&hb, "b.zip")).unwrap();
    assert!(a == b, "same revision and --today, same bytes");
    let unpack = Handbook::empty();
    let unzip = Command::new("unzip")
        .arg("-q")
        .arg(hb.path().join("a.zip"))
        .current_dir(unpack.path())
        .status();
    let Ok(unzip) = unzip else {
        assert!(std::env::var_os("CI").is_none(), "CI installs unzip");
        return;
    };
    assert!(unzip.success());
    let dir = unpack.path().join("handbook-unversioned");
    for f in [
        "index.html",
        "soa.csv",
        "traceability.csv",
        "documents.csv",
        "reviews.csv",
        "build-info.json",
        "SHA256SUMS",
    ] {
        assert!(dir.join(f).is_file(), "{f} in the bundle");
    }
    let check = Command::new("sha256sum")
        .args(["-c", "--quiet", "SHA256SUMS"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("build-info.json")).unwrap())
            .unwrap();
    assert_eq!(
        (info["build_date"].as_str(), info["documents"].as_u64()),
        (Some(common::TODAY), Some(1))
    );
    let register = std::fs::read_to_string(dir.join("documents.csv")).unwrap();
    assert!(register.starts_with(
        "id,title,type,version,status,owner,classification,approved by,approved on,next review\r\n"
    ));
}

/// Rewrites a zip, changing entries with `edit` (name, bytes) -> Some(new) or None to drop.
fn rezip(
    from: &std::path::Path,
    to: &std::path::Path,
    edit: impl Fn(&str, Vec<u8>) -> Option<(String, Vec<u8>)>,
    extra: Option<(&str, &[u8])>,
) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut dst = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        if let Some((name, bytes)) = edit(&name, bytes) {
            dst.start_file(name, opts).unwrap();
            dst.write_all(&bytes).unwrap();
        }
    }
    if let Some((name, bytes)) = extra {
        dst.start_file(name, opts).unwrap();
        dst.write_all(bytes).unwrap();
    }
    dst.finish().unwrap();
}

#[test]
fn verify_names_each_altered_missing_and_added_file() {
    let hb = Handbook::fixture("_base");
    let good = bundle(&hb, "good.zip");
    let ok = hb.run(&["verify", good.to_str().unwrap()]);
    ok.assert_exit(0);
    assert!(ok.stdout.contains("match SHA256SUMS"), "{}", ok.stdout);
    let bad = hb.path().join("bad.zip");
    rezip(
        &good,
        &bad,
        |name, mut bytes| {
            if name.ends_with("/soa.csv") {
                bytes[10] ^= 1; // one byte
            }
            (!name.ends_with("/reviews.csv")).then(|| (name.to_string(), bytes))
        },
        Some(("handbook-unversioned/extra.html", b"<p>slipped in</p>")),
    );
    let run = hb.run(&["verify", bad.to_str().unwrap()]);
    run.assert_exit(1);
    assert!(run.stdout.contains("altered: soa.csv"), "{}", run.stdout);
    assert!(
        run.stdout.contains("missing: reviews.csv"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("added: extra.html"), "{}", run.stdout);
}

#[test]
fn verify_refuses_entries_that_escape() {
    let hb = Handbook::fixture("_base");
    let good = bundle(&hb, "good.zip");
    for evil in ["../evil.sh", "/etc/cron.d/evil"] {
        let bad = hb.path().join("evil.zip");
        rezip(
            &good,
            &bad,
            |n, b| Some((n.to_string(), b)),
            Some((evil, b"boom")),
        );
        let run = hb.run(&["verify", bad.to_str().unwrap()]);
        run.assert_exit(1);
        assert!(
            run.stderr.contains("refused") && run.stderr.contains(evil),
            "{}",
            run.stderr
        );
    }
}
