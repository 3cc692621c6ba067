//! The ready-made pipelines (docs/ci/) and pre-commit hooks call ismsbook as it parses its
//! command line today: a renamed flag fails here, not in a user's pipeline.

use std::path::Path;

use clap::Parser;
use ismsbook::commands::cli::Cli;

const SUBCOMMANDS: [&str; 6] = ["check", "build", "bundle", "verify", "changes", "serve"];

/// Every `ismsbook SUBCOMMAND …` in `text` (comments included), up to a shell operator, as
/// argument lists; quotes dropped, variables kept as text.
fn invocations(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(i) = rest.find("ismsbook ") {
            let after = &rest[i + "ismsbook ".len()..];
            rest = after;
            let Some(first) = after.split_whitespace().next() else {
                continue;
            };
            if !SUBCOMMANDS.contains(&first) {
                continue;
            }
            let end = after.find(['>', '|', ';']).unwrap_or(after.len());
            let args = after[..end]
                .split_whitespace()
                .map(|w| w.trim_matches('"').to_string())
                .collect();
            out.push(args);
        }
    }
    out
}

#[test]
fn every_pipeline_command_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for file in [
        "docs/ci/github-actions.yml",
        "docs/ci/gitlab-ci.yml",
        ".pre-commit-hooks.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let calls = invocations(&text);
        assert!(!calls.is_empty(), "{file} runs no ismsbook command");
        for args in calls {
            let argv = std::iter::once("ismsbook".to_string()).chain(args.iter().cloned());
            if let Err(e) = Cli::try_parse_from(argv) {
                panic!("{file}: `ismsbook {}` does not parse:\n{e}", args.join(" "));
            }
            seen += 1;
        }
    }
    assert!(seen >= 10, "{seen}");
}

#[test]
fn the_pipelines_use_the_ci_formats() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap();
    let github = read("docs/ci/github-actions.yml");
    assert!(github.contains("ismsbook check --format github --changed-since"));
    assert!(github.contains("container: ${{ vars.ISMSBOOK_IMAGE }}"));
    let gitlab = read("docs/ci/gitlab-ci.yml");
    assert!(gitlab.contains("ismsbook check --format gitlab > gl-code-quality-report.json"));
    assert!(gitlab.contains("codequality: gl-code-quality-report.json"));
}

#[test]
fn a_flag_that_does_not_exist_is_caught() {
    let calls = invocations("run: ismsbook check --formt github > x\n");
    assert_eq!(calls, [["check", "--formt", "github"]]);
    assert!(Cli::try_parse_from(["ismsbook", "check", "--formt", "github"]).is_err());
}
