//! Pathological inputs, each at two sizes up to the 4 MiB a document may have: the time of
//! `check` should about double with the input, never quadruple (`tests/trust_cost.rs`
//! asserts it at smaller sizes). `cargo bench --bench scale -- --only cost` runs these alone.

use std::fmt::Write as _;
use std::path::Path;

use super::{measure, median, strings, TODAY};

const FRONT: &str =
    "type: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n";

fn document(id: &str, body: &str) -> String {
    format!("---\nid: {id}\ntitle: Doc {id}\n{FRONT}{body}")
}

/// A handbook with one document implementing every control, plus `files`.
fn handbook(dir: &Path, files: &[(String, String)]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::write(
        dir.join("ismsbook.toml"),
        "[handbook]\ntitle = \"Cost\"\norganization = \"Cost Ltd\"\n[roles]\nCISO = \"CISO\"\n",
    )
    .unwrap();
    let controls: Vec<String> = include_str!("../../src/core/catalog/annex-a-2022.tsv")
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    let base = format!(
        "---\nid: BASE-01\ntitle: Base\n{}controls: [{}]\n---\n# Base\n",
        FRONT.trim_end_matches("---\n"),
        controls.join(", ")
    );
    std::fs::write(dir.join("content/base.md"), base).unwrap();
    for (path, text) in files {
        let p = dir.join("content").join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn one(body: String) -> Vec<(String, String)> {
    vec![("t.md".into(), document("POL-001", &body))]
}

fn table(n: usize) -> Vec<(String, String)> {
    one(format!(
        "|a|b|c|d|e|f|g|h|\n|-|-|-|-|-|-|-|-|\n{}",
        "|x|y|z|w|x|y|z|w|\n".repeat(n)
    ))
}

fn divs(n: usize) -> Vec<(String, String)> {
    one(format!("{}x{}\n", "<div>".repeat(n), "</div>".repeat(n)))
}

fn unclosed_formatting(n: usize) -> Vec<(String, String)> {
    let open: String = (0..500).map(|i| format!("<b class=\"c{i}\">")).collect();
    one(format!("{open}{}\n", "<div>x</div>".repeat(n)))
}

fn broken_links(n: usize) -> Vec<(String, String)> {
    one((0..n).fold(String::new(), |mut s, i| {
        writeln!(s, "[x](POL-9{:03})", i % 1000).unwrap();
        s
    }))
}

fn links_on_one_line(n: usize) -> Vec<(String, String)> {
    one("[x](BASE-01) ".repeat(n) + "\n")
}

fn renamed_prefix(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let prefix = if i % 10 == 0 { "POL" } else { "OLD" };
            let body = format!("# D{i}\n\nSee [x]({prefix}-{:04}).\n", (i + 1) % n + 1);
            (
                format!("d/{i:05}.md"),
                document(&format!("POL-{:04}", i + 1), &body),
            )
        })
        .collect()
}

fn broken_anchors(n: usize) -> Vec<(String, String)> {
    let mut body: String = (0..n).map(|i| format!("# Heading {i}\n\n")).collect();
    body.extend((0..n).map(|i| format!("[x](#missing-{i})\n")));
    one(body)
}

type Case = (
    &'static str,
    &'static [&'static str],
    usize,
    fn(usize) -> Vec<(String, String)>,
);

/// Each case: what, extra arguments of `check`, n (the bench runs n and 2n), generator.
const CASES: &[Case] = &[
    ("table, 18-byte rows (n rows)", &[], 108_000, table),
    ("nested <div> (n deep)", &[], 50_000, divs),
    (
        "500 unclosed <b>, n blocks",
        &[],
        40_000,
        unclosed_formatting,
    ),
    ("broken links, human output", &[], 16_000, broken_links),
    (
        "broken links, JSON output",
        &["--format", "json"],
        16_000,
        broken_links,
    ),
    ("valid links on one line", &[], 50_000, links_on_one_line),
    (
        "renamed id prefix (n documents)",
        &[],
        5_000,
        renamed_prefix,
    ),
    (
        "broken anchors among n headings",
        &[],
        4_000,
        broken_anchors,
    ),
];

pub fn run(bin: &str, base: &Path, runs: usize) {
    println!("\npathological inputs, `check`, median of {runs}:\n");
    println!("| input | n | input size | time | 2n: size | time | ratio | peak memory (2n) |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let dir = base.join("cost");
    for (what, extra, n, generate) in CASES {
        let mut row = Vec::new();
        for size in [*n, 2 * n] {
            let files = generate(size);
            let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
            handbook(&dir, &files);
            let mut cmd = strings(&[bin, "check", "--today", TODAY]);
            cmd.extend(strings(extra));
            cmd.extend(["--root".to_string(), dir.display().to_string()]);
            let samples: Vec<_> = (0..runs).map(|_| measure(&cmd)).collect();
            let peak = samples.iter().filter_map(|s| s.peak_mb).fold(0.0, f64::max);
            let wall = median(samples.iter().map(|s| s.wall).collect());
            row.push((bytes, wall, peak));
        }
        let [(b1, t1, _), (b2, t2, p2)] = [row[0], row[1]];
        println!(
            "| {what} | {n} | {:.2} MB | {t1:.3} s | {:.2} MB | {t2:.3} s | {:.2} | {p2:.0} MB |",
            b1 as f64 / 1e6,
            b2 as f64 / 1e6,
            t2 / t1
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
