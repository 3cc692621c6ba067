//! `bundle --since REV`: the surveillance auditor's bundle. A yearly surveillance audit looks
//! at what changed since the last audit: the documents (the changes of the bundle are taken
//! from REV instead of the previous tag) and every nonconformity raised since, with where it
//! stands now.
//!
//! Issue 15 adds the SoA's and the risks' changes here.

use std::path::Path;

use crate::core::types::Date;
use crate::history::changes::Changes;
use crate::history::Repo;
use crate::load::model::Handbook;
use crate::load::record::Nonconformity;
use crate::load::{self, Keep};
use crate::site::Error;

/// What the bundle adds for a surveillance audit.
pub struct Since {
    pub changes: Changes,
    /// `nonconformities-since.md`.
    pub report: String,
}

/// The changes from `since` to what is bundled (`rev`, or the work tree), and the
/// nonconformities raised since: those `content/nonconformities.yaml` did not hold at `since`.
pub fn surveillance(
    root: &Path,
    since: &str,
    rev: Option<&str>,
    now: &Handbook,
    today: Date,
) -> Result<Since, Error> {
    let changes = crate::site::compare(root, since, rev, today)?;
    let repo = Repo::open(root).map_err(|why| Error::NoGit {
        what: "--since",
        root: root.to_path_buf(),
        why,
    })?;
    let tree = repo
        .tree_source(repo.resolve(since).map_err(Error::Git)?)
        .map_err(Error::Git)?;
    let before = load::load(root, &tree, today, Keep::Metadata)?;
    let raised: Vec<&Nonconformity> = now
        .nonconformities
        .iter()
        .filter(|nc| {
            !before
                .nonconformities
                .iter()
                .any(|b| b.id.value == nc.id.value)
        })
        .collect();
    Ok(Since {
        report: report(since, &raised, today),
        changes,
    })
}

fn report(since: &str, raised: &[&Nonconformity], today: Date) -> String {
    let mut out = format!("# Nonconformities raised since {since}\n\nAs of {today}.\n\n");
    if raised.is_empty() {
        out.push_str("None.\n");
        return out;
    }
    out.push_str(
        "| id | raised | source | severity | description | actions | effectiveness | status |\n",
    );
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for nc in raised {
        let actions: Vec<String> = nc
            .actions
            .iter()
            .map(|a| {
                let due = a.due.map(|d| d.to_string()).unwrap_or_default();
                let late = if a.is_overdue(today) { ", overdue" } else { "" };
                format!("{} {} (due {due}{late})", a.id.value, a.status)
            })
            .collect();
        let effectiveness = match &nc.effectiveness {
            Some(e) => format!(
                "checked {} by {}: {}",
                e.checked.map(|d| d.to_string()).unwrap_or_default(),
                e.by,
                if e.effective == Some(true) {
                    "effective"
                } else {
                    "not effective"
                }
            ),
            None => "not checked".to_string(),
        };
        let status = match &nc.closed {
            Some(c) => format!("closed {}", c.value),
            None => "open".to_string(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            nc.id.value,
            nc.raised.map(|d| d.to_string()).unwrap_or_default(),
            nc.source.map_or("", |s| s.as_str()),
            nc.severity.map_or("", |s| s.as_str()),
            cell(&nc.description),
            cell(&actions.join("; ")),
            cell(&effectiveness),
            status
        ));
    }
    out
}
