//! One input, three files: a document, `content/soa.yaml` and `ismsbook.toml`, cut from the
//! input at its first two NUL bytes; loaded and checked as `ismsbook check` does.
#![no_main]

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use ismsbook::core::diagnostics::{self, Diagnostic};
use ismsbook::load::{self, Keep, LoadError, Source};
use libfuzzer_sys::fuzz_target;

struct Mem(BTreeMap<PathBuf, Vec<u8>>);

impl Source for Mem {
    fn read_config(&self) -> io::Result<Vec<u8>> {
        self.read(Path::new("ismsbook.toml"))
    }
    fn list_content(&self) -> Result<(Vec<PathBuf>, Vec<Diagnostic>), LoadError> {
        let files = self.0.keys().filter(|p| p.starts_with("content")).cloned();
        Ok((files.collect(), Vec::new()))
    }
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }
    fn read_at_most(&self, path: &Path, max: u64) -> io::Result<Result<Vec<u8>, u64>> {
        let bytes = self.read(path)?;
        Ok(if bytes.len() as u64 > max {
            Err(bytes.len() as u64)
        } else {
            Ok(bytes)
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let doc = parts.next().unwrap_or_default();
    let soa = parts.next().unwrap_or_default();
    let toml = parts
        .next()
        .unwrap_or(b"[handbook]\ntitle = \"T\"\norganization = \"O\"\n");
    let mem = Mem(BTreeMap::from([
        (PathBuf::from("content/doc.md"), doc.to_vec()),
        (PathBuf::from("content/soa.yaml"), soa.to_vec()),
        (PathBuf::from("ismsbook.toml"), toml.to_vec()),
    ]));
    let today = "2026-06-01".parse().unwrap();
    let hb = load::load(Path::new("/fuzz"), &mem, today, Keep::All).unwrap();
    let checked = ismsbook::check::check(&hb);
    let mut out = Vec::new();
    diagnostics::print_human(&mut out, &checked.diagnostics, &|p| ismsbook::load::kept_text(&hb, p), false).unwrap();
    let _ = diagnostics::to_json(&checked.diagnostics);
});
