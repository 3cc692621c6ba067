//! Starting and stopping `serve`: the listening socket, the private directory the
//! generations are written to, and its removal on every way out.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::host::Allowed;
use super::net::{Limits, Server};
use super::{watch, Options, Shared, State};

/// Why `serve` could not start or stopped; the caller prints it (exit code 2).
#[derive(Debug)]
pub enum Error {
    /// Another program (often another `serve`) listens on the port.
    PortInUse { bind: String, port: u16 },
    Listen {
        bind: String,
        port: u16,
        error: std::io::Error,
    },
    /// The temporary directory, the watcher, the signal handler or the server loop.
    Other(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::PortInUse { bind, port } => write!(
                f,
                "port {port} is already in use on {bind}; choose another with --port"
            ),
            Error::Listen { bind, port, error } => {
                write!(f, "cannot listen on {bind}:{port}: {error}")
            }
            Error::Other(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(why: String) -> Self {
        Error::Other(why)
    }
}

/// Runs the server until it is stopped (Ctrl-C, SIGTERM, SIGHUP).
pub fn run(opts: Options) -> Result<(), Error> {
    // A bad SOURCE_DATE_EPOCH stops serve as it stops build and check, rather than
    // silently previewing against the clock.
    crate::site::today(opts.today).map_err(|e| Error::Other(e.to_string()))?;
    let (bind, port) = (opts.bind.clone(), opts.port);
    let cannot_listen = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::AddrInUse => Error::PortInUse { bind, port },
        _ => Error::Listen { bind, port, error },
    };
    let listener = std::net::TcpListener::bind((opts.bind.as_str(), opts.port))
        .map_err(cannot_listen.clone())?;
    let addr = listener.local_addr().map_err(cannot_listen)?;
    let base = private_dir()?;
    sweep_leftovers(base.path());
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        waker: Default::default(),
        base: base.path().to_path_buf(),
        root: opts.root.clone(),
        today: opts.today,
        search_key: session_key(),
        site: Mutex::new(None),
    });
    stop_on_signals(&shared)?;
    let allowed = Allowed::new(&opts.bind, addr.port());
    let server = Server::new(listener, shared.clone(), allowed, limits())
        .map_err(|e| Error::Other(format!("cannot start the server: {e}")))?;
    shared.rebuild(None);
    let _watcher = watch::start(shared.clone())?;
    let url = format!("http://{addr}/");
    say!("serving {} at {url} (Ctrl-C to stop)", opts.root.display());
    if opts.open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    let served = server.run();
    // `base` (a TempDir) is removed here, and when an error above returns early.
    drop(base);
    served.map_err(|e| Error::Other(format!("the server stopped: {e}")))
}

/// A random search key for this session; without the OS's randomness (which only a broken
/// system lacks), each build derives its key from the content, as `build` does.
fn session_key() -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).ok().map(|_| key)
}

/// A fresh directory only we can read: an unpredictable name that must not exist yet (never
/// one somebody planted), mode 0700 whatever the umask allows.
fn private_dir() -> Result<tempfile::TempDir, String> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("ismsbook-serve-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let parent = memory_dir().unwrap_or_else(std::env::temp_dir);
    let dir = builder.tempdir_in(&parent).map_err(|e| {
        format!(
            "cannot create a temporary directory in {}: {e}",
            parent.display()
        )
    })?;
    // Names the owner, for `sweep_leftovers` of a later run should this one be killed.
    std::fs::write(dir.path().join(PID_FILE), std::process::id().to_string())
        .map_err(|e| format!("cannot write in {}: {e}", dir.path().display()))?;
    Ok(dir)
}

const PID_FILE: &str = "pid";

/// Where the preview's pages go unless `TMPDIR` says otherwise: memory (`/dev/shm`) when it
/// has room. An edit rewrites a few thousand small files (search shards, listings); on a
/// disk file system creating and replacing them costs more than rendering them (at 10,000
/// documents, most of an update's time went to ext4's inode and block bookkeeping).
/// A container's default `/dev/shm` (64 MB) is too small for a large handbook: then the
/// temporary directory as usual.
fn memory_dir() -> Option<PathBuf> {
    if std::env::var_os("TMPDIR").is_some() {
        return None;
    }
    #[cfg(target_os = "linux")]
    {
        const ROOM: u64 = 2 << 30;
        let shm = Path::new("/dev/shm");
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        let path = c"/dev/shm";
        // SAFETY: a NUL-terminated path and a zeroed struct statvfs fills.
        let ok = unsafe { libc::statvfs(path.as_ptr(), &mut st) } == 0;
        let free = st.f_bavail as u64 * st.f_frsize as u64;
        if ok && shm.is_dir() && free >= ROOM {
            return Some(shm.to_path_buf());
        }
    }
    None
}

/// A run killed by SIGKILL, a crash or a power cut cannot remove its directory: the next run
/// does, if it is one of ours (our user, mode 0700, a `pid` file) and that process is gone.
/// A directory is never followed through a symlink, and one of another user never touched.
#[cfg(target_os = "linux")]
fn sweep_leftovers(ours: &Path) {
    use std::os::unix::fs::MetadataExt;
    let (Ok(me), Some(parent)) = (std::fs::symlink_metadata(ours), ours.parent()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let named = entry
            .file_name()
            .to_string_lossy()
            .starts_with("ismsbook-serve-");
        if !named || path == ours {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() || meta.uid() != me.uid() || meta.mode() & 0o777 != 0o700 {
            continue;
        }
        let pid = std::fs::read_to_string(path.join(PID_FILE))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn sweep_leftovers(_ours: &Path) {}

/// On Ctrl-C, SIGTERM or SIGHUP (the terminal closed): waits for a build writing into the
/// directory to finish (a few seconds at most), removes the directory, and exits. The
/// site's lock, held by every build while it writes, stays taken: nothing writes after.
fn stop_on_signals(shared: &Arc<Shared>) -> Result<(), String> {
    let shared = shared.clone();
    ctrlc::set_handler(move || {
        let deadline = Instant::now() + Duration::from_secs(5);
        let _building = loop {
            match shared.site.try_lock() {
                Ok(guard) => break Some(guard),
                Err(std::sync::TryLockError::Poisoned(e)) => break Some(e.into_inner()),
                Err(_) if Instant::now() >= deadline => break None,
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        };
        remove(&shared.base);
        say!("\nstopped");
        std::process::exit(0);
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))
}

fn remove(dir: &Path) {
    // A second try covers an old generation being removed by a build at the same moment.
    if std::fs::remove_dir_all(dir).is_err() && dir.exists() {
        std::thread::sleep(Duration::from_millis(50));
        if let Err(e) = std::fs::remove_dir_all(dir) {
            say!("warning: cannot remove {}: {e}", dir.display());
        }
    }
}

/// Connections are file descriptors: use what the system allows (the soft limit is often
/// 1024, far below the hard one), and keep some for the builds, the watcher and stdio.
fn limits() -> Limits {
    let fds = raise_fd_limit();
    let max_conns = fds.saturating_sub(128).clamp(64, 4096);
    let workers = std::thread::available_parallelism()
        .map_or(4, |n| n.get())
        .clamp(2, 8);
    Limits {
        head_time: Duration::from_secs(10),
        write_idle: Duration::from_secs(10),
        write_total: Duration::from_secs(120),
        linger: Duration::from_secs(2),
        poll_wait: Duration::from_secs(25),
        whole_wait: Duration::from_secs(10),
        work_time: Duration::from_secs(30),
        max_conns,
        // Half the connections at most wait for a build: the others stay free for pages.
        max_parked: max_conns / 2,
        workers,
        queue: 256,
    }
}

#[cfg(target_os = "linux")]
fn raise_fd_limit() -> usize {
    // SAFETY: getrlimit and setrlimit only read and write the struct we pass.
    unsafe {
        let mut limit = std::mem::zeroed::<libc::rlimit>();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max.min(65536),
                rlim_max: limit.rlim_max,
            };
            if raised.rlim_cur > limit.rlim_cur
                && libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0
            {
                limit = raised;
            }
        }
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    }
}

#[cfg(not(target_os = "linux"))]
fn raise_fd_limit() -> usize {
    // macOS defaults to 256 descriptors; Windows has no such limit for sockets.
    if cfg!(windows) {
        4096
    } else {
        256
    }
}
