//! The build driver: one owner for the pipeline that `build`, `check`, `bundle`, `serve`,
//! `approve` and `changes` share, as Zola's `Site` and mdBook's `MDBook` are.
//!
//! [`Site::open`] loads the handbook (from the work tree or a revision), checks it once, and,
//! for a handbook without errors, gathers what git knows; [`Site::render_to`] writes every
//! page; [`Site::update`] follows edits for `serve`, re-reading only the files that changed
//! and naming the pages to write again. `render::Options` is made here and nowhere else.

mod data;
mod group;
mod history;
mod report;
mod update;

use std::fmt;
use std::path::{Path, PathBuf};

pub use report::{report, report_all, today};
pub use update::{written_after, After, Pages, Update};

use crate::check::{self, Checked};
use crate::core::types::Date;
use crate::history::{Repo, WorkTreeChanges};
use crate::load::model::Handbook;
use crate::load::{self, Keep, LoadError, Source, WorkTree};
use crate::render;

/// What git is asked for: nothing (`check`, `approve`), the version label and each
/// document's revisions (`serve`), and also the changes since the previous tag (`build`,
/// `bundle`). Only a handbook without errors asks at all: nothing is rendered otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum History {
    #[default]
    None,
    Revisions,
    WithChanges,
}

/// How a site is built; the same options give the same pages.
#[derive(Clone, Debug)]
pub struct Options {
    /// Build the handbook as it was at this commit or tag (`None`: the work tree).
    pub rev: Option<String>,
    /// The date reviews are checked against, and the build's date.
    pub today: Date,
    /// Leave out documents classified above this level.
    pub max_classification: Option<String>,
    /// How much of each document to keep in memory (see [`Keep`]).
    pub keep: Keep,
    pub history: History,
    /// HTML inserted before `</body>` of every page (serve's live reload).
    pub inject: Option<String>,
    /// The key sealing the search shards (`None`: derived from the content, so that `build`
    /// and `bundle` give the same bytes for the same input). `serve` draws one per session:
    /// the key only has to be unknown to other origins, which a random key is (more surely
    /// than one derived from the handbook), and a fixed key lets an edit rewrite only the
    /// shards it changes, where a derived key changes with every edit and so every shard.
    pub search_key: Option<[u8; 32]>,
    /// Past these, print.html is printed in parts and listings are paginated.
    pub limits: render::Limits,
    /// The site is rendered once (`build`, `bundle`): rendering frees each body after its
    /// last use and keeps no search index, and an update after reads everything again.
    /// Otherwise (`serve`) both are kept for the updates.
    pub renders_once: bool,
}

impl Options {
    /// Reading the work tree to render it, keeping parsed bodies only.
    pub fn new(today: Date) -> Options {
        Options {
            rev: None,
            today,
            max_classification: None,
            keep: Keep::Bodies,
            history: History::None,
            inject: None,
            search_key: None,
            limits: render::Limits::default(),
            renders_once: false,
        }
    }
}

/// Why a site could not be made at all (a handbook with errors is still a site: its
/// problems are diagnostics).
#[derive(Debug)]
pub enum Error {
    /// The configuration or `content/` could not be read.
    Load(LoadError),
    /// `--rev` or `changes` outside a git repository.
    NoGit {
        what: &'static str,
        root: PathBuf,
        why: String,
    },
    /// A revision that git does not know, or a tree it cannot read.
    Git(String),
    /// `--max-classification` names no level of the configuration.
    UnknownLevel { level: String, levels: Vec<String> },
    /// `SOURCE_DATE_EPOCH` is not a number of seconds.
    SourceDateEpoch(String),
    /// `SOURCE_DATE_EPOCH` is a time outside the years a date can be written in.
    SourceDateEpochRange(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Load(e) => e.fmt(f),
            Error::NoGit { what, root, why } => {
                write!(f, "{what} needs git history, but {}: {why}", root.display())
            }
            Error::Git(why) => f.write_str(why),
            Error::UnknownLevel { level, levels } => write!(
                f,
                "--max-classification {level}: not a level of ismsbook.toml ({})",
                levels.join(", ")
            ),
            Error::SourceDateEpoch(v) => {
                write!(
                    f,
                    "SOURCE_DATE_EPOCH must be a number of seconds, not `{v}`"
                )
            }
            Error::SourceDateEpochRange(v) => write!(
                f,
                "SOURCE_DATE_EPOCH `{v}` is not a time in the years 0000-9999: set it to the Unix time in seconds of the build, e.g. `git log -1 --format=%ct`"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::Load(e)
    }
}

/// A loaded and checked handbook, ready to render, and what `update` needs to follow edits.
pub struct Site {
    pub root: PathBuf,
    pub hb: Handbook,
    /// The one check of `hb`: diagnostics, links, coverage.
    pub checked: Checked,
    /// Where the files came from: assets and dropped texts are read from it again.
    pub source: Box<dyn Source + Send>,
    /// What the pages are rendered with; see [`Site::render_options`].
    pub render: render::Options,
    opts: Options,
    /// The compiled theme, kept between updates: compiling it costs more than an edit.
    tera: std::sync::OnceLock<tera::Tera>,
    pending: update::Pending,
    /// The search index as last written, so that an update writes only the shards it changes.
    search: render::search::SearchCache,
    /// The listings as last rendered, so that an update renders only what changed in them.
    memo: render::Memo,
    /// The per-document results of the check, which an update re-runs for what it changed.
    tracked: check::incremental::Tracked,
    /// The documents whose parts of print.html the next `write_whole` writes (`None`: all).
    print_holding: Option<std::collections::BTreeSet<usize>>,
    /// Whether the next `write_whole` writes the listings: the last update changed them.
    lists_pending: bool,
}

impl Site {
    /// Loads and checks the handbook under `root`; gathers history when it has no errors.
    pub fn open(root: &Path, opts: Options) -> Result<Site, Error> {
        // `check` and `approve` never ask git anything: opening a repository costs time.
        let repo = match opts.rev.is_some() || opts.history != History::None {
            true => Repo::open(root),
            false => Err("git is not asked".to_string()),
        };
        let (source, commit) = source_at(root, &repo, opts.rev.as_deref())?;
        let hb = load::load(root, source.as_ref(), opts.today, opts.keep)?;
        if let Some(level) = &opts.max_classification {
            if hb.config.level_rank(level).is_none() {
                return Err(Error::UnknownLevel {
                    level: level.clone(),
                    levels: hb.config.levels.clone(),
                });
            }
        }
        let (checked, tracked) =
            check::incremental::Tracked::full(&hb, opts.max_classification.as_deref());
        let mut site = Site {
            root: root.to_path_buf(),
            hb,
            checked,
            source,
            render: render::Options::default(),
            opts,
            tera: Default::default(),
            pending: update::Pending::default(),
            search: Default::default(),
            memo: Default::default(),
            tracked,
            print_holding: None,
            lists_pending: false,
        };
        site.render = site.render_options(&repo, commit);
        if site.has_errors() {
            site.pending.everything = true;
        }
        Ok(site)
    }

    /// Whether the check found errors (nothing is rendered then).
    pub fn has_errors(&self) -> bool {
        self.checked.diagnostics.iter().any(|d| d.is_error())
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The one place `render::Options` is made. History is gathered only for a handbook
    /// without errors, as nothing is rendered otherwise.
    fn render_options(
        &self,
        repo: &Result<Repo, String>,
        commit: Option<gix::ObjectId>,
    ) -> render::Options {
        let mut render = render::Options {
            max_classification: self.opts.max_classification.clone(),
            inject: self.opts.inject.clone(),
            search_key: self.opts.search_key,
            limits: self.opts.limits,
            ..Default::default()
        };
        if self.opts.history == History::None || self.has_errors() {
            return render;
        }
        // The commit built, and how the files built differ from it (`None`: unknown).
        let (tip, changed) = match (repo, commit) {
            (Ok(r), Some(c)) => (Some(c), WorkTreeChanges::none(r, c)),
            (Ok(r), None) => {
                let tip = r.head();
                (tip, tip.and_then(|t| r.work_tree_changes(t, &self.root)))
            }
            (Err(_), _) => (None, None),
        };
        render.history = crate::history::info(
            repo.as_ref().map_err(String::as_str),
            tip,
            changed.as_ref(),
            &self.hb,
        );
        if self.opts.history == History::WithChanges {
            if let (Ok(r), Some(tip), Some(label)) = (repo, tip, &render.history.label) {
                let built = history::Built {
                    tip,
                    changed: changed.as_ref(),
                    hb: &self.hb,
                    source: self.source.as_ref(),
                };
                render.changes = history::changes_since_previous_tag(r, &built, label);
            }
        }
        render
    }

    /// Prints the diagnostics and the summary line to stderr.
    pub fn report(&self) {
        report(&self.hb, self.source.as_ref(), &self.checked.diagnostics);
    }

    /// As [`Site::report`], every diagnostic printed when `verbose`.
    pub fn report_all(&self, verbose: bool) {
        report_all(
            &self.hb,
            self.source.as_ref(),
            &self.checked.diagnostics,
            verbose,
        );
    }

    /// Renders every page into `dir`, which must exist and be empty. Returns the number of
    /// files written.
    /// A site rendered once ([`Options::renders_once`]) has no bodies after.
    pub fn render_to(&mut self, dir: &Path) -> Result<usize, String> {
        if self.opts.renders_once {
            return self.render_once(dir);
        }
        let tera = self.theme()?;
        let written = render::write_site_keeping(
            &self.hb,
            &self.checked,
            &self.render,
            tera,
            self.source.as_ref(),
            dir,
            render::Kept {
                search: Some(&self.search),
                nav: None,
                memo: Some(&self.memo),
            },
        );
        if written.is_err() {
            self.search.forget();
        }
        let written = written?;
        // What the pages show is now written: nothing is pending any more.
        self.pending = update::Pending::default();
        Ok(written)
    }

    /// Hands the site its theme, compiled by the caller (`build` compiles it while the
    /// handbook loads); a theme that did not compile is compiled again, and reported, on use.
    pub fn set_theme(&self, compiled: Result<tera::Tera, String>) {
        if let Ok(t) = compiled {
            let _ = self.tera.set(t);
        }
    }

    /// [`Site::render_to`] freeing each body after its last use, and keeping no search
    /// index: nothing is rendered again.
    fn render_once(&mut self, dir: &Path) -> Result<usize, String> {
        self.theme()?;
        // An update reads everything again (see `update`): what it would reuse can go.
        self.tracked.clear();
        let bodies = render::Bodies::take(&mut self.hb);
        let tera = self.theme()?;
        let written = render::write_site_releasing(
            &self.hb,
            &self.checked,
            &self.render,
            tera,
            self.source.as_ref(),
            dir,
            &bodies,
        )?;
        self.pending = update::Pending::default();
        Ok(written)
    }

    /// The compiled theme, compiled on first use and kept (a theme edit reopens the site).
    fn theme(&self) -> Result<&tera::Tera, String> {
        if let Some(t) = self.tera.get() {
            return Ok(t);
        }
        let compiled = render::theme::templates(&self.root)?;
        Ok(self.tera.get_or_init(|| compiled))
    }

    /// The published documents: those the check did not withhold (classified above
    /// `max_classification`).
    pub fn is_published(&self, d: &crate::load::model::Document) -> bool {
        !self.checked.withheld.id(d.id_str())
    }
}

/// The files at `rev` and its commit, or the work tree.
fn source_at(
    root: &Path,
    repo: &Result<Repo, String>,
    rev: Option<&str>,
) -> Result<(Box<dyn Source + Send>, Option<gix::ObjectId>), Error> {
    let Some(rev) = rev else {
        let source = Box::new(WorkTree {
            root: root.to_path_buf(),
        });
        return Ok((source, None));
    };
    let r = repo.as_ref().map_err(|why| Error::NoGit {
        what: "--rev",
        root: root.to_path_buf(),
        why: why.clone(),
    })?;
    let commit = r.resolve(rev).map_err(Error::Git)?;
    let source = Box::new(r.tree_source(commit).map_err(Error::Git)?);
    Ok((source, Some(commit)))
}

/// What changed between two versions of the handbook under `root`: `from` and `to`
/// (commits or tags; `None`: the work tree). The `changes` command.
pub fn compare(
    root: &Path,
    from: &str,
    to: Option<&str>,
    today: Date,
) -> Result<crate::history::changes::Changes, Error> {
    let repo = Repo::open(root).map_err(|why| Error::NoGit {
        what: "`changes`",
        root: root.to_path_buf(),
        why,
    })?;
    let from_source = repo
        .tree_source(repo.resolve(from).map_err(Error::Git)?)
        .map_err(Error::Git)?;
    let before = load::load(root, &from_source, today, Keep::Texts)?;
    let (to_source, to_label): (Box<dyn Source + Send>, String) = match to {
        Some(to) => {
            let commit = repo.resolve(to).map_err(Error::Git)?;
            let tree = repo.tree_source(commit).map_err(Error::Git)?;
            (Box::new(tree), to.to_string())
        }
        None => (
            Box::new(WorkTree {
                root: root.to_path_buf(),
            }),
            "the work tree".to_string(),
        ),
    };
    let after = load::load(root, to_source.as_ref(), today, Keep::Texts)?;
    Ok(crate::history::changes::compare(
        (&before, &from_source),
        (&after, to_source.as_ref()),
        from,
        &to_label,
    ))
}
