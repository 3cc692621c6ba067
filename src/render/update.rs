//! Writing an update into a live site: `serve` re-renders the pages an edit shows on in a
//! staging folder and renames them into place, so a reader never sees half a page.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::{context, paged, run_job, run_jobs, Kept, Options};
use crate::check::Checked;
use crate::load::model::Handbook;

/// The folder inside the site where an update stages its files before renaming them into
/// place: not part of the site (`serve` answers 404 for it).
pub const STAGING: &str = ".ismsbook-update";

/// Told the path (relative to the site) of each file an update has put in place.
pub type Written<'a> = &'a (dyn Fn(&Path) + Sync);

/// Which pages an update writes: those an edit shows on, or the two that hold the whole
/// handbook (`print.html`, `search.html` with its index), which take longest and are
/// written after.
#[derive(Clone, Copy, Debug)]
pub enum Part<'a> {
    /// The pages of `documents` (indices into `hb.documents`) and of `controls`, and, when
    /// `lists`, every page that lists documents (registers, controls index, SoA, dashboard).
    Pages {
        documents: &'a BTreeSet<usize>,
        controls: &'a BTreeSet<crate::core::types::ControlId>,
        lists: bool,
        /// The page of every risk (a register may hold a thousand).
        risks: bool,
    },
    Whole,
    /// `search.html`, and of print.html the parts that hold `documents` (print.html itself
    /// when it is one page): after edits that leave the print's order and titles alone.
    WholeHolding {
        documents: &'a BTreeSet<usize>,
    },
}

/// Re-renders, in a live output directory, the pages of `part`; each file is replaced by a
/// rename, so a reader never sees half a page. This is how `serve` follows an edit without
/// rebuilding the whole site, with what it keeps between updates (`kept`: the search index,
/// of which only the shards an edit changed are written, the sidebar, the listings' memo).
/// `written` is told of each file as it is put in place: each job's files as soon as that
/// job is done, so that `serve` can answer a request for the register while the calendar is
/// still being written (`None`: all of them once every job is done).
pub fn update_pages(
    hb: &Handbook,
    checked: &Checked,
    opts: &Options,
    tera: &tera::Tera,
    out: &Path,
    (part, kept): (Part<'_>, Kept<'_>),
    written: Option<Written<'_>>,
) -> Result<usize, String> {
    let mut site = context::Site::new(hb, checked, opts);
    site.search_cache = kept.search;
    site.memo = kept.memo;
    if let Some(nav) = kept.nav {
        site.keep_nav(nav.to_vec());
    }
    if let Part::Pages { documents, .. } = part {
        site.few_pages = documents.len() <= context::FEW_PAGES;
    }
    let staging = out.join(STAGING);
    let _ = fs::remove_dir_all(&staging);
    let holding = match part {
        Part::WholeHolding { documents } => site.parts_holding(documents),
        _ => BTreeSet::new(),
    };
    let one_print = site.print_layout().parts() == 0;
    let wanted = |job: &context::Job| match (part, job) {
        (Part::Whole, j) => matches!(
            j,
            context::Job::Print | context::Job::PrintPart(_) | context::Job::Search
        ),
        (Part::WholeHolding { .. }, context::Job::Search) => true,
        (Part::WholeHolding { .. }, context::Job::Print) => one_print,
        (Part::WholeHolding { .. }, context::Job::PrintPart(k)) => holding.contains(k),
        (Part::WholeHolding { .. }, _) => false,
        (_, context::Job::Print | context::Job::PrintPart(_) | context::Job::Search) => false,
        (Part::Pages { documents, .. }, context::Job::Document(i)) => documents.contains(i),
        (Part::Pages { controls, .. }, context::Job::Control(i)) => {
            controls.contains(&crate::core::catalog::catalog().controls[*i].id)
        }
        (Part::Pages { risks, .. }, context::Job::Risk(_)) => risks,
        (Part::Pages { lists, .. }, _) => lists,
    };
    let jobs: Vec<context::Job> = site.jobs().into_iter().filter(wanted).collect();
    let done = match written {
        // Nothing is put in place unless every job succeeded.
        None => staged(&staging)
            .and_then(|()| run_jobs(&site, tera, &jobs, &staging))
            .and_then(|count| Ok((count, move_into(&staging, out)?))),
        Some(written) => run_jobs_in_place(&site, tera, &jobs, &staging, out, written),
    };
    let _ = fs::remove_dir_all(&staging);
    let (count, renamed) = done?;
    paged::remove_stale(out, &renamed)?;
    Ok(count)
}

/// A staging folder with the subfolders the jobs write into.
fn staged(dir: &Path) -> Result<(), String> {
    for sub in ["documents", "controls"] {
        fs::create_dir_all(dir.join(sub))
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// Runs the jobs as [`run_jobs`] does, each in a staging folder of its own, whose files are
/// put in place (and `written` told of them) as soon as the job is done; a job that fails
/// leaves those of the jobs done before it in place. The jobs are the listings, a few dozen:
/// the folders cost nothing beside them. How many files, and their paths.
fn run_jobs_in_place(
    site: &context::Site<'_>,
    tera: &tera::Tera,
    jobs: &[context::Job],
    staging: &Path,
    out: &Path,
    written: Written<'_>,
) -> Result<(usize, Vec<PathBuf>), String> {
    let numbered: Vec<(usize, &context::Job)> = jobs.iter().enumerate().collect();
    let done = crate::core::parallel::map_uneven(&numbered, |&(k, job)| -> Result<_, String> {
        let own = staging.join(format!("job-{k}"));
        staged(&own)?;
        let count = run_job(site, tera, job, &own)?;
        let moved = move_into(&own, out)?;
        for rel in &moved {
            written(rel);
        }
        Ok((count, moved))
    });
    let mut count = 0;
    let mut renamed = Vec::new();
    for job in done {
        let (n, moved) = job?;
        count += n;
        renamed.extend(moved);
    }
    Ok((count, renamed))
}

/// Renames every file under `staging` to the same place under `out`; the paths moved,
/// relative to both.
fn move_into(staging: &Path, out: &Path) -> Result<Vec<PathBuf>, String> {
    let mut renamed = Vec::new();
    for entry in walkdir::WalkDir::new(staging) {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(staging).unwrap_or(entry.path());
            // `print/` appears when an edit takes the handbook past one print page.
            if let Some(dir) = rel.parent().filter(|d| !out.join(d).is_dir()) {
                fs::create_dir_all(out.join(dir))
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            fs::rename(entry.path(), out.join(rel))
                .map_err(|e| format!("cannot update {}: {e}", rel.display()))?;
            renamed.push(rel.to_path_buf());
        }
    }
    Ok(renamed)
}
