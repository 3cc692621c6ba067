//! What `build` and `bundle` share: the handbook loaded from the work tree or a revision,
//! checked, with its git history and changes, ready to render.

use std::path::Path;

use crate::history::{self, Repo};
use crate::load::{self, Source, WorkTree};
use crate::model::Handbook;
use crate::render;
use crate::types::Date;
use crate::validate::{self, Checked};

pub struct Prepared {
    pub hb: Handbook,
    pub checked: Checked,
    pub opts: render::Options,
    /// Where the files came from: assets are read from it again when copied.
    pub source: Box<dyn Source>,
}

/// Loads and checks the handbook at `rev` (the work tree when `None`); history and the
/// changes since the previous tag are gathered only for a handbook without errors.
pub fn prepare(
    root: &Path,
    rev: Option<&str>,
    today: Date,
    max_classification: Option<&str>,
) -> Result<Prepared, String> {
    let repo = Repo::open(root);
    let (source, tip, dirty): (Box<dyn Source>, _, _) = match rev {
        None => {
            let tip = repo.as_ref().ok().and_then(Repo::head);
            let dirty = match (&repo, tip) {
                (Ok(r), Some(t)) => r.is_dirty(t, root),
                _ => false,
            };
            (
                Box::new(WorkTree {
                    root: root.to_path_buf(),
                }),
                tip,
                dirty,
            )
        }
        Some(rev) => {
            let r = repo
                .as_ref()
                .map_err(|why| format!("--rev needs git history, but {}: {why}", root.display()))?;
            let commit = r.resolve(rev)?;
            (Box::new(r.tree_source(commit)?), Some(commit), false)
        }
    };
    let hb =
        load::load(root, source.as_ref(), today, load::Keep::Bodies).map_err(|e| e.to_string())?;
    if let Some(level) = max_classification {
        if hb.config.level_rank(level).is_none() {
            return Err(format!(
                "--max-classification {level}: not a level of ismsbook.toml ({})",
                hb.config.levels.join(", ")
            ));
        }
    }
    let checked = validate::check(&hb);
    let mut opts = render::Options {
        max_classification: max_classification.map(String::from),
        ..Default::default()
    };
    if crate::diagnostics::count(&checked.diagnostics).errors == 0 {
        opts.history = history::info(repo.as_ref().map_err(String::as_str), tip, dirty);
        if let (Ok(r), Some(t), Some(label)) = (&repo, tip, &opts.history.label) {
            opts.changes = changes_since_previous_tag(r, t, dirty, &hb, source.as_ref(), label);
        }
    }
    Ok(Prepared {
        hb,
        checked,
        opts,
        source,
    })
}

/// Changes since the previous tag: the newest tag behind the build's commit (or at it, when
/// the work tree has changed since).
fn changes_since_previous_tag(
    repo: &Repo,
    tip: gix::ObjectId,
    dirty: bool,
    current: &Handbook,
    current_source: &dyn Source,
    label: &str,
) -> Option<crate::changes::Changes> {
    let (tag, commit) = repo
        .tags_reachable_from(tip)
        .into_iter()
        .find(|(_, commit)| dirty || *commit != tip)?;
    let source = repo.tree_source(commit).ok()?;
    let before = load::load(&current.root, &source, current.today, load::Keep::Metadata).ok()?;
    Some(crate::changes::compare(
        (&before, &source),
        (current, current_source),
        &tag,
        label,
    ))
}
