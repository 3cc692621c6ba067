//! The command line: parse arguments, run a command, print diagnostics in one place, and
//! turn the outcome into the exit code of DESIGN.md (0 fine, 1 problems, 2 usage or I/O).

mod commands;
mod formats;
mod risk;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::core::diagnostics::{self, Diagnostic};
use crate::core::types::Date;
use crate::site::{self, Site};
use commands::{approve, build, bundle, changes, init, new_document, verify};

#[derive(Parser, Debug)]
#[command(
    name = "ismsbook",
    version,
    about = "Build and check an ISO/IEC 27001:2022 ISMS handbook from Markdown"
)]
pub struct Cli {
    /// The handbook directory (default: the nearest ancestor holding ismsbook.toml)
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the handbook and write the static site
    Build {
        /// Output folder, replaced whole by each build (default: public/ in the handbook root);
        /// refused when it holds files the build did not write, or overlaps the handbook's sources
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Build the handbook as it was at this commit or tag, from git's object store
        #[arg(long, value_name = "REV")]
        rev: Option<String>,
        #[command(flatten)]
        publish: PublishArgs,
        /// Also print each document and the whole handbook to PDF (needs Chromium)
        #[arg(long)]
        pdf: bool,
        /// How to print the problems found (see `check --format`)
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        common: CheckArgs,
    },
    /// Start a new handbook from the policy templates (never overwrites)
    Init {
        /// Where to create it (default: the current directory, which must be empty)
        dir: Option<PathBuf>,
        /// The organisation's name
        #[arg(long, value_name = "NAME")]
        org: Option<String>,
        /// A template value: scope, locations, approver or year (repeatable)
        #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
        set: Vec<(String, String)>,
    },
    /// Import an existing Markdown handbook (GitBook, MkDocs or a plain folder) into a new one
    Import {
        /// The folder to import from (never written to)
        src: PathBuf,
        /// Where to write the new handbook (must be empty or absent; default: the current directory)
        dir: Option<PathBuf>,
        /// The role that owns the imported documents
        #[arg(long, default_value = "CISO", value_name = "ROLE")]
        owner: String,
        /// The organisation's name (default: the source folder's name)
        #[arg(long, value_name = "NAME")]
        org: Option<String>,
        /// One id prefix for all documents, e.g. ISMS-### (default: from each document's folder)
        #[arg(long, value_name = "PATTERN")]
        id_pattern: Option<String>,
    },
    /// Add one document from a template, with the next free id of its type
    New {
        /// The template's name (see --list)
        #[arg(required_unless_present = "list")]
        template: Option<String>,
        /// The id to give it (default: the next free one)
        #[arg(long, value_name = "ID")]
        id: Option<String>,
        /// List the templates
        #[arg(long)]
        list: bool,
    },
    /// Build, serve on localhost, rebuild on every save and reload open pages
    Serve {
        /// Port to listen on (0: any free port, printed at start)
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Address to listen on; the default keeps the preview on this machine
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the handbook in the default browser
        #[arg(long)]
        open: bool,
        /// The date to check reviews against (default: $SOURCE_DATE_EPOCH, else the real date)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Approve the current version of a document, binding the approval to its text
    /// (`approve SoA` approves the Statement of Applicability's decisions)
    Approve(ApproveArgs),
    /// Accept a risk's residual level, binding the acceptance to its assessment
    Accept(risk::AcceptArgs),
    /// Sign every approval of a current version by NAME that is unsigned or no longer verifies
    /// (documents, risk acceptances and the SoA)
    SignApprovals {
        /// Whose approvals and acceptances (their `by:`)
        #[arg(long, value_name = "NAME")]
        by: String,
        /// The SSH key to sign with (a private key file, or the .pub of a key held by ssh-agent)
        #[arg(long, value_name = "KEYFILE")]
        sign: PathBuf,
    },
    /// Write the auditor's bundle: the site, registers, changes and SHA256SUMS in one zip
    Bundle {
        /// Bundle the handbook as it was at this commit or tag
        #[arg(long, value_name = "REV")]
        rev: Option<String>,
        /// For a surveillance audit: the changes since this commit or tag (the last audit's)
        /// and every nonconformity raised since
        #[arg(long, value_name = "REV")]
        since: Option<String>,
        /// The zip to write (default: bundles/handbook-<version>.zip in the handbook, a folder
        /// the generated .gitignore leaves out); never written over a file that is not a
        /// bundle, nor inside content/ or theme/
        #[arg(short = 'o', long = "output", value_name = "FILE.zip")]
        output: Option<PathBuf>,
        #[command(flatten)]
        publish: PublishArgs,
        /// The date to check reviews against and to record in the bundle (default:
        /// $SOURCE_DATE_EPOCH, else the real date)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Check every file of a bundle against its SHA256SUMS
    Verify {
        /// The bundle to check, as `ismsbook bundle` wrote it
        #[arg(value_name = "FILE.zip")]
        file: PathBuf,
    },
    /// What changed between two versions: FROM..TO (commits or tags; TO defaults to the work tree)
    Changes {
        /// FROM or FROM..TO, e.g. v2026.1 or v2026.1..v2026.2
        #[arg(value_name = "FROM[..TO]")]
        range: String,
        /// Markdown for people, JSON for scripts
        #[arg(long, value_enum, default_value_t = ChangesFormat::Md)]
        format: ChangesFormat,
    },
    /// Check the handbook and report every problem, writing nothing
    Check {
        /// human, json, github (workflow commands for pull-request annotations), sarif
        /// (SARIF 2.1.0 for code scanning) or gitlab (GitLab Code Quality)
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Report only problems in files changed since this commit or tag, and the ones
        /// elsewhere that the change causes
        #[arg(long, value_name = "REV")]
        changed_since: Option<String>,
        #[command(flatten)]
        common: CheckArgs,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct ApproveArgs {
    /// The document to approve, e.g. POL-005
    pub id: String,
    /// Who approves (a person's name)
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// In which role (one of [approval] roles in ismsbook.toml)
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// The approval date (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
    /// Sign the approval with this SSH key (a private key file, or the .pub of a key held by
    /// ssh-agent); approving again with --sign signs an existing unsigned approval
    #[arg(long, value_name = "KEYFILE")]
    pub sign: Option<std::path::PathBuf>,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub struct PublishArgs {
    /// Leave out documents classified above this level (they stay listed, marked withheld)
    #[arg(long, value_name = "LEVEL")]
    pub max_classification: Option<String>,
    /// Hidden, for tests of large handbooks on small ones: published documents print.html
    /// holds before it is printed in parts (default `render::limits::PRINT_PART`)
    #[arg(long, hide = true, value_name = "N")]
    pub print_per_part: Option<usize>,
    /// Hidden, for tests: rows a listing page shows before the next page
    #[arg(long, hide = true, value_name = "N")]
    pub rows_per_page: Option<usize>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// The date to check reviews against (default: $SOURCE_DATE_EPOCH, else the real date)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<Date>,
    /// Treat warnings as errors (exit code 1)
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print every warning, not a summary of each kind that occurs more than five times
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ChangesFormat {
    Md,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
    Gitlab,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE"))
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse()
}

/// An outcome that is not a list of diagnostics: usage or I/O trouble (exit 2).
pub struct Fatal(pub String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

pub fn run(cli: Cli) -> ExitCode {
    match dispatch(cli) {
        Ok(code) => code,
        Err(Fatal(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode, Fatal> {
    match &cli.command {
        Command::Verify { file } => return verify(file),
        Command::Import {
            src,
            dir,
            owner,
            org,
            id_pattern,
        } => {
            let dir = match dir {
                Some(d) => d.clone(),
                None => std::env::current_dir()?,
            };
            let folder = std::fs::canonicalize(src)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
            let org = org
                .clone()
                .or(folder)
                .unwrap_or_else(|| "Imported organisation".into());
            let opts = crate::commands::import::Options {
                owner,
                organization: &org,
                id_pattern: id_pattern.as_deref(),
            };
            let report = crate::commands::import::import(src, &dir, &opts).map_err(Fatal)?;
            print!("{}", crate::commands::import::to_markdown(&report, &dir));
            return Ok(ExitCode::SUCCESS);
        }
        Command::Init { dir, org, set } => {
            return init(dir.as_deref().or(cli.root.as_deref()), org.as_deref(), set)
        }
        Command::New { list: true, .. } => {
            for t in crate::commands::templates::list() {
                println!("{:<36} {}", t.name, t.summary);
            }
            println!(
                "{:<36} The risk register, content/risks.yaml, with typical risks",
                "risks"
            );
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let root = handbook_root(cli.root.as_deref())?;
    match cli.command {
        Command::Init { .. } | Command::Verify { .. } | Command::Import { .. } => {
            unreachable!("handled above")
        }
        Command::Bundle {
            rev,
            since,
            output,
            publish,
            today: date,
        } => bundle(
            &root,
            rev.as_deref(),
            since.as_deref(),
            output,
            &publish,
            date,
        ),
        Command::New { template, id, .. } => {
            new_document(&root, template.as_deref().unwrap_or(""), id.as_deref())
        }
        Command::Check {
            format,
            changed_since,
            common,
        } => {
            let today = site::today(common.today)?;
            // No page is written: the bodies' HTML is not made.
            let opts = site::Options {
                keep: crate::load::Keep::Outlines,
                ..site::Options::new(today)
            };
            let site = Site::open(&root, opts)?;
            let shown = match &changed_since {
                Some(rev) => formats::changed_since(&root, rev, today, &site)?.into(),
                None => std::borrow::Cow::Borrowed(site.checked.diagnostics.as_slice()),
            };
            formats::print(format, &root, &site, &shown, common.verbose);
            let code = exit_for(&shown, common.deny_warnings);
            // As in `build`: the process ends here, the system frees the handbook faster.
            std::mem::forget(site);
            Ok(code)
        }
        Command::Approve(args) if args.id == "SoA" => {
            crate::commands::cli::risk::approve_soa(&root, &args)
        }
        Command::Approve(args) => approve(&root, &args),
        Command::Accept(args) => crate::commands::cli::risk::accept(&root, &args),
        Command::SignApprovals { by, sign } => commands::sign_approvals(&root, &by, &sign),
        Command::Serve {
            port,
            bind,
            open,
            today,
        } => {
            crate::commands::serve::run(crate::commands::serve::Options {
                root,
                bind,
                port,
                open,
                today,
            })
            .map_err(|e| Fatal(e.to_string()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Changes { range, format } => changes(&root, &range, format),
        Command::Build {
            out,
            rev,
            publish,
            pdf,
            format,
            common,
        } => build(&root, out, rev.as_deref(), &publish, pdf, format, &common),
    }
}

fn handbook_root(arg: Option<&Path>) -> Result<PathBuf, Fatal> {
    match arg {
        Some(dir) => {
            if dir.join(crate::load::config::FILE).is_file() {
                Ok(dir.to_path_buf())
            } else {
                Err(Fatal(format!(
                    "{} has no {}; run `ismsbook init {}` to start a handbook there",
                    dir.display(),
                    crate::load::config::FILE,
                    dir.display()
                )))
            }
        }
        None => {
            let cwd = std::env::current_dir()?;
            crate::load::config::find_root(&cwd).ok_or_else(|| {
                Fatal(format!(
                    "no {} in {} or any parent directory; run `ismsbook init` to start a handbook, or pass --root DIR",
                    crate::load::config::FILE,
                    cwd.display()
                ))
            })
        }
    }
}

pub fn exit_for(diags: &[Diagnostic], deny_warnings: bool) -> ExitCode {
    let counts = diagnostics::count(diags);
    if counts.errors > 0 || (deny_warnings && counts.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
