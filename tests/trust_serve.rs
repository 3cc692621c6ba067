//! `serve` under attack: thousands of waiting pages, slow and huge requests, another site's
//! pages (DNS rebinding, embedding), a policy's SVG with a script, and signals. Each test is
//! an attack today's users could meet; each failed on the server before issue 13.
//!
//! `ISMSBOOK_BIN` runs them against another build (to show they fail on an older one).
//! Linux only: they count threads in /proc and send signals.
#![cfg(target_os = "linux")]

mod common;
use common::Handbook;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    /// SIGTERM first, so that serve removes its temporary directory (SIGKILL leaves it to
    /// the next run).
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> String {
    std::env::var("ISMSBOOK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_ismsbook").to_string())
}

/// Starts `serve` on a free port, with its temporary files under `tmp` when given, and waits
/// for its first build.
#[allow(clippy::zombie_processes)] // the Server value kills and reaps it on drop
fn serve(hb: &Handbook, tmp: Option<&Path>) -> Server {
    let mut cmd = Command::new(binary());
    cmd.args(["serve", "--port", "0", "--today", common::TODAY, "--root"])
        .arg(hb.path())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    if let Some(tmp) = tmp {
        cmd.env("TMPDIR", tmp);
    }
    let mut child = cmd.spawn().unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let port = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("server did not start");
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in rx {});
    let server = Server { child, port };
    assert_eq!(poll(&server, 0)["good"], 1, "first build");
    server
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn parse(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Reply {
        status: head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// Sends `head` (request line and headers) and `Connection: close`.
fn send(port: u16, head: &str) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
    write!(s, "{head}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse(&raw)
}

fn get(port: u16, path: &str) -> Reply {
    send(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost:{port}"),
    )
}

fn poll(server: &Server, since: u64) -> serde_json::Value {
    let r = get(server.port, &format!("/__ismsbook/poll?since={since}"));
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("{} {}", r.head, r.body))
}

/// Milliseconds for each of ten `GET /`, one after another.
fn page_times(port: u16) -> Vec<u128> {
    (0..10)
        .map(|_| {
            let started = Instant::now();
            let r = get(port, "/");
            assert_eq!(r.status, 200, "{}", r.head);
            started.elapsed().as_millis()
        })
        .collect()
}

/// The pages keep coming: the median within 100 ms, none stalled (the machine running the
/// tests is shared, so one slow sample is the scheduler's, not the server's).
fn assert_responsive(port: u16, while_what: &str) {
    let mut times = page_times(port);
    times.sort();
    eprintln!("GET / while {while_what}: {times:?} ms");
    assert!(times[5] < 100, "{while_what}: {times:?} ms");
    assert!(times[9] < 1000, "{while_what}: {times:?} ms");
}

fn alive(server: &mut Server) -> bool {
    server.child.try_wait().unwrap().is_none()
}

fn threads(server: &Server) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()));
    status
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:").map(|n| n.trim().parse().ok()))
                .flatten()
        })
        .unwrap_or(0)
}

/// This process may need thousands of sockets; the soft limit is often 1024.
fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        let mut l = std::mem::zeroed::<libc::rlimit>();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
        l.rlim_cur = l.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
        l.rlim_cur
    }
}

#[test]
fn three_thousand_waiting_pages_hold_no_thread_and_pages_still_come() {
    let fds = raise_fd_limit();
    // Each poll needs a socket here and one in the server.
    let polls = if fds >= 7000 { 3000 } else { 1000 };
    let hb = Handbook::fixture("_base");
    let mut server = serve(&hb, None);
    let port = server.port;
    let mut waiting: Vec<TcpStream> = (0..polls)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(
                s,
                "GET /__ismsbook/poll?since=1 HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
            )
            .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    assert!(alive(&mut server), "serve died under {polls} long polls");
    assert_responsive(port, &format!("{polls} long polls wait"));
    let threads = threads(&server);
    assert!(threads < 40, "{threads} threads for {polls} polls");
    // A build answers every parked poll at once; the excess was told at once to wait.
    hb.write("content/note.md", "---\nid: NOTE-01\ntitle: Note\ntype: guideline\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\nHi\n");
    let (mut news, mut busy) = (0, 0);
    for s in &mut waiting {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let answer: serde_json::Value = serde_json::from_str(&parse(&raw).body).unwrap();
        if answer["busy"] == true {
            busy += 1;
        } else {
            assert_eq!(answer["good"], 2, "{answer}");
            news += 1;
        }
    }
    eprintln!("{polls} polls: {news} told of the build, {busy} told to ask again later");
    assert!(news >= polls / 2, "{news} of {polls}");
    assert!(alive(&mut server));
}

#[test]
fn slow_clients_are_cut_off_and_never_hold_up_the_pages() {
    let hb = Handbook::fixture("_base");
    let mut server = serve(&hb, None);
    let port = server.port;
    // 100 clients send a head one byte a second; 100 send half a head and stop.
    let head = format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\nX-Slow: ");
    let mut stalled: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(head.as_bytes()).unwrap();
            s
        })
        .collect();
    let trickling: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let started = Instant::now();
    let dripper = std::thread::spawn(move || {
        let mut trickling = trickling;
        for byte in head.bytes().cycle().take(14) {
            for s in &mut trickling {
                let _ = s.write_all(&[byte]);
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        trickling
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_responsive(port, "200 slow clients hold their connections");
    // Half a head gets no more than ten seconds, however it arrives.
    for s in &mut stalled {
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        assert_eq!(parse(&raw).status, 408, "{}", String::from_utf8_lossy(&raw));
    }
    assert!(started.elapsed() < Duration::from_secs(13));
    for mut s in dripper.join().unwrap() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let status = parse(&raw).status;
        assert!(
            status == 408 || raw.is_empty(),
            "trickling client: {status}"
        );
    }
    assert!(alive(&mut server));
}

#[test]
fn more_idle_connections_than_it_keeps_push_out_the_oldest_not_the_pages() {
    let fds = raise_fd_limit();
    let idle = if fds >= 10000 { 4500 } else { 800 };
    let hb = Handbook::fixture("_base");
    let mut server = serve(&hb, None);
    let port = server.port;
    // Connections that never send a byte, more than serve keeps open (4,096 at most).
    let held: Vec<TcpStream> = (0..idle)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    assert_responsive(port, &format!("{idle} idle connections are open"));
    let threads = threads(&server);
    assert!(threads < 40, "{threads} threads for {idle} connections");
    assert!(alive(&mut server));
    drop(held);
}

/// Sends `size` bytes of header lines (or one line) without waiting; reads the answer.
fn huge(port: u16, head: Vec<u8>) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(&head);
        let _ = w.shutdown(Shutdown::Write);
    });
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let _ = writer.join();
    parse(&raw)
}

#[test]
fn a_megabyte_of_headers_is_refused_and_others_are_served() {
    let hb = Handbook::fixture("_base");
    let mut server = serve(&hb, None);
    let port = server.port;
    let many_lines = || {
        let mut head = format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\n").into_bytes();
        let mut i = 0;
        while head.len() < 1 << 20 {
            head.extend_from_slice(format!("X-Pad-{i}: {}\r\n", "a".repeat(100)).as_bytes());
            i += 1;
        }
        head.extend_from_slice(b"\r\n");
        head
    };
    let attackers: Vec<_> = (0..20)
        .map(|_| {
            let head = many_lines();
            std::thread::spawn(move || huge(port, head).status)
        })
        .collect();
    assert_responsive(port, "20 clients send a megabyte of headers each");
    for a in attackers {
        assert_eq!(a.join().unwrap(), 431);
    }
    let one_line = format!(
        "GET / HTTP/1.1\r\nHost: localhost:{port}\r\nCookie: {}\r\n\r\n",
        "c".repeat(1 << 20)
    );
    assert_eq!(huge(port, one_line.into_bytes()).status, 431);
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(1 << 20));
    assert_eq!(huge(port, long_target.into_bytes()).status, 414);
    // A head that never ends and never stops: refused at the limit, not read forever.
    let endless = format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\nX: ").into_bytes();
    let endless = [endless, vec![b'a'; 64 << 20]].concat();
    assert_eq!(huge(port, endless).status, 431);
    assert_eq!(get(port, "/").status, 200);
    assert!(alive(&mut server));
}

#[test]
fn dns_rebinding_is_refused_by_the_host_header() {
    let hb = Handbook::fixture("_base");
    let server = serve(&hb, None);
    let port = server.port;
    let with_host = |host: &str| send(port, &format!("GET / HTTP/1.1\r\nHost: {host}"));
    for evil in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost.:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
    ] {
        let r = with_host(&evil);
        assert_eq!(r.status, 421, "{evil}: {}", r.head);
        assert!(r.body.contains("DNS rebinding"), "{}", r.body);
        assert!(!r.body.contains("<html"), "no page for {evil}");
    }
    let poll = send(
        port,
        "GET /__ismsbook/poll?since=1 HTTP/1.1\r\nHost: evil.example",
    );
    assert_eq!(poll.status, 421, "the overlay's errors stay private too");
    for ok in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(with_host(&ok).status, 200, "{ok}");
    }
    // HTTP/1.1 without a Host, or with two, is malformed.
    assert_eq!(send(port, "GET / HTTP/1.1").status, 400);
    assert_eq!(
        send(
            port,
            "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example"
        )
        .status,
        400
    );
}

#[test]
fn another_sites_page_cannot_embed_the_preview() {
    let hb = Handbook::fixture("_base");
    let server = serve(&hb, None);
    let port = server.port;
    let fetch = |site: &str, mode: &str, dest: &str| {
        send(
            port,
            &format!(
                "GET /search.html HTTP/1.1\r\nHost: localhost:{port}\r\n\
                 Sec-Fetch-Site: {site}\r\nSec-Fetch-Mode: {mode}\r\nSec-Fetch-Dest: {dest}"
            ),
        )
    };
    assert_eq!(fetch("cross-site", "no-cors", "script").status, 403);
    // Another port of localhost is the same site, not the same origin.
    assert_eq!(fetch("same-site", "cors", "empty").status, 403);
    assert_eq!(fetch("same-origin", "no-cors", "script").status, 200);
    assert_eq!(fetch("cross-site", "navigate", "document").status, 200);
    let page = get(port, "/");
    assert_eq!(
        page.header("Cross-Origin-Resource-Policy"),
        Some("same-origin")
    );
    assert_eq!(
        send(port, &format!("POST / HTTP/1.1\r\nHost: localhost:{port}")).status,
        405
    );
    // A folder without its slash is redirected within the site, never to `//another.host`.
    let moved = get(port, "//documents");
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("Location"), Some("/documents/"));
}

#[test]
fn a_policys_svg_or_html_asset_cannot_run_script_on_the_preview() {
    // A scripted asset is an `active-asset` error before it is ever served; the sandbox is the
    // second line, for whatever such a scan could miss, so every HTML and SVG asset gets it.
    let hb = Handbook::fixture("_base");
    hb.write(
        "content/diagram.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><text x=\"1\" y=\"9\">flow</text></svg>",
    );
    hb.write("content/note.html", "<p>a note</p>");
    let server = serve(&hb, None);
    let port = server.port;
    for (path, kind) in [
        ("/assets/diagram.svg", "image/svg+xml"),
        ("/assets/note.html", "text/html"),
    ] {
        let r = get(port, path);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.header("Content-Type").unwrap().starts_with(kind));
        assert_eq!(
            r.header("Content-Security-Policy"),
            Some("sandbox"),
            "{path}"
        );
        assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"));
    }
    // The handbook's own pages are not sandboxed, and still reload themselves.
    let page = get(port, "/documents/BASE-01.html");
    assert_eq!(page.header("Content-Security-Policy"), None);
    let generation = page
        .body
        .split("src=\"/__ismsbook/livereload.js\" data-generation=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next());
    assert_eq!(generation.map(|g| g.parse::<u64>()), Some(Ok(1)));
    for path in [
        "/",
        "/nope",
        "/__ismsbook/livereload.js",
        "/static/style.css",
    ] {
        assert_eq!(
            get(port, path).header("X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
    }
}

fn private_dirs(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

fn stops_on(signal: i32) {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let hb = Handbook::fixture("_base");
    let mut server = serve(&hb, Some(tmp.path()));
    let pid = server.child.id();
    let dirs = private_dirs(tmp.path());
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let mode = std::fs::metadata(&dirs[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{:o}: others could read the pages", mode);
    let name = dirs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert_ne!(name, format!("ismsbook-serve-{pid}"), "predictable name");
    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(pid as i32, signal) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "serve did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        private_dirs(tmp.path()),
        Vec::<PathBuf>::new(),
        "left behind"
    );
}

#[test]
fn the_private_directory_is_0700_and_gone_after_sigterm() {
    stops_on(libc::SIGTERM);
}

#[test]
fn the_private_directory_is_gone_after_ctrl_c() {
    stops_on(libc::SIGINT);
}

#[test]
fn a_failed_full_rebuild_leaves_no_half_written_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let hb = Handbook::fixture("_base");
    // theme/templates/ exists from the start, so its files are watched.
    hb.write("theme/templates/.keep", "");
    let server = serve(&hb, Some(tmp.path()));
    let generations = || {
        let base = &private_dirs(tmp.path())[0];
        let mut names: Vec<String> = std::fs::read_dir(base)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("generation-"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(generations(), ["generation-1"]);
    // A theme whose document page cannot render: the full build fails half-way.
    hb.write("theme/templates/document.html", "{{ no_such_value.field }}");
    let news = poll(&server, 1);
    assert_eq!(
        (news["generation"].as_u64(), news["good"].as_u64()),
        (Some(2), Some(1)),
        "{news}"
    );
    assert_eq!(
        generations(),
        ["generation-1"],
        "the failed build's pages are gone"
    );
    std::fs::remove_file(hb.path().join("theme/templates/document.html")).unwrap();
    // An editor's save may come as several events: wait for the good build.
    let mut since = news["generation"].as_u64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let good = loop {
        assert!(Instant::now() < deadline, "no good build after the fix");
        let news = poll(&server, since);
        since = news["generation"].as_u64().unwrap();
        if news["good"] == since {
            break since;
        }
    };
    // The old generation goes just after the pages are told of the new one.
    let deadline = Instant::now() + Duration::from_secs(5);
    while generations() != [format!("generation-{good}")] {
        assert!(Instant::now() < deadline, "{:?}", generations());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_killed_runs_directory_is_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let hb = Handbook::fixture("_base");
    let mut killed = serve(&hb, Some(tmp.path()));
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();
    let left = private_dirs(tmp.path());
    assert_eq!(left.len(), 1, "SIGKILL cannot be handled: {left:?}");
    // Not ours to remove: another user's would not be 0700 and ours; this one is not ours.
    let foreign = tmp.path().join("ismsbook-serve-planted");
    std::fs::create_dir(&foreign).unwrap();
    let next = serve(&hb, Some(tmp.path()));
    let now = private_dirs(tmp.path());
    assert!(
        !now.contains(&left[0]),
        "the killed run's pages are gone: {now:?}"
    );
    assert!(
        now.contains(&foreign),
        "a directory without our marks stays"
    );
    assert_eq!(now.len(), 2, "{now:?}");
    drop(next);
}

#[test]
fn serve_stops_cleanly_when_its_terminal_is_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let hb = Handbook::fixture("_base");
    let mut child = Command::new(binary())
        .args(["serve", "--port", "0", "--root"])
        .arg(hb.path())
        .env("TMPDIR", tmp.path())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    while !lines.next().unwrap().unwrap().contains("serving") {}
    // The terminal closes: nothing reads serve's messages any more.
    drop(lines);
    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGHUP) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        private_dirs(tmp.path()),
        Vec::<PathBuf>::new(),
        "left behind"
    );
}
