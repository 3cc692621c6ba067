//! `ismsbook serve`: build, serve, watch, rebuild, and reload open pages.
//!
//! Each good build goes to a new generation directory, so a request never sees a half-written
//! site; a broken edit keeps the last good generation in service and shows its diagnostics
//! in an overlay. Pages learn about rebuilds by long polling (`/__ismsbook/poll?since=N`):
//! plain HTTP that tiny_http serves without streaming, and that also covers a page which
//! connects just after a rebuild (it asks "anything since generation N?").

mod http;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::diagnostics::{self, Diagnostic, Severity};
use crate::load::{self, WorkTree};
use crate::render;
use crate::types::Date;
use crate::validate;

pub struct Options {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub today: Option<Date>,
}

/// What the server knows about the builds, shared by the watcher and request threads.
#[derive(Default)]
pub struct State {
    /// Increases with every build attempt, good or bad.
    pub generation: u64,
    /// The generation whose pages are being served.
    pub good: u64,
    pub dir: Option<PathBuf>,
    /// The errors of the latest attempt (empty after a good build).
    pub errors: Vec<Problem>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub location: String,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Self {
        Problem {
            location: d.location(),
            severity: d.severity,
            code: d.code.as_str(),
            message: d.message.clone(),
        }
    }
}

pub struct Shared {
    pub state: Mutex<State>,
    pub changed: Condvar,
    /// Where generation directories are made.
    pub base: PathBuf,
    pub root: PathBuf,
    pub today: Option<Date>,
}

const LIVERELOAD: &str = include_str!("livereload.js");

impl Shared {
    /// Builds the handbook into a new generation. Returns how long it took.
    pub fn rebuild(&self) -> Duration {
        let started = Instant::now();
        let today = self
            .today
            .unwrap_or_else(|| crate::cli::today(None).unwrap_or_else(|_| Date::today_utc()));
        let source = WorkTree {
            root: self.root.clone(),
        };
        let outcome = load::load(&self.root, &source, today).map(|hb| {
            let checked = validate::check(&hb);
            (hb, checked)
        });
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let generation = state.generation + 1;
        let result: Result<PathBuf, Vec<Problem>> = match &outcome {
            Err(e) => Err(vec![Problem {
                location: crate::config::FILE.to_string(),
                severity: Severity::Error,
                code: "config",
                message: e.to_string(),
            }]),
            Ok((hb, checked)) => {
                crate::cli::report(hb, &checked.diagnostics);
                if diagnostics::count(&checked.diagnostics).errors > 0 {
                    Err(checked
                        .diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(Problem::from)
                        .collect())
                } else {
                    let dir = self.base.join(format!("generation-{generation}"));
                    let opts = render::Options {
                        history: history_of(&self.root),
                        inject: Some(format!(
                            "<script>window.__ismsbook_generation = {generation};</script><script src=\"/__ismsbook/livereload.js\"></script>"
                        )),
                        ..Default::default()
                    };
                    std::fs::create_dir_all(&dir)
                        .map_err(|e| e.to_string())
                        .and_then(|_| render::write_site(hb, checked, &opts, &source, &dir))
                        .map(|_| dir)
                        .map_err(|e| {
                            vec![Problem {
                                location: "output".into(),
                                severity: Severity::Error,
                                code: "io",
                                message: e,
                            }]
                        })
                }
            }
        };
        state.generation = generation;
        match result {
            Ok(dir) => {
                let old = state.dir.replace(dir);
                state.good = generation;
                state.errors.clear();
                if let Some(old) = old {
                    // Requests already reading the old generation keep their open files.
                    let _ = std::fs::remove_dir_all(old);
                }
                eprintln!(
                    "rebuilt in {} ms (generation {generation})",
                    started.elapsed().as_millis()
                );
            }
            Err(problems) => {
                eprintln!(
                    "build failed: still serving generation {}; the pages show the {} error(s)",
                    state.good,
                    problems.len()
                );
                state.errors = problems;
            }
        }
        self.changed.notify_all();
        started.elapsed()
    }
}

fn history_of(root: &Path) -> crate::history::Info {
    let repo = crate::history::Repo::open(root);
    let tip = repo.as_ref().ok().and_then(|r| r.head());
    let dirty = match (&repo, tip) {
        (Ok(r), Some(t)) => r.is_dirty(t, root),
        _ => false,
    };
    crate::history::info(repo.as_ref().map_err(String::as_str), tip, dirty)
}

/// Runs the server until Ctrl-C. Errors are for the caller to print (exit code 2).
pub fn run(opts: Options) -> Result<(), String> {
    let server = tiny_http::Server::http((opts.bind.as_str(), opts.port)).map_err(|e| {
        if e.to_string().contains("in use") {
            format!(
                "port {} is already in use on {}; choose another with --port",
                opts.port, opts.bind
            )
        } else {
            format!("cannot listen on {}:{}: {e}", opts.bind, opts.port)
        }
    })?;
    let addr = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("{}:{}", opts.bind, opts.port), |a| a.to_string());
    let base = std::env::temp_dir().join(format!("ismsbook-serve-{}", std::process::id()));
    std::fs::create_dir_all(&base).map_err(|e| format!("cannot create {}: {e}", base.display()))?;
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        changed: Condvar::new(),
        base: base.clone(),
        root: opts.root.clone(),
        today: opts.today,
    });
    let server = Arc::new(server);
    {
        let (base, server) = (base.clone(), server.clone());
        let _ = ctrlc::set_handler(move || {
            server.unblock();
            let _ = std::fs::remove_dir_all(&base);
            eprintln!("\nstopped");
            std::process::exit(0);
        });
    }
    shared.rebuild();
    let _watcher = watch::start(shared.clone())?;
    let url = format!("http://{addr}/");
    eprintln!("serving {} at {url} (Ctrl-C to stop)", opts.root.display());
    if opts.open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    for request in server.incoming_requests() {
        let shared = shared.clone();
        std::thread::spawn(move || http::handle(request, &shared));
    }
    let _ = std::fs::remove_dir_all(&base);
    Ok(())
}
