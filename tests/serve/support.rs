//! A real `ismsbook serve` on a free port, for tests/serve.rs and the browser tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub port: u16,
    pub log: mpsc::Receiver<String>,
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

#[allow(clippy::zombie_processes)] // the Server value kills and reaps it on drop
pub fn serve(hb: &crate::common::Handbook, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["serve", "--port", "0", "--today", crate::common::TODAY])
        .args(extra)
        .arg("--root")
        .arg(hb.path())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("server did not start");
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            let port = rest
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .split('/')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            return Server {
                child,
                port,
                log: rx,
            };
        }
    }
}
