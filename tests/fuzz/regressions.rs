//! Each input the fuzzer found that crashed, hung or misplaced a diagnostic, kept as a plain
//! test; and the hostile inputs it was built to try, which held.

use std::time::{Duration, Instant};

use crate::common;
use crate::gen;
use crate::harness::{check, check_sane, Mem, CONFIG, DOC, SOA};

fn front(extra: &str) -> String {
    gen::valid_front("FUZ-01").replacen("---\n", &format!("---\n{extra}\n"), 1) + "Body\n"
}

/// `- - - …` thousands of levels deep made the YAML loader recurse once per level until the
/// stack overflowed: the process aborted (SIGABRT) without a word about which file.
#[test]
fn deeply_nested_front_matter_is_a_diagnostic_not_a_stack_overflow() {
    let deep = format!("extra:\n{}x", "- ".repeat(20_000));
    let hb = common::Handbook::fixture("_base");
    hb.write("content/deep.md", front(&deep));
    hb.check().assert_exit(1).assert_diagnostic(
        "front-matter",
        "content/deep.md:3:127",
        "nested more than 64",
    );
}

#[test]
fn deeply_nested_soa_yaml_is_a_diagnostic_not_a_stack_overflow() {
    let soa = format!("excluded:\n  A.7.4:\n  {}x", "- ".repeat(50_000));
    let out = check_sane(&Mem::base().with(SOA, soa)).unwrap();
    let d = out.diags.iter().find(|d| d.file.ends_with("soa.yaml"));
    let d = d.expect("a diagnostic for soa.yaml");
    assert!(d.message.contains("nested more than 64 levels"), "{d:?}");
}

/// Every way YAML nests, as deep as its scanner lets it (flow: 255), and deeper.
#[test]
fn nesting_of_every_kind_and_depth_is_bounded() {
    for kind in 0..3 {
        for depth in [63, 64, 65, 254, 255, 256, 5_000] {
            let mem = Mem::base().with(DOC, front(&gen::nested(kind, depth)));
            let out = check_sane(&mem).unwrap();
            assert_eq!(
                out.errors() > 0,
                depth > 63,
                "kind {kind} depth {depth}: {:#?}",
                out.diags
            );
        }
    }
}

/// YAML ends a line at a lone CR, editors and excerpts do not: soa.yaml errors pointed at
/// line 5 of a 4-line file, and the excerpt was lost.
#[test]
fn lone_carriage_returns_do_not_push_lines_past_the_end_of_the_file() {
    let soa = "excluded:\r\n  ?\r: 2026-01-15\r\n\r\nExcluded:\r\n";
    let out = check_sane(&Mem::base().with(SOA, soa)).unwrap();
    let d = out.diags.iter().find(|d| d.message.contains("`Excluded`"));
    let d = d.expect("unknown section reported");
    assert_eq!(d.span.unwrap().line, 4, "{d:?}");
    assert!(out.human.contains("4 | Excluded:"), "{}", out.human);

    let doc = "---\rid: FUZ-01\r---\nid: FUZ-02\ntitle: [x\n---\nBody\n";
    let out = check_sane(&Mem::base().with(DOC, doc)).unwrap();
    assert!(out.has("front-matter"), "{:#?}", out.diags);
}

/// Aliases are never expanded, so ten levels of ten (10^10 "lol"s if expanded) cost what
/// their few hundred bytes cost.
#[test]
fn billion_laughs_are_not_expanded() {
    for (levels, width) in [(10, 10), (30, 30)] {
        let started = Instant::now();
        let out = check_sane(&Mem::base().with(DOC, front(&gen::laughs(levels, width)))).unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(out.errors(), 0, "{:#?}", out.diags);

        let soa = gen::laughs(levels, width).replacen("extra", "excluded", 1);
        let out = check_sane(&Mem::base().with(SOA, soa)).unwrap();
        assert!(out.has("unknown-control"), "{:#?}", out.diags);
    }
}

/// A second YAML document in soa.yaml used to be dropped without a word, exclusions and all.
#[test]
fn a_second_yaml_document_in_soa_yaml_is_reported_not_dropped() {
    let soa = "included:\n  A.8.24: GDPR\n---\nexcluded:\n  A.7.4: no premises\n";
    let out = check_sane(&Mem::base().with(SOA, soa)).unwrap();
    let d = out.diags.iter().find(|d| d.file.ends_with("soa.yaml"));
    let d = d.expect("soa.yaml diagnostic");
    assert_eq!(d.span.unwrap().line, 3, "{d:?}");
    assert!(d.message.contains("second YAML document"), "{d:?}");
}

#[test]
fn outputs_are_the_same_on_every_run() {
    let mem = Mem::base()
        .with(
            DOC,
            front("ownr: CISO\nversion: 1.10\neffective: 2026-02-30"),
        )
        .with(SOA, "exclude:\n  A.9.9: x\n");
    let (a, b) = (check(&mem), check(&mem));
    assert_eq!((a.human, a.json), (b.human, b.json));
}

/// `999999999 weeks` multiplied past `u32::MAX`: a panic ("attempt to multiply with
/// overflow") in a debug build, a silently wrong interval in a release build.
#[test]
fn huge_review_intervals_are_a_diagnostic_not_an_overflow() {
    for interval in [
        "999999999 weeks",
        "429496730 years",
        "99999999 months",
        "4294967295 days",
    ] {
        let toml = format!(
            "[handbook]\ntitle = \"T\"\norganization = \"O\"\n[review]\nwarn_before = \"{interval}\"\ndefault_interval = \"{interval}\"\n"
        );
        let out = check_sane(&Mem::base().with(CONFIG, toml)).unwrap();
        let d = out
            .diags
            .iter()
            .filter(|d| d.message.contains("longer than 100 years"));
        assert_eq!(d.count(), 2, "{interval}: {:#?}", out.diags);

        let doc = front(&format!(
            "review:\n  interval: {interval}\n  last: 2026-01-10"
        ));
        let out = check_sane(&Mem::base().with(DOC, doc)).unwrap();
        assert!(out.human.contains("longer than 100 years"), "{}", out.human);
    }
}

/// `1.01` read as 1.1: two different texts, one version, so an approval of one counted for
/// the other. A leading zero is now refused like any other malformed version.
#[test]
fn a_version_with_a_leading_zero_is_refused_not_equated() {
    for version in ["\"1.01\"", "01.1", "\"00.1\""] {
        let doc = front("").replace("version: \"0.1\"", &format!("version: {version}"));
        let out = check_sane(&Mem::base().with(DOC, doc)).unwrap();
        assert!(
            out.human.contains("without leading zeros"),
            "{version}: {}",
            out.human
        );
    }
    let doc = front("").replace("version: \"0.1\"", "version: 1.10");
    assert_eq!(check_sane(&Mem::base().with(DOC, doc)).unwrap().errors(), 0);
}

/// TOML reports an error after a stray CR one column past the line an editor shows.
#[test]
fn a_toml_error_after_a_stray_carriage_return_points_inside_the_line() {
    let out = check_sane(&Mem::base().with(CONFIG, "[[handbook]]\r")).unwrap();
    let d = out
        .diags
        .iter()
        .find(|d| d.message.contains("carriage return"));
    assert_eq!(
        d.expect("reported").span.unwrap().col,
        13,
        "{:#?}",
        out.diags
    );
}

/// A 6 MB ismsbook.toml of nested inline tables kept the TOML parser busy for seconds;
/// a configuration over 1 MiB is now refused before parsing.
#[test]
fn an_oversized_configuration_is_refused_quickly() {
    let depth = 200_000;
    let toml = format!("x = {}1{}\n", "{ a = ".repeat(depth), " }".repeat(depth));
    let started = Instant::now();
    let out = check_sane(&Mem::base().with(CONFIG, toml)).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.diags.len(), 1, "{:#?}", out.diags);
    assert!(
        out.diags[0].message.contains("at most 1 MiB"),
        "{:#?}",
        out.diags
    );
}

/// An error at the very end of a file was reported on the line after its last line break:
/// a line no editor shows, and the excerpt was lost.
#[test]
fn an_error_at_the_end_of_a_file_points_at_its_last_line() {
    let out = check_sane(&Mem::base().with(SOA, "excluded:\n  A.7.4: [unclosed\n")).unwrap();
    let d = out.diags.iter().find(|d| d.file.ends_with("soa.yaml"));
    assert_eq!(
        d.expect("reported").span.unwrap().line,
        2,
        "{:#?}",
        out.diags
    );
    assert!(
        out.human.contains("2 |   A.7.4: [unclosed"),
        "{}",
        out.human
    );

    let out = check_sane(&Mem::base().with(SOA, "excluded:\r  A.7.4: x\r  *c: y\r")).unwrap();
    let d = out.diags.iter().find(|d| d.file.ends_with("soa.yaml"));
    assert_eq!(
        d.expect("reported").span.unwrap().col,
        29,
        "{:#?}",
        out.diags
    );

    let out = check_sane(&Mem::base().with(CONFIG, "x = \"\"\"never closed\n")).unwrap();
    let d = out
        .diags
        .iter()
        .find(|d| d.message.contains("invalid TOML"));
    assert_eq!(
        d.expect("reported").span.unwrap().line,
        1,
        "{:#?}",
        out.diags
    );
    assert!(
        out.human.contains("1 | x = \"\"\"never closed"),
        "{}",
        out.human
    );
}

/// A node at the very end of soa.yaml, after a lone CR, was placed one column past the end
/// of the line; and an empty key was called "unknown section ``".
#[test]
fn a_node_at_the_end_of_soa_yaml_after_a_lone_cr_is_placed_on_the_line() {
    let out = check_sane(&Mem::base().with(SOA, "excluded:\r  A.8.24: x\r?\r")).unwrap();
    let d = out.diags.iter().find(|d| d.file.ends_with("soa.yaml"));
    let d = d.expect("reported");
    assert!(d.message.contains("without a name"), "{d:?}");
    assert_eq!(d.span.unwrap().col, 24, "{d:?}");

    let out = check_sane(&Mem::base().with(SOA, "&-\r")).unwrap();
    let d = out.diags.iter().find(|d| d.file.ends_with("soa.yaml"));
    assert_eq!(
        d.expect("reported").span.unwrap().col,
        3,
        "{:#?}",
        out.diags
    );
}

/// The YAML reader costs time in proportion to its input: four times the list items,
/// anchors and aliases take about four times as long, far from the 16 of a quadratic cost
/// (8 allowed, for a busy machine).
#[test]
fn yaml_reading_time_is_linear_in_the_input() {
    use ismsbook::load::yaml;
    let text = |n: usize| {
        let mut s = String::from("extra:\n  base: &b [x]\n  items:\n");
        for i in 0..n {
            s.push_str(&format!(
                "    - {{ id: POL-{i}, see: *b, note: \"é\\r\" }}\r\n"
            ));
        }
        s
    };
    let time = |n: usize| {
        let t = text(n);
        (0..3)
            .map(|_| {
                let started = Instant::now();
                yaml::parse(&t, 2).unwrap();
                started.elapsed()
            })
            .min()
            .unwrap()
    };
    let (small, large) = (time(2_000), time(8_000));
    assert!(
        large < small * 8,
        "2k items: {small:?}, 8k items: {large:?}"
    );
}
