//! Fuzzing on stable Rust: every file a user writes (front matter, Markdown, soa.yaml,
//! ismsbook.toml) generated hostile but plausible, run through `check`'s own library calls.
//!
//! For every input: no panic, every diagnostic's line and column inside its file, the same
//! output twice. `ISMSBOOK_FUZZ_CASES=N` sets the cases per target (default: a CI-sized run);
//! `--nocapture` prints how many inputs each target checked.

#[path = "../common/mod.rs"]
mod common;
mod gen;
mod harness;
mod regressions;

use std::cell::RefCell;

use harness::{check_sane, config, Mem, Tally, CONFIG, DOC, SOA};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

/// Runs `strategy` through `property` with the shared case count, tallying inputs.
fn fuzz<S: Strategy>(
    name: &'static str,
    strategy: S,
    property: impl Fn(S::Value) -> Result<harness::Outcome, TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let tally = RefCell::new(Tally::new(name));
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |value| {
        let outcome = property(value)?;
        tally.borrow_mut().add(&outcome);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

#[test]
fn front_matter() {
    let strategy = gen::document(Just("# Body\n".to_string())).prop_flat_map(gen::damage);
    fuzz("front matter", strategy, |bytes| {
        check_sane(&Mem::base().with(DOC, bytes))
    });
}

#[test]
fn markdown() {
    let strategy = (gen::markdown(), any::<bool>()).prop_flat_map(|(body, crlf)| {
        let text = gen::valid_front("FUZ-01") + &body;
        let text = if crlf {
            text.replace('\n', "\r\n")
        } else {
            text
        };
        gen::damage(text)
    });
    fuzz("markdown", strategy, |bytes| {
        let mem = Mem::base().with(DOC, bytes).with(
            "content/fuzz/other.md",
            gen::valid_front("OTH-01") + "[x](FUZ-01)\n",
        );
        check_sane(&mem)
    });
}

#[test]
fn soa_yaml() {
    let strategy = gen::soa().prop_flat_map(gen::damage);
    fuzz("soa.yaml", strategy, |bytes| {
        check_sane(&Mem::base().with(SOA, bytes))
    });
}

#[test]
fn ismsbook_toml() {
    let strategy = gen::toml().prop_flat_map(gen::damage);
    fuzz("ismsbook.toml", strategy, |bytes| {
        check_sane(&Mem::base().with(CONFIG, bytes))
    });
}

/// Every file at once, each generated independently: the rules that read several files
/// (roles, levels, exclusions, links) meet each other's garbage.
#[test]
fn whole_handbook() {
    let strategy = (gen::document(gen::markdown()), gen::soa(), gen::toml());
    fuzz("whole handbook", strategy, |(doc, soa, toml)| {
        check_sane(&Mem::base().with(DOC, doc).with(SOA, soa).with(CONFIG, toml))
    });
}

/// Plain random bytes too, where the parsers' own edge cases live.
#[test]
fn random_bytes() {
    let bytes = proptest::collection::vec(any::<u8>(), 0..400);
    fuzz(
        "random bytes",
        (bytes.clone(), bytes.clone(), bytes),
        |(a, b, c)| {
            let doc = [b"---\n".as_slice(), &a].concat();
            check_sane(&Mem::base().with(DOC, doc).with(SOA, b).with(CONFIG, c))
        },
    );
}

/// The value parsers behind every field: any text parses or is refused (never a panic); what
/// parses prints back to text that parses to the same value; date arithmetic with any
/// accepted interval stays in range.
#[test]
fn values() {
    use ismsbook::core::types::{ControlId, Date, DocumentId, Interval, Version};
    let near = prop_oneof![
        gen::junk(14),
        (0u32..10_000, 0u32..15, 0u32..35).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (any::<u32>(), gen::junk(2)).prop_map(|(n, s)| format!("{n}{s}")),
        (
            any::<u32>(),
            proptest::sample::select(&[" days", " weeks", " month", " years", " ye"])
        )
            .prop_map(|(n, u)| format!("{n}{u}")),
        (0u32..2_000_000, 0u32..2_000_000).prop_map(|(a, b)| format!("{a}.{b}")),
        (0u32..120, 0u32..120).prop_map(|(a, b)| format!("A.{a}.{b}")),
    ];
    let mut runner = TestRunner::new(config());
    let cases = std::cell::Cell::new(0);
    let result = runner.run(&(near, 0u32..10_000, 1u8..13, 1u8..32), |(s, y, m, d)| {
        cases.set(cases.get() + 1);
        fn back<T: std::str::FromStr + std::fmt::Display + PartialEq + std::fmt::Debug>(
            s: &str,
        ) -> Result<(), TestCaseError> {
            if let Ok(v) = s.parse::<T>() {
                prop_assert_eq!(v.to_string().parse::<T>().ok(), Some(v), "{:?}", s);
            }
            Ok(())
        }
        back::<Date>(&s)?;
        back::<Version>(&s)?;
        back::<ControlId>(&s)?;
        back::<DocumentId>(&s)?;
        if let (Ok(interval), Some(date)) = (s.parse::<Interval>(), Date::new(y as i32, m, d)) {
            prop_assert_eq!(interval.to_string().parse::<Interval>(), Ok(interval));
            if let Some(next) = date.plus(interval) {
                prop_assert!(next >= date);
                prop_assert!(next.days_since_epoch() - date.days_since_epoch() <= 366 * 100);
            }
        }
        Ok(())
    });
    eprintln!("fuzz values: {} inputs", cases.get());
    result.unwrap();
}

/// Fuzzed bodies that pass `check` go on to `build`: the pages are rendered (into a
/// temporary folder) through the same calls, and must come out without a panic.
#[test]
fn markdown_rendered() {
    use ismsbook::load::{self, Keep};
    let mut config = config();
    config.cases = config.cases.div_ceil(4); // a whole site per case
    let strategy = gen::markdown().prop_map(|b| gen::valid_front("FUZ-01") + &b);
    let tera = ismsbook::render::theme::templates(std::path::Path::new("/nonexistent")).unwrap();
    let (cases, rendered) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let result = TestRunner::new(config).run(&strategy, |text| {
        cases.set(cases.get() + 1);
        let mem = Mem::base().with(DOC, text);
        let outcome = check_sane(&mem)?;
        if outcome.errors() > 0 {
            return Ok(());
        }
        let today = harness::TODAY.parse().unwrap();
        // The theme's static files are read from the root on disk: an empty one has none.
        let root = tempfile::tempdir().unwrap();
        let hb = load::load(root.path(), &mem, today, Keep::Bodies).unwrap();
        let checked = ismsbook::check::check(&hb);
        let out = tempfile::tempdir().unwrap();
        let opts = ismsbook::render::Options::default();
        ismsbook::render::write_site(&hb, &checked, &opts, &tera, &mem, out.path())
            .map_err(TestCaseError::fail)?;
        rendered.set(rendered.get() + 1);
        Ok(())
    });
    let (cases, rendered) = (cases.get(), rendered.get());
    eprintln!("fuzz markdown rendered: {cases} inputs, {rendered} sites built");
    result.unwrap();
}
