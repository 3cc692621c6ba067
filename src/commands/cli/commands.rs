//! The per-command work (build, bundle, verify, init, new, changes, approve), apart from parsing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use super::{exit_for, ApproveArgs, ChangesFormat, CheckArgs, Fatal, Format, PublishArgs};
use crate::core::diagnostics;
use crate::core::types::Date;
use crate::load::{self, Keep, WorkTree};
use crate::site::{self, report, today, History, Site};

/// Where `bundle` writes by default, under the handbook root (ignored by the generated
/// `.gitignore`).
pub const BUNDLES_DIR: &str = "bundles";

/// The site of `build` and `bundle`: with its history and the changes since the last tag.
fn publish_site(
    root: &Path,
    rev: Option<&str>,
    today: Date,
    publish: &PublishArgs,
) -> Result<Site, Fatal> {
    let opts = site::Options {
        rev: rev.map(String::from),
        max_classification: publish.max_classification.clone(),
        history: History::WithChanges,
        renders_once: true,
        ..site::Options::new(today)
    };
    let mut opts = opts;
    let defaults = crate::render::Limits::default();
    opts.limits = crate::render::Limits {
        print_part: publish.print_per_part.unwrap_or(defaults.print_part),
        rows_per_page: publish.rows_per_page.unwrap_or(defaults.rows_per_page),
    };
    Ok(Site::open(root, opts)?)
}

pub(super) fn build(
    root: &Path,
    out: Option<PathBuf>,
    rev: Option<&str>,
    publish: &PublishArgs,
    pdf: bool,
    format: Format,
    common: &CheckArgs,
) -> Result<ExitCode, Fatal> {
    let started = Instant::now();
    let chromium = match pdf {
        true => Some(crate::output::pdf::find_chromium().ok_or_else(|| {
            Fatal("--pdf needs Chromium (chromium, chromium-browser or google-chrome on PATH); install it, e.g. `apt-get install chromium`, or build without --pdf".into())
        })?),
        false => None,
    };
    let today = today(common.today)?;
    // The theme compiles while the handbook loads: on one core, it was 4% of a build.
    let (p, theme) = rayon::join(
        || publish_site(root, rev, today, publish),
        || crate::render::theme::templates(root),
    );
    let mut p = p?;
    p.set_theme(theme);
    super::formats::print(format, root, &p, &p.checked.diagnostics, common.verbose);
    let code = exit_for(&p.checked.diagnostics, common.deny_warnings);
    if code != ExitCode::SUCCESS {
        eprintln!("build stopped: nothing was written");
        return Ok(code);
    }
    if let Some(note) = &p.render.history.note {
        eprintln!("note: {note}");
    }
    let out = out.unwrap_or_else(|| root.join("public"));
    let out = crate::output::write::target::output_dir(root, &out).map_err(Fatal)?;
    let files = crate::output::write::replace_dir(&out, |tmp| {
        let mut files = p.render_to(tmp)?;
        if let Some(chromium) = &chromium {
            files += crate::output::pdf::print(chromium, tmp, &pdf_pages(&p))?;
        }
        Ok(files)
    })
    .map_err(Fatal)?;
    eprintln!(
        "wrote {files} files to {} in {} ms",
        out.display(),
        started.elapsed().as_millis()
    );
    // The process ends here: freeing a large handbook piece by piece would only delay the
    // exit (by tens of milliseconds at 10,000 documents).
    std::mem::forget(p);
    Ok(code)
}

/// (page, PDF name) of every published document, and the whole handbook.
fn pdf_pages(p: &Site) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> =
        p.hb.documents
            .iter()
            .filter(|d| d.id.is_some() && p.is_published(d))
            .map(|d| {
                (
                    format!("documents/{}.html", d.id_str()),
                    d.id_str().to_string(),
                )
            })
            .collect();
    // A large handbook prints in parts: a PDF per part (see `render::Limits`).
    pages.extend(crate::render::printable_pages(&p.hb, &p.checked, &p.render));
    pages
}

pub(super) fn bundle(
    root: &Path,
    rev: Option<&str>,
    since: Option<&str>,
    output: Option<PathBuf>,
    publish: &PublishArgs,
    date: Option<Date>,
) -> Result<ExitCode, Fatal> {
    let today = today(date)?;
    // A named file is checked before the work; the default name needs the version label.
    let bundle_file = |o: &Path| crate::output::write::target::bundle_file(root, o).map_err(Fatal);
    let output = output.as_deref().map(bundle_file).transpose()?;
    let mut p = publish_site(root, rev, today, publish)?;
    p.report();
    let code = exit_for(&p.checked.diagnostics, false);
    if code != ExitCode::SUCCESS {
        eprintln!("bundle stopped: an auditor's bundle is only made of a handbook without errors");
        return Ok(code);
    }
    let out = match output {
        Some(o) => o,
        None => {
            // Beside public/, in a folder the generated .gitignore leaves out: never loose
            // in the handbook root, and never in public/, which each build replaces whole.
            let dir = root.join(BUNDLES_DIR);
            std::fs::create_dir_all(&dir)
                .map_err(|e| Fatal(format!("cannot create {}: {e}", dir.display())))?;
            bundle_file(&dir.join(format!("{}.zip", crate::commands::bundle::name(&p))))?
        }
    };
    // A surveillance audit's bundle: changes since the last audit, not the last tag.
    let since = match since {
        Some(rev_since) => {
            let s =
                crate::commands::bundle::since::surveillance(root, rev_since, rev, &p.hb, today)?;
            p.render.changes = Some(s.changes.clone());
            Some(s)
        }
        None => None,
    };
    let files =
        crate::commands::bundle::write(&mut p, today, &out, since.as_ref()).map_err(Fatal)?;
    eprintln!(
        "wrote {} ({files} files, checksums in {}/{})",
        out.display(),
        crate::commands::bundle::name(&p),
        crate::commands::bundle::SUMS
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn verify(file: &Path) -> Result<ExitCode, Fatal> {
    // A file that cannot be opened is an I/O failure (exit 2), not a refused bundle.
    std::fs::File::open(file).map_err(|e| Fatal(format!("cannot open {}: {e}", file.display())))?;
    match crate::commands::bundle::verify(file) {
        Err(why) => {
            eprintln!("error: {}: {why}", file.display());
            Ok(ExitCode::from(1))
        }
        Ok(v) => {
            for (what, list) in [
                ("altered", &v.altered),
                ("missing", &v.missing),
                ("added", &v.added),
            ] {
                for name in list {
                    println!("{what}: {name}");
                }
            }
            if v.is_clean() {
                println!(
                    "{}: all {} files match SHA256SUMS",
                    file.display(),
                    v.verified
                );
                Ok(ExitCode::SUCCESS)
            } else {
                let n = v.altered.len() + v.missing.len() + v.added.len();
                println!(
                    "{}: {n} difference(s) from SHA256SUMS; {} files match",
                    file.display(),
                    v.verified
                );
                Ok(ExitCode::from(1))
            }
        }
    }
}

pub(super) fn init(
    dir: Option<&Path>,
    org: Option<&str>,
    sets: &[(String, String)],
) -> Result<ExitCode, Fatal> {
    let Some(org) = org.filter(|o| !o.trim().is_empty()) else {
        return Err(Fatal(
            "--org NAME is required: the organisation's name goes into every document".into(),
        ));
    };
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir()?,
    };
    let values = crate::commands::templates::values(org, today(None)?, sets).map_err(Fatal)?;
    let files = crate::commands::templates::init(&dir, &values).map_err(Fatal)?;
    eprintln!(
        "created a handbook for {org} in {}: {} files, every document a draft, at stage \"draft\" (missing coverage and approvals are warnings)\nnext: cd {} && ismsbook serve, to read it in the browser; adapt the documents, `ismsbook approve` them, and raise `stage` in ismsbook.toml to \"implementing\", then \"certified\"",
        dir.display(),
        files.len(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn new_document(
    root: &Path,
    template: &str,
    id: Option<&str>,
) -> Result<ExitCode, Fatal> {
    let hb = load::load(
        root,
        &WorkTree {
            root: root.to_path_buf(),
        },
        today(None)?,
        Keep::Metadata,
    )
    .map_err(site::Error::from)?;
    if template == "risks" {
        return match crate::commands::templates::new_risks(&hb) {
            Ok(path) => {
                eprintln!("created {} with typical risks, none accepted yet; assess them, then `ismsbook accept`", path.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(why) => {
                eprintln!("error: {why}\nnothing was changed");
                Ok(ExitCode::from(1))
            }
        };
    }
    match crate::commands::templates::new_document(&hb, template, id) {
        Ok((path, id)) => {
            eprintln!(
                "created {id} as {} (a draft); edit it, then `ismsbook check`",
                diagnostics::display_path(&path)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(why) => {
            // An unknown template is a usage error (exit 2), as an unknown command is; a
            // taken id is a refusal (exit 1).
            let known = crate::commands::templates::list()
                .iter()
                .any(|t| t.name == template);
            eprintln!("error: {why}\nnothing was changed");
            Ok(ExitCode::from(if known { 1 } else { 2 }))
        }
    }
}

pub(super) fn changes(root: &Path, range: &str, format: ChangesFormat) -> Result<ExitCode, Fatal> {
    let (from, to) = match range.split_once("..") {
        Some((f, t)) if !t.is_empty() => (f, Some(t)),
        Some((f, _)) => (f, None),
        None => (range, None),
    };
    let c = site::compare(root, from, to, today(None)?)?;
    match format {
        ChangesFormat::Md => print!("{}", crate::history::changes::to_markdown(&c)),
        ChangesFormat::Json => println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default()),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn approve(root: &Path, args: &ApproveArgs) -> Result<ExitCode, Fatal> {
    let date = today(args.date)?;
    let site = Site::open(
        root,
        site::Options {
            keep: Keep::All,
            ..site::Options::new(date)
        },
    )?;
    let (hb, checked) = (&site.hb, &site.checked);
    let req = crate::commands::approve::Request {
        id: &args.id,
        by: &args.by,
        role: &args.role,
        date,
        sign: args.sign.as_deref(),
    };
    match crate::commands::approve::approved_text(hb, checked, &req) {
        Ok((text, doc)) => {
            crate::commands::approve::write(root, doc, &text)
                .map_err(|e| Fatal(format!("cannot write {}: {e}", doc.path.display())))?;
            eprintln!(
                "approved {} version {} by {} ({}) on {date}\n  {}\n  digest {}",
                doc.id_str(),
                doc.version,
                args.by,
                args.role,
                diagnostics::display_path(&doc.path),
                doc.digest
            );
            if let Some(key) = &args.sign {
                eprintln!("  signed with {}", key.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            if !refusal.diagnostics.is_empty() {
                report(hb, site.source.as_ref(), &refusal.diagnostics);
            }
            eprintln!("error: {}\nnothing was changed", refusal.message);
            Ok(ExitCode::from(1))
        }
    }
}

pub(super) fn sign_approvals(root: &Path, by: &str, key: &Path) -> Result<ExitCode, Fatal> {
    let date = today(None)?;
    let site = Site::open(
        root,
        site::Options {
            keep: Keep::All,
            ..site::Options::new(date)
        },
    )?;
    let (hb, checked) = (&site.hb, &site.checked);
    let registers = match super::risk::signed_registers(&site, by, key) {
        Ok(registers) => registers,
        Err(code) => return Ok(code),
    };
    match crate::commands::approve::resign::signed_texts(hb, checked, by, key) {
        Ok(texts) => {
            let mut total = super::risk::write_registers(root, &registers, by)?;
            for (doc, text, n) in &texts {
                crate::commands::approve::write(root, doc, text)
                    .map_err(|e| Fatal(format!("cannot write {}: {e}", doc.path.display())))?;
                eprintln!("signed {n} approval(s) of {} by {by}", doc.id_str());
                total += n;
            }
            eprintln!("{total} approval(s) by {by} signed with {}", key.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            if !refusal.diagnostics.is_empty() {
                report(hb, site.source.as_ref(), &refusal.diagnostics);
            }
            eprintln!("error: {}\nnothing was changed", refusal.message);
            Ok(ExitCode::from(1))
        }
    }
}
