//! Whether the browser tests can run, and what it means when they cannot: under CI (which
//! installs Chromium, see .ci/run) each one fails naming what is missing; elsewhere each one
//! is reported `skipped`, visibly, and not counted as passed.

use crate::harness::{Body, Test};
use crate::webdriver::{self, Driver};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const INSTALL: &str = "apt-get install chromium chromium-driver";
const AXE_MISSING: &str =
    "axe-core not found: `npm install --prefix target/axe axe-core@4` (as .ci/run does), or set AXE_CORE_JS";

/// What the chosen tests need, found once per run.
pub struct Tools {
    /// Chromium, or why it cannot be used.
    chromium: Result<PathBuf, String>,
    /// `Ok` when `driver` is running and has started Chromium once.
    webdriver: Result<(), String>,
    pub driver: Option<Driver>,
    ci: bool,
}

pub enum Verdict {
    Run,
    Skip(String),
    Fail(String),
}

/// `CI` as CI services set it (`true`, `1`, `yes`); empty, `0`, `false` and `no` are off.
pub fn ci_from(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no"
        )
    })
}

fn chromium() -> Result<PathBuf, String> {
    let path = webdriver::find("chromium").ok_or("chromium not found on PATH")?;
    match Command::new(&path).arg("--version").output() {
        Ok(out) if out.status.success() => Ok(path),
        Ok(out) => Err(format!(
            "{} --version failed ({}): {}",
            path.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run {}: {e}", path.display())),
    }
}

/// chromedriver, started, with one Chromium session opened and closed: found is not enough.
fn driver(chromium: &Path) -> Result<Driver, String> {
    let chromedriver = webdriver::find("chromedriver").ok_or("chromedriver not found on PATH")?;
    let driver = Driver::start(&chromedriver, chromium)?;
    drop(driver.session()?);
    Ok(driver)
}

impl Tools {
    pub fn find(chosen: &[&Test]) -> Tools {
        let needs = |f: fn(&Body) -> bool| chosen.iter().any(|t| f(&t.body));
        let unused = "not looked for: no chosen test needs it".to_string();
        let chromium = match needs(|b| !matches!(b, Body::Plain(_))) {
            true => chromium(),
            false => Err(unused.clone()),
        };
        let driver = match (
            &chromium,
            needs(|b| matches!(b, Body::WebDriver(_) | Body::Axe(_))),
        ) {
            (Ok(path), true) => driver(path),
            (Err(why), true) => Err(why.clone()),
            (_, false) => Err(unused),
        };
        let (webdriver, driver) = match driver {
            Ok(d) => (Ok(()), Some(d)),
            Err(why) => (Err(why), None),
        };
        Tools {
            chromium,
            webdriver,
            driver,
            ci: ci_from(std::env::var("CI").ok().as_deref()),
        }
    }
}

pub fn decide(missing: Result<(), &str>, ci: bool) -> Verdict {
    match missing {
        Ok(()) => Verdict::Run,
        Err(why) if ci => Verdict::Fail(format!(
            "{why}, and CI is set, where the browser tests must run: install them with `{INSTALL}`"
        )),
        Err(why) => Verdict::Skip(why.to_string()),
    }
}

pub fn verdict(body: &Body, tools: &Tools) -> Verdict {
    let missing: Result<(), String> = match body {
        Body::Plain(_) => Ok(()),
        Body::Chromium(_) => tools.chromium.as_ref().map(|_| ()).map_err(String::clone),
        Body::WebDriver(_) => tools.webdriver.clone(),
        Body::Axe(_) => tools.webdriver.clone().and_then(|()| {
            crate::theme::axe_js()
                .map(|_| ())
                .ok_or_else(|| AXE_MISSING.to_string())
        }),
    };
    decide(
        missing.as_ref().map(|_| ()).map_err(String::as_str),
        tools.ci,
    )
}

/// This binary again, on the browser tests only (`only`), with `path` as PATH and CI set or not.
fn rerun(only: fn(&Body) -> bool, path: &str, ci: bool) -> (i32, String, Vec<&'static str>) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    let mut names = Vec::new();
    for t in crate::GROUPS.iter().flat_map(|g| g.iter()) {
        match only(&t.body) && !t.name().starts_with("gate::") {
            true => names.push(t.name()),
            false => drop(cmd.args(["--skip", t.name()])),
        }
    }
    cmd.env("PATH", path).env_remove("CI");
    if ci {
        cmd.env("CI", "true");
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), stdout, names)
}

fn browser_test(b: &Body) -> bool {
    !matches!(b, Body::Plain(_))
}

fn without_chromium_under_ci_every_browser_test_fails_naming_what_to_install() {
    let (code, out, names) = rerun(browser_test, "/nonexistent", true);
    assert_eq!(code, 101, "{out}");
    assert!(names.len() >= 7, "{names:?}");
    for name in &names {
        assert!(
            out.contains(&format!("test {name} ... FAILED\n")),
            "{name}:\n{out}"
        );
        assert!(
            out.contains(&format!(
                "---- {name} ----\nchromium not found on PATH, and CI is set"
            )),
            "{out}"
        );
    }
    assert!(out.contains(INSTALL), "{out}");
    let summary = format!("test result: FAILED. 0 passed; {} failed;", names.len());
    assert!(out.contains(&summary), "{out}");
}

fn without_chromium_elsewhere_every_browser_test_says_skipped_and_none_passes() {
    let (code, out, names) = rerun(browser_test, "/nonexistent", false);
    assert_eq!(code, 0, "{out}");
    for name in &names {
        let line = format!("test {name} ... skipped: chromium not found on PATH\n");
        assert!(out.contains(&line), "{name}:\n{out}");
    }
    let n = names.len();
    assert!(
        out.contains(&format!(
            "{n} browser tests SKIPPED, not passed: install them with `{INSTALL}`"
        )),
        "{out}"
    );
    assert!(
        out.contains("test result: ok. 0 passed; 0 failed;"),
        "{out}"
    );
    assert!(out.contains(&format!("; {n} skipped;")), "{out}");
}

/// A chromedriver that is found but does not start is no better than none.
fn a_chromedriver_that_does_not_start_fails_the_webdriver_tests_under_ci() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("chromedriver");
    std::fs::write(&fake, "#!/bin/sh\nexit 3\n").unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap()
    );
    let (code, out, names) = rerun(|b| matches!(b, Body::WebDriver(_)), &path, true);
    assert_eq!(code, 101, "{out}");
    for name in &names {
        assert!(
            out.contains(&format!("test {name} ... FAILED\n")),
            "{name}:\n{out}"
        );
    }
    let why = format!(
        "---- {} ----\n{} exited (exit status: 3), and CI is set",
        names[0],
        fake.display()
    );
    assert!(out.contains(&why), "{out}");
}

fn ci_is_on_for_any_value_but_empty_0_false_and_no() {
    for on in ["true", "1", "yes", "TRUE", "github"] {
        assert!(ci_from(Some(on)), "{on}");
    }
    for off in [
        None,
        Some(""),
        Some("0"),
        Some("false"),
        Some("False"),
        Some("no"),
    ] {
        assert!(!ci_from(off), "{off:?}");
    }
    assert!(
        matches!(decide(Err("chromium not found on PATH"), true), Verdict::Fail(m) if m.contains(INSTALL))
    );
    assert!(matches!(
        decide(Err("chromium not found on PATH"), false),
        Verdict::Skip(_)
    ));
    assert!(matches!(decide(Ok(()), true), Verdict::Run));
}

pub const TESTS: &[Test] = &[
    test!(
        Plain,
        without_chromium_under_ci_every_browser_test_fails_naming_what_to_install
    ),
    test!(
        Plain,
        without_chromium_elsewhere_every_browser_test_says_skipped_and_none_passes
    ),
    test!(
        Chromium,
        a_chromedriver_that_does_not_start_fails_the_webdriver_tests_under_ci
    ),
    test!(Plain, ci_is_on_for_any_value_but_empty_0_false_and_no),
];
