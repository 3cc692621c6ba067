//! `serve` re-checks an edit by re-running the per-document rules only where the edit can
//! change their result (`check::incremental`). Each dependency of one document's result on
//! another document is pinned here: after every update the check `serve` keeps must equal a
//! full check of the same files, and show what a user would see in a fresh `check`.

mod common;

use ismsbook::check::check_for;
use ismsbook::site::{Options, Site};

const ACCESS: &str = "content/access.md";
const BACKUP: &str = "content/backup.md";

fn doc(id: &str, title: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\n\n# {title}\n\n{body}\n"
    )
}

/// A handbook of two documents; `serve`'s site opened on it.
fn site(access_body: &str, backup_body: &str) -> (common::Handbook, Site) {
    let hb = common::Handbook::fixture("_base");
    hb.write(ACCESS, doc("POL-010", "Access Control", access_body));
    hb.write(BACKUP, doc("POL-020", "Backup", backup_body));
    let site = Site::open(hb.path(), Options::new(common::TODAY.parse().unwrap())).unwrap();
    (hb, site)
}

/// Writes `text` to `rel`, follows the edit as `serve` does, and checks that what the site
/// keeps equals a full check. Returns the messages and helps of the problems at `BACKUP`.
fn edit(hb: &common::Handbook, site: &mut Site, rel: &str, text: &str) -> Vec<String> {
    hb.write(rel, text);
    site.update(&[rel.into()]).unwrap();
    let full = check_for(&site.hb, None);
    assert_eq!(
        site.checked.diagnostics, full.diagnostics,
        "after editing {rel}"
    );
    assert_eq!(
        site.checked.links.targets, full.links.targets,
        "after editing {rel}"
    );
    site.checked
        .diagnostics
        .iter()
        .filter(|d| d.file.ends_with("backup.md"))
        .map(|d| format!("{} / {}", d.message, d.help.clone().unwrap_or_default()))
        .collect()
}

/// A heading renamed in one document breaks the links of another to it, and renaming it
/// back mends them, though the linking document was not edited.
#[test]
fn a_renamed_heading_breaks_and_mends_the_links_of_other_documents() {
    let (hb, mut site) = site("## Scope\n\nWho.", "See [scope](POL-010#scope).");
    assert!(!site.has_errors());
    let problems = edit(
        &hb,
        &mut site,
        ACCESS,
        &doc("POL-010", "Access Control", "## Reach\n\nWho."),
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("no heading #scope in POL-010"),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("#reach"),
        "the help names the heading there is: {problems:?}"
    );
    let problems = edit(
        &hb,
        &mut site,
        ACCESS,
        &doc("POL-010", "Access Control", "## Scope\n\nWho."),
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert!(!site.has_errors());
}

/// The same through a relative link: it resolves to the document it names.
#[test]
fn a_renamed_heading_breaks_a_link_by_path() {
    let (hb, mut site) = site("## Scope\n\nWho.", "See [scope](access.md#scope).");
    assert!(!site.has_errors());
    let problems = edit(
        &hb,
        &mut site,
        ACCESS,
        &doc("POL-010", "Access Control", "## Reach"),
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
}

/// A heading added where a broken link pointed mends it.
#[test]
fn a_heading_added_mends_a_broken_link_of_another_document() {
    let (hb, mut site) = site("Nothing yet.", "See [retention](POL-010#retention).");
    assert!(site.has_errors());
    let problems = edit(
        &hb,
        &mut site,
        ACCESS,
        &doc("POL-010", "Access Control", "## Retention"),
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert!(!site.has_errors());
}

/// "Did you mean" names the title of the nearest document: a new title shows in the help
/// of another document's broken link at once.
#[test]
fn a_new_title_shows_in_the_hint_of_another_documents_broken_link() {
    let (hb, mut site) = site("Text.", "See [access](POL-011).");
    let before = edit(
        &hb,
        &mut site,
        BACKUP,
        &doc("POL-020", "Backup", "See [access](POL-011)."),
    );
    assert!(
        before[0].contains("did you mean POL-010 (Access Control)?"),
        "{before:?}"
    );
    let after = edit(
        &hb,
        &mut site,
        ACCESS,
        &doc("POL-010", "Access Management", "Text."),
    );
    assert!(
        after[0].contains("did you mean POL-010 (Access Management)?"),
        "{after:?}"
    );
}

/// An edit of one body leaves the other document's problems as they were, and its own
/// are found again.
#[test]
fn an_edited_body_is_checked_again_and_the_others_kept() {
    let (hb, mut site) = site("Text.", "See [x](POL-099).");
    let problems = edit(
        &hb,
        &mut site,
        ACCESS,
        &doc("POL-010", "Access Control", "See [y](POL-098)."),
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    let access: Vec<_> = site
        .checked
        .diagnostics
        .iter()
        .filter(|d| d.file.ends_with("access.md"))
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(access, ["link to unknown document POL-098"]);
}
