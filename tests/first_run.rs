//! The first five minutes: a handbook with errors is still previewed (`serve` shows every
//! page it can, with the problems in the overlay and on the home page), while `build`
//! keeps refusing to publish it.

mod common;
use common::Handbook;
#[path = "serve/support.rs"]
mod support;

fn get(port: u16, path: &str) -> (u16, String) {
    let reply = common::get(port, path);
    (reply.status, reply.body)
}

pub fn poll(port: u16, since: u64) -> serde_json::Value {
    serde_json::from_str(&get(port, &format!("/__ismsbook/poll?since={since}")).1).unwrap()
}

#[test]
fn serve_shows_a_handbook_whose_first_build_has_errors() {
    let hb = Handbook::fixture("broken-link");
    hb.build().assert_exit(1);
    assert!(
        !hb.path().join("public").exists(),
        "build publishes nothing"
    );
    let server = support::serve(&hb, &[]);
    let state = poll(server.port, 0);
    assert_eq!(state["good"], 1, "the first build is served: {state}");
    assert_eq!(state["with_errors"], true);
    let errors = state["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["code"] == "broken-reference"),
        "{state}"
    );
    let (status, home) = get(server.port, "/index.html");
    assert_eq!(status, 200);
    assert!(home.contains("broken-reference"), "the home page lists it");
    let (status, page) = get(server.port, "/documents/POL-005.html");
    assert_eq!(status, 200, "{page}");
    // A fix reaches the pages: still with errors, a new generation is rendered.
    let text = hb.read("content/policies/access.md");
    hb.write(
        "content/policies/access.md",
        text.replace("for retention", "for retention. Edited while broken"),
    );
    let next = poll(server.port, 1);
    assert_eq!(next["good"], 2, "{next}");
    assert!(get(server.port, "/documents/POL-005.html")
        .1
        .contains("Edited while broken"));
}

#[test]
fn serve_renders_every_page_it_can_of_a_handbook_with_many_problems() {
    let hb = Handbook::fixture("many-problems");
    let server = support::serve(&hb, &[]);
    let state = poll(server.port, 0);
    assert_eq!(state["good"], 1, "{state}");
    for page in [
        "/index.html",
        "/documents/index.html",
        "/soa.html",
        "/print.html",
    ] {
        assert_eq!(get(server.port, page).0, 200, "{page}");
    }
}

fn with_stage(hb: &Handbook, stage: &str) {
    let toml: String = hb
        .read("ismsbook.toml")
        .lines()
        .filter(|l| !l.starts_with("stage = "))
        .map(|l| match l.starts_with("organization = ") {
            true => format!("{l}\nstage = \"{stage}\"\n"),
            false => format!("{l}\n"),
        })
        .collect();
    hb.write("ismsbook.toml", toml);
}

#[test]
fn an_uncovered_control_is_a_warning_until_the_handbook_is_certified() {
    let hb = Handbook::fixture("uncovered-control");
    let errors = hb.check();
    errors.assert_exit(1);
    assert!(errors
        .diagnostics()
        .iter()
        .any(|d| d.code == "uncovered-control" && d.severity == "error"));
    for stage in ["draft", "implementing"] {
        with_stage(&hb, stage);
        let run = hb.check();
        run.assert_exit(0);
        assert!(run
            .diagnostics()
            .iter()
            .any(|d| d.code == "uncovered-control" && d.severity == "warning"));
    }
    with_stage(&hb, "certified");
    hb.check().assert_exit(1);
}

#[test]
fn approvals_count_from_the_implementing_stage_on() {
    let hb = Handbook::fixture("changed-since-approval");
    with_stage(&hb, "draft");
    hb.check().assert_exit(0);
    with_stage(&hb, "implementing");
    hb.check().assert_exit(1);
}

#[test]
fn an_unknown_stage_is_reported_with_the_three_stages() {
    let hb = Handbook::fixture("_base");
    with_stage(&hb, "pilot");
    hb.check().assert_exit(1).assert_diagnostic(
        "config",
        "ismsbook.toml:4:9",
        "draft, implementing or certified",
    );
}

#[test]
fn a_new_handbook_prints_a_summary_not_93_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let hb_dir = dir.path().join("hb");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["init", "--org", "Acme"])
        .arg(&hb_dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["check", "--root"])
        .arg(&hb_dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(0), "{text}");
    assert!(text.lines().count() < 30, "{text}");
    let first = text
        .lines()
        .filter(|l| l.contains("A.5."))
        .map(|l| {
            l.split(": ")
                .nth(1)
                .unwrap_or("")
                .split(' ')
                .next()
                .unwrap_or("")
        })
        .collect::<Vec<_>>();
    assert_eq!(first, ["A.5.1", "A.5.2", "A.5.3"], "natural order:\n{text}");
    let verbose = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["check", "--verbose", "--root"])
        .arg(&hb_dir)
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&verbose.stderr);
    assert!(all.matches("control-only-in-drafts").count() >= 93);
}

#[test]
fn a_suggested_path_is_relative_to_the_file_it_is_pasted_into() {
    let hb = Handbook::fixture("broken-link");
    hb.write(
        "content/physical/locking.md",
        "---\nid: PHY-001\ntitle: Locking\ntype: procedure\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n\nLock it.\n",
    );
    let text = hb.read("content/policies/access.md");
    hb.write(
        "content/policies/access.md",
        text + "\nSee [locks](../physical/lockng.md) and [malware](/physical/locking.html).\n",
    );
    let run = hb.check();
    run.assert_diagnostic(
        "broken-reference",
        "content/policies/access.md:21:13",
        "did you mean `../physical/locking.md` (PHY-001 Locking)?",
    );
    run.assert_diagnostic(
        "broken-reference",
        "content/policies/access.md:21:50",
        "did you mean `../physical/locking.md`",
    );
}

#[test]
fn every_flag_and_argument_has_help() {
    use clap::CommandFactory;
    let cli = ismsbook::commands::cli::Cli::command();
    let mut missing = Vec::new();
    for sub in cli.get_subcommands() {
        for arg in sub.get_arguments() {
            let id = arg.get_id().as_str();
            if id != "help" && id != "version" && arg.get_help().is_none() {
                missing.push(format!("{} {id}", sub.get_name()));
            }
        }
    }
    assert!(missing.is_empty(), "no help text: {missing:?}");
}

#[test]
fn new_with_an_unknown_template_is_a_usage_error() {
    let hb = Handbook::fixture("_base");
    let run = hb.run(&["new", "nonexistent"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("`ismsbook new --list` shows them all"),
        "{}",
        run.stderr
    );
}

#[test]
fn bundle_writes_into_a_folder_the_generated_gitignore_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("hb");
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["init", "--org", "Acme"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(init.status.success());
    let gitignore = std::fs::read_to_string(root.join(".gitignore")).unwrap();
    assert_eq!(gitignore, "/public\n/bundles\n");
    let hb = Handbook::fixture("_base");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["bundle", "--today", common::TODAY, "--root"])
        .arg(hb.path())
        .current_dir(hb.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let zips: Vec<_> = common::files(hb.path())
        .into_keys()
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    assert_eq!(zips.len(), 1, "{zips:?}");
    assert!(zips[0].starts_with("bundles"), "{zips:?}");
}

#[test]
fn the_home_page_says_which_stage_makes_coverage_a_warning() {
    let hb = Handbook::fixture("uncovered-control");
    with_stage(&hb, "draft");
    hb.build().assert_exit(0);
    let home = hb.read("public/index.html");
    assert!(home.contains("Stage <code>draft</code>"), "{home}");
    let certified = Handbook::fixture("_base");
    certified.build().assert_exit(0);
    assert!(!certified.read("public/index.html").contains("Stage <code>"));
}
