//! Runs a handbook held in memory through the same library calls as `ismsbook check`
//! (load, validate, the human and JSON printers) and states what must hold for any input.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ismsbook::check;
use ismsbook::core::diagnostics::{self, Diagnostic};
use ismsbook::core::types::Date;
use ismsbook::load::{self, Keep, LoadError, Source};
use proptest::test_runner::{Config, TestCaseError};

pub const TODAY: &str = "2026-06-01";
pub const DOC: &str = "content/fuzz/doc.md";
pub const SOA: &str = "content/soa.yaml";
pub const CONFIG: &str = "ismsbook.toml";

/// Cases per property: 256 keeps the whole binary near 20 s in a debug build on two busy
/// cores (CI); `ISMSBOOK_FUZZ_CASES=50000 cargo test --release --test fuzz` for a long run.
pub fn config() -> Config {
    let cases = std::env::var("ISMSBOOK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        // A failing case is shrunk, but not for ever: big inputs make each step slow.
        max_shrink_iters: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A handbook as bytes: the configuration and every file under `content/`.
#[derive(Clone, Debug)]
pub struct Mem {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Mem {
    /// The fixture `_base`: a valid configuration and one approved document covering every
    /// control and clause, so a generated file is the only thing that can be wrong.
    pub fn base() -> Mem {
        static BASE: OnceLock<Mem> = OnceLock::new();
        BASE.get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/_base");
            let mut files = BTreeMap::new();
            for rel in [CONFIG, "content/baseline.md"] {
                files.insert(PathBuf::from(rel), std::fs::read(dir.join(rel)).unwrap());
            }
            Mem { files }
        })
        .clone()
    }

    pub fn with(mut self, rel: &str, bytes: impl Into<Vec<u8>>) -> Mem {
        self.files.insert(PathBuf::from(rel), bytes.into());
        self
    }
}

impl Source for Mem {
    fn read_config(&self) -> io::Result<Vec<u8>> {
        self.read(Path::new(CONFIG))
    }

    fn list_content(&self) -> Result<(Vec<PathBuf>, Vec<Diagnostic>), LoadError> {
        let files = self
            .files
            .keys()
            .filter(|p| p.starts_with(load::CONTENT_DIR))
            .cloned()
            .collect();
        Ok((files, Vec::new()))
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    fn read_at_most(&self, path: &Path, max: u64) -> io::Result<Result<Vec<u8>, u64>> {
        let bytes = self.read(path)?;
        Ok(match bytes.len() as u64 {
            n if n > max => Err(n),
            _ => Ok(bytes),
        })
    }
}

/// What `check` shows a user: the diagnostics, printed both ways.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub diags: Vec<Diagnostic>,
    pub human: String,
    pub json: String,
    pub took: Duration,
    /// Bytes of every file checked.
    pub input: usize,
}

impl Outcome {
    pub fn errors(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    pub fn has(&self, code: &str) -> bool {
        self.diags.iter().any(|d| d.code.as_str() == code)
    }
}

/// `ismsbook check`, minus the disk: load, validate, and print like `cli::report`.
pub fn check(mem: &Mem) -> Outcome {
    let started = Instant::now();
    let today: Date = TODAY.parse().unwrap();
    let hb = load::load(Path::new("/fuzz"), mem, today, Keep::Bodies).expect("config present");
    let checked = check::check(&hb);
    let reread: BTreeMap<PathBuf, String> = checked
        .diagnostics
        .iter()
        .filter_map(|d| Some((d.file.clone(), ismsbook::load::reread(&hb, mem, &d.file)?)))
        .collect();
    let text_of = |p: &Path| {
        reread
            .get(p)
            .map(String::as_str)
            .or_else(|| ismsbook::load::kept_text(&hb, p))
    };
    let mut human = Vec::new();
    diagnostics::print_human(&mut human, &checked.diagnostics, &text_of, false).unwrap();
    let json = diagnostics::to_json(&checked.diagnostics);
    Outcome {
        diags: checked.diagnostics,
        human: String::from_utf8(human).expect("human output is UTF-8"),
        json,
        took: started.elapsed(),
        input: mem.files.values().map(Vec::len).sum(),
    }
}

/// Lines of a file as an editor counts them (`\n`, `\r\n`), BOM or not, UTF-8 or not.
fn line_lengths(bytes: &[u8]) -> Vec<usize> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut lines: Vec<usize> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').chars().count())
        .collect();
    if lines.is_empty() {
        lines.push(0);
    }
    lines
}

/// Checks `mem` twice and asserts what holds for any input: no panic (a panic fails the case),
/// every span inside its file, the same output both times.
pub fn check_sane(mem: &Mem) -> Result<Outcome, TestCaseError> {
    let first = check(mem);
    // Generous, for a debug build on a busy machine: this catches hangs, not slowness.
    proptest::prop_assert!(
        first.took < Duration::from_secs(30),
        "took {:?} for {} bytes",
        first.took,
        first.input
    );
    for d in &first.diags {
        let (Some(span), Some(bytes)) = (d.span, mem.files.get(&d.file)) else {
            continue;
        };
        let lines = line_lengths(bytes);
        let at = d.location();
        proptest::prop_assert!(
            span.line >= 1 && span.line as usize <= lines.len(),
            "{at}: line outside the file's {} lines: {d:?}",
            lines.len()
        );
        let width = lines[span.line as usize - 1];
        proptest::prop_assert!(
            span.col >= 1 && span.col as usize <= width + 1,
            "{at}: column past the end of a line of {width} characters: {d:?}"
        );
        proptest::prop_assert!(!d.message.is_empty(), "{at}: empty message");
    }
    // A file that is not text is an error about that file, never skipped in silence.
    for (path, bytes) in &mem.files {
        if std::str::from_utf8(bytes).is_err() {
            proptest::prop_assert!(
                first.diags.iter().any(|d| d.is_error() && &d.file == path),
                "{} is not UTF-8, yet no error names it",
                path.display()
            );
        }
    }
    let second = check(mem);
    proptest::prop_assert_eq!(
        &first.diags,
        &second.diags,
        "diagnostics differ between runs"
    );
    proptest::prop_assert_eq!(&first.human, &second.human);
    proptest::prop_assert_eq!(&first.json, &second.json);
    Ok(first)
}

/// Counts cases per target, printed at the end of a run (`--nocapture`) for the report.
pub struct Tally {
    name: &'static str,
    cases: usize,
    with_errors: usize,
    bytes: usize,
    slowest: Duration,
    slowest_bytes: usize,
}

impl Tally {
    pub fn new(name: &'static str) -> Tally {
        Tally {
            name,
            cases: 0,
            with_errors: 0,
            bytes: 0,
            slowest: Duration::ZERO,
            slowest_bytes: 0,
        }
    }

    pub fn add(&mut self, outcome: &Outcome) {
        self.cases += 1;
        self.with_errors += usize::from(outcome.errors() > 0);
        self.bytes += outcome.input;
        if outcome.took > self.slowest {
            self.slowest = outcome.took;
            self.slowest_bytes = outcome.input;
        }
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        eprintln!(
            "fuzz {}: {} inputs ({} with errors), {} KiB checked, slowest {} ms ({} KiB)",
            self.name,
            self.cases,
            self.with_errors,
            self.bytes / 1024,
            self.slowest.as_millis(),
            self.slowest_bytes / 1024
        );
    }
}
