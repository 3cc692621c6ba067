//! A small harness in the manner of mdBook's and cargo's test suites: copy a fixture
//! handbook into a temporary directory, run one command, assert on exit code, diagnostics and
//! files.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TODAY: &str = "2026-06-01";

pub struct Handbook {
    dir: tempfile::TempDir,
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` (relative path -> bytes): for "nothing changed" and "same bytes"
/// assertions and for scanning an output.
pub fn files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.insert(
                    e.path().strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(e.path()).unwrap(),
                );
            }
        }
    }
    out
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

impl Handbook {
    /// The `_base` handbook (one approved document implementing every control) with the
    /// named fixture's files laid over it.
    pub fn fixture(name: &str) -> Handbook {
        let hb = Handbook::empty();
        copy_tree(&fixtures().join("_base"), hb.path());
        if name != "_base" {
            copy_tree(&fixtures().join(name), hb.path());
        }
        hb
    }

    /// The `broken-link` fixture with its bad links removed: a clean handbook with links of
    /// every kind (by id, id#anchor, relative path, control, URL, own anchor).
    pub fn linked() -> Handbook {
        let hb = Handbook::fixture("broken-link");
        let page = hb.read("content/policies/access.md");
        let fixed: String = page
            .lines()
            .take_while(|l| !l.starts_with("See the"))
            .map(|l| format!("{l}\n"))
            .collect();
        hb.write(
            "content/policies/access.md",
            fixed.replace("related: [POL-009, POL-404]", "related: [POL-009]"),
        );
        hb
    }

    /// A handbook made of a fixture alone, without the base.
    pub fn bare(name: &str) -> Handbook {
        let hb = Handbook::empty();
        copy_tree(&fixtures().join(name), hb.path());
        hb
    }

    /// A copy of the repository's own example handbook.
    pub fn example() -> Handbook {
        let hb = Handbook::empty();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        fs::copy(repo.join("ismsbook.toml"), hb.path().join("ismsbook.toml")).unwrap();
        fs::create_dir_all(hb.path().join("content")).unwrap();
        copy_tree(&repo.join("content"), &hb.path().join("content"));
        hb
    }

    pub fn empty() -> Handbook {
        Handbook {
            dir: tempfile::Builder::new()
                .prefix("ismsbook-test-")
                .tempdir()
                .unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let p = self.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
            .args(args)
            .arg("--root")
            .arg(self.path())
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

    /// `check --format json --today TODAY`.
    pub fn check(&self) -> Run {
        self.run(&["check", "--format", "json", "--today", TODAY])
    }

    pub fn check_human(&self) -> Run {
        self.run(&["check", "--today", TODAY])
    }

    pub fn build(&self) -> Run {
        self.run(&["build", "--today", TODAY])
    }

    /// Builds into `out` (under the handbook) with `extra` arguments; it must succeed.
    pub fn build_into(&self, out: &str, extra: &[&str]) -> PathBuf {
        let dir = self.path().join(out);
        let dir_arg = dir.to_string_lossy().into_owned();
        let mut args = vec!["build", "--today", TODAY, "--out", &dir_arg];
        args.extend_from_slice(extra);
        self.run(&args).assert_exit(0);
        dir
    }
}

/// A file's text; a test fails naming the file when it cannot be read.
pub fn read_file(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Clone)]
pub struct Diag {
    pub code: String,
    pub severity: String,
    pub location: String,
    pub message: String,
    pub help: String,
}

impl Run {
    pub fn assert_exit(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn diagnostics(&self) -> Vec<Diag> {
        let v: serde_json::Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr));
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
                let location = match (d["line"].as_u64(), d["column"].as_u64()) {
                    (Some(l), Some(c)) => format!("{}:{l}:{c}", s("file")),
                    _ => s("file"),
                };
                Diag {
                    code: s("code"),
                    severity: s("severity"),
                    location,
                    message: s("message"),
                    help: s("help"),
                }
            })
            .collect()
    }

    /// Asserts one diagnostic with this code at this `file:line:col` whose message or help
    /// contains `text`.
    pub fn assert_diagnostic(&self, code: &str, location: &str, text: &str) -> &Self {
        let all = self.diagnostics();
        let found = all.iter().any(|d| {
            d.code == code
                && d.location == location
                && (d.message.contains(text) || d.help.contains(text))
        });
        assert!(
            found,
            "no {code} at {location} mentioning {text:?} in:\n{all:#?}"
        );
        self
    }

    pub fn assert_codes(&self, expected: &[&str]) -> &Self {
        let mut codes: Vec<String> = self.diagnostics().into_iter().map(|d| d.code).collect();
        codes.sort();
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(codes, want, "{:#?}", self.diagnostics());
        self
    }

    pub fn assert_no_diagnostics(&self) -> &Self {
        self.assert_codes(&[])
    }
}

/// Runs git in the handbook with a fixed identity and date and no system or user
/// configuration, so commits are the same on every machine; fails the test if git does.
pub fn git(hb: &Handbook, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(hb.path())
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Author")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", "2026-03-01T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-03-01T10:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", hb.path())
        .output()
        .expect("git must be installed for the history tests");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn commit_all(hb: &Handbook, message: &str) {
    git(hb, &["add", "-A"]);
    git(hb, &["commit", "-q", "-m", message]);
}

/// An answer of `serve`, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// A raw HTTP/1.1 GET to `serve` on `port`: the path goes on the wire exactly as given.
pub fn get(port: u16, path: &str) -> Reply {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(40)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        headers: head.to_string(),
        body: body.to_string(),
    }
}
