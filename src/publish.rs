//! What `build` and `bundle` share: the handbook loaded from the work tree or a revision,
//! checked, with its git history and changes, ready to render.

use std::path::Path;

use crate::history::{self, Repo, WorkTreeChanges};
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
    // How the files being built differ from the tip commit: `None` when that is unknown.
    let (source, tip, changed): (Box<dyn Source>, _, Option<WorkTreeChanges>) = match rev {
        None => {
            let tip = repo.as_ref().ok().and_then(Repo::head);
            let changed = match (&repo, tip) {
                (Ok(r), Some(t)) => r.work_tree_changes(t, root),
                _ => None,
            };
            (
                Box::new(WorkTree {
                    root: root.to_path_buf(),
                }),
                tip,
                changed,
            )
        }
        Some(rev) => {
            let r = repo
                .as_ref()
                .map_err(|why| format!("--rev needs git history, but {}: {why}", root.display()))?;
            let commit = r.resolve(rev)?;
            let unchanged = WorkTreeChanges::none(r, commit);
            (Box::new(r.tree_source(commit)?), Some(commit), unchanged)
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
    let checked = validate::check_with(&hb, source.as_ref());
    let mut opts = render::Options {
        max_classification: max_classification.map(String::from),
        ..Default::default()
    };
    if crate::diagnostics::count(&checked.diagnostics).errors == 0 {
        opts.history = history::info(
            repo.as_ref().map_err(String::as_str),
            tip,
            changed.as_ref(),
            &hb,
        );
        if let (Ok(r), Some(t), Some(label)) = (&repo, tip, &opts.history.label) {
            let build = Built {
                tip: t,
                changed: changed.as_ref(),
                hb: &hb,
                source: source.as_ref(),
            };
            opts.changes = changes_since_previous_tag(r, &build, label);
        }
    }
    Ok(Prepared {
        hb,
        checked,
        opts,
        source,
    })
}

/// What a build is made of: the handbook read from `source`, which differs from the commit
/// `tip` by `changed` (`None`: unknown).
struct Built<'a> {
    tip: gix::ObjectId,
    changed: Option<&'a WorkTreeChanges>,
    hb: &'a Handbook,
    source: &'a dyn Source,
}

/// Changes since the previous tag: the newest tag behind the build's commit (or at it, when
/// the work tree has changed since). A document whose file is the same at the tag, at the
/// tip and in the work tree is taken as loaded rather than read again from the tag.
fn changes_since_previous_tag(
    repo: &Repo,
    build: &Built<'_>,
    label: &str,
) -> Option<crate::changes::Changes> {
    let dirty = build.changed.is_none_or(WorkTreeChanges::any);
    let (tag, commit) = repo
        .tags_reachable_from(build.tip)
        .into_iter()
        .find(|(_, commit)| dirty || *commit != build.tip)?;
    let at_tag = repo.tree_source(commit).ok()?;
    let current = build.hb;
    let known = |path: &Path| -> Option<crate::model::Document> {
        let same = build.changed.is_some_and(|c| {
            !c.files.contains(path)
                && at_tag.blob_of(path).is_some()
                && at_tag.blob_of(path) == c.committed.get(path).copied()
        });
        if !same {
            return None;
        }
        let i = current
            .documents
            .binary_search_by(|d| d.path.as_path().cmp(path))
            .ok()?;
        Some(current.documents[i].metadata())
    };
    let before = load::load_reusing(
        &current.root,
        &at_tag,
        current.today,
        load::Keep::Texts,
        &known,
    )
    .ok()?;
    Some(crate::changes::compare(
        (&before, &at_tag),
        (current, build.source),
        &tag,
        label,
    ))
}
