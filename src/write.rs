//! Write: output goes to a temporary sibling directory and replaces the old output only when
//! complete, so a failed build leaves the previous `public/` exactly as it was.

use std::fs;
use std::path::{Path, PathBuf};

/// Runs `fill` on a fresh temporary directory next to `out`, then swaps it into place.
pub fn replace_dir<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<T, String>,
) -> Result<T, String> {
    let name = out
        .file_name()
        .ok_or_else(|| format!("{} is not a usable output directory", out.display()))?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if out.exists() && !looks_like_output(out) {
        return Err(format!(
            "{} exists and does not look like a handbook build (no index.html); refusing to replace it. Choose another --out or remove it",
            out.display()
        ));
    }
    fs::create_dir_all(&parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.ismsbook-new-{pid}"));
    let old = parent.join(format!(".{name}.ismsbook-old-{pid}"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let value = match fill(&tmp) {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let had_old = out.exists();
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
        let _ = fs::remove_dir_all(&old);
    }
    Ok(value)
}

fn looks_like_output(dir: &Path) -> bool {
    dir.join("index.html").is_file()
        || fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_leaves_the_old_output() {
        let base = std::env::temp_dir().join(format!("ismsbook-write-test-{}", std::process::id()));
        let out = base.join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("index.html"), "old").unwrap();
        let r: Result<(), _> = replace_dir(&out, |tmp| {
            fs::write(tmp.join("index.html"), "new").unwrap();
            Err("boom".to_string())
        });
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        replace_dir(&out, |tmp| {
            fs::write(tmp.join("index.html"), "new").map_err(|e| e.to_string())
        })
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(
            fs::read_dir(&base).unwrap().count(),
            1,
            "no temporary directories left"
        );
        fs::remove_dir_all(&base).unwrap();
    }
}
