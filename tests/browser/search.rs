//! Search in a browser (issue 13's trust work): it works under a sub-path and from file://,
//! and no page of another origin can read its data.

use crate::common::Handbook;
use crate::harness::Test;
use crate::sites::{attacker_page, serve_dir};
use crate::webdriver::Browser;

/// A restricted document's words in the `trust-withheld` fixture.
const SECRET: &str = "VAULT-SECRET-PHRASE-93";

pub const TESTS: &[Test] = &[
    test!(
        WebDriver,
        search_works_in_a_browser_under_a_sub_path_and_from_file
    ),
    test!(
        WebDriver,
        a_page_of_another_origin_cannot_read_the_search_data
    ),
    test!(
        WebDriver,
        the_attacker_page_reads_a_script_index_which_is_what_this_stops
    ),
    test!(
        WebDriver,
        a_framed_search_page_ignores_the_query_in_its_address
    ),
    test!(
        WebDriver,
        the_browser_stems_every_word_of_the_handbooks_as_the_build_does
    ),
];

/// Every word of the example handbook and of the policy templates, and words that exercise
/// each step of Porter2: stemmed by theme/static/stemmer-english.js in the browser, and by
/// rust-stemmers as the build does, alike.
fn the_browser_stems_every_word_of_the_handbooks_as_the_build_does(browser: &Browser) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut words = std::collections::BTreeSet::new();
    for dir in ["content", "policy-templates"] {
        for (_, bytes) in crate::common::files(&root.join(dir)) {
            let text = String::from_utf8_lossy(&bytes).to_lowercase();
            for w in text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                words.insert(w.to_string());
            }
        }
    }
    for w in [
        "restoring",
        "restored",
        "generously",
        "consignment",
        "knightly",
        "skies",
        "dying",
        "news",
        "succeeded",
        "proceeding",
        "exceeding",
        "communism",
        "arsenal",
        "gener",
        "sky",
        "howe",
        "atlas",
        "cosmos",
        "bias",
        "andes",
        "inning",
        "outing",
        "canning",
        "herring",
        "earring",
        "proceed",
        "exceed",
        "succeed",
        "hopping",
        "hoping",
        "relational",
        "conditional",
        "rational",
        "valenci",
        "hesitanci",
        "digitizer",
        "conformabli",
        "radicalli",
        "differentli",
        "vileli",
        "analogousli",
        "vietnamization",
        "predication",
        "operator",
        "feudalism",
        "decisiveness",
        "hopefulness",
        "callousness",
        "formaliti",
        "sensitiviti",
        "sensibiliti",
        "triplicate",
        "formative",
        "formalize",
        "electriciti",
        "electrical",
        "hopeful",
        "goodness",
        "revival",
        "allowance",
        "inference",
        "airliner",
        "gyroscopic",
        "adjustable",
        "defensible",
        "irritant",
        "replacement",
        "adjustment",
        "dependent",
        "adoption",
        "homologou",
        "communism",
        "activate",
        "angulariti",
        "homologous",
        "effective",
        "bowdlerize",
        "probate",
        "rate",
        "cease",
        "controll",
        "roll",
        "yelled",
        "caresses",
        "ponies",
        "ties",
        "caress",
        "cats",
        "feed",
        "agreed",
        "plastered",
        "bled",
        "motoring",
        "sing",
        "conflated",
        "troubled",
        "sized",
        "hopped",
        "tanned",
        "falling",
        "hissing",
        "fizzed",
        "failing",
        "filing",
        "happy",
        "sky",
        "yyy",
        "youth",
        "boyish",
        "ãção",
        "naïve",
        "café",
        "2026",
        "a5",
        "iso27001",
    ] {
        words.insert(w.to_string());
    }
    let words: Vec<String> = words.into_iter().collect();
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let expected: Vec<String> = words.iter().map(|w| stemmer.stem(w).into_owned()).collect();
    let hb = Handbook::fixture("_base");
    hb.build().assert_exit(0);
    browser.goto(&format!(
        "file://{}/search.html",
        hb.path().join("public").display()
    ));
    browser.wait_for("return typeof window.ismsbookStem === 'function'", 10);
    let got = browser.eval(&format!(
        "return {}.map(function (w) {{ return window.ismsbookStem(w); }})",
        serde_json::to_string(&words).unwrap()
    ));
    let got: Vec<String> = serde_json::from_value(got).unwrap();
    let differ: Vec<String> = words
        .iter()
        .zip(expected.iter().zip(&got))
        .filter(|(_, (e, g))| e != g)
        .map(|(w, (e, g))| format!("{w}: build {e}, browser {g}"))
        .collect();
    assert!(words.len() > 2000, "{} words", words.len());
    assert!(
        differ.is_empty(),
        "{} of {} differ: {differ:#?}",
        differ.len(),
        words.len()
    );
}

/// From a document page: the header's search box, the results, a result, and Back.
fn search_round_trip(browser: &Browser, start: &str) {
    browser.goto(start);
    browser.wait_for(
        "return document.querySelector('.search-form input') !== null",
        10,
    );
    // "splitting": the document says "split", found by its stem.
    browser.type_into(".search-form input", "splitting\n");
    browser.wait_for(
        "return location.href.indexOf('search.html?q=splitting') > 0",
        10,
    );
    browser.wait_for(
        "return document.querySelectorAll('#search-results li').length === 1",
        10,
    );
    let first =
        browser.eval("return document.querySelector('#search-results li a').getAttribute('href')");
    assert_eq!(first, "documents/REG-077.html");
    // Typing refines the results and keeps the query in the address.
    browser.type_into("#search-input", " notice");
    browser.wait_for(
        "return document.querySelectorAll('#search-results li').length === 0 && location.search.indexOf('notice') > 0",
        10,
    );
    // Leave the refined search for another page first: its input's timer and address updates
    // end with it, so the entry Back returns to below is the one opened next (on a loaded
    // machine Back once landed on the refined search instead).
    browser.goto(start);
    browser.wait_for(
        "return document.readyState === 'complete' && location.href.indexOf('PUB-010') > 0",
        10,
    );
    browser.goto(&start.replace("documents/PUB-010.html", "search.html?q=splitting"));
    // Loaded to the end before the click: Chromium makes a navigation started before the
    // load event (without a user's gesture) replace the page's history entry, and Back
    // then skipped the search (seen once on a loaded machine).
    browser.wait_for(
        "return document.readyState === 'complete' && document.querySelectorAll('#search-results li').length === 1",
        10,
    );
    browser.click("#search-results li a");
    browser.wait_for(
        "return location.href.indexOf('documents/REG-077.html') > 0",
        10,
    );
    browser.eval("history.back(); return true");
    browser.wait_for(
        "return location.href.indexOf('REG-077') < 0 && document.readyState === 'complete'",
        10,
    );
    browser.wait_for(
        "return location.href.indexOf('search.html?q=splitting') > 0 && document.querySelectorAll('#search-results li').length === 1",
        10,
    );
}

fn search_works_in_a_browser_under_a_sub_path_and_from_file(browser: &Browser) {
    let hb = Handbook::fixture("trust-withheld");
    hb.build().assert_exit(0);
    let out = hb.path().join("public");
    let port = serve_dir(out.clone(), "/intranet/isms/");
    search_round_trip(
        browser,
        &format!("http://127.0.0.1:{port}/intranet/isms/documents/PUB-010.html"),
    );
    search_round_trip(
        browser,
        &format!("file://{}/documents/PUB-010.html", out.display()),
    );
}

fn assert_nothing_read(browser: &Browser, page: &str) {
    browser.goto(page);
    browser.wait_for("return window.done >= 6", 20);
    let loot = browser.eval("return JSON.stringify(window.loot)");
    let loot = loot.as_str().unwrap_or("");
    assert!(
        !loot.contains(SECRET),
        "another origin read the index: {loot}"
    );
    assert!(
        !loot.contains("officers"),
        "another origin read the index: {loot}"
    );
    // The probe did load the shards: what it got is sealed.
    assert!(loot.contains("t0 ") && loot.contains("d0 "), "{loot}");
}

fn a_page_of_another_origin_cannot_read_the_search_data(browser: &Browser) {
    // The handbook on the intranet (internal build, restricted text included), and a page
    // of another site the reader visits.
    let hb = Handbook::fixture("trust-withheld");
    hb.build().assert_exit(0);
    let site = serve_dir(hb.path().join("public"), "/");
    let evil = Handbook::empty();
    evil.write(
        "evil.html",
        attacker_page(&format!("http://127.0.0.1:{site}/")),
    );
    let other = serve_dir(evil.path().to_path_buf(), "/");
    assert_nothing_read(browser, &format!("http://localhost:{other}/evil.html"));
    assert_nothing_read(browser, &format!("http://127.0.0.1:{other}/evil.html"));
    // The same from a file in another folder against the handbook opened from disk.
    // (The test browser lets file:// pages fetch and frame other files, which a reader's
    // browser refuses: each file is an origin of its own there. So only the script
    // inclusions, which every browser allows, are tried.)
    let public = format!("file://{}/", hb.path().join("public").display());
    evil.write("local/evil.html", attacker_page(&public));
    assert_nothing_read(
        browser,
        &format!("file://{}", evil.path().join("local/evil.html").display()),
    );
}

fn the_attacker_page_reads_a_script_index_which_is_what_this_stops(browser: &Browser) {
    // The probe itself must be able to catch a leak: a page that does define the index as
    // a script global is read by it.
    let site = Handbook::empty();
    site.write(
        "search-index.js",
        format!("window.ISMSBOOK_SEARCH = [{{\"text\": \"{SECRET}\"}}];\n"),
    );
    let port = serve_dir(site.path().to_path_buf(), "/");
    let evil = Handbook::empty();
    evil.write(
        "evil.html",
        attacker_page(&format!("http://127.0.0.1:{port}/")),
    );
    let other = serve_dir(evil.path().to_path_buf(), "/");
    browser.goto(&format!("http://localhost:{other}/evil.html"));
    browser.wait_for("return window.done >= 6", 20);
    let loot = browser.eval("return JSON.stringify(window.loot)");
    assert!(loot.as_str().unwrap_or("").contains(SECRET), "{loot}");
}

/// A framed search page runs no query from its address: a site framing it with `?q=…` cannot
/// time the results to learn whether a word is in the handbook. (The frame here is of the
/// same origin, so that the test can look inside it.)
fn a_framed_search_page_ignores_the_query_in_its_address(browser: &Browser) {
    let hb = Handbook::fixture("trust-withheld");
    hb.build().assert_exit(0);
    hb.write(
        "public/frame.html",
        "<!DOCTYPE html><iframe id=f src=\"search.html?q=splitting\"></iframe>",
    );
    let port = serve_dir(hb.path().join("public"), "/");
    browser.goto(&format!("http://127.0.0.1:{port}/frame.html"));
    browser.wait_for(
        "var d = document.getElementById('f').contentDocument; return !!d && d.readyState === 'complete' && d.getElementById('search-summary').textContent.length > 0",
        10,
    );
    let framed = browser.eval(
        "var d = document.getElementById('f').contentDocument; return [d.querySelectorAll('#search-results li').length, d.getElementById('search-input').value]",
    );
    assert_eq!(framed, serde_json::json!([0, ""]));
    browser.goto(&format!("http://127.0.0.1:{port}/search.html?q=splitting"));
    browser.wait_for(
        "return document.querySelectorAll('#search-results li').length === 1",
        10,
    );
}
