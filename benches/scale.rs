//! Speed at scale, measured side by side: `cargo bench --bench scale`.
//!
//! Generates realistic handbooks (about 700 words a document: headings, lists, a table, a
//! footnote, links by id to three other documents, two Annex A controls each, all 93
//! covered, every document approved with a valid digest) and the same Markdown bodies as a
//! Hugo site, then reports:
//! - cold `build` and `check` at 1,000 and 10,000 documents, and Hugo on the same Markdown,
//!   run alternately (A B A B …) so that drift of a shared machine hits both; and the build
//!   of the same documents without the Part 2 data, beside Hugo again;
//! - peak memory (GNU time's maximum resident set size);
//! - the cost of git history at 1,000 documents and 5,000 commits, against
//!   `git log --name-status` over the same repository;
//! - the time from saving a file to the reload event of `serve`;
//! - `check` on pathological inputs (a 4 MB table, deep HTML, thousands of broken links …)
//!   at two sizes each, whose times should be in proportion (see `scale/cost.rs`).
//!
//! Options: `-- --sizes 1000,10000 --commits 5000 --runs 5 [--huge] [--keep] [--only build|cost|serve]`
//! (`--huge` adds 100,000 documents; `--keep` leaves the generated corpora in the temporary
//! directory, for profiling; `--only cost` runs the pathological inputs alone, `--only serve`
//! the preview's latency alone, `--only build` the build, check, search and bundle tables
//! alone). Every corpus carries Part 2 data (see `scale/part2.rs`).
//! Nothing here asserts a figure.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "scale/cost.rs"]
mod cost;
#[path = "scale/part2.rs"]
mod part2;

const TODAY: &str = "2026-11-23";
const PREFIXES: [&str; 5] = ["POL", "PRO", "STD", "GDL", "PLN"];
const TYPES: [&str; 5] = ["policy", "procedure", "standard", "guideline", "plan"];
const WORDS: &[&str] = &[
    "access",
    "asset",
    "backup",
    "control",
    "data",
    "encryption",
    "incident",
    "information",
    "key",
    "log",
    "management",
    "network",
    "owner",
    "password",
    "policy",
    "process",
    "record",
    "review",
    "risk",
    "role",
    "security",
    "service",
    "staff",
    "supplier",
    "system",
    "test",
    "the",
    "and",
    "of",
    "to",
    "for",
    "with",
    "each",
    "every",
    "must",
    "should",
    "is",
    "are",
    "be",
    "kept",
    "checked",
    "approved",
    "monthly",
    "yearly",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[self.below(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Ids hold at most four digits, so past 49,995 documents each type gets more prefixes
/// (`POLB-0001` …), as a group with many subsidiaries numbers its documents.
fn id(i: usize) -> String {
    let (series, n) = (i / 49_995, i % 49_995);
    let suffix = ["", "B", "C", "D", "E", "F", "G", "H"][series];
    format!("{}{suffix}-{:04}", PREFIXES[n % 5], n / 5 + 1)
}

fn controls() -> Vec<String> {
    let tsv = include_str!("../src/core/catalog/annex-a-2022.tsv");
    tsv.lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

fn body(i: usize, n: usize, rng: &mut Rng) -> String {
    let mut b = String::new();
    let links: Vec<String> = (0..3).map(|_| id(rng.below(n))).collect();
    writeln!(b, "\n# Document {i}\n").unwrap();
    for section in 0..5 {
        writeln!(b, "## Section {section}: {}\n", rng.words(3)).unwrap();
        writeln!(b, "{}.\n", rng.words(60)).unwrap();
        match section {
            1 => {
                for _ in 0..5 {
                    writeln!(b, "- {}", rng.words(8)).unwrap();
                }
                writeln!(b).unwrap();
            }
            2 => {
                writeln!(b, "| Item | Owner | Frequency |\n| --- | --- | --- |").unwrap();
                for _ in 0..4 {
                    writeln!(
                        b,
                        "| {} | {} | {} |",
                        rng.words(2),
                        rng.words(1),
                        rng.words(1)
                    )
                    .unwrap();
                }
                writeln!(b).unwrap();
            }
            3 => writeln!(
                b,
                "See [{}]({}), [{}]({}) and [{}]({}).[^1]\n",
                links[0], links[0], links[1], links[1], links[2], links[2]
            )
            .unwrap(),
            _ => writeln!(b, "{}.\n", rng.words(50)).unwrap(),
        }
    }
    writeln!(b, "[^1]: {}.", rng.words(12)).unwrap();
    b
}

/// Writes an ismsbook handbook of `n` documents at `dir` and the same bodies as a Hugo site
/// at `hugo`.
fn corpus(dir: &Path, hugo: &Path, n: usize) {
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(hugo);
    std::fs::create_dir_all(dir.join("content/docs")).unwrap();
    std::fs::create_dir_all(hugo.join("content/docs")).unwrap();
    std::fs::create_dir_all(hugo.join("layouts/_default")).unwrap();
    std::fs::write(
        dir.join("ismsbook.toml"),
        format!("[handbook]\ntitle = \"Benchmark Handbook\"\norganization = \"Scale Ltd\"\n[roles]\nCISO = \"CISO\"\nCEO = \"CEO\"\n[approval]\nroles = [\"CEO\"]\n{}", part2::CONFIG),
    )
    .unwrap();
    std::fs::write(hugo.join("config.toml"), "baseURL = \"/\"\ntitle = \"Benchmark\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n").unwrap();
    std::fs::write(hugo.join("layouts/_default/single.html"), "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>\n").unwrap();
    std::fs::write(hugo.join("layouts/_default/list.html"), "<!DOCTYPE html><html><body><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n").unwrap();
    let all = controls();
    part2::write(dir, &all);
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for i in 0..n {
        let b = body(i, n, &mut rng);
        let digest = ismsbook::load::body_digest(&b);
        let (c1, c2) = (&all[(2 * i) % 93], &all[(2 * i + 1) % 93]);
        let front = format!(
            "---\nid: {}\ntitle: Document {i} {}\ntype: {}\nversion: \"1.0\"\nstatus: approved\nowner: CISO\nclassification: internal\neffective: 2026-06-01\nreview:\n  last: 2026-06-01\napprovals:\n  - version: \"1.0\"\n    by: Bench Approver\n    role: CEO\n    date: 2026-05-30\n    digest: {digest}\ncontrols: [{c1}, {c2}]\ntags: [rev-0]\n---\n",
            id(i),
            rng.words(3),
            TYPES[i % 5],
        );
        std::fs::write(
            dir.join(format!("content/docs/doc-{i:05}.md")),
            format!("{front}{b}"),
        )
        .unwrap();
        std::fs::write(
            hugo.join(format!("content/docs/doc-{i:05}.md")),
            format!("---\ntitle: \"Document {i}\"\n---\n{b}"),
        )
        .unwrap();
    }
}

/// The documents of the handbook at `dir`, alone at `to`: its Markdown without the Part 2
/// data (risks, nonconformities, records, frameworks), which Hugo's site has no part of.
fn documents_only(dir: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to.join("content/docs")).unwrap();
    let config = std::fs::read_to_string(dir.join("ismsbook.toml")).unwrap();
    let config = config
        .strip_suffix(part2::CONFIG)
        .expect("the corpus's configuration");
    std::fs::write(to.join("ismsbook.toml"), config).unwrap();
    for entry in std::fs::read_dir(dir.join("content/docs")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            to.join("content/docs").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
}

/// Puts the handbook in a git repository with `commits` commits, each after the first
/// touching one random document's front matter (so approvals stay valid), via fast-import.
fn git_history(dir: &Path, n: usize, commits: usize) {
    let run = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    run(&["init", "-q", "-b", "main"]);
    let mut stream = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "ismsbook.toml".into(),
        std::fs::read(dir.join("ismsbook.toml")).unwrap(),
    )];
    for i in 0..n {
        let p = format!("content/docs/doc-{i:05}.md");
        files.push((p.clone(), std::fs::read(dir.join(&p)).unwrap()));
    }
    let mut rng = Rng(42);
    for c in 0..commits {
        let time = 1_700_000_000 + c * 3600;
        write!(stream, "commit refs/heads/main\nauthor Bench <b@example.com> {time} +0000\ncommitter Bench <b@example.com> {time} +0000\ndata <<EOM\nChange {c}\nEOM\n").unwrap();
        let changed: Vec<usize> = if c == 0 {
            (0..files.len()).collect()
        } else {
            vec![1 + rng.below(n)]
        };
        for k in changed {
            if c > 0 {
                let text = String::from_utf8(files[k].1.clone()).unwrap();
                let next = text.replacen(
                    &format!("tags: [rev-{}]", c - 1),
                    &format!("tags: [rev-{c}]"),
                    1,
                );
                let next = if next == text {
                    text.replacen("tags: [rev-", &format!("tags: [rev-{c}-"), 1)
                } else {
                    next
                };
                files[k].1 = next.into_bytes();
            }
            write!(
                stream,
                "M 100644 inline {}\ndata {}\n",
                files[k].0,
                files[k].1.len()
            )
            .unwrap();
            stream.extend_from_slice(&files[k].1);
            stream.push(b'\n');
        }
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
    run(&["reset", "-q", "--hard", "main"]);
    // A release tag a fifth of the way back: builds then also label the version with it and
    // compare with it for the changes page, as a real handbook's would.
    let back = format!("HEAD~{}", commits / 5);
    run(&["tag", "v2026.1", &back]);
}

struct Sample {
    wall: f64,
    peak_mb: Option<f64>,
}

/// Runs a command once under GNU time when present, for its wall time and peak memory.
fn measure(cmd: &[String]) -> Sample {
    let time = Path::new("/usr/bin/time");
    let started = Instant::now();
    let out = if time.is_file() {
        Command::new(time)
            .arg("-f")
            .arg("%M")
            .args(cmd)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    } else {
        Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    };
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_mb = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    Sample { wall, peak_mb }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A and B alternately, `runs` times each; medians, and the median of the pairwise ratios.
fn versus(
    a: &[String],
    b: Option<&[String]>,
    runs: usize,
) -> (f64, Option<f64>, Option<f64>, Option<f64>) {
    let (mut aw, mut bw, mut ratios, mut peak) = (Vec::new(), Vec::new(), Vec::new(), None::<f64>);
    measure(a); // warm-up: page cache
    if let Some(b) = b {
        measure(b);
    }
    for _ in 0..runs {
        let s = measure(a);
        peak = s.peak_mb.map(|p| peak.map_or(p, |q: f64| q.max(p)));
        aw.push(s.wall);
        if let Some(b) = b {
            let t = measure(b);
            ratios.push(s.wall / t.wall);
            bw.push(t.wall);
        }
    }
    let b_med = (!bw.is_empty()).then(|| median(bw));
    let ratio = (!ratios.is_empty()).then(|| median(ratios));
    (median(aw), b_med, ratio, peak)
}

/// Milliseconds from saving a document to the reload event, and to the register's page
/// (asked for at the reload event, answered once the listings are written), for each of
/// `edits` saves that rewrite one line with `edit(k)`.
fn serve_latency(
    bin: &str,
    dir: &Path,
    edits: usize,
    edit: impl Fn(&str, usize) -> String,
) -> Vec<(f64, f64)> {
    let mut child = Command::new(bin)
        .args(["serve", "--port", "0", "--today", TODAY, "--root"])
        .arg(dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest
                .trim_end_matches('/')
                .split(' ')
                .next()
                .unwrap()
                .trim_end_matches('/')
                .parse()
                .unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let poll = move |since: u64| -> u64 {
        let text =
            String::from_utf8(get(port, &format!("/__ismsbook/poll?since={since}"))).unwrap();
        let at = text.find("\"generation\":").unwrap() + 13;
        text[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let register = move || -> Instant {
        let page = get(port, "/documents/index.html");
        assert!(page.starts_with(b"HTTP/1.1 200"), "the register is served");
        Instant::now()
    };
    poll(0);
    let target = dir.join("content/docs/doc-00007.md");
    let original = std::fs::read_to_string(&target).unwrap();
    let mut times = Vec::new();
    for k in 0..edits {
        std::thread::sleep(Duration::from_millis(300));
        // The current generation, then wait for the next: one edit, one measurement.
        let generation = poll(0);
        let waiter = std::thread::spawn(move || {
            poll(generation);
            let reloaded = Instant::now();
            (reloaded, register())
        });
        std::thread::sleep(Duration::from_millis(100));
        let saved = Instant::now();
        std::fs::write(&target, edit(&original, k)).unwrap();
        let (reloaded, listed) = waiter.join().unwrap();
        let ms = |t: Instant| (t - saved).as_secs_f64() * 1000.0;
        times.push((ms(reloaded), ms(listed)));
    }
    std::fs::write(&target, original).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    times
}

/// The whole answer of `serve` on `port` to a GET of `path`.
fn get(port: u16, path: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    answer
}

/// What search.html loads before a query (the page, its styles, scripts and icon), in bytes;
/// the number of shards under search/ and the largest, loaded only for the words searched.
fn search_first_load(out: &Path) -> (u64, usize, u64) {
    let size = |p: &str| std::fs::metadata(out.join(p)).map_or(0, |m| m.len());
    let first = [
        "search.html",
        "static/style.css",
        "static/tables.js",
        "static/theme.js",
        "static/search.js",
        "static/stemmer-english.js",
        "static/favicon.svg",
    ]
    .iter()
    .map(|p| size(p))
    .sum();
    let shards: Vec<u64> = std::fs::read_dir(out.join("search"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .collect()
        })
        .unwrap_or_default();
    (
        first,
        shards.len(),
        shards.iter().copied().max().unwrap_or(0),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let mut sizes: Vec<usize> = opt("--sizes", "1000,10000")
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    // 100,000 documents take minutes to generate and measure: asked for by name.
    if args.iter().any(|a| a == "--huge") {
        sizes.push(100_000);
    }
    let keep = args.iter().any(|a| a == "--keep");
    let commits: usize = opt("--commits", "5000").parse().unwrap();
    let runs: usize = opt("--runs", "5").parse().unwrap();
    let bin = env!("CARGO_BIN_EXE_ismsbook");
    let base = std::env::temp_dir().join("ismsbook-bench");
    if opt("--only", "") == "cost" {
        cost::run(bin, &base, runs);
        return;
    }
    if opt("--only", "") == "serve" {
        for &n in &sizes {
            let dir = base.join(format!("handbook-{n}"));
            corpus(&dir, &base.join(format!("hugo-{n}")), n);
            serve_table(bin, &dir, n, &edit_kinds());
        }
        return;
    }
    // Both generators write their output to memory (tmpfs) when the machine has one, so the
    // comparison measures them, not the disk: a shared disk's latency swings by 3x here.
    let out_base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm/ismsbook-bench-out")
    } else {
        base.join("out")
    };
    let hugo_bin = Command::new("hugo")
        .arg("version")
        .output()
        .is_ok()
        .then_some("hugo");
    println!(
        "machine: {} cores; runs: {runs} each, alternating; medians; output written to {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        out_base.display()
    );
    println!();
    println!("| documents | ismsbook build | ismsbook check | hugo | build / hugo | peak memory (build) |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut build_times = Vec::new();
    let mut bundles = Vec::new();
    let mut first_loads = Vec::new();
    let mut documents_alone = Vec::new();
    for &n in &sizes {
        let dir = base.join(format!("handbook-{n}"));
        let hugo = base.join(format!("hugo-{n}"));
        corpus(&dir, &hugo, n);
        let out = out_base.join(format!("out-{n}"));
        let build: Vec<String> = [bin, "build", "--today", TODAY, "--root"]
            .iter()
            .map(|s| s.to_string())
            .chain([
                dir.display().to_string(),
                "--out".into(),
                out.display().to_string(),
            ])
            .collect();
        let check: Vec<String> = [bin, "check", "--today", TODAY, "--root"]
            .iter()
            .map(|s| s.to_string())
            .chain([dir.display().to_string()])
            .collect();
        let hugo_cmd: Option<Vec<String>> = hugo_bin.map(|h| {
            strings(&[
                h,
                "--quiet",
                "--source",
                &hugo.display().to_string(),
                "--destination",
                &out_base.join(format!("hugo-out-{n}")).display().to_string(),
            ])
        });
        let runs = if n > 10_000 { runs.min(3) } else { runs };
        let (b, h, ratio, peak) = versus(&build, hugo_cmd.as_deref(), runs);
        let (c, _, _, _) = versus(&check, None, runs);
        if n <= 10_000 {
            let zip = out_base.join(format!("bundle-{n}.zip"));
            let bundle: Vec<String> = strings(&[
                bin,
                "bundle",
                "--today",
                TODAY,
                "--root",
                &dir.display().to_string(),
                "--output",
                &zip.display().to_string(),
            ]);
            bundles.push((n, versus(&bundle, Some(&build), runs)));
        }
        build_times.push(b);
        first_loads.push((n, search_first_load(&out)));
        // After the search figures, which are of the handbook with its Part 2 data.
        if n <= 10_000 {
            let only = base.join(format!("documents-only-{n}"));
            documents_only(&dir, &only);
            let mut build = build.clone();
            build[5] = only.display().to_string();
            let (b, h, ratio, _) = versus(&build, hugo_cmd.as_deref(), runs);
            documents_alone.push((n, b, h, ratio));
            if !keep {
                let _ = std::fs::remove_dir_all(&only);
            }
        }
        println!(
            "| {n} | {b:.3} s | {c:.3} s | {} | {} | {} |",
            h.map_or("n/a".into(), |h| format!("{h:.3} s")),
            ratio.map_or("n/a".into(), |r| format!("{r:.2}")),
            peak.map_or("n/a".into(), |p| format!("{p:.0} MB")),
        );
    }
    println!("\n| documents, without Part 2 data | ismsbook build | hugo | build / hugo |\n| ---: | ---: | ---: | ---: |");
    for (n, b, h, ratio) in &documents_alone {
        println!(
            "| {n} | {b:.3} s | {} | {} |",
            h.map_or("n/a".into(), |h| format!("{h:.3} s")),
            ratio.map_or("n/a".into(), |r| format!("{r:.2}")),
        );
    }
    println!("\n| documents | search first load | search shards | largest shard |\n| ---: | ---: | ---: | ---: |");
    for (n, (first, shards, largest)) in &first_loads {
        println!(
            "| {n} | {:.0} KB | {shards} | {:.0} KB |",
            *first as f64 / 1024.0,
            *largest as f64 / 1024.0
        );
    }
    if build_times.len() >= 2 {
        println!(
            "\nbuild time at {} / at {}: {:.2}",
            sizes[sizes.len() - 1],
            sizes[0],
            build_times[build_times.len() - 1] / build_times[0]
        );
    }

    println!("\n| documents | bundle | build | bundle / build |\n| ---: | ---: | ---: | ---: |");
    for (n, (z, b, ratio, _)) in &bundles {
        println!(
            "| {n} | {z:.3} s | {:.3} s | {:.2} |",
            b.unwrap_or(0.0),
            ratio.unwrap_or(0.0)
        );
    }

    if opt("--only", "") == "build" {
        let _ = std::fs::remove_dir_all(&out_base);
        return;
    }
    // Git history: the same 1,000-document handbook with and without 5,000 commits.
    let n = sizes[0];
    let dir = base.join(format!("git-{n}"));
    corpus(&dir, &base.join("hugo-unused"), n);
    git_history(&dir, n, commits);
    let plain = base.join(format!("plain-{n}"));
    corpus(&plain, &base.join("hugo-unused"), n);
    let out = out_base.join("git-out");
    let with_git: Vec<String> = strings(&[
        bin,
        "build",
        "--today",
        TODAY,
        "--root",
        &dir.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    let without: Vec<String> = strings(&[
        bin,
        "build",
        "--today",
        TODAY,
        "--root",
        &plain.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    let (g, p, _, _) = versus(&with_git, Some(&without), runs);
    let git_log: Vec<String> = strings(&[
        "git",
        "-C",
        &dir.display().to_string(),
        "log",
        "--name-status",
        "--format=%h %ad %an %s",
    ]);
    let (l, _, _, _) = versus(&git_log, None, runs);
    let p = p.unwrap_or(0.0);
    println!("\n| git history ({n} documents, {commits} commits) | time |\n| --- | ---: |");
    println!("| build with history | {g:.3} s |\n| build without history | {p:.3} s |\n| history's cost | {:.3} s |\n| git log --name-status | {l:.3} s |", g - p);

    let kinds = edit_kinds();
    for &n in sizes.iter().filter(|&&n| n <= 10_000) {
        serve_table(bin, &base.join(format!("handbook-{n}")), n, &kinds);
    }
    cost::run(bin, &base, runs);
    let _ = std::fs::remove_dir_all(&out_base);
    if !keep {
        let _ = std::fs::remove_dir_all(&base);
    }
}

type Edit<'a> = &'a dyn Fn(&str, usize) -> String;

/// An edit the listing pages do not show (tags), and one every listing shows (the title).
fn edit_kinds() -> [(&'static str, Edit<'static>); 2] {
    [
        ("an edit shown on its page only", &|text, k| {
            text.replacen("tags: [rev-0]", &format!("tags: [edit-{k}]"), 1)
        }),
        ("a new title, shown on every listing", &|text, k| {
            text.replacen("title: ", &format!("title: Edited {k} "), 1)
        }),
    ]
}

/// serve: from saving a file to the reload event, over 10 edits of each kind.
fn serve_table(bin: &str, dir: &Path, n: usize, kinds: &[(&str, Edit)]) {
    println!("\nserve, {n} documents, save to reload event (and to the register page, asked for at the event) over 10 edits:");
    for (what, edit) in kinds {
        let times = serve_latency(bin, dir, 10, edit);
        let summary = |times: Vec<f64>| {
            let mut sorted = times.clone();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            format!(
                "median {:.0} ms, min {:.0} ms, max {:.0} ms",
                median(times),
                sorted[0],
                sorted[sorted.len() - 1]
            )
        };
        println!(
            "- {what}: reload {}; register {}",
            summary(times.iter().map(|t| t.0).collect()),
            summary(times.iter().map(|t| t.1).collect())
        );
    }
}
