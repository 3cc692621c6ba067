//! Write: output goes to a temporary sibling directory and replaces the old output only when
//! complete, so a failed build leaves the previous `public/` exactly as it was.
//!
//! The output folder is ours to replace whole, and only when it is provably ours: every
//! output carries a marker naming what the build wrote there. A folder without it, or with
//! files the last build did not write, is refused, never deleted. Temporary folders of runs
//! that were killed (their process is gone) are removed, or put back, by the next run.

pub mod target;

use std::fs;
use std::path::{Path, PathBuf};

/// The marker file in every output folder (and temporary folder) this tool writes.
pub const MARKER: &str = ".ismsbook-output";
/// The checksums file of a bundle.
pub const SUMS: &str = "SHA256SUMS";
const MARKER_HEAD: &str = "This folder is the output of `ismsbook build`; the next build replaces it whole.\nFiles of your own belong in the handbook's content/ or theme/static/, not here.\nIt wrote:\n";

/// Runs `fill` on a fresh temporary directory next to `out` (a path from
/// [`target::output_dir`]), then swaps it into place.
pub fn replace_dir<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<T, String>,
) -> Result<T, String> {
    let (parent, name) = split(out)?;
    fs::create_dir_all(&parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    clean_leftovers(&parent, &name, Some(out));
    ours(out)?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.ismsbook-new-{pid}"));
    let old = parent.join(format!(".{name}.ismsbook-old-{pid}"));
    fs::create_dir(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    // Marked from the start, so that the leftover of a killed run is known to be ours.
    let value = mark(&tmp, false).and_then(|()| fill(&tmp)).and_then(|v| {
        mark(&tmp, true)?;
        Ok(v)
    });
    let value = match value {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let had_old = fs::symlink_metadata(out).is_ok();
    if had_old {
        fs::rename(out, &old).map_err(|e| {
            let _ = fs::remove_dir_all(&tmp);
            format!("cannot move the old {} aside: {e}", out.display())
        })?;
    }
    if let Err(e) = fs::rename(&tmp, out) {
        if had_old {
            let _ = fs::rename(&old, out);
        }
        let _ = fs::remove_dir_all(&tmp);
        return Err(format!(
            "cannot move the new output into {}: {e}",
            out.display()
        ));
    }
    if had_old {
        remove_tree(&old);
    }
    Ok(value)
}

/// Removes a previous output, its folders in parallel: at 1,000 documents it holds over
/// 2,000 files, and unlinking them on one core, after everything else, was 5% of a build.
pub fn remove_tree(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    crate::core::parallel::map(&paths, |path| match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        _ => fs::remove_file(path),
    });
    let _ = fs::remove_dir_all(dir);
}

/// The folder `out` is in, and its name.
fn split(out: &Path) -> Result<(PathBuf, String), String> {
    let name = out
        .file_name()
        .ok_or_else(|| format!("{} is not a usable output directory", out.display()))?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// Writes the marker into `dir`; when `done`, with the names of what `dir` holds.
fn mark(dir: &Path, done: bool) -> Result<(), String> {
    let mut text = MARKER_HEAD.to_string();
    if done {
        for name in target::listing(dir, &[]) {
            text.push_str(&name);
            text.push('\n');
        }
    }
    let path = dir.join(MARKER);
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The names a marker lists, or `None` when `dir` has no marker of ours.
fn marked(dir: &Path) -> Option<Vec<String>> {
    let path = dir.join(MARKER);
    let meta = fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 16 << 20 {
        return None;
    }
    let text = fs::read_to_string(path).ok()?;
    let names = text.strip_prefix(MARKER_HEAD)?;
    Some(names.lines().map(String::from).collect())
}

/// `Ok` when `out` is absent, empty, or an output of ours holding nothing but what the last
/// build wrote there; else why the build will not replace it.
fn ours(out: &Path) -> Result<(), String> {
    if fs::symlink_metadata(out).is_err() {
        return Ok(());
    }
    let present = target::listing(out, &[]);
    let listed = match marked(out) {
        Some(listed) => listed,
        None if present.is_empty() && !out.join(MARKER).exists() => return Ok(()),
        None if is_older_output(&present) => return Ok(()),
        None => {
            let older = present.iter().any(|n| n == "index.html")
                && present.iter().any(|n| n == "documents/");
            let hint = match older {
                true => format!(" If it is the output of an older ismsbook and holds nothing of yours, remove it once (rm -r {}) and build again.", out.display()),
                false => String::new(),
            };
            return Err(format!(
                "--out {} holds files ismsbook did not write ({}; no {MARKER} marker). The build replaces its output folder whole and never deletes what is not its own: choose an empty or new folder, or remove this one.{hint}",
                out.display(),
                sample(&present)
            ));
        }
    };
    let foreign: Vec<String> = present
        .into_iter()
        .filter(|n| !listed.contains(n))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    Err(format!(
        "--out {} holds files the last build did not write ({}); replacing the folder would delete them. Move them out (files the site should publish belong in content/ or theme/static/), then build again",
        out.display(),
        sample(&foreign)
    ))
}

/// An output written before outputs were marked: every top-level name is one an earlier build
/// writes, so replacing it loses nothing of the user's (a `CNAME` or `photos/` beside them
/// still refuses). Without this, every existing `public/` would refuse the first build after
/// an upgrade.
fn is_older_output(present: &[String]) -> bool {
    const WRITTEN: [&str; 19] = [
        "index.html",
        "documents/",
        "controls/",
        "static/",
        "assets/",
        "pdf/",
        "soa.html",
        "soa.csv",
        "traceability.csv",
        "documents.csv",
        "reviews.html",
        "reviews.csv",
        "readiness.html",
        "changes.html",
        "print.html",
        "search.html",
        "search-index.js",
        "style.css",
        "404.html",
    ];
    present.iter().any(|n| n == "index.html")
        && present.iter().any(|n| n == "documents/")
        && present.iter().all(|n| WRITTEN.contains(&n.as_str()))
}

/// The first few names, for a message.
fn sample(names: &[String]) -> String {
    let mut s = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 8 {
        s.push_str(&format!(" and {} more", names.len() - 8));
    }
    s
}

/// Removes the temporary folders `.{name}.ismsbook-{new,old,bundle}-PID` in `parent` left by
/// runs that were killed: their process is gone and they carry our marker (anything else is
/// left alone). An `-old-` one is the previous output, moved aside just before the kill: it
/// is put back when `out` is missing.
pub fn clean_leftovers(parent: &Path, name: &str, out: Option<&Path>) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.ismsbook-");
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.rsplit_once('-'))
            .and_then(|(kind, pid)| Some((kind.to_string(), pid.parse::<u32>().ok()?)))
        else {
            continue;
        };
        let path = entry.path();
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if !matches!(kind.as_str(), "new" | "old" | "bundle")
            || !is_dir
            || alive(pid)
            || marked(&path).is_none()
        {
            continue;
        }
        if let Some(out) = out.filter(|o| kind == "old" && fs::symlink_metadata(o).is_err()) {
            if fs::rename(&path, out).is_ok() {
                eprintln!(
                    "note: put back {} from a build that was interrupted",
                    out.display()
                );
                continue;
            }
        }
        let _ = fs::remove_dir_all(&path);
    }
}

/// Whether another process with this id runs now. Our own id is not another process: a
/// folder with it was left by an earlier process that had the same id.
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        Path::new("/proc").join(pid.to_string()).exists()
    }
    // Without a cheap portable probe, a folder is kept rather than risk a live run's.
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// A marked temporary folder beside `file` for the work of writing it, as `replace_dir`
/// uses: `.{file name}.ismsbook-bundle-PID`.
pub fn staging_dir(file: &Path) -> Result<PathBuf, String> {
    let (parent, name) = split(file)?;
    fs::create_dir_all(&parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    clean_leftovers(&parent, &name, None);
    let dir = parent.join(format!(".{name}.ismsbook-bundle-{}", std::process::id()));
    fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    mark(&dir, false)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ismsbook-write-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn write(text: &'static str) -> impl FnOnce(&Path) -> Result<(), String> {
        move |tmp| fs::write(tmp.join("index.html"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn failure_leaves_the_old_output() {
        let base = base("fail");
        let out = base.join("public");
        replace_dir(&out, write("old")).unwrap();
        let r: Result<(), _> = replace_dir(&out, |tmp| {
            fs::write(tmp.join("index.html"), "new").unwrap();
            Err("boom".to_string())
        });
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        replace_dir(&out, write("new")).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(
            fs::read_dir(&base).unwrap().count(),
            1,
            "no temporary directories left"
        );
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn the_output_a_killed_swap_moved_aside_is_put_back() {
        let base = base("restore");
        let out = base.join("public");
        replace_dir(&out, write("previous")).unwrap();
        // Killed between moving the output aside and moving the new one in.
        let dead = u32::MAX - 1;
        fs::rename(&out, base.join(format!(".public.ismsbook-old-{dead}"))).unwrap();
        let r: Result<(), _> = replace_dir(&out, |_| Err("this build fails too".into()));
        assert!(r.is_err());
        assert_eq!(
            fs::read_to_string(out.join("index.html")).unwrap(),
            "previous"
        );
        assert_eq!(fs::read_dir(&base).unwrap().count(), 1);
        fs::remove_dir_all(&base).unwrap();
    }
}
