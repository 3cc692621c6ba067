//! `import` of handbooks in the shapes found in the wild — a GitBook with a heading-per-control
//! cross-reference and repository tooling, an MkDocs set with nav and admonitions, a SOC 2
//! set whose files start with YAML but no opening `---` — then `check` and `serve` on the
//! result: the preview answers with the problems, and `check` reports exactly the broken
//! links of the source, with help that works where it is pasted.

mod common;
use common::{fixtures, Run, TODAY};
#[path = "serve/support.rs"]
mod support;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Imported {
    _dir: tempfile::TempDir,
    root: PathBuf,
    report: String,
}

fn import(name: &str) -> Imported {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("isms");
    let src = fixtures().join("import-real").join(name);
    let before = common::files(&src);
    let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .arg("import")
        .arg(&src)
        .arg(&root)
        .args(["--org", "Acme"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(common::files(&src), before, "the source is never written");
    Imported {
        _dir: dir,
        root,
        report,
    }
}

impl Imported {
    fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
            .args(args)
            .arg("--root")
            .arg(&self.root)
            .env_remove("SOURCE_DATE_EPOCH")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn assert_report(&self, lines: &[&str]) {
        for line in lines {
            assert!(
                self.report.contains(line),
                "missing {line:?} in:\n{}",
                self.report
            );
        }
    }

    /// `check` finds exactly these broken links (location, text of message or help), and the
    /// report lists the same number.
    fn assert_broken_links(&self, expected: &[(&str, &str)]) {
        let check = self.run(&["check", "--format", "json", "--today", TODAY]);
        check.assert_exit(1);
        let broken: Vec<_> = check
            .diagnostics()
            .into_iter()
            .filter(|d| d.code == "broken-reference")
            .collect();
        assert_eq!(broken.len(), expected.len(), "{broken:#?}");
        for (location, text) in expected {
            check.assert_diagnostic("broken-reference", location, text);
        }
        let errors: Vec<_> = check
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == "error")
            .collect();
        assert_eq!(
            errors.len(),
            expected.len(),
            "only broken links are errors: {errors:#?}"
        );
        assert!(
            self.report
                .contains(&format!("{} broken links", expected.len())),
            "{}",
            self.report
        );
    }

    fn not_copied(&self, rels: &[&str]) {
        for rel in rels {
            assert!(
                !self.root.join("content").join(rel).exists(),
                "{rel} was copied"
            );
        }
    }
}

fn get(port: u16, path: &str) -> (u16, String) {
    let reply = common::get(port, path);
    (reply.status, reply.body)
}

/// `serve` on the imported handbook: every page answers, and the overlay lists the errors.
fn assert_served(imported: &Imported, broken: usize, pages: &[&str]) -> Vec<(String, String)> {
    let hb = common::Handbook::empty();
    // The server runs on the imported handbook: a copy under the harness's directory.
    copy(&imported.root, hb.path());
    let server = support::serve(&hb, &[]);
    let poll: serde_json::Value =
        serde_json::from_str(&get(server.port, "/__ismsbook/poll?since=0").1).unwrap();
    assert_eq!(poll["good"], 1, "{poll}");
    assert_eq!(poll["errors"].as_array().unwrap().len(), broken, "{poll}");
    let (status, home) = get(server.port, "/index.html");
    assert_eq!(status, 200);
    assert_eq!(
        home.matches("broken-reference").count(),
        broken,
        "the home page lists them"
    );
    pages
        .iter()
        .map(|p| {
            let (status, body) = get(server.port, p);
            assert_eq!(status, 200, "{p}");
            (p.to_string(), body)
        })
        .collect()
}

fn copy(from: &Path, to: &Path) {
    for (rel, bytes) in common::files(from) {
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn a_gitbook_with_a_heading_per_control_is_imported_checked_and_served() {
    let hb = import("gitbook");
    hb.assert_report(&[
        "Source: a GitBook.",
        "- POL-002 Access Control Policy (`content/policies/access-control.md`): policy",
        "- PRO-001 Onboarding Checklist (`content/procedures/onboarding-checklist.md`): form",
        "- PHYS-001 Locking Procedure (`content/physical/locking.md`): procedure",
        // Not in SUMMARY.md, but a listed page links to it.
        "- DRAF-001 Old Access Policy (`content/drafts/old-access.md`)",
        "- POL-002: A.9.2.3 → A.8.2",
        "- POL-003: A.11.1.2 → A.7.2",
        "- PHYS-001: A.11.1.2 → A.7.2",
        "- PRO-001: A.7.1.2 → A.6.2",
        "- `drafts/unlinked.md`: not listed in SUMMARY.md",
        "- `Dockerfile`: repository tooling",
        "- `build.sh`: a script or configuration file",
        "- `_layouts/default.html`: a site generator's or build folder",
        "- `CONTRIBUTING.md`: repository tooling",
        "- `.github`: hidden",
        "- `content/images/logo.png`",
    ]);
    hb.not_copied(&[
        "Dockerfile",
        "build.sh",
        "package.json",
        "yarn.lock",
        "_layouts",
        "CONTRIBUTING.md",
        "drafts/unlinked.md",
        "SUMMARY.md",
    ]);
    assert!(hb.read("ismsbook.toml").contains("stage = \"draft\""));
    assert!(hb
        .read("content/procedures/onboarding-checklist.md")
        .contains("type: form\n"));
    // A GitBook hint is a callout, not a template leftover.
    assert!(hb.report.contains("0 template leftovers"), "{}", hb.report);
    assert!(hb
        .read("content/physical/locking.md")
        .contains("> [!CAUTION]\n> Never prop the fire door open"));
    hb.assert_broken_links(&[
        (
            "content/README.md:14:21",
            "did you mean `policies/physical-security.md` (POL-003 Physical Security Policy)?",
        ),
        (
            "content/policies/access-control.md:14:21",
            "did you mean `../physical/locking.md` (PHYS-001 Locking Procedure)?",
        ),
        (
            "content/policies/physical-security.md:14:15",
            "../registers/visitors.md",
        ),
    ]);
    // The draft stage: 90 controls nobody claims are warnings, summarised in one entry.
    let human = hb.run(&["check", "--today", TODAY]);
    assert_eq!(
        human.stderr.matches("uncovered-control").count(),
        1,
        "{}",
        human.stderr
    );
    assert!(human
        .stderr
        .contains("warning[uncovered-control]: 90 warnings of this kind"));
    assert_served(
        &hb,
        3,
        &["/documents/POL-002.html", "/documents/PRO-001.html"],
    );
    // build still refuses to publish errors.
    assert_eq!(hb.run(&["build", "--today", TODAY]).code, 1);
    assert!(!hb.root.join("public").exists());
}

#[test]
fn an_mkdocs_set_keeps_its_admonitions_as_callouts_whose_links_are_checked() {
    let hb = import("mkdocs");
    hb.assert_report(&[
        "Source: a MkDocs.",
        "- POL-002 Incident Response Plan (`content/policies/incident-response-plan.md`): plan",
        "- FRM-001 Access Review Checklist (`content/checklists/access-review.md`): form",
        "- `content/policies/acceptable-use.md`: 2",
        "- `content/index.md:10`: `# {{ config.site_name }}`",
        "- `content/index.md:19`: `{% include \"footer.md\" %}`",
        "- `javascripts/extra.js`: a script or configuration file",
        "- `unlisted.md`: not listed in the mkdocs.yml nav",
        // A 2022 table, by link and by title.
        "- POL-001: A.5.10",
        "- POL-002: A.5.24",
        "- FRM-001: A.5.18",
    ]);
    let policy = hb.read("content/policies/acceptable-use.md");
    assert!(
        policy.contains("> [!WARNING]\n> **Report at once**\n>\n> A lost device"),
        "{policy}"
    );
    assert!(policy.contains("> [!TIP]\n> **Personal use**"), "{policy}");
    hb.assert_broken_links(&[
        // Inside the admonition: checked now that it is no longer a code block.
        (
            "content/policies/acceptable-use.md:19:28",
            "../forms/lost-device.md",
        ),
        (
            "content/checklists/access-review.md:14:56",
            "offboarding.md",
        ),
    ]);
    // No suggestion rather than a wrong one: a neighbour is not `offboarding.md`.
    let check = hb.run(&["check", "--format", "json", "--today", TODAY]);
    assert!(
        !check.stdout.contains("did you mean `access-review.md`"),
        "{}",
        check.stdout
    );
    let pages = assert_served(&hb, 2, &["/documents/POL-001.html", "/index.html"]);
    let page = &pages[0].1;
    assert!(
        page.contains("<blockquote class=\"markdown-alert-warning\">"),
        "{page}"
    );
    assert!(
        page.contains("href=\"../documents/POL-002.html\""),
        "the link inside is resolved: {page}"
    );
    assert!(!page.contains("<pre><code>A lost device"), "{page}");
}

#[test]
fn a_soc2_set_whose_yaml_has_no_opening_dashes_gets_its_titles() {
    let hb = import("soc2");
    hb.assert_report(&[
        "Source: a plain folder.",
        "- POL-002 Access Onboarding and Termination Policy (`content/policies/access.md`): policy",
        // The title `{{.Name}}` is reported, not used: the first heading is.
        "- POL-003 Incident Response Policy (`content/policies/incident.md`): policy",
        "- PRO-001 Offboarding Procedure (`content/procedures/offboarding.md`): procedure",
        "- `content/policies/incident.md:3`: `title: {{.Name}}`",
        "- `content/policies/access.md:13`: `a. This policy governs access for {{.Name}}, as the`",
        "- `policies/access.md` (it had no opening `---`)",
        "- `Dockerfile`: repository tooling",
        "- `Makefile`: repository tooling",
    ]);
    let access = hb.read("content/policies/access.md");
    assert!(
        !access.contains("majorRevisions"),
        "the YAML is not body text: {access}"
    );
    assert!(!hb.report.contains("Purpose and Scope ("), "{}", hb.report);
    hb.assert_broken_links(&[
        ("content/policies/incident.md:13:51", "../procedures/incident-handling.md"),
        (
            "content/procedures/offboarding.md:13:63",
            "did you mean `../policies/access.md` (POL-002 Access Onboarding and Termination Policy)?",
        ),
    ]);
    let pages = assert_served(&hb, 2, &["/documents/POL-002.html"]);
    assert!(pages[0]
        .1
        .contains("Access Onboarding and Termination Policy"));
}
