//! The framework pages, in a browser, from the auditor's unpacked bundle of the example.

use crate::common::{self, Handbook};
use crate::harness::Test;
use crate::webdriver::Browser;

pub const TESTS: &[Test] = &[test!(
    WebDriver,
    the_nis2_page_of_the_bundle_traces_requirements_to_controls_and_documents
)];

fn the_nis2_page_of_the_bundle_traces_requirements_to_controls_and_documents(browser: &Browser) {
    let hb = Handbook::example();
    let zip = hb.path().join("example.zip");
    hb.run(&[
        "bundle",
        "--today",
        common::TODAY,
        "-o",
        zip.to_str().unwrap(),
    ])
    .assert_exit(0);
    let unpack = Handbook::empty();
    zip::ZipArchive::new(std::fs::File::open(zip).unwrap())
        .unwrap()
        .extract(unpack.path())
        .unwrap();
    let dir = std::fs::read_dir(unpack.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(dir.join("verify-approvals.sh").is_file() && dir.join("approvals").is_dir());
    browser.goto(&format!("file://{}/index.html", dir.display()));
    browser.click("nav a[href$='frameworks/index.html']");
    browser.wait_for(
        "return location.href.indexOf('frameworks/index.html') > 0",
        10,
    );
    browser.click("a[href='nis2.html']");
    browser.wait_for(
        "return document.querySelectorAll('table.requirements tbody tr').length === 12",
        10,
    );
    // NIS2 Art.23 is claimed by the incident procedure, which the row links to.
    let claimed = browser.eval(
        "var r = document.getElementById('Art.23'); return r.innerText.indexOf('covered') >= 0 && !!r.querySelector(\"a[href='../documents/PRO-005.html']\")",
    );
    assert_eq!(claimed, serde_json::Value::Bool(true));
    browser.click("tr[id='Art.23'] a[href='../documents/PRO-005.html']");
    browser.wait_for(
        "return location.href.indexOf('documents/PRO-005.html') > 0 && document.body.innerText.indexOf('tom.okafor@northwind.example') >= 0",
        10,
    );
    browser.goto(&format!("file://{}/frameworks/nis2.html", dir.display()));
    browser.click("tr[id='Art.21(2)(e)'] a[href='../controls/A.8.8.html']");
    browser.wait_for(
        "return location.href.indexOf('controls/A.8.8.html') > 0 && document.body.innerText.indexOf('NIS2 Art.21(2)(e)') >= 0",
        10,
    );
}
