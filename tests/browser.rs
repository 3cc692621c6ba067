//! Every test that starts a browser: headless Chromium, driven through chromedriver, or run by
//! `ismsbook build --pdf`. One binary with its own runner (`harness = false`, see
//! browser/harness.rs), so that a run without a browser says `skipped` test by test and in its
//! summary, and fails under `CI=true` (browser/gate.rs). chromedriver starts once per run;
//! each test gets its own Chromium.

mod common;
#[path = "browser/webdriver.rs"]
mod webdriver;
#[macro_use]
#[path = "browser/harness.rs"]
mod harness;
#[path = "browser/frameworks.rs"]
mod frameworks;
#[path = "browser/gate.rs"]
mod gate;
#[path = "browser/publish.rs"]
mod publish;
#[path = "browser/search.rs"]
mod search;
#[path = "browser/serve.rs"]
mod serve;
#[path = "serve/support.rs"]
mod serve_support;
#[path = "browser/sites.rs"]
mod sites;
#[path = "browser/theme.rs"]
mod theme;

/// Every test of the binary, by area.
pub const GROUPS: &[&[harness::Test]] = &[
    publish::TESTS,
    serve::TESTS,
    search::TESTS,
    theme::TESTS,
    gate::TESTS,
    frameworks::TESTS,
];

fn main() {
    std::process::exit(harness::main(GROUPS));
}
