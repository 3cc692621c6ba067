//! The default theme in a browser, at a phone's size (390x844) and a desktop's (1280x900):
//! no page scrolls sideways, the sidebar opens and closes, and axe-core finds no WCAG 2.1 A
//! or AA violation on any page type.

use crate::common::{self, Handbook};
use crate::harness::Test;
use crate::webdriver::Browser;
use std::path::{Path, PathBuf};

pub const TESTS: &[Test] = &[
    test!(
        WebDriver,
        no_page_type_scrolls_sideways_on_a_phone_or_a_desktop
    ),
    test!(
        WebDriver,
        the_sidebar_is_a_menu_on_a_phone_that_opens_and_closes
    ),
    test!(Axe, axe_core_finds_no_violation_on_any_page_type),
    test!(WebDriver, screenshots_of_the_main_pages_at_both_sizes),
];

pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 900);

/// One page of each type, from the site root.
pub const PAGES: &[&str] = &[
    "index.html",
    "documents/index.html",
    "documents/POL-005.html",
    "controls/index.html",
    "controls/A.5.15.html",
    "soa.html",
    "reviews.html",
    "readiness.html",
    "changes.html",
    "print.html",
    "search.html?q=backup",
    "risks/index.html",
    "risks/R-001.html",
    "treatment-plan.html",
    "frameworks/index.html",
    "frameworks/nis2.html",
    "actions.html",
    "nonconformities.html",
    "audit-programme.html",
    "calendar.html",
    // Built with small limits (see `site`): print.html in parts, a part, listings in pages.
    "paged/print.html",
    "paged/print/2.html",
    "paged/documents/index.html",
    "paged/reviews-2.html",
    "paged/risks/index-2.html",
    "paged/calendar-2.html",
];

/// The example handbook, built, with one imported-style page: a wide table and a long word.
fn site() -> (Handbook, PathBuf) {
    let hb = Handbook::example();
    hb.run(&["build", "--today", common::TODAY]).assert_exit(0);
    let out = hb.path().join("public");
    let paged = out.join("paged").to_string_lossy().into_owned();
    let small = ["--print-per-part", "10", "--rows-per-page", "10"];
    let mut args = vec!["build", "--today", common::TODAY, "--out", &paged];
    args.extend(small);
    hb.run(&args).assert_exit(0);
    (hb, out)
}

fn url(out: &Path, page: &str) -> String {
    format!("file://{}/{page}", out.display())
}

fn sideways(browser: &Browser) -> Vec<String> {
    let v = browser.eval(
        "var w = document.documentElement.clientWidth; var out = [];
         if (document.documentElement.scrollWidth > w) {
           out.push('page ' + document.documentElement.scrollWidth + ' > ' + w);
           document.querySelectorAll('body *').forEach(function (e) {
             var r = e.getBoundingClientRect();
             if (r.right > w + 1 && !e.closest('.table-wrap')) out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right));
           });
         }
         return out.slice(0, 8);",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap_or("").to_string())
        .collect()
}

fn no_page_type_scrolls_sideways_on_a_phone_or_a_desktop(browser: &Browser) {
    let (_hb, out) = site();
    let mut problems = Vec::new();
    for (w, h) in [PHONE, DESKTOP] {
        browser.resize(w, h);
        for page in PAGES {
            browser.goto(&url(&out, page));
            browser.wait_for("return document.readyState === 'complete'", 10);
            let wide = sideways(browser);
            if !wide.is_empty() {
                problems.push(format!("{page} at {w}px: {wide:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn the_sidebar_is_a_menu_on_a_phone_that_opens_and_closes(browser: &Browser) {
    let (_hb, out) = site();
    let visible = "return document.getElementById('sidebar').getBoundingClientRect().height > 0";
    let hidden = "return document.getElementById('sidebar').getBoundingClientRect().height === 0";
    browser.resize(PHONE.0, PHONE.1);
    browser.goto(&url(&out, "documents/POL-005.html"));
    browser.wait_for("return document.readyState === 'complete'", 10);
    assert_eq!(browser.eval(visible), false, "closed on a phone");
    browser.click(".nav-toggle");
    browser.wait_for(visible, 5);
    assert_eq!(
        browser.eval("return document.querySelector('.nav-toggle').getAttribute('aria-expanded')"),
        "true"
    );
    // The current page is marked, and its type's list is open.
    assert_eq!(
        browser.eval("var a = document.querySelector('#sidebar a[aria-current=page]'); return a && a.getAttribute('href')"),
        "../documents/POL-005.html"
    );
    browser.click(".nav-toggle");
    browser.wait_for(hidden, 5);
    // At a desktop's width the sidebar is always there, and the button is not.
    browser.resize(DESKTOP.0, DESKTOP.1);
    browser.wait_for(visible, 5);
    assert_eq!(
        browser.eval("return getComputedStyle(document.querySelector('.nav-toggle')).display"),
        "none"
    );
}

/// Where `.ci/run` installs axe-core (`npm install --prefix target/axe axe-core@4`), or
/// `$AXE_CORE_JS`.
pub fn axe_js() -> Option<PathBuf> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        });
    path.is_file().then_some(path)
}

fn axe_core_finds_no_violation_on_any_page_type(browser: &Browser) {
    let axe = std::fs::read_to_string(axe_js().expect("the gate found axe-core")).unwrap();
    let (_hb, out) = site();
    let mut found = Vec::new();
    // Light at both sizes, and the dark scheme (as the header's switch sets it) at one.
    for (w, h, scheme) in [
        (PHONE.0, PHONE.1, "light"),
        (DESKTOP.0, DESKTOP.1, "light"),
        (DESKTOP.0, DESKTOP.1, "dark"),
    ] {
        browser.resize(w, h);
        for page in PAGES {
            browser.goto(&url(&out, page));
            browser.wait_for("return document.readyState === 'complete'", 10);
            browser.eval(&format!(
                "document.documentElement.setAttribute('data-theme', '{scheme}'); return true"
            ));
            browser.eval(&format!("{axe}\n;return true;"));
            let result = browser.eval_async(
                "var done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then(function (r) { done(r.violations.map(function (v) {
                     return v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }).join(' | ');
                   })); }, function (e) { done(['axe failed: ' + e]); });",
            );
            for v in result.as_array().unwrap() {
                found.push(format!(
                    "{page} at {w}px, {scheme}: {}",
                    v.as_str().unwrap_or("")
                ));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The README's screenshots. With `ISMSBOOK_SCREENSHOTS=docs/screenshots` they are written
/// there (the command in docs/screenshots/README.md); otherwise only taken.
fn screenshots_of_the_main_pages_at_both_sizes(browser: &Browser) {
    let (_hb, out) = site();
    let into = std::env::var_os("ISMSBOOK_SCREENSHOTS").map(PathBuf::from);
    for (w, h, size) in [
        (PHONE.0, PHONE.1, "phone"),
        (DESKTOP.0, DESKTOP.1, "desktop"),
    ] {
        browser.resize(w, h);
        for (page, name) in [
            ("index.html", "home"),
            ("documents/POL-005.html", "document"),
            ("soa.html", "soa"),
            ("search.html?q=restoring", "search"),
        ] {
            browser.goto(&url(&out, page));
            browser.wait_for("return document.readyState === 'complete'", 10);
            if name == "search" {
                browser.wait_for(
                    "return document.querySelectorAll('#search-results li').length > 0",
                    10,
                );
            }
            let png = browser.screenshot();
            assert!(png.starts_with(b"\x89PNG"), "{name} {size}");
            if let Some(dir) = &into {
                std::fs::create_dir_all(dir).unwrap();
                std::fs::write(dir.join(format!("{name}-{size}.png")), png).unwrap();
            }
        }
    }
}
