//! Putting an approved text in place of the document, as an editor that saves safely would:
//! the file a link points to is replaced (the link stays a link), with its mode, owner and
//! group; the new text is complete on disk before it takes the old one's name.

use std::fs;
use std::io::{self, Write};
#[cfg(unix)]
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::load::inside;
use crate::load::model::Document;

fn refused(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, message)
}

/// The temporary file beside `target`: hidden, so that `load` never reads it as content
/// (nor publishes it) if approve is killed or the disk fills up before the rename.
pub fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.ismsbook-approve-{}", std::process::id()))
}

/// Writes `text` (plus the file's own byte-order mark) in place of the document's file.
pub fn write(root: &Path, doc: &Document, text: &str) -> io::Result<()> {
    write_file(root, &doc.path, &doc.source, text)
}

/// Writes `text` in place of the file at `path` (relative to `root`), which must still hold
/// `source` (as `load` read it, byte-order mark dropped): what `accept` and `approve SoA`
/// use for risks.yaml and soa.yaml.
pub fn write_file(root: &Path, path: &Path, source: &str, text: &str) -> io::Result<()> {
    let shown = path.display();
    // The file itself, wherever links put it; it must still be inside the handbook.
    let target = fs::canonicalize(root.join(path))?;
    let root_c = inside::canonical_root(root)?;
    if !target.starts_with(&root_c) {
        return Err(refused(format!(
            "{shown} now leads outside the handbook, to {}",
            target.display()
        )));
    }
    let meta = fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(refused(format!("{shown} is not a regular file")));
    }
    // A mode without write bits is a protection even for root, whom `access` always lets by.
    if meta.permissions().readonly() || !writable(&target) {
        return Err(refused(format!(
            "{shown} is read-only{}; approve does not make a protected file writable: allow writing (e.g. chmod u+w {shown}) and approve again",
            mode_note(&meta)
        )));
    }
    if hard_links(&meta) > 1 {
        return Err(refused(format!(
            "{shown} has {} hard links; replacing it would leave the others with the old text: make it a single file (or a symbolic link) and approve again",
            hard_links(&meta)
        )));
    }
    let original = inside::read(&root_c, target.strip_prefix(&root_c).unwrap_or(&target))?;
    // `load` dropped a byte-order mark; keep the file's own.
    let bom: &[u8] = if original.starts_with(b"\xEF\xBB\xBF") {
        b"\xEF\xBB\xBF"
    } else {
        b""
    };
    if &original[bom.len()..] != source.as_bytes() {
        return Err(io::Error::other(format!(
            "{shown} changed since approve read it; nothing was written: run approve again"
        )));
    }
    let tmp = temp_path(&target);
    let result = replace(&target, &tmp, &meta, &[bom, text.as_bytes()]);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// ` (mode 0444)` where files have Unix modes.
fn mode_note(meta: &fs::Metadata) -> String {
    #[cfg(unix)]
    {
        format!(" (mode {:04o})", meta.mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        String::new()
    }
}

/// How many names the file has. (Windows: std does not tell on stable Rust; taken as one.)
fn hard_links(meta: &fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        meta.nlink()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        1
    }
}

/// Elsewhere the read-only attribute, checked before, is the protection.
#[cfg(not(unix))]
fn writable(_: &Path) -> bool {
    true
}

/// Whether this process may write the file (its mode, owner and our groups, as the kernel
/// decides), without opening it.
#[cfg(unix)]
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

fn replace(target: &Path, tmp: &Path, meta: &fs::Metadata, parts: &[&[u8]]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    let mut file = options.open(tmp)?;
    // Owner and group first (a change of owner clears set-id bits), then the mode. Only
    // root may give a file away; anyone may keep their own file's group if a member.
    #[cfg(unix)]
    {
        let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
        file.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    }
    #[cfg(not(unix))]
    file.set_permissions(meta.permissions())?;
    for part in parts {
        file.write_all(part)?;
    }
    file.sync_all()?;
    drop(file);
    fs::rename(tmp, target)?;
    // The rename itself is durable once the folder is synced.
    if let Some(dir) = target.parent() {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_file_is_never_content() {
        let tmp = temp_path(Path::new("/hb/content/policies/access.md"));
        assert_eq!(tmp.parent(), Some(Path::new("/hb/content/policies")));
        let name = tmp.file_name().unwrap();
        assert!(name
            .to_string_lossy()
            .starts_with(".access.md.ismsbook-approve-"));
        assert!(crate::load::is_ignored(name));
    }
}
