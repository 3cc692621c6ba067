//! `build`: the files a user expects, identical bytes on every run, links that all work, and
//! a previous output that survives a failed build.

mod common;
use common::Handbook;
use std::fs;
use std::path::Path;

/// Every `href`/`src` value of an HTML text.
fn urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Follows every link of every page: relative, naming a file, to a file that exists, and to
/// an element id that exists when there is a fragment. Returns how many links were followed.
pub fn assert_all_links_work(out: &Path) -> usize {
    let files = common::files(out);
    let mut followed = 0;
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
    {
        let html = String::from_utf8_lossy(bytes);
        for url in urls(&html) {
            if url.starts_with("http://")
                || url.starts_with("https://")
                || url.starts_with("mailto:")
            {
                continue;
            }
            assert!(
                !url.starts_with('/'),
                "{}: absolute link {url}",
                path.display()
            );
            let (file, fragment) = match url.split_once('#') {
                Some((f, frag)) => (f, Some(frag)),
                None => (url.as_str(), None),
            };
            let target = if file.is_empty() {
                path.clone()
            } else {
                assert!(
                    !file.ends_with('/'),
                    "{}: link {url} names no file",
                    path.display()
                );
                let mut t = path.parent().unwrap().to_path_buf();
                for part in percent_decode(file).split('/') {
                    match part {
                        ".." => assert!(t.pop(), "{}: {url} leaves the site", path.display()),
                        "." => {}
                        p => t.push(p),
                    }
                }
                t
            };
            let Some(bytes) = files.get(&target) else {
                panic!(
                    "{}: broken link {url} (no {})",
                    path.display(),
                    target.display()
                );
            };
            if let Some(frag) = fragment.filter(|f| !f.is_empty()) {
                let text = String::from_utf8_lossy(bytes);
                assert!(
                    text.contains(&format!("id=\"{frag}\"")),
                    "{}: {url}: no id {frag} in {}",
                    path.display(),
                    target.display()
                );
            }
            followed += 1;
        }
    }
    followed
}

#[test]
fn build_writes_the_pages_of_the_design() {
    let hb = Handbook::linked();
    hb.write("content/policies/img/org chart é.png", b"\x89PNG fake");
    hb.write("content/policies/logo.md", "---\nid: POL-010\ntitle: Logo\ntype: guideline\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: public\n---\n# Logo\n\n![chart](img/org%20chart%20%C3%A9.png)\n\n<script>alert(1)</script><em onclick=\"x()\">hi</em>\n");
    hb.build().assert_exit(0);
    for f in [
        "index.html",
        "documents/index.html",
        "documents/POL-005.html",
        "documents/POL-009.html",
        "documents/BASE-01.html",
        "controls/index.html",
        "controls/A.5.15.html",
        "controls/A.8.34.html",
        "soa.html",
        "soa.csv",
        "traceability.csv",
        "reviews.html",
        "readiness.html",
        "static/style.css",
        "assets/policies/img/org chart é.png",
    ] {
        assert!(hb.path().join("public").join(f).is_file(), "missing {f}");
    }
    let access = hb.read("public/documents/POL-005.html");
    assert!(
        access.contains("href=\"../documents/POL-009.html#retention\""),
        "{access}"
    );
    assert!(access.contains("href=\"../controls/A.8.13.html\""));
    assert!(
        access.contains("Referenced by")
            || hb
                .read("public/documents/POL-009.html")
                .contains("Referenced by")
    );
    let backup = hb.read("public/documents/POL-009.html");
    assert!(
        backup.contains("Referenced by") && backup.contains("POL-005"),
        "backlinks: {backup}"
    );
    let logo = hb.read("public/documents/POL-010.html");
    assert!(
        logo.contains("src=\"../assets/policies/img/org%20chart%20%C3%A9.png\""),
        "{logo}"
    );
    assert!(
        !logo.contains("<script>alert") && !logo.contains("onclick"),
        "raw HTML must be sanitised"
    );
    assert!(!fs::read_dir(hb.path().join("public"))
        .unwrap()
        .any(|e| e.unwrap().file_name() == "livereload.js"));
    let followed = assert_all_links_work(&hb.path().join("public"));
    assert!(followed > 500, "followed {followed}");
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let hb = Handbook::fixture("excluded-but-implemented");
    hb.build().assert_exit(0);
    let first = common::files(&hb.path().join("public"));
    hb.build().assert_exit(0);
    let second = common::files(&hb.path().join("public"));
    assert_eq!(first.len(), second.len());
    for (path, bytes) in &first {
        assert!(
            second.get(path) == Some(bytes),
            "{} differs between builds",
            path.display()
        );
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let hb = Handbook::fixture("_base");
    hb.build().assert_exit(0);
    let before = common::files(&hb.path().join("public"));
    hb.write("content/broken.md", "no front matter\n");
    hb.build().assert_exit(1);
    assert_eq!(common::files(&hb.path().join("public")), before);
}

#[test]
fn a_failed_build_quotes_the_offending_line() {
    // `build` does not keep document texts after parsing; the excerpt is read back.
    let run = Handbook::fixture("broken-link").build();
    run.assert_exit(1);
    assert!(
        run.stderr
            .contains("17 | See the [backup policy](POL-099) for retention."),
        "{}",
        run.stderr
    );
}

#[test]
fn the_soa_lists_all_93_controls_with_exclusions_justified() {
    let hb = Handbook::fixture("uncovered-control");
    // Make it clean: exclude A.5.1 too.
    hb.write("content/soa.yaml", "excluded:\n  A.8.34: No audits touch production; all testing runs on staging.\n  A.5.1: \"Policies, for the test, live elsewhere.\"\nincluded:\n  A.8.24: Risk R-004; GDPR Art. 32\n");
    hb.build().assert_exit(0);
    let csv = hb.read("public/soa.csv");
    assert!(csv.contains("\r\n"), "CSV lines end in CRLF");
    let rows = parse_csv(&csv);
    assert_eq!(
        rows[0],
        [
            "control",
            "title",
            "theme",
            "applicable",
            "justification",
            "implementation status",
            "implementing documents",
            "risks"
        ]
    );
    assert_eq!(rows.len(), 94, "header and 93 controls");
    let a51 = rows.iter().find(|r| r[0] == "A.5.1").unwrap();
    assert_eq!(a51[3], "no");
    assert_eq!(a51[4], "Policies, for the test, live elsewhere.");
    let a824 = rows.iter().find(|r| r[0] == "A.8.24").unwrap();
    assert_eq!(
        (
            a824[3].as_str(),
            a824[4].as_str(),
            a824[5].as_str(),
            a824[6].as_str()
        ),
        (
            "yes",
            "Risk R-004; GDPR Art. 32",
            "implemented",
            "BASE-01 v1.0"
        )
    );
    let soa = hb.read("public/soa.html");
    assert!(soa.contains("No audits touch production"));
    let trace = parse_csv(&hb.read("public/traceability.csv"));
    assert_eq!(trace.len(), 1 + 91, "one row per control-document pair");
}

/// A small RFC 4180 reader, enough to prove the files parse back.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn a_handbook_theme_overrides_one_template() {
    let hb = Handbook::fixture("_base");
    hb.write("theme/templates/document.html", "{% extends \"base.html\" %}{% block content %}<p class=\"custom\">{{ doc.id }}</p>{% endblock content %}");
    hb.build().assert_exit(0);
    assert!(hb
        .read("public/documents/BASE-01.html")
        .contains("<p class=\"custom\">BASE-01</p>"));
    assert!(
        hb.read("public/index.html").contains("Fixture Ltd"),
        "other templates stay built-in"
    );
}

#[test]
fn the_example_handbook_is_clean_covered_and_every_link_works() {
    let hb = Handbook::example();
    hb.run(&[
        "check",
        "--format",
        "json",
        "--today",
        "2026-11-23",
        "--deny-warnings",
    ])
    .assert_exit(0)
    .assert_no_diagnostics();
    hb.run(&["build", "--today", "2026-11-23"]).assert_exit(0);
    let out = hb.path().join("public");
    let followed = assert_all_links_work(&out);
    assert!(followed > 3000, "followed {followed} links");
    let soa = parse_csv(&hb.read("public/soa.csv"));
    assert_eq!(soa.len(), 94);
    let excluded: Vec<_> = soa.iter().filter(|r| r[3] == "no").collect();
    assert!(
        !excluded.is_empty() && excluded.iter().all(|r| !r[4].is_empty()),
        "a justified exclusion"
    );
    assert!(
        soa[1..]
            .iter()
            .filter(|r| r[3] == "yes")
            .all(|r| r[5] == "implemented" || r[5] == "partially implemented"),
        "every applicable control implemented by an approved document (open treatment actions make some partial)"
    );
    assert!(
        soa[1..].iter().all(|r| !r[4].is_empty()),
        "every control justified: by its risks, its `included:` reason or its exclusion"
    );
    let readiness = hb.read("public/readiness.html");
    assert!(
        !readiness.contains(">missing<"),
        "every mandatory document present"
    );
}
