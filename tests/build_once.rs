//! `build` renders once and frees each document's body after its last use (its page, its
//! print section, its search entry), with the search index made part by part among the pages
//! (`Options::renders_once`); `serve` keeps its bodies for its updates. Both must write the
//! same bytes, with print in parts, with documents withheld, and after an update.

mod common;

use std::path::{Path, PathBuf};

use common::Handbook;
use ismsbook::site::{Options, Site, Update};

fn options(renders_once: bool, max_classification: Option<&str>) -> Options {
    let mut opts = Options::new(common::TODAY.parse().unwrap());
    opts.renders_once = renders_once;
    opts.max_classification = max_classification.map(String::from);
    // Parts of 3 documents: every part, page and search part interleave.
    opts.limits.print_part = 3;
    opts
}

fn render(root: &Path, opts: Options) -> (std::collections::BTreeMap<PathBuf, Vec<u8>>, Site) {
    let out = tempfile::tempdir().unwrap();
    let mut site = Site::open(root, opts).unwrap();
    assert!(!site.has_errors());
    site.render_to(out.path()).unwrap();
    (common::files(out.path()), site)
}

fn assert_same(
    once: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
    kept: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
) {
    assert_eq!(
        once.keys().collect::<Vec<_>>(),
        kept.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in kept {
        assert!(once[path] == *bytes, "{} differs", path.display());
    }
}

#[test]
fn a_build_that_frees_its_bodies_writes_what_serve_writes() {
    let hb = Handbook::example();
    for level in [None, Some("internal")] {
        let (once, _) = render(hb.path(), options(true, level));
        let (kept, _) = render(hb.path(), options(false, level));
        assert!(
            once.keys().any(|p| p.starts_with("print")),
            "print is in parts"
        );
        assert!(once.keys().filter(|p| p.starts_with("search")).count() > 2);
        assert_same(&once, &kept);
    }
}

#[test]
fn a_site_rendered_once_reads_everything_again_on_an_edit() {
    let hb = Handbook::example();
    let (_, mut site) = render(hb.path(), options(true, None));
    let rel = "content/guidelines/generative-ai-usage.md";
    let text = std::fs::read_to_string(hb.path().join(rel)).unwrap();
    hb.write(rel, text.replacen("\n## ", "\nAn added line.\n\n## ", 1));
    // Its bodies are gone: the update must not render pages from them.
    let update = site.update(&[PathBuf::from(rel)]).unwrap();
    assert!(matches!(update, Update::Rewrite), "{update:?}");
    let out = tempfile::tempdir().unwrap();
    site.render_to(out.path()).unwrap();
    let (kept, _) = render(hb.path(), options(false, None));
    let once = common::files(out.path());
    assert_same(&once, &kept);
    assert!(once
        .values()
        .any(|b| String::from_utf8_lossy(b).contains("An added line.")));
}
