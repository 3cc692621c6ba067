//! The sidebar has its own template, `sidebar.html`, rendered once per build for the pages it
//! does not mark as current. What a reader sees is what the loop in base.html gave; a theme
//! that replaces base.html with the old loop over `nav`, or replaces `sidebar.html`, still
//! works.

mod common;

use std::path::Path;

use common::Handbook;

/// Every HTML page of a built site: (path, text).
fn pages(out: &Path) -> Vec<(String, String)> {
    common::files(out)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
        .map(|(p, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            (p.to_string_lossy().into_owned(), text)
        })
        .collect()
}

/// The sidebar of a page: from `<nav class="sidebar"` to `</nav>`.
fn sidebar(html: &str) -> &str {
    let start = html.find("<nav class=\"sidebar\"").expect("a sidebar");
    let end = start + html[start..].find("</nav>").unwrap() + "</nav>".len();
    &html[start..end]
}

#[test]
fn a_theme_whose_base_html_loops_over_nav_gives_the_same_pages() {
    let hb = Handbook::example();
    let ours = pages(&hb.build_into("ours", &[]));
    let old = Handbook::example();
    let from = common::fixtures().join("sidebar-old-base/theme/templates/base.html");
    old.write("theme/templates/base.html", common::read_file(&from));
    let theirs = pages(&old.build_into("theirs", &[]));
    assert_eq!(ours.len(), theirs.len());
    assert!(ours.len() > 100, "{} pages", ours.len());
    for ((path, a), (_, b)) in ours.iter().zip(&theirs) {
        assert!(
            a == b,
            "{path} differs from the page of base.html's own loop"
        );
    }
}

#[test]
fn each_page_marks_only_its_own_link_and_pages_it_does_not_link_mark_none() {
    let hb = Handbook::example();
    let out = hb.build_into("out", &[]);
    let policy = common::read_file(&out.join("documents/POL-001.html"));
    let nav = sidebar(&policy);
    assert_eq!(nav.matches("aria-current=\"page\"").count(), 1, "{nav}");
    assert!(nav.contains("href=\"../documents/POL-001.html\" aria-current=\"page\""));
    assert!(nav.contains("<li class=\"current-section\"><details open>"));
    let soa = common::read_file(&out.join("soa.html"));
    assert!(sidebar(&soa).contains("href=\"soa.html\" aria-current=\"page\""));
    // Two pages the sidebar does not link share one sidebar, with no mark; under another
    // root, its links lead back up.
    let a = common::read_file(&out.join("controls/A.5.1.html"));
    let b = common::read_file(&out.join("controls/A.8.13.html"));
    assert_eq!(sidebar(&a), sidebar(&b));
    assert!(!sidebar(&a).contains("aria-current"));
    assert!(sidebar(&a).contains("href=\"../index.html\""));
    let index = common::read_file(&out.join("index.html"));
    assert!(sidebar(&index).contains("href=\"index.html\" aria-current=\"page\""));
}

#[test]
fn a_theme_sidebar_is_rendered_for_each_page() {
    let hb = Handbook::example();
    hb.write(
        "theme/templates/sidebar.html",
        "<nav class=\"sidebar\">{{ page_path }} of {{ site.title }}: {{ nav | length }} sections</nav>",
    );
    let out = hb.build_into("out", &[]);
    for page in ["controls/A.5.1.html", "controls/A.8.13.html", "soa.html"] {
        let html = common::read_file(&out.join(page));
        assert!(
            sidebar(&html).starts_with(&format!("<nav class=\"sidebar\">{page} of ")),
            "{page}: {}",
            sidebar(&html)
        );
    }
}

#[test]
fn a_broken_theme_sidebar_names_the_template_and_the_page() {
    let hb = Handbook::example();
    hb.write("theme/templates/sidebar.html", "{{ no_such_value.field }}");
    let run = hb.build();
    run.assert_exit(2);
    assert!(run.stderr.contains("sidebar.html"), "{}", run.stderr);
}
