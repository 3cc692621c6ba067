//! Linux's fast way to [`super::open`] a plain file: one `openat2` relative to the root
//! folder, opened once, with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`: the kernel itself
//! refuses any path that leaves the root or passes a link, so no `/proc` lookup and no
//! canonical path are needed. Whatever this path does not open for certain (a link on the
//! way, a hidden name, a special file, an old kernel, any error) goes the portable way,
//! which follows links inside the root and gives the diagnostics.

use std::ffi::CString;
use std::fs::{self, File};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

/// `struct open_how` of linux/openat2.h (libc's is `non_exhaustive`).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// Set once `openat2` is known to be missing or refused whatever the path (kernels before
/// 5.6, seccomp filters of older container runtimes).
static UNSUPPORTED: AtomicBool = AtomicBool::new(false);

/// The file, opened and checked; `None`: open it the portable way.
pub(super) fn open(root: &Path, rel: &Path) -> Option<(File, fs::Metadata)> {
    if UNSUPPORTED.load(Ordering::Relaxed) {
        return None;
    }
    // A hidden name is refused by the portable way, with its own diagnostic.
    if rel
        .components()
        .any(|c| c.as_os_str().as_bytes().starts_with(b"."))
    {
        return None;
    }
    let rel_c = CString::new(rel.as_os_str().as_bytes()).ok()?;
    let dir = root_fd(root)?;
    // The type first, without opening: a device or FIFO is never opened (opening some
    // devices does something), and a link goes the portable way.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `rel_c` is a valid C string, `st` a valid out-pointer, `dir` an open folder.
    let r = unsafe { libc::fstatat(dir, rel_c.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
    if r != 0 || st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return None;
    }
    let how = OpenHow {
        // O_NOFOLLOW and O_NONBLOCK as in the portable way: a link or FIFO swapped in since.
        flags: (libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC) as u64,
        mode: 0,
        resolve: libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS,
    };
    // SAFETY: the arguments are as openat2(2) documents them; `how` outlives the call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dir,
            rel_c.as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    };
    if fd < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error();
        if matches!(
            errno,
            Some(libc::ENOSYS | libc::EPERM | libc::EINVAL | libc::E2BIG)
        ) {
            UNSUPPORTED.store(true, Ordering::Relaxed);
        }
        // ELOOP (a link on the way), EXDEV (out of the root), ENOENT, EACCES...
        return None;
    }
    // SAFETY: `fd` was just opened and is owned by nothing else.
    let file = unsafe { File::from_raw_fd(fd as RawFd) };
    let got = file.metadata().ok()?;
    // The file checked is the file opened; otherwise it changed meanwhile: check again.
    (got.is_file() && (got.dev(), got.ino()) == (st.st_dev, st.st_ino)).then_some((file, got))
}

/// The root folder, opened once per root for the whole run. A root folder replaced while
/// `serve` runs keeps being read through the old one, as serve's file watcher does too.
fn root_fd(root: &Path) -> Option<RawFd> {
    static ROOTS: RwLock<Vec<(PathBuf, OwnedFd)>> = RwLock::new(Vec::new());
    let found = |roots: &[(PathBuf, OwnedFd)]| {
        roots
            .iter()
            .find(|(r, _)| r == root)
            .map(|(_, fd)| fd.as_raw_fd())
    };
    if let Some(fd) = found(&ROOTS.read().unwrap_or_else(|e| e.into_inner())) {
        return Some(fd);
    }
    let mut roots = ROOTS.write().unwrap_or_else(|e| e.into_inner());
    if let Some(fd) = found(&roots) {
        return Some(fd);
    }
    let path = CString::new(root.as_os_str().as_bytes()).ok()?;
    // SAFETY: a valid C string; the descriptor is owned by `ROOTS` from here on.
    let fd = unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: just opened, owned by nothing else; kept (never closed) for the run.
    roots.push((root.to_path_buf(), unsafe { OwnedFd::from_raw_fd(fd) }));
    Some(fd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn plain_files_open_here_and_links_hidden_names_and_fifos_go_the_portable_way() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("content/in")).unwrap();
        std::fs::create_dir_all(r.join(".git")).unwrap();
        std::fs::write(r.join("content/in/a.md"), "a").unwrap();
        std::fs::write(r.join(".git/config"), "token").unwrap();
        symlink("in", r.join("content/alias")).unwrap();
        symlink("in/a.md", r.join("content/b.md")).unwrap();
        symlink(outside.path(), r.join("content/out")).unwrap();
        let fifo = CString::new(r.join("content/pipe.md").as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);

        assert!(open(r, Path::new("content/in/a.md")).is_some());
        for rel in [
            "content/alias/a.md",
            "content/b.md",
            "content/out/secret",
            ".git/config",
            "content/pipe.md",
            "content/missing.md",
        ] {
            assert!(open(r, Path::new(rel)).is_none(), "{rel}");
        }
        // And the portable way then decides: links inside are read, the rest refused.
        assert_eq!(
            super::super::read(r, Path::new("content/alias/a.md")).unwrap(),
            b"a"
        );
        assert_eq!(
            super::super::read(r, Path::new("content/b.md")).unwrap(),
            b"a"
        );
        for rel in ["content/out/secret", ".git/config", "content/pipe.md"] {
            let e = super::super::open(r, Path::new(rel)).unwrap_err();
            assert!(super::super::refusal(&e).is_some(), "{rel}: {e}");
        }
    }
}
