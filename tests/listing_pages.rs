//! Listings past the limit of rows a page shows (1,000; lowered here with `--rows-per-page`
//! and `Options::limits`) are in pages: the register (`documents/index.html`, then
//! `documents/index-2.html` …) and reviews.html (`reviews-2.html` …), with previous, next and
//! page numbers. At or under the limit a listing is one page, as it always was.

mod common;

use std::path::{Path, PathBuf};

use common::Handbook;
use ismsbook::site::{Options, Site, Update};

/// The first cell (the id) of each row of a page's tables, in order.
fn row_ids(html: &str) -> Vec<String> {
    html.split("<tr")
        .skip(1)
        .map(|r| r[r.find('>').unwrap() + 1..].trim_start())
        .filter(|r| r.starts_with("<td"))
        .map(|r| {
            let cell = &r[r.find('>').unwrap() + 1..r.find("</td>").unwrap()];
            let text = cell
                .split('>')
                .nth(1)
                .map_or(cell, |t| t.split('<').next().unwrap());
            text.to_string()
        })
        .collect()
}

/// Every page of the listing at `base` (`documents/index`), in order.
fn pages(out: &Path, base: &str) -> Vec<String> {
    let mut all = vec![common::read_file(&out.join(format!("{base}.html")))];
    while let Ok(page) = std::fs::read_to_string(out.join(format!("{base}-{}.html", all.len() + 1)))
    {
        all.push(page);
    }
    all
}

#[test]
fn at_the_limit_the_register_and_reviews_are_one_page_as_they_were() {
    let hb = Handbook::example();
    let whole = hb.build_into("whole", &[]);
    let documents = row_ids(&common::read_file(&whole.join("documents/index.html"))).len();
    let at = hb.build_into("at", &["--rows-per-page", &documents.to_string()]);
    for page in ["documents/index.html", "reviews.html"] {
        assert_eq!(
            common::read_file(&whole.join(page)),
            common::read_file(&at.join(page)),
            "{page}"
        );
    }
    assert!(!at.join("documents/index-2.html").exists());
    assert!(!at.join("reviews-2.html").exists());
}

#[test]
fn past_the_limit_listings_hold_every_row_in_order_across_pages_that_link_each_other() {
    let hb = Handbook::example();
    let whole = hb.build_into("whole", &[]);
    let out = hb.build_into("paged", &["--rows-per-page", "10"]);
    for (base, what) in [
        ("documents/index", "Documents"),
        ("reviews", "Approved documents"),
    ] {
        let all = row_ids(&common::read_file(&whole.join(format!("{base}.html"))));
        let paged = pages(&out, base);
        assert_eq!(paged.len(), all.len().div_ceil(10), "{base}");
        let mut rows = Vec::new();
        for (p, page) in paged.iter().enumerate() {
            let here = row_ids(page);
            assert!(here.len() <= 10, "{base} page {}", p + 1);
            let (from, to) = (p * 10 + 1, p * 10 + here.len());
            assert!(
                page.contains(&format!(
                    "{what} {from}–{to} of {}: page {} of {}",
                    all.len(),
                    p + 1,
                    paged.len()
                )),
                "{base} page {}",
                p + 1
            );
            let name = base.rsplit('/').next().unwrap();
            if p > 0 {
                let prev = match p {
                    1 => format!("{name}.html"),
                    _ => format!("{name}-{p}.html"),
                };
                assert!(page.contains(&format!("<a href=\"{prev}\" rel=\"prev\">")));
            }
            if p + 1 < paged.len() {
                let next = format!("{name}-{}.html", p + 2);
                assert!(page.contains(&format!("<a href=\"{next}\" rel=\"next\">")));
            }
            rows.extend(here);
        }
        assert_eq!(rows, all, "{base}");
    }
}

/// The sidebar links each document type as `documents/index.html#type-…`: on the first
/// page, each type is there, and leads to the page where its table starts.
#[test]
fn the_register_s_first_page_leads_to_every_type_s_table() {
    let hb = Handbook::example();
    let out = hb.build_into("paged", &["--rows-per-page", "10"]);
    let first = common::read_file(&out.join("documents/index.html"));
    let types: Vec<&str> = first
        .split("href=\"../documents/index.html#type-")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!(types.len() > 3, "the sidebar lists the types");
    for t in types {
        if first.contains(&format!("<h2 id=\"type-{t}\">")) {
            continue;
        }
        let entry = format!("<li id=\"type-{t}\"><a href=\"");
        let at = first
            .find(&entry)
            .unwrap_or_else(|| panic!("no entry for {t}"))
            + entry.len();
        let href = &first[at..at + first[at..].find('"').unwrap()];
        assert!(href.ends_with(&format!("#type-{t}")), "{href}");
        let page = common::read_file(&out.join("documents").join(href.split('#').next().unwrap()));
        assert!(page.contains(&format!("<h2 id=\"type-{t}\">")), "{href}");
    }
}

/// In `serve`, a document no longer approved leaves reviews.html a page shorter: the page
/// beyond goes, as a fresh build never has it.
#[test]
fn in_serve_a_listing_that_shrinks_loses_its_last_page() {
    let hb = Handbook::example();
    let mut opts = Options::new(common::TODAY.parse().unwrap());
    let approved = {
        let site = Site::open(hb.path(), opts.clone()).unwrap();
        (site.hb.documents.iter())
            .filter(|d| d.status == ismsbook::core::types::Status::Approved)
            .count()
    };
    // One page more for the last approved document alone.
    opts.limits.rows_per_page = approved - 1;
    let mut site = Site::open(hb.path(), opts.clone()).unwrap();
    let out = tempfile::tempdir().unwrap();
    site.render_to(out.path()).unwrap();
    assert!(out.path().join("reviews-2.html").is_file());
    let rel = "content/plans/business-continuity.md";
    hb.write(
        rel,
        hb.read(rel).replace("status: approved", "status: draft"),
    );
    let Update::Pages(pages) = site.update(&[PathBuf::from(rel)]).unwrap() else {
        panic!("a status edit writes pages");
    };
    site.write_pages(out.path(), &pages).unwrap();
    site.write_whole(out.path()).unwrap();
    assert!(!out.path().join("reviews-2.html").exists());
    let fresh = tempfile::tempdir().unwrap();
    Site::open(hb.path(), opts)
        .unwrap()
        .render_to(fresh.path())
        .unwrap();
    assert_eq!(common::files(out.path()), common::files(fresh.path()));
}

/// The documents listed under "Implementing documents" on a control's page.
fn implementing(html: &str) -> Vec<String> {
    let list = html
        .split("<h2>Implementing documents</h2>")
        .nth(1)
        .unwrap();
    let list = &list[list.find("<ul><li>").map_or(0, |i| i)..];
    let list = &list[..list.find("</ul>").unwrap_or(0)];
    list.split("<li>")
        .skip(1)
        .map(|li| {
            li.split("</a>")
                .next()
                .unwrap()
                .rsplit('>')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A control implemented by more documents than a page shows lists them over pages
/// (`controls/A.5.19-2.html` …), in the same order, each page the control's whole page.
#[test]
fn a_control_s_implementing_documents_continue_on_further_pages() {
    let hb = Handbook::example();
    let whole = hb.build_into("whole", &[]);
    let out = hb.build_into("paged", &["--rows-per-page", "1"]);
    let mut paged_controls = 0;
    for e in std::fs::read_dir(whole.join("controls")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".html").filter(|n| *n != "index") else {
            continue;
        };
        let all = implementing(&common::read_file(&whole.join("controls").join(&name)));
        let pages = pages(&out, &format!("controls/{id}"));
        assert_eq!(pages.len(), all.len().max(1), "{id}");
        let listed: Vec<String> = pages.iter().flat_map(|p| implementing(p)).collect();
        assert_eq!(listed, all, "{id}");
        if pages.len() > 1 {
            paged_controls += 1;
            assert!(pages[1].contains(&format!("<a href=\"{id}.html\" rel=\"prev\">")));
        }
    }
    assert!(paged_controls > 0);
}

/// The risk register in pages: every risk once, in order; the heat maps (which name every
/// risk) on the first page alone.
#[test]
fn the_risk_register_continues_on_further_pages_with_the_heat_maps_first() {
    let hb = Handbook::example();
    let whole = hb.build_into("whole", &[]);
    let out = hb.build_into("paged", &["--rows-per-page", "5"]);
    let all = row_ids(&common::read_file(&whole.join("risks/index.html")));
    let paged = pages(&out, "risks/index");
    assert_eq!(paged.len(), all.len().div_ceil(5));
    let rows: Vec<String> = paged.iter().flat_map(|p| row_ids(p)).collect();
    assert_eq!(rows, all);
    assert!(paged[0].contains("heat-map-figure"));
    assert!(paged[1..].iter().all(|p| !p.contains("heat-map-figure")));
    let n = all.len();
    assert!(
        paged[1].contains(&format!("{n} risks;")),
        "each page counts every risk"
    );
    assert!(paged[1].contains(&format!("Risks 6–10 of {n}: page 2 of")));
}

/// calendar.html and actions.html in pages: every row once, in order.
#[test]
fn the_calendar_and_the_actions_continue_on_further_pages() {
    let hb = Handbook::example();
    let whole = hb.build_into("whole", &[]);
    let out = hb.build_into("paged", &["--rows-per-page", "5"]);
    for (base, what) in [("calendar", "Events"), ("actions", "Actions")] {
        let all = row_ids(&common::read_file(&whole.join(format!("{base}.html"))));
        let paged = pages(&out, base);
        assert!(paged.len() > 1, "{base}");
        assert_eq!(paged.len(), all.len().div_ceil(5), "{base}");
        let rows: Vec<String> = paged.iter().flat_map(|p| row_ids(p)).collect();
        assert_eq!(rows, all, "{base}");
        let n = all.len();
        assert!(paged[1].contains(&format!("{what} 6–10 of {n}: page 2 of")));
    }
}
