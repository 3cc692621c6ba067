//! A hostile or careless file cannot stall or crash a build: every stage costs time linear in
//! the size of its input, within the 4 MiB a document may have.
//!
//! Each test doubles a pathological input and asserts that the time at most about doubles:
//! t(2n) < 3.5 t(n) + 0.3 s, where quadratic work would quadruple it. Times are the best of
//! three runs, since the machine may be shared; sizes are small enough for a debug build.

mod common;

use std::time::Instant;

use common::Handbook;

const RATIO: f64 = 3.5;
const SLACK: f64 = 0.3;

fn document(id: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Doc {id}\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n{body}"
    )
}

fn with_body(body: &str) -> Handbook {
    let hb = Handbook::fixture("_base");
    hb.write("content/t.md", document("POL-001", body));
    hb
}

/// The best of three wall times of a run.
fn best_of_three(mut run: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

fn seconds(hb: &Handbook, args: &[&str]) -> f64 {
    best_of_three(|| {
        hb.run(args);
    })
}

/// Printing for people costs no more than a few times printing JSON.
fn assert_human_like_json(what: &str, hb: &Handbook) -> f64 {
    let human = seconds(hb, CHECK_HUMAN);
    let json = seconds(hb, CHECK_JSON);
    eprintln!("{what}: human {human:.3} s, JSON {json:.3} s");
    assert!(
        human < 3.0 * json + SLACK,
        "{what}: human output took {human:.3} s, JSON {json:.3} s"
    );
    human
}

fn assert_linear(what: &str, n: usize, t1: f64, t2: f64) {
    eprintln!("{what}: n = {n}: {t1:.3} s, 2n: {t2:.3} s");
    assert!(
        t2 < RATIO * t1 + SLACK,
        "{what}: doubling the input from {n} took {t1:.3} s -> {t2:.3} s: superlinear"
    );
}

const CHECK_JSON: &[&str] = &["check", "--format", "json", "--today", common::TODAY];
const CHECK_HUMAN: &[&str] = &["check", "--today", common::TODAY];

#[test]
fn nested_divs_cost_linear_time_and_are_flattened_with_a_warning() {
    let nested = |n: usize| format!("{}deep words{}\n", "<div>".repeat(n), "</div>".repeat(n));
    let hb = with_body(&nested(16_000));
    let run = hb.check();
    let d = run.diagnostics();
    assert!(
        d.iter().any(|d| d.severity == "warning"
            && d.code == "nested-too-deep"
            && d.location == "content/t.md"
            && d.message.contains("nested more than 512")),
        "{d:#?}"
    );
    hb.build().assert_exit(0);
    assert!(hb
        .read("public/documents/POL-001.html")
        .contains("deep words"));

    let t1 = seconds(&hb, CHECK_JSON);
    let t2 = seconds(&with_body(&nested(32_000)), CHECK_JSON);
    assert_linear("nested <div>", 16_000, t1, t2);
}

#[test]
fn formatting_left_open_is_not_copied_into_every_later_block() {
    // html5ever re-opens each unclosed <b> in every later block: 500 of them and 20,000
    // divs made ten million elements (7.7 s, 2.9 GB).
    let bomb = |n: usize| {
        let open: String = (0..500).map(|i| format!("<b class=\"c{i}\">")).collect();
        format!("{open}{}\n", "<div>x</div>".repeat(n))
    };
    let hb = with_body(&bomb(10_000));
    hb.build().assert_exit(0);
    let page = hb.read("public/documents/POL-001.html");
    assert!(page.matches("<b ").count() < 100_000, "copies were made");

    let t1 = seconds(&hb, CHECK_JSON);
    let t2 = seconds(&with_body(&bomb(20_000)), CHECK_JSON);
    assert_linear("unclosed <b> before many blocks", 10_000, t1, t2);
}

#[test]
fn thousands_of_broken_links_print_in_linear_time_in_human_form() {
    let links = |n: usize| {
        (0..n)
            .map(|i| format!("[x](POL-9{:03})\n", i % 1000))
            .collect::<String>()
    };
    let hb = with_body(&links(8_000));
    let run = hb.run(CHECK_HUMAN);
    run.assert_exit(1);
    // The last link, on the last line, with its excerpt.
    let last = 10 + 8_000 - 1;
    assert!(run.stderr.contains(&format!("--> content/t.md:{last}:5")));
    assert!(run.stderr.contains(&format!("{last} | [x](POL-9999)")));

    let t1 = assert_human_like_json("broken links", &hb);
    let t2 = seconds(&with_body(&links(16_000)), CHECK_HUMAN);
    assert_linear("broken links, human output", 8_000, t1, t2);
}

#[test]
fn thousands_of_misspelt_front_matter_keys_print_in_linear_time() {
    let keys = |n: usize| {
        let hb = Handbook::fixture("_base");
        let typos: String = (0..n).map(|i| format!("ownr{i}: x\n")).collect();
        hb.write(
            "content/t.md",
            document("POL-001", "body\n").replacen("owner:", &format!("{typos}owner:"), 1),
        );
        hb
    };
    let hb = keys(5_000);
    let run = hb.run(CHECK_HUMAN);
    assert!(run
        .stderr
        .contains("unknown field `ownr4999` in front matter"));
    let t1 = assert_human_like_json("misspelt front matter keys", &hb);
    let t2 = seconds(&keys(10_000), CHECK_HUMAN);
    assert_linear("misspelt front matter keys, human output", 5_000, t1, t2);
}

#[test]
fn links_on_one_long_line_cost_linear_time() {
    let line = |n: usize, target: &str| format!("[x]({target}) ").repeat(n) + "\n";
    // Where the target of the last of n links on the line starts (13 characters a link).
    let last_col = |n: usize| (n as u32 - 1) * 13 + 5;
    // Spans: one pass over the line, not one per link.
    let parse = |n: usize| {
        let body = line(n, "BASE-01");
        let started = Instant::now();
        let parsed = ismsbook::load::markdown::parse(&body, 10);
        let took = started.elapsed().as_secs_f64();
        let last = parsed.links.last().expect("links");
        assert_eq!((last.span.line, last.span.col), (10, last_col(n)));
        took
    };
    let t1 = best_of_three(|| {
        parse(50_000);
    });
    let t2 = best_of_three(|| {
        parse(100_000);
    });
    assert_linear("valid links on one line (parse)", 50_000, t1, t2);

    // Printing: a line this long is located, not quoted once per diagnostic.
    let hb = with_body(&line(20_000, "POL-999"));
    let run = hb.run(CHECK_HUMAN);
    let at = format!("--> content/t.md:10:{}", last_col(20_000));
    assert!(run.stderr.contains(&at), "{}", &run.stderr[..500]);
    let t1 = assert_human_like_json("broken links on one line", &hb);
    let t2 = seconds(&with_body(&line(40_000, "POL-999")), CHECK_HUMAN);
    assert_linear("broken links on one line, human output", 20_000, t1, t2);
}

/// `n` documents, each linking to the next; all but every tenth link use the prefix
/// `prefix` instead of POL (a renamed prefix).
fn handbook_of(n: usize, prefix: &str) -> Handbook {
    let hb = Handbook::fixture("_base");
    for i in 0..n {
        let to = format!(
            "{}-{:04}",
            if i % 10 == 0 { "POL" } else { prefix },
            (i + 1) % n + 1
        );
        let body = format!("# Document {i}\n\nSee [the next one]({to}).\n");
        hb.write(
            &format!("content/docs/{i:05}.md"),
            document(&format!("POL-{:04}", i + 1), &body),
        );
    }
    hb
}

#[test]
fn a_renamed_id_prefix_costs_no_more_than_valid_links() {
    let hb = handbook_of(1_000, "OLD");
    let run = hb.check();
    let broken = run.diagnostics();
    assert_eq!(broken.len(), 900);
    // Every one still gets its suggestion: two edits away, found by the index.
    assert!(
        broken
            .iter()
            .all(|d| d.help.starts_with("did you mean POL-")),
        "{broken:#?}"
    );

    let valid = seconds(&handbook_of(1_000, "POL"), CHECK_JSON);
    let t1 = seconds(&hb, CHECK_JSON);
    eprintln!("1,000 documents: valid links {valid:.3} s, 900 broken {t1:.3} s");
    assert!(
        t1 < 3.0 * valid + 0.5,
        "broken links cost {t1:.3} s against {valid:.3} s"
    );
    let t2 = seconds(&handbook_of(2_000, "OLD"), CHECK_JSON);
    assert_linear("renamed id prefix", 1_000, t1, t2);
}

#[test]
fn many_headings_and_broken_anchors_cost_linear_time() {
    let body = |n: usize| {
        let headings: String = (0..n).map(|i| format!("# Heading {i}\n\n")).collect();
        let links: String = (0..n).map(|i| format!("[x](#missing-{i})\n")).collect();
        headings + &links
    };
    let hb = with_body(&body(3_000));
    let d = hb.check().diagnostics();
    assert_eq!(d.len(), 3_000);
    // The help names a dozen headings, not all 3,000 (which made the output quadratic).
    assert!(d[0].help.ends_with("and 2988 more"), "{}", d[0].help);

    let t1 = seconds(&hb, CHECK_JSON);
    let t2 = seconds(&with_body(&body(6_000)), CHECK_JSON);
    assert_linear("broken anchors among many headings", 3_000, t1, t2);
}

/// Peak resident memory of one run, in kilobytes.
#[cfg(target_os = "linux")]
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives its peak memory
fn peak_kb(hb: &Handbook, args: &[&str]) -> u64 {
    use std::process::{Command, Stdio};
    let child = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(args)
        .arg("--root")
        .arg(hb.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    usage.ru_maxrss as u64
}

#[cfg(target_os = "linux")]
#[test]
fn a_big_table_needs_memory_in_proportion_to_its_size() {
    let table = |bytes: usize| {
        let mut t = String::from("|a|b|c|d|e|f|g|h|\n|-|-|-|-|-|-|-|-|\n");
        t.push_str(&"|x|y|z|w|x|y|z|w|\n".repeat(bytes / 18));
        t
    };
    let base = peak_kb(&with_body("small\n"), CHECK_JSON);
    let one = peak_kb(&with_body(&table(1_000_000)), CHECK_JSON) - base;
    let two = peak_kb(&with_body(&table(2_000_000)), CHECK_JSON) - base;
    eprintln!("table: base {base} kB; 1 MB: +{one} kB, 2 MB: +{two} kB");
    // The Markdown parser's own tree of a one-character-cell table is about 50 times its
    // size (twice that while it grows); it was 350 times with every event collected.
    assert!(one < 150 * 1_000, "1 MB of table took {one} kB more");
    assert!(
        two < 5 * one / 2,
        "2 MB of table took {two} kB more, 1 MB {one} kB"
    );
}
