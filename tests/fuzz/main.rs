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
            "---\nid: OTH-01\n---\n[x](FUZ-01#fuzzed)\n",
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
