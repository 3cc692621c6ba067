//! A minimal W3C WebDriver client for Debian's chromium and chromedriver: enough to open a
//! page, run a script, click and type. Plain HTTP on loopback, no crate needed. Whether the
//! tools are there, and what a missing one means, is the browser harness's business
//! (tests/browser/harness.rs), not this client's.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One chromedriver, shared by every test of the browser binary: each test opens its own
/// session (its own Chromium and profile), so tests stay independent.
pub struct Driver {
    child: Child,
    port: u16,
    chromium: PathBuf,
}

/// One Chromium under the driver; closed on drop, also when its test panics.
pub struct Browser {
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

/// `program` on PATH, as a shell would find it.
pub fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver keeps the connection open: read the head, then Content-Length bytes.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let (head_end, length) = loop {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other("connection closed"));
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..at]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (at + 4, length);
        }
    };
    while raw.len() < head_end + length {
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    Ok(serde_json::from_slice(&raw[head_end..]).unwrap_or(Value::Null))
}

impl Driver {
    /// Starts chromedriver and waits until it is ready. An error says what did not start.
    pub fn start(chromedriver: &Path, chromium: &Path) -> Result<Driver, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port for chromedriver: {e}"))?
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", chromedriver.display()))?;
        // From here on, dropping `driver` kills the child, also on the error paths.
        let mut driver = Driver {
            child,
            port,
            chromium: chromium.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while http(port, "GET", "/status", None).map_or(true, |v| v["value"]["ready"] != true) {
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(format!("{} exited ({status})", chromedriver.display()));
            }
            if Instant::now() > deadline {
                return Err(format!("{} not ready after 20 s", chromedriver.display()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }

    /// A fresh headless Chromium with an empty profile.
    pub fn session(&self) -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": self.chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--allow-file-access-from-files", "--window-size=1200,800",
                     format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let created = http(self.port, "POST", "/session", Some(&caps))
            .map_err(|e| format!("chromedriver did not answer: {e}"))?;
        let session = created["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| {
                format!(
                    "{} did not start: {}",
                    self.chromium.display(),
                    created["value"]["message"].as_str().unwrap_or("no session")
                )
            })?
            .to_string();
        Ok(Browser {
            port: self.port,
            session,
            _profile: profile,
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|e| panic!("webdriver {path}: {e}"))
    }

    /// [`Browser::call`], an error of WebDriver as `Err` ("javascript error: …").
    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let v = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
        .unwrap();
        match v["value"].get("error") {
            Some(err) => Err(format!("{err}: {}", v["value"]["message"])),
            None => Ok(v["value"].clone()),
        }
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    pub fn text(&self) -> String {
        self.eval("return document.body ? document.body.innerText : ''")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn element(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    pub fn click(&self, css: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// The size of the window's viewport, in CSS pixels: what a phone or a desktop shows.
    pub fn resize(&self, width: u32, height: u32) {
        // The window is larger than its viewport by the browser's frame; measure and make up.
        self.call(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
        let inner = self.eval("return [window.innerWidth, window.innerHeight]");
        let (w, h) = (
            inner[0].as_u64().unwrap_or(width as u64) as u32,
            inner[1].as_u64().unwrap_or(height as u64) as u32,
        );
        if (w, h) != (width, height) {
            self.call(
                "POST",
                "/window/rect",
                Some(json!({ "width": 2 * width - w, "height": 2 * height - h })),
            );
        }
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let b64 = self.call("GET", "/screenshot", None);
        decode_base64(b64.as_str().unwrap_or(""))
    }

    /// Runs `script` (which gets a callback as its last argument) and waits for its answer.
    pub fn eval_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Waits until `script` returns true (or panics after `secs`). A script that throws
    /// counts as not yet: asked while the page reloads, `document.body` can be null.
    pub fn wait_for(&self, script: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let body = json!({ "script": script, "args": [] });
        loop {
            let last = match self.try_call("POST", "/execute/sync", Some(body.clone())) {
                Ok(Value::Bool(true)) => return,
                other => other,
            };
            assert!(
                Instant::now() < deadline,
                "timed out waiting for: {script}\nlast answer: {last:?}\npage text:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | (d as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}
