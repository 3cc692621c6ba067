//! Publishing, in a browser: PDF printed by Chromium, and the auditor's bundle unpacked and
//! read from file://.

use crate::common::{self, Handbook};
use crate::harness::Test;
use crate::webdriver::Browser;

pub const TESTS: &[Test] = &[
    test!(Chromium, pdf_prints_each_document_and_the_handbook),
    test!(Chromium, pdf_of_a_handbook_in_parts_is_a_pdf_per_part),
    test!(
        Chromium,
        pdf_starts_chromium_once_for_every_document_on_the_paper_of_the_config
    ),
    test!(
        WebDriver,
        the_unpacked_bundle_works_from_file_in_a_browser_with_search
    ),
];

fn pdf_prints_each_document_and_the_handbook() {
    let hb = Handbook::fixture("_base");
    hb.run(&["build", "--pdf", "--today", common::TODAY])
        .assert_exit(0);
    for f in ["public/pdf/BASE-01.pdf", "public/pdf/handbook.pdf"] {
        let bytes = std::fs::read(hb.path().join(f)).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "{f}");
    }
}

/// Past the limit of a print page, each part of print.html is its own PDF, numbered so
/// that they sort in order; no handbook.pdf stands for the contents page.
fn pdf_of_a_handbook_in_parts_is_a_pdf_per_part() {
    let hb = Handbook::linked();
    hb.run(&[
        "build",
        "--pdf",
        "--today",
        common::TODAY,
        "--print-per-part",
        "1",
    ])
    .assert_exit(0);
    let pdf = hb.path().join("public/pdf");
    let parts = std::fs::read_dir(hb.path().join("public/print"))
        .unwrap()
        .count();
    assert!(parts > 1);
    for n in 1..=parts {
        let bytes = std::fs::read(pdf.join(format!("handbook-part-{n:02}.pdf"))).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "part {n}");
    }
    assert!(!pdf.join("handbook.pdf").exists());
}

/// A `chromium` first on PATH that counts its starts, then runs the real one.
fn pdf_starts_chromium_once_for_every_document_on_the_paper_of_the_config() {
    let hb = Handbook::linked();
    let config = hb.read("ismsbook.toml");
    hb.write(
        "ismsbook.toml",
        format!("{config}\n[print]\npaper = \"letter\"\n"),
    );
    let real = crate::webdriver::find("chromium").unwrap();
    let bin = Handbook::empty();
    let log = bin.path().join("starts.log");
    let wrapper = bin.path().join("chromium");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho start >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["build", "--pdf", "--today", common::TODAY, "--root"])
        .arg(hb.path())
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdfs: Vec<_> = std::fs::read_dir(hb.path().join("public/pdf"))
        .unwrap()
        .flatten()
        .collect();
    assert!(pdfs.len() >= 4, "{pdfs:?}");
    let starts = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        starts.lines().count(),
        1,
        "Chromium started once for {} PDFs",
        pdfs.len()
    );
    // US Letter: 612 x 792 points.
    let pdf = std::fs::read(hb.path().join("public/pdf/POL-005.pdf")).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/MediaBox [0 0 612 792]"), "not letter-sized");
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

fn the_unpacked_bundle_works_from_file_in_a_browser_with_search(browser: &Browser) {
    let hb = Handbook::example();
    let zip = bundle(&hb, "example.zip");
    let unpack = Handbook::empty();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    archive.extract(unpack.path()).unwrap();
    let dir = std::fs::read_dir(unpack.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    browser.goto(&format!("file://{}/index.html", dir.display()));
    browser.wait_for("return document.title.indexOf('Home') === 0", 10);
    browser.click("nav a[href$='documents/index.html']");
    browser.wait_for(
        "return location.href.indexOf('documents/index.html') > 0",
        10,
    );
    browser.click("a[href='POL-005.html']");
    browser.wait_for(
        "return document.body.innerText.indexOf('Access Control Policy') >= 0",
        10,
    );
    browser.click("a[href='../controls/A.5.15.html']");
    browser.wait_for("return location.href.indexOf('controls/A.5.15.html') > 0 && document.body.innerText.indexOf('Access control') >= 0", 10);
    browser.click("nav a[href$='soa.html']");
    browser.wait_for(
        "return document.querySelectorAll('table.soa tbody tr').length === 93",
        10,
    );
    // Search from the header, from file://: a word of a body finds its document.
    browser.type_into(".search-form input", "escrow\n");
    browser.wait_for(
        "return location.href.indexOf('search.html?q=escrow') > 0",
        10,
    );
    browser.wait_for(
        "return document.querySelectorAll('#search-results li').length > 0",
        10,
    );
    let first =
        browser.eval("return document.querySelector('#search-results li a').getAttribute('href')");
    assert!(
        first.as_str().unwrap_or("").starts_with("documents/"),
        "{first}"
    );
    browser.click("#search-results li a");
    browser.wait_for("return location.href.indexOf('/documents/') > 0", 10);
}
