//! The browser binary's own test runner (`harness = false`), speaking libtest's language:
//! `test NAME ... ok`, filters, `--exact`, `--skip`, `--list`, `--test-threads`, and the
//! `test result:` line that `.ci/run` adds up. libtest has no "skipped": a test that returns
//! early is counted as passed and what it prints is swallowed. This runner prints
//! `test NAME ... skipped: chromium not found on PATH` and leaves skipped tests out of the
//! passed count, so a run without a browser cannot look like a run with one.

use crate::gate::{self, Tools, Verdict};
use crate::webdriver::Browser;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a test needs besides the `ismsbook` binary.
pub enum Body {
    /// Nothing: a test of the harness itself.
    Plain(fn()),
    /// Chromium on PATH (`ismsbook build --pdf` runs it).
    Chromium(fn()),
    /// A WebDriver session: its own headless Chromium.
    WebDriver(fn(&Browser)),
    /// A WebDriver session and axe-core's `axe.min.js` (installed from npm by `.ci/run`).
    Axe(fn(&Browser)),
}

pub struct Test {
    pub name: &'static str,
    pub body: Body,
}

/// `test!(WebDriver, fn_name)`: a test named `module::fn_name`, as libtest would name it.
macro_rules! test {
    ($kind:ident, $f:ident) => {
        $crate::harness::Test {
            name: concat!(module_path!(), "::", stringify!($f)),
            body: $crate::harness::Body::$kind($f),
        }
    };
}

impl Test {
    /// The name without the crate's, as libtest prints it.
    pub fn name(&self) -> &'static str {
        self.name.strip_prefix("browser::").unwrap_or(self.name)
    }
}

#[derive(Default)]
struct Args {
    filters: Vec<String>,
    skip: Vec<String>,
    exact: bool,
    list: bool,
    terse: bool,
    none: bool,
    threads: Option<usize>,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args::default();
    while let Some(arg) = argv.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| argv.next())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--exact" => a.exact = true,
            "--list" => a.list = true,
            "--skip" => a.skip.push(value()?),
            "--format" => match value()?.as_str() {
                "pretty" => a.terse = false,
                "terse" => a.terse = true,
                other => {
                    return Err(format!(
                        "--format {other}: this runner prints pretty or terse"
                    ))
                }
            },
            "--test-threads" => {
                a.threads = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--test-threads takes a number")?,
                )
            }
            // `--ignored`: no test here is #[ignore]d. `--bench`: `cargo bench` runs test
            // binaries for their benchmarks, and there are none.
            "--ignored" | "--bench" => a.none = true,
            "--color" | "--logfile" | "--shuffle-seed" | "-Z" => drop(value()?),
            "--include-ignored" | "--nocapture" | "--no-capture" | "--show-output" | "-q"
            | "--quiet" | "--test" | "--report-time" | "--shuffle" => {}
            f if f.starts_with('-') => return Err(format!("unrecognised option {f}")),
            _ => a.filters.push(arg),
        }
    }
    Ok(a)
}

impl Args {
    fn selects(&self, name: &str) -> bool {
        let hit = |f: &String| {
            if self.exact {
                name == f
            } else {
                name.contains(f.as_str())
            }
        };
        !self.none
            && (self.filters.is_empty() || self.filters.iter().any(hit))
            && !self.skip.iter().any(hit)
    }
}

enum Outcome {
    Ok,
    Skipped(String),
    Failed(String),
}

/// Runs one test body (on its own thread, named after the test, so a panic names it).
fn run(test: &Test, tools: &Tools) -> Outcome {
    let result = catch_unwind(AssertUnwindSafe(|| match &test.body {
        Body::Plain(f) | Body::Chromium(f) => f(),
        Body::WebDriver(f) | Body::Axe(f) => {
            let driver = tools
                .driver
                .as_ref()
                .expect("the gate started chromedriver");
            let browser = driver
                .session()
                .unwrap_or_else(|e| panic!("no browser session: {e}"));
            f(&browser)
        }
    }));
    match result {
        Ok(()) => Outcome::Ok,
        Err(payload) => Outcome::Failed(
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into()),
        ),
    }
}

/// The whole run; returns the exit code (101 on failure, as libtest).
pub fn main(groups: &[&[Test]]) -> i32 {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return 101;
        }
    };
    let all: Vec<&Test> = groups.iter().flat_map(|g| g.iter()).collect();
    let chosen: Vec<&Test> = all
        .iter()
        .copied()
        .filter(|t| args.selects(t.name()))
        .collect();
    if args.list {
        for t in &chosen {
            println!("{}: test", t.name());
        }
        if !args.terse {
            println!("\n{} tests, 0 benchmarks", chosen.len());
        }
        return 0;
    }
    let started = Instant::now();
    // Looked for once, and only when a chosen test needs them; the driver lives until the end.
    let tools = Tools::find(&chosen);
    println!("\nrunning {} test{}", chosen.len(), plural(chosen.len()));
    let threads = args
        .threads
        .or_else(|| std::env::var("RUST_TEST_THREADS").ok()?.parse().ok());
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let results = run_all(&chosen, &tools, threads.max(1));
    drop(tools);
    report(&results, all.len() - chosen.len(), started.elapsed())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_line(name: &str, outcome: &Outcome) {
    match outcome {
        Outcome::Ok => println!("test {name} ... ok"),
        Outcome::Skipped(why) => println!("test {name} ... skipped: {why}"),
        Outcome::Failed(_) => println!("test {name} ... FAILED"),
    }
}

/// Up to `threads` tests at once; each line is printed whole when its test ends.
fn run_all(chosen: &[&Test], tools: &Tools, threads: usize) -> Vec<(&'static str, Outcome)> {
    let mut results = Vec::new();
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        let mut running = 0;
        let mut queue = chosen.iter();
        loop {
            while running < threads {
                let Some(test) = queue.next() else { break };
                match gate::verdict(&test.body, tools) {
                    Verdict::Run => {}
                    Verdict::Skip(why) => {
                        print_line(test.name(), &Outcome::Skipped(why.clone()));
                        results.push((test.name(), Outcome::Skipped(why)));
                        continue;
                    }
                    Verdict::Fail(why) => {
                        print_line(test.name(), &Outcome::Failed(why.clone()));
                        results.push((test.name(), Outcome::Failed(why)));
                        continue;
                    }
                }
                let tx = tx.clone();
                std::thread::Builder::new()
                    .name(test.name().into())
                    .spawn_scoped(scope, move || tx.send((test.name(), run(test, tools))))
                    .expect("a thread for the test");
                running += 1;
            }
            if running == 0 {
                break;
            }
            let (name, outcome) = rx.recv().expect("a running test reports");
            running -= 1;
            print_line(name, &outcome);
            results.push((name, outcome));
        }
    });
    results
}

fn report(results: &[(&str, Outcome)], filtered: usize, took: Duration) -> i32 {
    let count = |f: fn(&Outcome) -> bool| results.iter().filter(|(_, o)| f(o)).count();
    let passed = count(|o| matches!(o, Outcome::Ok));
    let skipped = count(|o| matches!(o, Outcome::Skipped(_)));
    let failed: Vec<_> = results
        .iter()
        .filter_map(|(n, o)| match o {
            Outcome::Failed(why) => Some((n, why)),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        println!("\nfailures:\n");
        for (name, why) in &failed {
            println!("---- {name} ----\n{why}\n");
        }
        println!("failures:");
        for (name, _) in &failed {
            println!("    {name}");
        }
    }
    if skipped > 0 {
        println!(
            "\n{skipped} browser test{} SKIPPED, not passed: install them with `{}` (with CI=true they fail instead)",
            plural(skipped),
            gate::INSTALL
        );
    }
    let verdict = if failed.is_empty() { "ok" } else { "FAILED" };
    // `.ci/run` adds up the 4th (passed) and 6th (failed) words of this line.
    println!(
        "\ntest result: {verdict}. {passed} passed; {} failed; 0 ignored; 0 measured; {filtered} filtered out; {skipped} skipped; finished in {:.2}s\n",
        failed.len(),
        took.as_secs_f64()
    );
    if failed.is_empty() {
        0
    } else {
        101
    }
}
