//! One Chromium for every PDF of a build, driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: JSON messages ended by NUL, on the child's fds 3 and 4). A
//! process per document cost a browser start each: seconds at a hundred documents.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// A page may take this long to load and print.
const PAGE_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Browser {
    child: Child,
    to: File,
    from: Receiver<Value>,
    /// Events that arrived while a reply was awaited.
    events: Vec<Value>,
    next: u64,
    session: String,
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both fds are open and owned by nothing else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

impl Browser {
    /// Starts headless Chromium with the profile `profile` and opens one tab.
    pub fn start(chromium: &Path, profile: &Path) -> Result<Browser, String> {
        let io = |e: std::io::Error| format!("cannot start {}: {e}", chromium.display());
        let (their_in, our_out) = pipe().map_err(io)?;
        let (our_in, their_out) = pipe().map_err(io)?;
        let (r, w) = (
            std::os::fd::AsRawFd::as_raw_fd(&their_in),
            std::os::fd::AsRawFd::as_raw_fd(&their_out),
        );
        let mut cmd = Command::new(chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only fcntl and dup2, which are async-signal-safe, between fork and exec.
        // The ends are first copied above 10, so that placing one on 3 or 4 cannot overwrite
        // the other; dup2 leaves 3 and 4 without close-on-exec, for Chromium to use.
        unsafe {
            cmd.pre_exec(move || {
                let (r, w) = (
                    libc::fcntl(r, libc::F_DUPFD, 10),
                    libc::fcntl(w, libc::F_DUPFD, 10),
                );
                if r < 0 || w < 0 || libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(io)?;
        drop((their_in, their_out));
        let (tx, rx) = mpsc::channel();
        let reader = BufReader::new(File::from(our_in));
        std::thread::spawn(move || {
            for message in reader.split(0) {
                let Ok(bytes) = message else { break };
                let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
                    continue;
                };
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let mut b = Browser {
            child,
            to: File::from(our_out),
            from: rx,
            events: Vec::new(),
            next: 0,
            session: String::new(),
        };
        let target = b.call(
            false,
            "Target.createTarget",
            json!({ "url": "about:blank" }),
        )?;
        let target = target["targetId"].as_str().unwrap_or_default().to_string();
        let attached = b.call(
            false,
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
        )?;
        b.session = attached["sessionId"]
            .as_str()
            .ok_or("Chromium opened no tab")?
            .to_string();
        b.call(true, "Page.enable", json!({}))?;
        Ok(b)
    }

    /// Sends a command (to the tab when `tab`) and waits for its reply.
    fn call(&mut self, tab: bool, method: &str, params: Value) -> Result<Value, String> {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if tab {
            msg["sessionId"] = self.session.clone().into();
        }
        let mut bytes = msg.to_string().into_bytes();
        bytes.push(0);
        self.to
            .write_all(&bytes)
            .map_err(|e| format!("Chromium stopped listening: {e}"))?;
        loop {
            let v = self.receive(method)?;
            if v["id"].as_u64() == Some(id) {
                return match v.get("error") {
                    Some(e) => Err(format!("Chromium refused {method}: {}", e["message"])),
                    None => Ok(v["result"].clone()),
                };
            }
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
    }

    fn receive(&mut self, waiting_for: &str) -> Result<Value, String> {
        self.from.recv_timeout(PAGE_TIMEOUT).map_err(|e| match e {
            mpsc::RecvTimeoutError::Timeout => format!("Chromium did not answer {waiting_for}"),
            mpsc::RecvTimeoutError::Disconnected => "Chromium exited".to_string(),
        })
    }

    /// Loads `url` in the tab and prints it with the page's own @page size (A4 or letter).
    pub fn print(&mut self, url: &str) -> Result<Vec<u8>, String> {
        self.events.clear();
        self.call(true, "Page.navigate", json!({ "url": url }))?;
        while !self
            .events
            .iter()
            .any(|e| e["method"] == "Page.loadEventFired")
        {
            let v = self.receive("the page's load")?;
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
        let pdf = self.call(
            true,
            "Page.printToPDF",
            json!({ "printBackground": true, "preferCSSPageSize": true, "displayHeaderFooter": false }),
        )?;
        let data = pdf["data"].as_str().ok_or("Chromium printed no PDF")?;
        Ok(crate::core::base64::decode(data))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call(false, "Browser.close", json!({}));
        std::thread::sleep(Duration::from_millis(50));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
