//! The changes since the previous tag that `build` and `bundle` publish.

use std::path::Path;

use crate::history::{Repo, WorkTreeChanges};
use crate::load::model::Handbook;
use crate::load::{self, Source};

/// What a build is made of: the handbook read from `source`, which differs from the commit
/// `tip` by `changed` (`None`: unknown).
pub(super) struct Built<'a> {
    pub tip: gix::ObjectId,
    pub changed: Option<&'a WorkTreeChanges>,
    pub hb: &'a Handbook,
    pub source: &'a dyn Source,
}

/// Changes since the previous tag: the newest tag behind the build's commit (or at it, when
/// the work tree has changed since). A document whose file is the same at the tag, at the
/// tip and in the work tree is taken as loaded rather than read again from the tag.
pub(super) fn changes_since_previous_tag(
    repo: &Repo,
    build: &Built<'_>,
    label: &str,
) -> Option<crate::history::changes::Changes> {
    let dirty = build.changed.is_none_or(WorkTreeChanges::any);
    let (tag, commit) = repo
        .tags_reachable_from(build.tip)
        .into_iter()
        .find(|(_, commit)| dirty || *commit != build.tip)?;
    let at_tag = repo.tree_source(commit).ok()?;
    let current = build.hb;
    let known = |path: &Path| -> Option<crate::load::model::Document> {
        let same = build.changed.is_some_and(|c| {
            !c.files.contains(path)
                && at_tag.blob_of(path).is_some()
                && at_tag.blob_of(path) == c.committed.get(path).copied()
        });
        if !same {
            return None;
        }
        let i = current.index_of_path(path)?;
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
    Some(crate::history::changes::compare(
        (&before, &at_tag),
        (current, build.source),
        &tag,
        label,
    ))
}
