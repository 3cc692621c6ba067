//! Dates from the environment: `SOURCE_DATE_EPOCH` is turned into today's date by the calendar
//! crate, and a value outside the years 0000-9999 is refused instead of wrapping around.

mod common;

use std::process::Command;

use common::{Handbook, Run};

/// `check --format json` with `SOURCE_DATE_EPOCH` set (the harness's `run` removes it).
fn check_at(hb: &Handbook, epoch: &str) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["check", "--format", "json", "--root"])
        .arg(hb.path())
        .env("SOURCE_DATE_EPOCH", epoch)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn source_date_epoch_is_the_utc_date_of_that_second() {
    let hb = Handbook::fixture("review-due-soon");
    // 2026-06-01T00:00:00Z and 23:59:59Z the same day: both are 2026-06-01, as `--today`.
    for epoch in ["1780272000", "1780358399", " 1780300000 "] {
        check_at(&hb, epoch)
            .assert_exit(0)
            .assert_codes(&["review-due-soon"])
            .assert_diagnostic(
                "review-due-soon",
                "content/soon.md:11:7",
                "due on 2026-06-20, in 19 days",
            );
    }
    // One second earlier is still 2026-05-31: one day more to go.
    check_at(&hb, "1780271999").assert_diagnostic(
        "review-due-soon",
        "content/soon.md:11:7",
        "in 20 days",
    );
}

#[test]
fn source_date_epoch_outside_the_calendar_is_refused_not_wrapped() {
    // Before, 99999999999999 became a date with a wrapped-around year and reported every
    // review as overdue by over a billion days; a negative one silently passed every review.
    let hb = Handbook::fixture("review-due-soon");
    for epoch in [
        "99999999999999",
        "-99999999999999",
        "9223372036854775807",
        "-9223372036854775808",
        "253402300800",
        "-62167219201",
    ] {
        let run = check_at(&hb, epoch);
        run.assert_exit(2);
        assert!(
            run.stderr.contains(&format!(
                "SOURCE_DATE_EPOCH `{epoch}` is not a time in the years 0000-9999"
            )),
            "{epoch}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("git log -1 --format=%ct"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    // The last and first seconds of the calendar are dates.
    check_at(&hb, "253402300799").assert_exit(1);
    check_at(&hb, "-62167219200").assert_exit(0);
}

#[test]
fn source_date_epoch_that_is_not_a_number_is_refused() {
    let run = check_at(&Handbook::fixture("_base"), "2026-06-01");
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("SOURCE_DATE_EPOCH must be a number of seconds, not `2026-06-01`"),
        "{}",
        run.stderr
    );
}

/// Runs git in the handbook with a fixed identity and no system or user configuration.
fn git(hb: &Handbook, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
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
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.unwrap_or("").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_commit_time_outside_the_calendar_shows_no_date_on_the_history() {
    // Before, a forged committer time of i64::MAX seconds printed as year 219250468.
    let hb = Handbook::fixture("_base");
    let approved = hb.read("content/baseline.md");
    // A first commit with an edit, then a forged one back to the approved text.
    hb.write("content/baseline.md", approved.clone() + "\nMore.\n");
    git(&hb, &["init", "-q"], None);
    git(&hb, &["add", "-A"], None);
    git(&hb, &["commit", "-qm", "first"], None);
    hb.write("content/baseline.md", &approved);
    git(&hb, &["add", "-A"], None);
    let tree = git(&hb, &["write-tree"], None);
    let parent = git(&hb, &["rev-parse", "HEAD"], None);
    let forged = format!(
        "tree {tree}\nparent {parent}\nauthor Eve <e@example.com> 9223372036854775807 +0000\n\
         committer Eve <e@example.com> 9223372036854775807 +0000\n\nforged time\n"
    );
    let commit = git(
        &hb,
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--stdin",
            "--literally",
        ],
        Some(&forged),
    );
    git(&hb, &["update-ref", "HEAD", &commit], None);

    hb.build().assert_exit(0);
    let page = hb.read("public/documents/BASE-01.html");
    let row = |id: &str| {
        let at = page.find(&format!("<code>{}</code>", &id[..7])).unwrap();
        page[at..].split("</tr>").next().unwrap().to_string()
    };
    assert!(
        row(&commit).contains("</code></td><td></td><td>Eve</td>"),
        "{}",
        row(&commit)
    );
    assert!(
        row(&parent).contains("<td>2026-03-01</td>"),
        "{}",
        row(&parent)
    );
    assert!(!page.contains("219250468"));
}

#[test]
fn serve_refuses_a_source_date_epoch_outside_the_calendar_like_build() {
    let hb = Handbook::fixture("_base");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["serve", "--port", "0", "--root"])
        .arg(hb.path())
        .env("SOURCE_DATE_EPOCH", "99999999999999")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A serve that accepted the value would run until stopped: give it ten seconds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(2),
        "serve started: {stderr}"
    );
    assert!(stderr.contains("SOURCE_DATE_EPOCH"), "{stderr}");
}
