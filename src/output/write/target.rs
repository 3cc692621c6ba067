//! Where output may go. `--out` and `bundle -o` are made absolute, cleared of `.` and `..`
//! and resolved through the symbolic links of the folders that exist, before anything is
//! compared or written: `public/../public` is `public`, and `hb/../hb` is the handbook.
//! Output that would land on the handbook's sources is refused, never attempted.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use super::MARKER;

/// `path` absolute, without `.` or `..`, and with its longest existing ancestor
/// canonicalised (so a symlinked parent is compared by where it leads). The last component
/// is kept as given: a link there is the caller's to see.
pub fn normalise(path: &Path) -> Result<PathBuf, String> {
    let abs = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lexical = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let Some(name) = lexical.file_name().map(ToOwned::to_owned) else {
        return Ok(lexical); // the file system's root
    };
    let mut base = lexical.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut rest = vec![name];
    loop {
        if let Ok(real) = base.canonicalize() {
            return Ok(rest.iter().rev().fold(real, |p, c| p.join(c)));
        }
        match (base.file_name().map(ToOwned::to_owned), base.parent()) {
            (Some(n), Some(p)) => {
                rest.push(n);
                base = p.to_path_buf();
            }
            _ => return Ok(lexical),
        }
    }
}

/// The folders of the handbook that output must stay out of, each as given and as resolved.
fn protected(root: &Path) -> Vec<(PathBuf, &'static str)> {
    let root = normalise(root).unwrap_or_else(|_| root.to_path_buf());
    let mut out = vec![(root.clone(), "the handbook root")];
    for (dir, what) in [
        (crate::load::CONTENT_DIR, "the handbook's content/ folder"),
        ("theme", "the handbook's theme/ folder"),
    ] {
        let joined = root.join(dir);
        if let Ok(real) = joined.canonicalize() {
            out.push((real, what));
        }
        out.push((joined, what));
    }
    out
}

/// Why `out` (normalised) may not hold output of the handbook at `root`, if it may not.
fn overlap(root: &Path, out: &Path) -> Option<String> {
    for (dir, what) in protected(root) {
        let is_root = what == "the handbook root";
        if out == dir {
            return Some(format!("is {what}"));
        }
        if dir.starts_with(out) {
            return Some(format!("contains {what}"));
        }
        if out.starts_with(&dir) && !is_root {
            return Some(format!("lies inside {what}"));
        }
    }
    None
}

/// The folder `build --out` may replace: refused when it is, contains or lies in the handbook
/// root, content/ or theme/, is a symbolic link, or is not a folder.
pub fn output_dir(root: &Path, out: &Path) -> Result<PathBuf, String> {
    let norm = normalise(out)?;
    if let Some(why) = overlap(root, &norm) {
        return Err(format!(
            "--out {} {why}: the build replaces its output folder whole, and would delete the handbook's sources. Pass a folder of its own, e.g. --out {}",
            out.display(),
            root.join("public").display()
        ));
    }
    let meta = std::fs::symlink_metadata(&norm);
    match meta {
        Ok(m) if m.file_type().is_symlink() => {
            let target = std::fs::read_link(&norm).unwrap_or_default();
            Err(format!(
                "--out {} is a symbolic link (to {}): replacing it would replace the link, not the folder it leads to. Pass that folder itself: --out {}",
                out.display(),
                target.display(),
                norm.canonicalize().unwrap_or_else(|_| target.clone()).display()
            ))
        }
        Ok(m) if !m.is_dir() => Err(format!(
            "--out {} is a file, not a folder; the build will not replace it. Pass a folder",
            out.display()
        )),
        _ => Ok(norm),
    }
}

/// The file `bundle -o` may write: not inside the handbook's content/ or theme/, not a
/// folder or link, and, if it exists, a bundle this tool wrote (anything else is someone's).
pub fn bundle_file(root: &Path, out: &Path) -> Result<PathBuf, String> {
    let norm = normalise(out)?;
    if let Some(why) = overlap(root, &norm) {
        return Err(format!(
            "-o {} {why}: a bundle written there would overwrite or be taken for the handbook's sources. Pass a file outside content/ and theme/, e.g. -o {}",
            out.display(),
            root.join("handbook.zip").display()
        ));
    }
    let Ok(meta) = std::fs::symlink_metadata(&norm) else {
        return Ok(norm);
    };
    let refuse = |what: &str| {
        Err(format!(
            "-o {} {what}; the bundle is never written over it. Pass a new file name, or remove it",
            out.display()
        ))
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symbolic link");
    }
    if meta.is_dir() {
        return refuse("is a folder");
    }
    if !is_our_bundle(&norm) {
        return refuse("exists and is not a bundle ismsbook wrote");
    }
    Ok(norm)
}

/// A zip whose one top folder holds `SHA256SUMS` and a `build-info.json` naming this tool.
fn is_our_bundle(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return false;
    };
    let Some(info) = zip
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.matches('/').count() == 1 && n.ends_with("/build-info.json"))
        .map(|n| n.into_owned())
    else {
        return false;
    };
    let mut text = String::new();
    let read = zip
        .by_name(&info)
        .ok()
        .and_then(|e| e.take(64 * 1024).read_to_string(&mut text).ok());
    let top = info.trim_end_matches("build-info.json");
    read.is_some()
        && zip
            .index_for_name(&format!("{top}{}", super::SUMS))
            .is_some()
        && serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v["tool"] == "ismsbook")
}

/// What a folder holds, as `a, b/, c` (the first few), for messages.
pub fn listing(dir: &Path, skip: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name() != MARKER)
                .map(|e| {
                    let mut n = e.file_name().to_string_lossy().into_owned();
                    if e.file_type().is_ok_and(|t| t.is_dir()) {
                        n.push('/');
                    }
                    n
                })
                .filter(|n| !skip.contains(&n.as_str()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_resolved_before_anything_is_compared() {
        let base = tempfile_dir("norm");
        std::fs::create_dir_all(base.join("public")).unwrap();
        let real = base.canonicalize().unwrap();
        assert_eq!(
            normalise(&base.join("public/../public")).unwrap(),
            real.join("public")
        );
        assert_eq!(
            normalise(&base.join("a/./b/../c")).unwrap(),
            real.join("a/c")
        );
        std::fs::remove_dir_all(&base).unwrap();
    }

    fn tempfile_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ismsbook-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
