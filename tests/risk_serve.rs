//! `serve` follows edits of risks.yaml and soa.yaml through the driver: the file alone is
//! read again, the risk, SoA and control pages are written over the site, and the result
//! equals a fresh build byte for byte (as `tests/oracle.rs` holds for documents).

mod common;
use common::Handbook;

use std::path::{Path, PathBuf};

use ismsbook::site::{History, Options, Site, Update};

fn options() -> Options {
    Options {
        history: History::Revisions,
        inject: Some("<script src=\"/reload.js\"></script>".into()),
        ..Options::new(common::TODAY.parse().unwrap())
    }
}

fn differences(served: &Path, fresh: &Path) -> Vec<String> {
    let (a, b) = (common::files(served), common::files(fresh));
    let keys: std::collections::BTreeSet<&PathBuf> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.display().to_string())
        .collect()
}

struct Serving {
    hb: Handbook,
    site: Site,
    dir: tempfile::TempDir,
}

impl Serving {
    fn start(hb: Handbook) -> Serving {
        let mut site = Site::open(hb.path(), options()).unwrap();
        assert!(!site.has_errors());
        let dir = tempfile::tempdir().unwrap();
        site.render_to(dir.path()).unwrap();
        Serving { hb, site, dir }
    }

    /// Replaces `from` by `to` in `file`, follows the edit, and returns how.
    fn edit(&mut self, file: &str, from: &str, to: &str) -> &'static str {
        let text = self.hb.read(file);
        assert!(text.contains(from), "{file} lacks {from:?}");
        self.hb.write(file, text.replacen(from, to, 1));
        self.follow(file)
    }

    fn follow(&mut self, file: &str) -> &'static str {
        match self.site.update(&[PathBuf::from(file)]).unwrap() {
            Update::Unchanged => "unchanged",
            Update::Broken => "broken",
            Update::Rewrite => {
                let _ = std::fs::remove_dir_all(self.dir.path());
                std::fs::create_dir(self.dir.path()).unwrap();
                self.site.render_to(self.dir.path()).unwrap();
                "rewrite"
            }
            Update::Pages(pages) => {
                self.site.write_pages(self.dir.path(), &pages).unwrap();
                self.site.write_whole(self.dir.path()).unwrap();
                "pages"
            }
        }
    }

    fn assert_fresh(&self) {
        let mut fresh = Site::open(self.hb.path(), options()).unwrap();
        let out = tempfile::tempdir().unwrap();
        fresh.render_to(out.path()).unwrap();
        let diff = differences(self.dir.path(), out.path());
        assert!(
            diff.is_empty(),
            "served differs from a fresh build in {diff:?}"
        );
    }
}

#[test]
fn edits_of_the_register_and_the_soa_update_their_pages_as_a_fresh_build_would() {
    let hb = Handbook::fixture("risks");
    hb.write(
        "content/mfa.md",
        "---\nid: STD-02\ntitle: MFA standard\ntype: standard\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n\n# MFA\n",
    );
    let mut s = Serving::start(hb);

    // A new title: pages, not a rewrite, and the risk's page shows it.
    assert_eq!(
        s.edit(
            "content/risks.yaml",
            "title: Phishing captures staff credentials",
            "title: Phishing takes credentials"
        ),
        "pages"
    );
    s.assert_fresh();
    assert!(s.hb.path().exists());
    let page = std::fs::read_to_string(s.dir.path().join("risks/R-001.html")).unwrap();
    assert!(page.contains("Phishing takes credentials"));

    // A document starts linking to a risk: the risk's page lists it.
    assert_eq!(
        s.edit(
            "content/mfa.md",
            "# MFA\n",
            "# MFA\n\nTreats [phishing](R-001).\n"
        ),
        "pages"
    );
    s.assert_fresh();

    // The linking document's new title reaches the risk's page ("referenced by").
    // (A handbook this small lists every title in its sidebar, so this rewrites the site; a
    // large one writes pages, the risk's among them.)
    s.edit(
        "content/mfa.md",
        "title: MFA standard",
        "title: Phishing-resistant MFA",
    );
    s.assert_fresh();
    let page = std::fs::read_to_string(s.dir.path().join("risks/R-001.html")).unwrap();
    assert!(page.contains("Phishing-resistant MFA"));

    // A changed likelihood breaks the build until it is accepted again.
    assert_eq!(
        s.edit("content/risks.yaml", "likelihood: 4", "likelihood: 3"),
        "broken"
    );
    s.hb.run(&[
        "accept",
        "R-001",
        "--by",
        "Carl Iso",
        "--role",
        "CISO",
        "--date",
        "2026-06-01",
    ])
    .assert_exit(0);
    assert_eq!(s.follow("content/risks.yaml"), "pages");
    s.assert_fresh();

    // An open action makes a control partially implemented in the SoA.
    assert_eq!(
        s.edit(
            "content/risks.yaml",
            "      due: 2026-05-31\n      status: done\n      done: 2026-05-20\n",
            "      due: 2026-12-31\n      status: planned\n"
        ),
        "pages"
    );
    s.assert_fresh();
    let soa = std::fs::read_to_string(s.dir.path().join("soa.csv")).unwrap();
    assert!(
        soa.contains(
            "A.5.17,Authentication information,Organizational,yes,R-001,partially implemented"
        ),
        "{soa}"
    );

    // A new SoA version approved: the SoA page shows it.
    assert_eq!(
        s.edit(
            "content/soa.yaml",
            "version: \"1.0\"\nowner",
            "version: \"1.1\"\nowner"
        ),
        "pages"
    );
    s.hb.run(&[
        "approve",
        "SoA",
        "--by",
        "Jane Doe",
        "--role",
        "CEO",
        "--date",
        "2026-06-01",
    ])
    .assert_exit(0);
    assert_eq!(s.follow("content/soa.yaml"), "pages");
    s.assert_fresh();
    let page = std::fs::read_to_string(s.dir.path().join("soa.html")).unwrap();
    assert!(page.contains("Version 1.1 · owner CISO · approved by Jane Doe (CEO) on 2026-06-01"));
}

#[test]
fn removing_or_adding_the_register_rewrites_the_site() {
    // An SoA without approvals: without the register, its decisions need none.
    let hb = Handbook::fixture("risks");
    hb.write("content/soa.yaml", "excluded:\nincluded:\n");
    let mut s = Serving::start(hb);
    let text = s.hb.read("content/risks.yaml");
    std::fs::remove_file(s.hb.path().join("content/risks.yaml")).unwrap();
    assert_eq!(s.follow("content/risks.yaml"), "rewrite");
    assert!(!s.dir.path().join("risks").exists());
    s.assert_fresh();
    s.hb.write("content/risks.yaml", text);
    assert_eq!(s.follow("content/risks.yaml"), "rewrite");
    assert!(s.dir.path().join("risks/R-001.html").exists());
    s.assert_fresh();
}
