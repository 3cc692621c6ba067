//! The oracle: after any sequence of edits, the pages `serve` holds equal a fresh `build` of
//! the same files, byte for byte. A property test over a small handbook of documents that
//! link to each other: random edits of bodies, titles, controls, status (approving without
//! an approval breaks the build), related lists, renames, deletions, additions and broken
//! front matter, each followed by `Site::update` (what serve calls on every save) and the
//! writes serve makes; whenever the handbook has no errors, every file of the updated site
//! is compared with a fresh build into another directory (same date, no git). After every
//! update, the check `serve` keeps (re-run only where an edit can change it) equals a full
//! check of the same handbook.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use ismsbook::check::{check_for, Checked};
use ismsbook::site::{History, Options, Site, Update};
use proptest::prelude::*;

/// One document as the test wrote it; its file is made from these fields.
#[derive(Clone, Debug)]
struct Doc {
    id: u8,
    title: u8,
    status: u8,
    controls: Vec<u8>,
    related: Vec<u8>,
    supersedes: Vec<u8>,
    /// Type, classification, owner and version, picked by this number.
    meta: u8,
    /// Links written into the body (by id, by path), fixed when the body was written: a
    /// rename leaves them pointing at the old path, as it would on disk.
    links: Vec<String>,
    body: u8,
    broken: bool,
}

/// Relative to `content/`.
const ASSET: &str = "files/diagram.txt";

const STATUSES: [&str; 4] = ["draft", "in-review", "retired", "approved"];

impl Doc {
    fn text(&self) -> String {
        if self.broken {
            return format!(
                "---\nid: POL-00{}\ntitle: [unclosed\n---\n\nbroken\n",
                self.id
            );
        }
        let controls: Vec<String> = self.controls.iter().map(|c| format!("A.8.{c}")).collect();
        let ids = |v: &[u8]| -> String {
            let ids: Vec<String> = v.iter().map(|r| format!("POL-00{r}")).collect();
            ids.join(", ")
        };
        let links: String = self
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| format!("- [link {i}]({l})\n"))
            .collect();
        format!(
            "---\nid: POL-00{id}\ntitle: Policy {id} take {title}\ntype: {kind}\nversion: \"{version}\"\n\
             status: {status}\nowner: {owner}\nclassification: {level}\ncontrols: [{controls}]\n\
             related: [{related}]\nsupersedes: [{supersedes}]\n---\n\n# Policy {id}\n\nBody version {body}.\n\n{links}",
            id = self.id,
            title = self.title,
            status = STATUSES[self.status as usize % STATUSES.len()],
            controls = controls.join(", "),
            related = ids(&self.related),
            supersedes = ids(&self.supersedes),
            body = self.body,
            kind = ["policy", "standard", "procedure"][self.meta as usize % 3],
            level = ["internal", "public"][self.meta as usize / 3 % 2],
            owner = ["CISO", "CEO"][self.meta as usize / 6 % 2],
            version = ["1.0", "1.10"][self.meta as usize / 12 % 2],
        )
    }
}

#[derive(Clone, Debug)]
enum Step {
    Body(usize, u8, Vec<(usize, bool)>),
    Title(usize, u8),
    Meta(usize, u8),
    /// A document takes another id (its page moves).
    Id(usize, u8),
    Controls(usize, Vec<u8>),
    Status(usize, u8),
    Related(usize, Vec<u8>),
    Supersedes(usize, Vec<u8>),
    /// An asset under `content/files/` appears (true) or goes.
    Asset(bool),
    /// An editor's swap file comes and goes: nothing to rebuild.
    Swap,
    Rename(usize),
    Delete(usize),
    Add(u8),
    Break(usize),
    Fix(usize),
    /// The approved baseline's body changes (changed-since-approval), then back.
    Baseline(bool),
}

fn step() -> impl Strategy<Value = Step> {
    let links = prop::collection::vec((0..8usize, any::<bool>()), 0..3);
    prop_oneof![
        3 => (0..8usize, 0..4u8, links).prop_map(|(d, b, l)| Step::Body(d, b, l)),
        2 => (0..8usize, 0..4u8).prop_map(|(d, t)| Step::Title(d, t)),
        1 => (0..8usize, 1..7u8).prop_map(|(d, id)| Step::Id(d, id)),
        2 => (0..8usize, 0..24u8).prop_map(|(d, m)| Step::Meta(d, m)),
        2 => (0..8usize, prop::collection::vec(1..5u8, 0..3)).prop_map(|(d, c)| Step::Controls(d, c)),
        2 => (0..8usize, 0..4u8).prop_map(|(d, s)| Step::Status(d, s)),
        1 => (0..8usize, prop::collection::vec(1..7u8, 0..2)).prop_map(|(d, r)| Step::Related(d, r)),
        1 => (0..8usize, prop::collection::vec(1..7u8, 0..2)).prop_map(|(d, r)| Step::Supersedes(d, r)),
        1 => any::<bool>().prop_map(Step::Asset),
        1 => Just(Step::Swap),
        1 => (0..8usize).prop_map(Step::Rename),
        1 => (0..8usize).prop_map(Step::Delete),
        1 => (1..7u8).prop_map(Step::Add),
        1 => (0..8usize).prop_map(Step::Break),
        2 => (0..8usize).prop_map(Step::Fix),
        1 => any::<bool>().prop_map(Step::Baseline),
    ]
}

/// The handbook on disk and the documents the test wrote into it, by path.
struct World {
    hb: common::Handbook,
    docs: BTreeMap<String, Doc>,
    renames: u32,
}

impl World {
    fn new() -> World {
        let hb = common::Handbook::fixture("_base");
        // Frameworks on: their pages list the documents of each mapped control, and serve
        // renders again only the rows an edit changed.
        let config = std::fs::read_to_string(hb.path().join("ismsbook.toml")).unwrap();
        hb.write(
            "ismsbook.toml",
            format!("{config}\n[frameworks]\nenabled = [\"nis2\", \"gdpr\"]\n"),
        );
        let mut w = World {
            hb,
            docs: BTreeMap::new(),
            renames: 0,
        };
        for (i, file) in ["content/a.md", "content/sub/b.md", "content/sub/c.md"]
            .into_iter()
            .enumerate()
        {
            let id = i as u8 + 1;
            let doc = Doc {
                id,
                title: 0,
                status: 0,
                controls: vec![id],
                related: vec![id % 3 + 1],
                supersedes: vec![],
                meta: 0,
                links: vec![format!("POL-00{}", id % 3 + 1)],
                body: 0,
                broken: false,
            };
            w.put(file, doc);
        }
        w
    }

    fn put(&mut self, path: &str, doc: Doc) {
        self.hb.write(path, doc.text());
        self.docs.insert(path.to_string(), doc);
    }

    fn nth(&self, i: usize) -> Option<String> {
        let n = self.docs.len();
        (n > 0).then(|| self.docs.keys().nth(i % n).cloned().unwrap_or_default())
    }

    /// A link from `from` to the `to`-th document, by id or by relative path; `to` 7 is
    /// the asset (which may be absent), 6 a control, 5 a heading of POL-001.
    fn link(&self, from: &str, to: usize, by_path: bool) -> Option<String> {
        let up = "../".repeat(Path::new(from).components().count() - 2);
        match to {
            7 => return Some(format!("{up}{ASSET}")),
            6 => return Some("A.8.2".into()),
            5 => return Some("POL-001#policy-1".into()),
            _ => {}
        }
        let target = self.nth(to)?;
        match by_path {
            true => Some(format!("{up}{}", &target["content/".len()..])),
            false => Some(format!("POL-00{}", self.docs[&target].id)),
        }
    }

    /// Applies `step` on disk; returns the changed paths, relative to the root.
    fn apply(&mut self, step: &Step) -> Vec<PathBuf> {
        let edit = |w: &mut World, i: usize, f: &dyn Fn(&mut Doc)| -> Vec<PathBuf> {
            let Some(path) = w.nth(i) else { return vec![] };
            let mut doc = w.docs[&path].clone();
            f(&mut doc);
            w.put(&path, doc);
            vec![PathBuf::from(path)]
        };
        match step {
            Step::Body(i, body, links) => {
                let Some(path) = self.nth(*i) else {
                    return vec![];
                };
                let links: Vec<String> = links
                    .iter()
                    .filter_map(|&(to, by_path)| self.link(&path, to, by_path))
                    .collect();
                edit(self, *i, &|d| {
                    d.body = *body;
                    d.links = links.clone();
                })
            }
            Step::Title(i, t) => edit(self, *i, &|d| d.title = *t),
            Step::Id(i, id) => edit(self, *i, &|d| d.id = *id),
            Step::Meta(i, m) => edit(self, *i, &|d| d.meta = *m),
            Step::Controls(i, c) => edit(self, *i, &|d| d.controls = c.clone()),
            Step::Status(i, s) => edit(self, *i, &|d| d.status = *s),
            Step::Related(i, r) => edit(self, *i, &|d| d.related = r.clone()),
            Step::Supersedes(i, r) => edit(self, *i, &|d| d.supersedes = r.clone()),
            Step::Asset(present) => {
                let path = Path::new("content").join(ASSET);
                let on_disk = self.hb.path().join(&path);
                match present {
                    true => {
                        std::fs::create_dir_all(on_disk.parent().unwrap()).unwrap();
                        std::fs::write(&on_disk, format!("diagram {}\n", self.renames)).unwrap();
                    }
                    false => {
                        let _ = std::fs::remove_file(&on_disk);
                    }
                }
                vec![path]
            }
            Step::Swap => {
                let path = PathBuf::from("content/.a.md.swp");
                self.hb.write("content/.a.md.swp", "swap");
                std::fs::remove_file(self.hb.path().join(&path)).unwrap();
                vec![path]
            }
            Step::Break(i) => edit(self, *i, &|d| d.broken = true),
            Step::Fix(i) => edit(self, *i, &|d| {
                d.broken = false;
                d.status %= 3; // approving without an approval is an error
            }),
            Step::Rename(i) => {
                let Some(path) = self.nth(*i) else {
                    return vec![];
                };
                let doc = self.docs.remove(&path).expect("listed");
                self.renames += 1;
                let to = match path.starts_with("content/sub/") {
                    true => format!("content/r{}.md", self.renames),
                    false => format!("content/sub/r{}.md", self.renames),
                };
                std::fs::rename(self.hb.path().join(&path), self.hb.path().join(&to)).unwrap();
                self.docs.insert(to.clone(), doc);
                vec![PathBuf::from(path), PathBuf::from(to)]
            }
            Step::Delete(i) => {
                let Some(path) = self.nth(*i) else {
                    return vec![];
                };
                self.docs.remove(&path);
                std::fs::remove_file(self.hb.path().join(&path)).unwrap();
                vec![PathBuf::from(path)]
            }
            Step::Add(id) => {
                let path = format!("content/new-{id}-{}.md", self.docs.len());
                let doc = Doc {
                    id: *id,
                    title: 1,
                    status: 0,
                    controls: vec![],
                    related: vec![],
                    supersedes: vec![],
                    meta: 0,
                    links: vec![],
                    body: 1,
                    broken: false,
                };
                self.put(&path, doc);
                vec![PathBuf::from(path)]
            }
            Step::Baseline(changed) => {
                let path = "content/baseline.md";
                let text =
                    std::fs::read_to_string(common::fixtures().join("_base").join(path)).unwrap();
                let text = match changed {
                    true => text + "\nAn unapproved sentence.\n",
                    false => text,
                };
                self.hb.write(path, text);
                vec![PathBuf::from(path)]
            }
        }
    }
}

thread_local! {
    /// Documents per part of print.html in this thread's runs (0: the default limit, which
    /// these small handbooks stay under).
    static PRINT_PART: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Rows per listing page in this thread's runs (0: the default).
    static ROWS_PER_PAGE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Serve's options: a search key fixed for the session (as serve draws one), which the
/// fresh build shares, so that the search shards compare byte for byte.
fn options() -> Options {
    let mut opts = Options {
        history: History::Revisions,
        inject: Some("<script src=\"/reload.js\"></script>".into()),
        search_key: Some([7; 32]),
        ..Options::new(common::TODAY.parse().unwrap())
    };
    if PRINT_PART.with(|p| p.get()) > 0 {
        opts.limits.print_part = PRINT_PART.with(|p| p.get());
    }
    if ROWS_PER_PAGE.with(|p| p.get()) > 0 {
        opts.limits.rows_per_page = ROWS_PER_PAGE.with(|p| p.get());
    }
    opts
}

/// Serve's writes: a new directory for a rewrite, the named pages over the old one.
struct Served {
    base: tempfile::TempDir,
    generation: u32,
    dir: Option<PathBuf>,
}

impl Served {
    fn rewrite(&mut self, site: &mut Site) {
        if let Some(old) = self.dir.take() {
            std::fs::remove_dir_all(old).unwrap();
        }
        self.generation += 1;
        let dir = self.base.path().join(format!("g{}", self.generation));
        std::fs::create_dir(&dir).unwrap();
        site.render_to(&dir).unwrap();
        self.dir = Some(dir);
    }

    fn apply(&mut self, site: &mut Site, update: Update) {
        match (update, self.dir.clone()) {
            (Update::Unchanged | Update::Broken, _) => {}
            (Update::Pages(pages), Some(dir)) => {
                site.write_pages(&dir, &pages).unwrap();
                site.write_whole(&dir).unwrap();
            }
            (Update::Rewrite | Update::Pages(_), _) => self.rewrite(site),
        }
    }
}

/// The files that differ between the served site and a fresh build, with the first line
/// that differs in each.
fn differences(served: &Path, fresh: &Path) -> Vec<String> {
    let (a, b) = (common::files(served), common::files(fresh));
    let mut out = Vec::new();
    for path in a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (a.get(path), b.get(path)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                let (x, y) = (String::from_utf8_lossy(x), String::from_utf8_lossy(y));
                let line = x
                    .lines()
                    .zip(y.lines())
                    .find(|(l, r)| l != r)
                    .map(|(l, r)| format!("\n  served: {l}\n  fresh:  {r}"))
                    .unwrap_or_default();
                out.push(format!("{} differs{line}", path.display()));
            }
            (Some(_), None) => out.push(format!("{} only served", path.display())),
            (None, _) => out.push(format!("{} only in a fresh build", path.display())),
        }
    }
    out
}

/// The fields in which the check an update made differs from a full check of the same
/// handbook (those without `PartialEq` compared as they print).
fn check_differences(kept: &Checked, full: &Checked) -> Vec<&'static str> {
    let debug =
        |x: &dyn std::fmt::Debug, y: &dyn std::fmt::Debug| format!("{x:?}") == format!("{y:?}");
    [
        ("diagnostics", kept.diagnostics == full.diagnostics),
        ("links", kept.links.targets == full.links.targets),
        ("coverage", kept.coverage == full.coverage),
        ("withheld", kept.withheld == full.withheld),
        ("soa", kept.soa == full.soa),
        ("risk states", kept.risk_states == full.risk_states),
        ("operating", debug(&kept.operating, &full.operating)),
        ("frameworks", debug(&kept.frameworks, &full.frameworks)),
        ("signatures", debug(&kept.signatures, &full.signatures)),
    ]
    .into_iter()
    .filter(|(_, same)| !same)
    .map(|(name, _)| name)
    .collect()
}

/// Updates that were unchanged, broken, rewrites, pages; and comparisons made.
static KINDS: [AtomicUsize; 5] = [const { AtomicUsize::new(0) }; 5];

/// Runs `steps`; the first step at which the served site differs from a fresh build fails.
fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    let mut world = World::new();
    let root = world.hb.path().to_path_buf();
    let mut site = Site::open(&root, options()).unwrap();
    prop_assert!(!site.has_errors(), "the starting handbook has errors");
    let mut served = Served {
        base: tempfile::tempdir().unwrap(),
        generation: 0,
        dir: None,
    };
    served.apply(&mut site, Update::Rewrite);
    for (n, step) in steps.iter().enumerate() {
        let changed = world.apply(step);
        let update = match site.update(&changed) {
            Ok(u) => u,
            Err(e) => return Err(TestCaseError::fail(format!("step {n} {step:?}: {e}"))),
        };
        let kind = match &update {
            Update::Unchanged => 0,
            Update::Broken => 1,
            Update::Rewrite => 2,
            Update::Pages(_) => 3,
        };
        KINDS[kind].fetch_add(1, Relaxed);
        let full = check_for(&site.hb, site.options().max_classification.as_deref());
        let unlike = check_differences(&site.checked, &full);
        prop_assert!(
            unlike.is_empty(),
            "after step {n} ({step:?}) of {steps:?}, the incremental check differs from a full check in {}",
            unlike.join(", ")
        );
        served.apply(&mut site, update);
        if site.has_errors() {
            continue;
        }
        KINDS[4].fetch_add(1, Relaxed);
        let mut fresh = Site::open(&root, options()).unwrap();
        prop_assert!(!fresh.has_errors(), "step {n}: a fresh build has errors");
        let out = tempfile::tempdir().unwrap();
        fresh.render_to(out.path()).unwrap();
        let served_dir = served.dir.clone().expect("a good site was written");
        let diff = differences(&served_dir, out.path());
        prop_assert!(
            diff.is_empty(),
            "after step {n} ({step:?}) of {steps:?}:\n{}",
            diff.join("\n")
        );
    }
    Ok(())
}

/// The property tests' settings: `ORACLE_CASES=500` for a longer search than CI's 24.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("ORACLE_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(24),
        max_shrink_iters: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn served_pages_equal_a_fresh_build(steps in prop::collection::vec(step(), 1..8)) {
        run(&steps)?;
        let n: Vec<usize> = KINDS.iter().map(|k| k.load(Relaxed)).collect();
        eprintln!(
            "so far: {} unchanged, {} broken, {} rewrites, {} page updates; {} comparisons",
            n[0], n[1], n[2], n[3], n[4]
        );
    }
}

proptest! {
    #![proptest_config(config())]

    /// The same with print.html in parts of one document: serve writes only the parts of
    /// the edited documents, all of them when the print's order or titles change.
    #[test]
    fn served_pages_equal_a_fresh_build_when_printed_in_parts(steps in prop::collection::vec(step(), 1..8)) {
        PRINT_PART.with(|p| p.set(1));
        run(&steps)?;
    }
}

proptest! {
    #![proptest_config(config())]

    /// The same with listings of two rows a page: serve renders again only the pages and
    /// chunks of rows that show an edited document, and keeps the rest as rendered.
    #[test]
    fn served_pages_equal_a_fresh_build_when_listings_are_paged(steps in prop::collection::vec(step(), 1..8)) {
        ROWS_PER_PAGE.with(|p| p.set(2));
        run(&steps)?;
    }
}

/// Found by the oracle: an edited id left the page of the old id in `serve`'s site (a stale
/// page at the old address); the update is now a rewrite.
#[test]
fn an_edited_id_takes_the_old_page_away() {
    run(&[Step::Add(4), Step::Id(1, 5)]).unwrap();
}

/// The same through a broken edit: the document had no id while its front matter was
/// unreadable, then came back under another.
#[test]
fn an_id_changed_across_a_broken_edit_takes_the_old_page_away() {
    run(&[Step::Add(4), Step::Break(1), Step::Fix(1), Step::Id(1, 6)]).unwrap();
    run(&[Step::Add(4), Step::Break(1), Step::Id(1, 6), Step::Fix(1)]).unwrap();
}

/// An asset added while a document is broken reopens a broken site; the fix then writes the
/// whole site (before the driver, serve wrote only the pages over the last good generation,
/// which lacked the asset).
#[test]
fn an_asset_added_while_broken_is_served_once_fixed() {
    run(&[
        Step::Break(0),
        Step::Asset(true),
        Step::Fix(0),
        Step::Body(0, 1, vec![(7, true)]),
    ])
    .unwrap();
}
