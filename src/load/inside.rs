//! The one rule for reading a handbook (or an import source): only regular files inside it.
//!
//! A symbolic link whose target stays inside the root is followed (a folder once per path;
//! a link back to a folder that contains it is a loop). A link that leaves the root, or that
//! points into a hidden folder such as `.git` (whose config may hold a CI token), is refused
//! and never opened. FIFOs, sockets and devices are never opened either: a FIFO would hang
//! the build. Every read goes through [`open`], which checks again where the file really is.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::is_ignored;

#[cfg(target_os = "linux")]
mod beneath;

/// Why an entry was not read.
#[derive(Debug)]
pub enum Refused {
    /// A symbolic link (or a folder reached through one) that leaves the root.
    Outside {
        written: PathBuf,
        real: PathBuf,
    },
    /// A link into a hidden file or folder of the root (`.git/config`, `.env`).
    Hidden {
        written: PathBuf,
    },
    /// A FIFO, socket or device.
    NotRegular(&'static str),
    /// A link to a folder that contains it, or a link to itself.
    Loop,
    /// A link to nothing.
    Dangling {
        written: PathBuf,
    },
    /// More entries than any handbook has: links that multiply folders.
    TooMany,
    Io(io::Error),
}

/// The most entries one walk visits: far above any real handbook, low enough that folder
/// links multiplying each other cannot keep a build busy for hours.
pub const MAX_ENTRIES: usize = 500_000;

impl Refused {
    /// What happened, for a diagnostic about the entry; `root_name` is e.g. "the handbook".
    pub fn message(&self, root_name: &str) -> String {
        match self {
            Refused::Outside { written, real } if written == real => format!(
                "symbolic link to {}, outside {root_name}: not read",
                written.display()
            ),
            Refused::Outside { written, real } => format!(
                "symbolic link to {} ({}), outside {root_name}: not read",
                written.display(),
                real.display()
            ),
            Refused::Hidden { written } => format!(
                "symbolic link to {}, a hidden file or folder of {root_name}: not read",
                written.display()
            ),
            Refused::NotRegular(kind) => format!("{kind}, not a regular file: not opened"),
            Refused::Loop => {
                "symbolic link loop: this link points at a folder that contains it (or at itself)"
                    .to_string()
            }
            Refused::Dangling { written } => {
                format!("symbolic link to {}, which does not exist", written.display())
            }
            Refused::TooMany => format!(
                "more than {MAX_ENTRIES} files and folders: stopped reading (do symbolic links multiply folders?)"
            ),
            Refused::Io(e) => format!("cannot read: {e}"),
        }
    }

    pub fn help(&self) -> &'static str {
        match self {
            Refused::Outside { .. } | Refused::Hidden { .. } => {
                "copy the file into the handbook, or remove the link"
            }
            Refused::NotRegular(_) => "remove it; only regular files are content",
            Refused::Loop => "remove the link or point it outside its own folder",
            Refused::Dangling { .. } => "remove the link, or restore what it points to",
            Refused::TooMany => "remove folder links that point at each other",
            Refused::Io(_) => "check the file's permissions",
        }
    }

    pub fn is_outside(&self) -> bool {
        matches!(self, Refused::Outside { .. } | Refused::Hidden { .. })
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.message("the handbook"), self.help())
    }
}

impl std::error::Error for Refused {}

impl From<Refused> for io::Error {
    fn from(r: Refused) -> io::Error {
        match r {
            Refused::Io(e) => e,
            other => io::Error::new(io::ErrorKind::PermissionDenied, other),
        }
    }
}

/// The refusal an error of [`open`] carries, if it is one.
pub fn refusal(e: &io::Error) -> Option<&Refused> {
    e.get_ref().and_then(|r| r.downcast_ref::<Refused>())
}

/// The root as the system knows it (links resolved), remembered per root: every read needs it.
pub fn canonical_root(root: &Path) -> io::Result<PathBuf> {
    use std::sync::Mutex;
    static CACHE: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, c)) = cache.iter().find(|(r, _)| r == root) {
        return Ok(c.clone());
    }
    let c = fs::canonicalize(root)?;
    cache.push((root.to_path_buf(), c.clone()));
    Ok(c)
}

/// Whether `real` (links resolved) is inside `root_c` and outside its hidden folders.
fn check_inside(root_c: &Path, real: &Path, written: &Path) -> Result<(), Refused> {
    let Ok(rel) = real.strip_prefix(root_c) else {
        return Err(Refused::Outside {
            written: written.to_path_buf(),
            real: real.to_path_buf(),
        });
    };
    if rel
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        return Err(Refused::Hidden {
            written: written.to_path_buf(),
        });
    }
    Ok(())
}

/// Where the symbolic link `full` leads, if that is inside the root: (real path, its metadata).
fn resolve(root_c: &Path, full: &Path) -> Result<(PathBuf, fs::Metadata), Refused> {
    let written = fs::read_link(full).map_err(Refused::Io)?;
    let real = match fs::canonicalize(full) {
        Ok(real) => real,
        Err(e) if is_loop(&e) => return Err(Refused::Loop),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Refused::Dangling { written }),
        Err(e) => return Err(Refused::Io(e)),
    };
    check_inside(root_c, &real, &written)?;
    let meta = fs::metadata(&real).map_err(Refused::Io)?;
    Ok((real, meta))
}

/// A chain of symbolic links that never ends.
fn is_loop(e: &io::Error) -> bool {
    #[cfg(unix)]
    let code = libc::ELOOP;
    // ERROR_CANT_RESOLVE_FILENAME: what Windows answers for a loop of links.
    #[cfg(not(unix))]
    let code = 1921;
    e.raw_os_error() == Some(code)
}

#[cfg(not(unix))]
fn kind_of(_: fs::FileType) -> &'static str {
    "a special file"
}

#[cfg(unix)]
fn kind_of(ft: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a named pipe (FIFO)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// The regular files under a folder, and the entries refused, relative to the root.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<PathBuf>,
    pub refused: Vec<(PathBuf, Refused)>,
}

/// Walks `dir` (relative to `root`), skipping ignored names (hidden files, editor droppings).
/// A missing `dir` is an empty walk.
pub fn walk(root: &Path, dir: &Path) -> io::Result<Walk> {
    let root_c = canonical_root(root)?;
    let mut walker = Walker {
        root,
        root_c: root_c.clone(),
        out: Walk::default(),
        seen: 0,
        start: dir.to_path_buf(),
    };
    // A link back to the root is a loop too, unless the walk starts there.
    let mut ancestors = if dir.as_os_str().is_empty() {
        Vec::new()
    } else {
        vec![root_c]
    };
    let full = root.join(dir);
    match fs::symlink_metadata(&full) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => walker.out.refused.push((dir.to_path_buf(), Refused::Io(e))),
        Ok(meta) => walker.entry(dir, meta.file_type(), &mut ancestors),
    }
    walker.out.files.sort();
    Ok(walker.out)
}

struct Walker<'a> {
    root: &'a Path,
    root_c: PathBuf,
    out: Walk,
    seen: usize,
    start: PathBuf,
}

impl Walker<'_> {
    /// One entry; `ancestors` are the real paths of the folders that contain it.
    fn entry(&mut self, path: &Path, ft: fs::FileType, ancestors: &mut Vec<PathBuf>) {
        self.seen += 1;
        if self.seen == MAX_ENTRIES {
            self.out
                .refused
                .push((path.to_path_buf(), Refused::TooMany));
        }
        if self.seen >= MAX_ENTRIES {
            return;
        }
        // Where the entry really is: in its parent's real folder (short, free of links, so
        // each entry costs the same however deep links have taken the walk).
        let here = match (path.file_name(), ancestors.last()) {
            (Some(name), Some(parent)) if path != self.start => parent.join(name),
            _ => self.root.join(path),
        };
        if ft.is_symlink() {
            match resolve(&self.root_c, &here) {
                Ok((real, meta)) if meta.is_dir() => self.folder(path, real, ancestors),
                Ok((_, meta)) if meta.is_file() => self.out.files.push(path.to_path_buf()),
                Ok((_, meta)) => self.refuse(path, Refused::NotRegular(kind_of(meta.file_type()))),
                Err(r) => self.refuse(path, r),
            }
        } else if ft.is_dir() {
            let real = match ancestors.last() {
                Some(_) if path != self.start => here,
                // The folder the walk starts at: its path may pass through links.
                _ => match fs::canonicalize(&here) {
                    Ok(real) => match check_inside(&self.root_c, &real, &real) {
                        Ok(()) => real,
                        Err(r) => return self.refuse(path, r),
                    },
                    Err(e) => return self.refuse(path, Refused::Io(e)),
                },
            };
            self.folder(path, real, ancestors);
        } else if ft.is_file() {
            self.out.files.push(path.to_path_buf());
        } else {
            self.refuse(path, Refused::NotRegular(kind_of(ft)));
        }
    }

    fn refuse(&mut self, path: &Path, why: Refused) {
        self.out.refused.push((path.to_path_buf(), why));
    }

    fn folder(&mut self, path: &Path, real: PathBuf, ancestors: &mut Vec<PathBuf>) {
        if ancestors.contains(&real) {
            return self.refuse(path, Refused::Loop);
        }
        let entries = match fs::read_dir(&real) {
            Ok(rd) => rd,
            Err(e) => return self.refuse(path, Refused::Io(e)),
        };
        let mut list = Vec::new();
        for e in entries {
            match e.and_then(|e| Ok((e.file_name(), e.file_type()?))) {
                Ok((name, ft)) if !is_ignored(&name) => list.push((name, ft)),
                Ok(_) => {}
                Err(e) => self.refuse(path, Refused::Io(e)),
            }
        }
        list.sort_by(|a, b| a.0.cmp(&b.0));
        ancestors.push(real);
        for (name, ft) in list {
            self.entry(&path.join(name), ft, ancestors);
        }
        ancestors.pop();
    }
}

/// Opens `rel` (a plain relative path) under `root` for reading, if it is a regular file
/// inside the root, with its metadata. A refusal comes back as an [`io::Error`] carrying a
/// [`Refused`].
pub fn open(root: &Path, rel: &Path) -> io::Result<(fs::File, fs::Metadata)> {
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a path inside the handbook", rel.display()),
        ));
    }
    #[cfg(target_os = "linux")]
    if let Some(opened) = beneath::open(root, rel) {
        return Ok(opened);
    }
    let root_c = canonical_root(root)?;
    let full = root.join(rel);
    let lstat = fs::symlink_metadata(&full)?;
    let (path, expected) = if lstat.file_type().is_symlink() {
        let (real, meta) = resolve(&root_c, &full)?;
        (real, meta)
    } else {
        (full, lstat)
    };
    if !expected.is_file() {
        return Err(Refused::NotRegular(kind_of(expected.file_type())).into());
    }
    // O_NOFOLLOW: a link swapped in since the check is not followed; O_NONBLOCK: nor does a
    // FIFO swapped in hang the open.
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let file = options.open(&path)?;
    let got = file.metadata()?;
    if !got.is_file() || !same_file(&got, &expected) {
        return Err(io::Error::other(format!(
            "{} changed while it was being read",
            rel.display()
        )));
    }
    // A folder on the way may be a link that leaves the root: ask where the file really is
    // (Linux tells of the open file itself; elsewhere the path is resolved again).
    #[cfg(unix)]
    let real = {
        use std::os::fd::AsRawFd;
        fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()))
            .or_else(|_| fs::canonicalize(&path))?
    };
    #[cfg(not(unix))]
    let real = fs::canonicalize(&path)?;
    check_inside(&root_c, &real, &real)?;
    Ok((file, got))
}

/// Whether the opened file is the one checked (device and inode). Windows' file ids are not
/// on stable Rust: there the open's own refusal of a changed path has to do.
fn same_file(got: &fs::Metadata, expected: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (got.dev(), got.ino()) == (expected.dev(), expected.ino())
    }
    #[cfg(not(unix))]
    {
        got.len() == expected.len()
    }
}

/// The whole file, under the rule of [`open`].
pub fn read(root: &Path, rel: &Path) -> io::Result<Vec<u8>> {
    read_at_most(root, rel, u64::MAX).map(|r| r.unwrap_or_default())
}

/// The file's bytes, or its size when that is over `max` (the file is then not read).
pub fn read_at_most(root: &Path, rel: &Path, max: u64) -> io::Result<Result<Vec<u8>, u64>> {
    use std::io::Read;
    let (file, meta) = open(root, rel)?;
    let size = meta.len();
    if size > max {
        return Ok(Err(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Through `take`: File's own read_to_end would ask the system for the size again.
    file.take(max).read_to_end(&mut bytes)?;
    Ok(Ok(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn open_refuses_what_leaves_the_root_however_the_path_gets_there() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("content/in")).unwrap();
        std::fs::write(r.join("content/in/a.md"), "a").unwrap();
        // A file swapped for a link after the walk listed it.
        symlink(outside.path().join("secret"), r.join("content/late.md")).unwrap();
        // A folder on the way that is a link out.
        symlink(outside.path(), r.join("content/out")).unwrap();
        // A link inside, to a file inside.
        symlink("in/a.md", r.join("content/b.md")).unwrap();
        let refused = |rel: &str| {
            let e = open(r, Path::new(rel)).unwrap_err();
            assert!(refusal(&e).is_some_and(Refused::is_outside), "{rel}: {e}");
        };
        refused("content/late.md");
        refused("content/out/secret");
        assert_eq!(read(r, Path::new("content/b.md")).unwrap(), b"a");
        assert_eq!(read(r, Path::new("content/in/a.md")).unwrap(), b"a");
        assert!(open(r, Path::new("content/../content/in/a.md")).is_err());
    }
}
