//! `serve` writes an edit in steps: the pages of the edited documents, then (after the
//! reload event) the listings (`Site::write_listings`), then print and search
//! (`Site::write_print_search`), holding a request for a page of a later step until that
//! step is done. These tests pin that each step rewrites only pages held for it: a listing
//! served between the steps would be stale, and an edited document's page held would lose
//! the quick reload.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::Handbook;
use ismsbook::site::{written_after, After, Options, Pages, Site, Update};

/// The files of `dir` that differ from `before` or are new, as site paths.
fn changed(dir: &Path, before: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<String> {
    common::files(dir)
        .into_iter()
        .filter(|(p, bytes)| before.get(p) != Some(bytes))
        .map(|(p, _)| p.to_string_lossy().replace('\\', "/"))
        .collect()
}

/// Runs one step of an update's writing over `dir`: every page it rewrites must be held for
/// that step (`None`: the first step, whose pages are never held). The pages it rewrote.
fn step(
    dir: &Path,
    held: Option<After>,
    write: impl FnOnce() -> Result<usize, String>,
) -> Vec<String> {
    let before = common::files(dir);
    write().unwrap();
    let rewritten = changed(dir, &before);
    let wrong: Vec<_> = (rewritten.iter())
        .filter(|p| written_after(p) != held)
        .collect();
    assert!(
        wrong.is_empty(),
        "step {held:?} rewrote pages held otherwise: {wrong:?}"
    );
    rewritten
}

/// The example handbook built with `opts` into a folder, then its access control policy
/// drafted and the update made (nothing of it written yet).
fn drafted(opts: &Options) -> (Handbook, Site, tempfile::TempDir, Pages) {
    let hb = Handbook::example();
    let mut site = Site::open(hb.path(), opts.clone()).unwrap();
    let out = tempfile::tempdir().unwrap();
    site.render_to(out.path()).unwrap();
    let rel = "content/policies/access-control.md";
    hb.write(
        rel,
        hb.read(rel).replace("status: approved", "status: draft"),
    );
    let Update::Pages(pages) = site.update(&[PathBuf::from(rel)]).unwrap() else {
        panic!("a status edit writes pages");
    };
    assert!(pages.lists, "a new status changes the listings");
    (hb, site, out, pages)
}

/// [`drafted`], its update written step by step (each checked by [`step`]); the site after
/// the last step must be a fresh build. What each step rewrote.
fn update_in_steps(opts: Options) -> [Vec<String>; 3] {
    let (hb, site, out, pages) = drafted(&opts);

    let dir = out.path();
    let steps = [
        step(dir, None, || site.write_pages(dir, &pages)),
        step(dir, Some(After::Listings), || site.write_listings(dir)),
        step(dir, Some(After::PrintSearch), || {
            site.write_print_search(dir)
        }),
    ];
    let fresh = tempfile::tempdir().unwrap();
    Site::open(hb.path(), opts)
        .unwrap()
        .render_to(fresh.path())
        .unwrap();
    assert_eq!(common::files(out.path()), common::files(fresh.path()));
    steps
}

#[test]
fn a_new_status_reaches_the_listings_only_in_the_step_whose_pages_are_held() {
    let [first, listings, whole] = update_in_steps(Options::new(common::TODAY.parse().unwrap()));
    assert!(first.contains(&"documents/POL-005.html".to_string()));
    for listing in [
        "documents/index.html",
        "reviews.html",
        "documents.csv",
        "soa.html",
    ] {
        assert!(
            listings.contains(&listing.to_string()),
            "{listing} not rewritten"
        );
    }
    assert!(whole.contains(&"print.html".to_string()));
}

/// The same with every listing in pages of two rows and print in parts of three documents:
/// the further pages (`documents/index-2.html`, `reviews-3.html`, `print/2.html` …) are held
/// for their step too.
#[test]
fn listings_in_pages_and_print_in_parts_are_held_page_by_page() {
    let mut opts = Options::new(common::TODAY.parse().unwrap());
    opts.limits.rows_per_page = 2;
    opts.limits.print_part = 3;
    let [_, listings, whole] = update_in_steps(opts);
    assert!(
        listings.iter().any(|p| p.starts_with("documents/index-")),
        "{listings:?}"
    );
    assert!(whole.iter().any(|p| p.starts_with("print/")), "{whole:?}");
}

/// Pages of single documents, controls and risks, and the theme's files, are never held;
/// listings wait for the listings, print and search for themselves.
#[test]
fn the_pages_of_single_items_are_never_held() {
    for path in [
        "documents/POL-005.html",
        "controls/A.5.1.html",
        "controls/A.5.19-2.html",
        "risks/R-001.html",
        "static/style.css",
    ] {
        assert_eq!(written_after(path), None, "{path}");
    }
    for path in [
        "index.html",
        "documents/index.html",
        "documents/index-2.html",
        "controls/index.html",
        "risks/index.html",
        "frameworks/nis2.html",
        "calendar.ics",
    ] {
        assert_eq!(written_after(path), Some(After::Listings), "{path}");
    }
    for path in [
        "print.html",
        "print/3.html",
        "search.html",
        "search/terms-0.json",
    ] {
        assert_eq!(written_after(path), Some(After::PrintSearch), "{path}");
    }
}

/// `serve` answers a request held for a listing as soon as the listings step says that page
/// is written: so each page it names must then be in place, with the bytes a fresh build
/// has, and every page the step rewrites must be named.
#[test]
fn each_listing_is_named_once_it_is_in_place_and_final() {
    let mut opts = Options::new(common::TODAY.parse().unwrap());
    opts.limits.rows_per_page = 2;
    let (hb, site, out, pages) = drafted(&opts);
    let dir = out.path();
    site.write_pages(dir, &pages).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    Site::open(hb.path(), opts)
        .unwrap()
        .render_to(fresh.path())
        .unwrap();
    let expected = common::files(fresh.path());

    let before = common::files(dir);
    let named = std::sync::Mutex::new(Vec::new());
    let wrong = std::sync::Mutex::new(Vec::new());
    site.write_listings_reporting(dir, &|page: &Path| {
        let now = std::fs::read(dir.join(page)).ok();
        if now.as_ref() != expected.get(page) {
            wrong.lock().unwrap().push(page.to_path_buf());
        }
        named
            .lock()
            .unwrap()
            .push(page.to_string_lossy().replace('\\', "/"));
    })
    .unwrap();
    let wrong = wrong.into_inner().unwrap();
    assert!(wrong.is_empty(), "named before they were final: {wrong:?}");
    let named = named.into_inner().unwrap();
    let rewritten = changed(dir, &before);
    let unnamed: Vec<_> = rewritten.iter().filter(|p| !named.contains(p)).collect();
    assert!(unnamed.is_empty(), "rewritten but never named: {unnamed:?}");
    assert!(named.contains(&"documents/index.html".to_string()));
    assert!(named.iter().any(|p| p.starts_with("documents/index-")));
}
