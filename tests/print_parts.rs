//! A handbook past the limit of documents one print page holds is printed in parts:
//! print.html says why and links to `print/1.html` …, each with a cover naming its range and
//! the documents in print.html's order; at or under the limit print.html is as it always
//! was. In `serve`, an edit rewrites only the part holding the edited document, unless the
//! parts change. The limit is lowered here (`--print-per-part`, `Options::limits`).

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use common::Handbook;
use ismsbook::site::{History, Options, Site, Update};

/// The ids of the documents printed on a page, in order.
fn printed(html: &str) -> Vec<String> {
    html.split("<article class=\"document print-document\" id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// Every `id="…"` on a page.
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect()
}

#[test]
fn at_the_limit_print_html_is_as_it_was_and_has_no_parts() {
    let hb = Handbook::example();
    let whole = hb.build_into("whole", &[]);
    let documents = printed(&common::read_file(&whole.join("print.html"))).len();
    let at = hb.build_into("at", &["--print-per-part", &documents.to_string()]);
    assert_eq!(
        std::fs::read(whole.join("print.html")).unwrap(),
        std::fs::read(at.join("print.html")).unwrap()
    );
    assert!(!at.join("print").exists());
}

#[test]
fn past_the_limit_print_html_lists_parts_that_hold_every_document_in_order() {
    let hb = Handbook::example();
    let whole = common::read_file(&hb.build_into("whole", &[]).join("print.html"));
    let all = printed(&whole);
    let out = hb.build_into("parts", &["--print-per-part", "10"]);
    let contents = common::read_file(&out.join("print.html"));
    let parts = all.len().div_ceil(10);
    assert!(
        contents.contains(&format!(
            "This handbook has {} documents: it is printed in {parts} parts of at most 10",
            all.len()
        )),
        "{contents}"
    );
    assert!(
        printed(&contents).is_empty(),
        "the contents page holds no document"
    );
    let mut in_parts = Vec::new();
    for n in 1..=parts {
        assert!(contents.contains(&format!("<a href=\"print/{n}.html\">Part {n}: documents")));
        let page = common::read_file(&out.join(format!("print/{n}.html")));
        let here = printed(&page);
        assert!(!here.is_empty() && here.len() <= 10, "part {n}: {here:?}");
        assert!(page.contains(&format!(
            "Part {n} of {parts}: documents {}–{}, {} to {}",
            (n - 1) * 10 + 1,
            (n - 1) * 10 + here.len(),
            here[0],
            here[here.len() - 1]
        )));
        // Each section keeps its running header, as in print.html.
        for id in &here {
            assert!(
                page.contains(&format!("@page doc-{id} {{ @top-left")),
                "{id}"
            );
        }
        in_parts.extend(here);
    }
    assert_eq!(in_parts, all);
    assert!(!out.join(format!("print/{}.html", parts + 1)).exists());
}

/// Links between documents lead to the part that prints the target; a link within a part
/// stays an anchor; assets and pages are reached from `print/`.
#[test]
fn in_a_part_every_link_leads_to_a_page_and_an_anchor_that_exist() {
    let hb = Handbook::example();
    let out = hb.build_into("parts", &["--print-per-part", "5"]);
    let pages: BTreeMap<PathBuf, String> = std::fs::read_dir(out.join("print"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.clone(), common::read_file(&path))
        })
        .collect();
    let mut across = 0;
    for (path, page) in &pages {
        for href in page
            .split("href=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
        {
            if href.starts_with("http") || href.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = href.split_once('#').unwrap_or((href, ""));
            let target = match file {
                "" => path.clone(),
                f => path.parent().unwrap().join(f),
            };
            assert!(target.is_file(), "{}: {href}", path.display());
            if !anchor.is_empty() && target.extension().is_some_and(|x| x == "html") {
                let html = pages
                    .get(&target)
                    .cloned()
                    .unwrap_or_else(|| common::read_file(&target));
                assert!(ids(&html).contains(&anchor), "{}: {href}", path.display());
            }
            across += usize::from(file.ends_with(".html") && !file.contains('/'));
        }
    }
    assert!(across > 0, "the example links across parts");
}

// --- serve ---------------------------------------------------------------------------

/// More documents than the sidebar lists one by one (150), so that a new title leaves
/// the sidebar alone and serve writes pages rather than the whole site.
const DOCUMENTS: usize = 160;
const PER_PART: usize = 40;

fn doc(n: usize, title: &str, body: &str) -> String {
    format!(
        "---\nid: POL-{n:03}\ntitle: {title}\ntype: policy\nversion: \"1.0\"\nstatus: draft\n\
         owner: CISO\nclassification: internal\n---\n\n{body}\n\nSee [the next](POL-{next:03}).\n",
        next = n % DOCUMENTS + 1
    )
}

fn large() -> Handbook {
    let hb = Handbook::fixture("_base");
    for n in 1..=DOCUMENTS {
        hb.write(
            &format!("content/many/p{n:03}.md"),
            doc(n, &format!("Policy {n}"), "Body."),
        );
    }
    hb
}

fn options() -> Options {
    let mut opts = Options {
        history: History::Revisions,
        ..Options::new(common::TODAY.parse().unwrap())
    };
    opts.limits.print_part = PER_PART;
    opts
}

/// The inode of each print page: a page written again is a new file (renamed into place).
fn inodes(dir: &Path) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    out.insert(
        "print.html".into(),
        std::fs::metadata(dir.join("print.html")).unwrap().ino(),
    );
    for e in std::fs::read_dir(dir.join("print")).unwrap() {
        let e = e.unwrap();
        out.insert(
            format!("print/{}", e.file_name().to_string_lossy()),
            e.metadata().unwrap().ino(),
        );
    }
    out
}

/// Applies an edit as serve does and returns the print pages it wrote; the site then
/// equals a fresh build.
fn edit(hb: &Handbook, site: &mut Site, dir: &Path, rel: &str, text: String) -> Vec<String> {
    let before = inodes(dir);
    hb.write(rel, text);
    let Update::Pages(pages) = site.update(&[PathBuf::from(rel)]).unwrap() else {
        panic!("an edit of one document writes pages");
    };
    site.write_pages(dir, &pages).unwrap();
    site.write_whole(dir).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    Site::open(hb.path(), options())
        .unwrap()
        .render_to(fresh.path())
        .unwrap();
    let (served, built) = (common::files(dir), common::files(fresh.path()));
    for (path, bytes) in &built {
        assert!(
            served.get(path) == Some(bytes),
            "{} differs from a fresh build",
            path.display()
        );
    }
    assert_eq!(served.len(), built.len());
    let after = inodes(dir);
    after
        .iter()
        .filter(|(page, ino)| before.get(*page) != Some(ino))
        .map(|(page, _)| page.clone())
        .collect()
}

#[test]
fn in_serve_a_body_edit_rewrites_only_its_part_and_a_new_title_every_part() {
    let hb = large();
    let mut site = Site::open(hb.path(), options()).unwrap();
    assert!(!site.has_errors());
    let out = tempfile::tempdir().unwrap();
    site.render_to(out.path()).unwrap();
    // BASE-01 and the 160 policies, 40 a part: p040 is the 41st document, first of part 2.
    let parts = (DOCUMENTS + 1).div_ceil(PER_PART);
    assert!(out.path().join(format!("print/{parts}.html")).is_file());
    let rel = "content/many/p040.md";
    let written = edit(
        &hb,
        &mut site,
        out.path(),
        rel,
        doc(40, "Policy 40", "A new body."),
    );
    assert_eq!(written, ["print/2.html"]);
    // A new title (here on the contents page, as its part's first) may move what a part
    // holds or shows: every part, and the contents. (A document added or an id changed
    // changes the sidebar too, which rewrites the whole site.)
    let written = edit(
        &hb,
        &mut site,
        out.path(),
        rel,
        doc(40, "Renamed policy", "A new body."),
    );
    assert_eq!(written.len(), parts + 1, "{written:?}");
}
