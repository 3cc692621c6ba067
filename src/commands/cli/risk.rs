//! `accept` and `approve SoA`: the commands of the risk register and the SoA.

use std::path::Path;
use std::process::ExitCode;

use super::{ApproveArgs, Fatal};
use crate::core::diagnostics::display_path;
use crate::core::types::Date;
use crate::load::risks::RISKS_FILE;
use crate::load::{Keep, SOA_FILE};
use crate::site::{self, report, today, Site};

#[derive(clap::Args, Debug, Clone)]
pub struct AcceptArgs {
    /// The risk to accept, e.g. R-001
    pub id: String,
    /// Who accepts (a person's name)
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// In which role: the risk's owner up to [risk] appetite, a role of [risk] accept_roles above
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// The acceptance date (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub date: Option<Date>,
    /// Sign the acceptance with this SSH key (a private key file, or the .pub of a key held by
    /// ssh-agent); accepting again with --sign signs an existing unsigned acceptance
    #[arg(long, value_name = "KEYFILE")]
    pub sign: Option<std::path::PathBuf>,
}

fn open(root: &Path, date: Date) -> Result<Site, Fatal> {
    Ok(Site::open(
        root,
        site::Options {
            keep: Keep::All,
            ..site::Options::new(date)
        },
    )?)
}

fn refused(site: &Site, refusal: crate::commands::approve::Refusal) -> ExitCode {
    if !refusal.diagnostics.is_empty() {
        report(&site.hb, site.source.as_ref(), &refusal.diagnostics);
    }
    eprintln!("error: {}\nnothing was changed", refusal.message);
    ExitCode::from(1)
}

pub(super) fn accept(root: &Path, args: &AcceptArgs) -> Result<ExitCode, Fatal> {
    let date = today(args.date)?;
    let site = open(root, date)?;
    let req = crate::commands::accept::Request {
        id: &args.id,
        by: &args.by,
        role: &args.role,
        date,
        sign: args.sign.as_deref(),
    };
    match crate::commands::accept::accepted_text(&site.hb, &site.checked, &req) {
        Ok((text, digest)) => {
            let source = site.hb.risks_source.as_deref().unwrap_or("");
            crate::commands::approve::write_file(root, Path::new(RISKS_FILE), source, &text)
                .map_err(|e| Fatal(format!("cannot write {RISKS_FILE}: {e}")))?;
            eprintln!(
                "accepted {} by {} ({}) on {date}\n  {}\n  digest {digest}",
                args.id,
                args.by,
                args.role,
                display_path(Path::new(RISKS_FILE))
            );
            if let Some(key) = &args.sign {
                eprintln!("  signed with {}", key.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => Ok(refused(&site, refusal)),
    }
}

pub(super) fn approve_soa(root: &Path, args: &ApproveArgs) -> Result<ExitCode, Fatal> {
    let date = today(args.date)?;
    let site = open(root, date)?;
    match crate::commands::approve::soa::approved_text(
        &site.hb,
        &site.checked,
        &args.by,
        &args.role,
        date,
        args.sign.as_deref(),
    ) {
        Ok((text, version, digest)) => {
            let source = site.hb.soa_source.as_deref().unwrap_or("");
            crate::commands::approve::write_file(root, Path::new(SOA_FILE), source, &text)
                .map_err(|e| Fatal(format!("cannot write {SOA_FILE}: {e}")))?;
            eprintln!(
                "approved the SoA version {version} by {} ({}) on {date}\n  {SOA_FILE}\n  digest {digest}",
                args.by, args.role
            );
            if let Some(key) = &args.sign {
                eprintln!("  signed with {}", key.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => Ok(refused(&site, refusal)),
    }
}

/// A register's new text for `sign-approvals`: (file, old text, new text, how many signed).
pub(super) type SignedRegister<'s> = (&'static str, &'s str, String, usize);

/// `sign-approvals` over risks.yaml and soa.yaml: the new texts, all made before any is
/// written, so a refusal changes nothing.
pub(super) fn signed_registers<'s>(
    site: &'s Site,
    by: &str,
    key: &Path,
) -> Result<Vec<SignedRegister<'s>>, ExitCode> {
    use crate::commands::approve::resign_registers::{signed_acceptances, signed_soa};
    let (hb, checked) = (&site.hb, &site.checked);
    let mut out = Vec::new();
    let risks = signed_acceptances(hb, checked, by, key).map_err(|r| refused(site, r))?;
    if let Some((text, n)) = risks {
        let old = hb.risks_source.as_deref().unwrap_or("");
        out.push((RISKS_FILE, old, text, n));
    }
    let soa = signed_soa(hb, checked, by, key).map_err(|r| refused(site, r))?;
    if let Some((text, n)) = soa {
        out.push((SOA_FILE, hb.soa_source.as_deref().unwrap_or(""), text, n));
    }
    Ok(out)
}

/// Writes what [`signed_registers`] made; returns how many approvals they sign.
pub(super) fn write_registers(
    root: &Path,
    registers: &[SignedRegister<'_>],
    by: &str,
) -> Result<usize, Fatal> {
    let mut total = 0;
    for (file, old, new, n) in registers {
        crate::commands::approve::write_file(root, Path::new(file), old, new)
            .map_err(|e| Fatal(format!("cannot write {file}: {e}")))?;
        let what = if *file == SOA_FILE {
            "approval(s) of the SoA"
        } else {
            "risk acceptance(s)"
        };
        eprintln!("signed {n} {what} by {by}");
        total += n;
    }
    Ok(total)
}
