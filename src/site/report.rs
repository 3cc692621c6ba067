//! What every command prints the same way: the diagnostics with their excerpts, and the
//! date a run checks reviews against.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

use super::Error;
use crate::core::diagnostics::{self, Diagnostic};
use crate::core::types::Date;
use crate::load::model::Handbook;
use crate::load::{self, Source};

/// Today: `arg` (`--today`), else `SOURCE_DATE_EPOCH` (reproducible builds), else the clock.
pub fn today(arg: Option<Date>) -> Result<Date, Error> {
    if let Some(d) = arg {
        return Ok(d);
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.is_empty() => {
            let secs: i64 = v
                .trim()
                .parse()
                .map_err(|_| Error::SourceDateEpoch(v.clone()))?;
            Date::from_unix_seconds(secs).ok_or(Error::SourceDateEpochRange(v))
        }
        _ => Ok(Date::today_utc()),
    }
}

/// Prints diagnostics and the summary line to stderr. The texts of files that `load` did not
/// keep are read again from `source`, for the excerpts, only for the files named.
pub fn report(hb: &Handbook, source: &dyn Source, diags: &[Diagnostic]) {
    report_all(hb, source, diags, false)
}

/// As [`report`]; many warnings of one code are summarised unless `verbose`.
pub fn report_all(hb: &Handbook, source: &dyn Source, all: &[Diagnostic], verbose: bool) {
    let (single, groups) = super::group::split(all, verbose);
    let diags = &single;
    let mut reread = BTreeMap::new();
    for d in diags {
        if !reread.contains_key(&d.file) {
            if let Some(text) = load::reread(hb, source, &d.file) {
                reread.insert(d.file.clone(), text);
            }
        }
    }
    let text_of = |p: &Path| {
        reread
            .get(p)
            .map(String::as_str)
            .or_else(|| load::kept_text(hb, p))
    };
    let stderr = std::io::stderr();
    let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut err = stderr.lock();
    let _ = diagnostics::print_human(&mut err, diags, &text_of, color);
    for group in &groups {
        let _ = super::group::print(&mut err, group);
    }
    let _ = writeln!(err, "{}", diagnostics::summary(diagnostics::count(all)));
}
