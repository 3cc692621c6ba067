//! `build --pdf`: each document page and the whole handbook printed to PDF by a locally
//! installed Chromium, with the print stylesheet (control block, running header, page
//! numbers, the paper size of `[print] paper`).

#[cfg(target_os = "linux")]
mod cdp;

use std::path::{Path, PathBuf};
#[cfg(not(target_os = "linux"))]
use std::process::Command;

const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The first Chromium found on PATH.
pub fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b)))
        .find(|p| p.is_file())
}

/// Prints `pages` (relative to `site`) into `site/pdf/`; returns how many PDFs were written.
/// One Chromium prints them all, one after the other, in one tab.
#[cfg(target_os = "linux")]
pub fn print(chromium: &Path, site: &Path, pages: &[(String, String)]) -> Result<usize, String> {
    let out_dir = site.join("pdf");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let site = std::fs::canonicalize(site).map_err(|e| e.to_string())?;
    let profile = tempfile::Builder::new()
        .prefix("ismsbook-pdf-")
        .tempdir()
        .map_err(|e| format!("cannot create Chromium's profile: {e}"))?;
    let mut browser = cdp::Browser::start(chromium, profile.path())?;
    for (page, name) in pages {
        let url = format!("file://{}", site.join(page).display());
        let pdf = browser
            .print(&url)
            .map_err(|e| format!("Chromium could not print {page}: {e}"))?;
        let target = out_dir.join(format!("{name}.pdf"));
        std::fs::write(&target, pdf)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    drop(browser);
    Ok(pages.len())
}

/// Elsewhere, a Chromium per page (no pipe to drive one with).
#[cfg(not(target_os = "linux"))]
pub fn print(chromium: &Path, site: &Path, pages: &[(String, String)]) -> Result<usize, String> {
    let out_dir = site.join("pdf");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let site = std::fs::canonicalize(site).map_err(|e| e.to_string())?;
    let results = crate::core::parallel::map(pages, |(page, name)| -> Result<(), String> {
        let target = out_dir.join(format!("{name}.pdf"));
        let profile =
            std::env::temp_dir().join(format!("ismsbook-pdf-{}-{name}", std::process::id()));
        let status = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ])
            .args([
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", target.display()))
            .arg(format!("file://{}", site.join(page).display()))
            .output()
            .map_err(|e| format!("cannot run {}: {e}", chromium.display()))?;
        let _ = std::fs::remove_dir_all(&profile);
        if !status.status.success() || !target.is_file() {
            return Err(format!(
                "Chromium could not print {page}: {}",
                String::from_utf8_lossy(&status.stderr).trim()
            ));
        }
        Ok(())
    });
    results
        .into_iter()
        .collect::<Result<Vec<()>, String>>()
        .map(|v| v.len())
}
