//! `serve` in a browser: an edit shows up without any action, where the reader was.

use crate::common::Handbook;
use crate::harness::Test;
use crate::serve_support::serve;
use crate::webdriver::Browser;

pub const TESTS: &[Test] = &[test!(
    WebDriver,
    a_browser_shows_the_edit_without_any_action_and_keeps_its_scroll
)];

fn a_browser_shows_the_edit_without_any_action_and_keeps_its_scroll(browser: &Browser) {
    let hb = Handbook::fixture("_base");
    let long: String = (1..=80)
        .map(|i| format!("\nParagraph {i} of a long policy.\n"))
        .collect();
    let text = hb
        .read("content/baseline.md")
        .replace("status: approved", "status: draft")
        + &long;
    hb.write("content/baseline.md", &text);
    let server = serve(&hb, &[]);
    browser.goto(&format!(
        "http://127.0.0.1:{}/documents/BASE-01.html",
        server.port
    ));
    browser.wait_for(
        "return document.body.innerText.indexOf('Paragraph 80') >= 0",
        10,
    );
    browser.eval("window.scrollTo(0, 900); return window.scrollY");
    hb.write(
        "content/baseline.md",
        text.replace("Paragraph 40 of", "Paragraph forty, edited live, of"),
    );
    browser.wait_for(
        "return document.body.innerText.indexOf('Paragraph forty, edited live') >= 0",
        10,
    );
    browser.wait_for("return Math.abs(window.scrollY - 900) < 5", 5);
    // A broken edit: the overlay names the file and line; the last good text stays.
    hb.write("content/broken.md", "---\nid: BAD-01\ntitle: [oops\n---\n");
    browser.wait_for("var o = document.getElementById('ismsbook-overlay'); return !!o && o.innerText.indexOf('content/broken.md:3') >= 0", 10);
    assert!(browser.text().contains("Paragraph forty, edited live"));
    std::fs::remove_file(hb.path().join("content/broken.md")).unwrap();
    browser.wait_for("return !document.getElementById('ismsbook-overlay')", 10);
}
