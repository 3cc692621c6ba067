//! The container image and release definitions stay in step with the crate: the Dockerfile
//! copies every file the build reads (a new `include_str!` source left out breaks only the
//! image, which most test machines cannot build), and ships the promised targets.
//! The image itself is built by `.ci/docker-build` where a Docker engine answers.

use std::path::Path;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The paths of Cargo.toml's `include`: what `cargo package` and `cargo install` build from.
fn crate_inputs() -> Vec<String> {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).unwrap();
    manifest["package"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().trim_end_matches("/**").to_string())
        .filter(|p| p != "README.md")
        .collect()
}

#[test]
fn the_image_copies_every_input_of_the_build() {
    let dockerfile = read("Dockerfile");
    let ignored = read(".dockerignore");
    let copied: Vec<&str> = dockerfile
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            parts[..parts.len() - 1].to_vec()
        })
        .collect();
    for input in crate_inputs() {
        assert!(
            copied.contains(&input.as_str()),
            "Dockerfile does not COPY {input}"
        );
        let top = input.split('/').next().unwrap();
        assert!(
            !ignored.lines().any(|l| l.trim_end_matches('/') == top),
            ".dockerignore leaves out {input}"
        );
    }
}

#[test]
fn the_image_runs_ismsbook_with_git_and_has_a_pdf_target() {
    let dockerfile = read("Dockerfile");
    assert!(dockerfile.contains("ENTRYPOINT [\"ismsbook\"]"));
    assert!(dockerfile.contains("AS runtime") && dockerfile.contains("FROM runtime AS pdf"));
    let stage = |name: &str| {
        let start = dockerfile.find(&format!("AS {name}\n")).unwrap();
        dockerfile[start..]
            .split("\nFROM ")
            .next()
            .unwrap()
            .to_string()
    };
    assert!(stage("runtime").contains(" git "), "runtime has git");
    assert!(stage("pdf").contains(" chromium "), "pdf has chromium");
    assert!(dockerfile.contains("--locked"));
}

/// A tag builds the five promised binaries, from the lock file, with checksums.
#[test]
fn a_release_builds_every_platform_with_checksums() {
    let workflow = read(".github/workflows/release.yml");
    for target in [
        "x86_64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(workflow.contains(&format!("target: {target},")), "{target}");
    }
    assert!(workflow.contains("tags: [\"v*\"]"));
    assert!(workflow.contains("cargo build --release --locked"));
    assert!(workflow.contains("sha256sum -- * > SHA256SUMS"));
}
