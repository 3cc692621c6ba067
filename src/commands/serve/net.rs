//! The server loop. One thread owns every connection and waits for any of them to be ready
//! (mio: epoll, kqueue, IOCP); a fixed pool of workers turns complete requests into answers.
//! Nothing a client does holds a thread: a head that trickles in, a long poll waiting for the
//! next build, an answer the client reads slowly are all just entries in a table, each with a
//! deadline. Limits: the head's size (`head`), its time (`head_time`), the open connections
//! (`max_conns`, oldest slow or idle ones evicted first) and the parked polls (`max_parked`,
//! the excess answered at once). So thousands of polls, slow or huge requests leave the
//! preview answering its pages.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::net::Shutdown;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token, Waker};

use super::conn::{read_all, whole, write_out, Conn, Next, Outgoing, Phase};
use super::head::{self, Request, Scan};
use super::host::Allowed;
use super::http::{self, Body, Response};
use super::Shared;
use crate::site::After;

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
/// How often deadlines are checked: the precision of every timeout.
const TICK: Duration = Duration::from_millis(100);

pub struct Limits {
    /// For the whole head, from the connection's opening: a client sending one byte a
    /// second gets no more time than one that sends nothing.
    pub head_time: Duration,
    /// Without progress while writing an answer.
    pub write_idle: Duration,
    /// For writing an answer at all, progress or not (a client reading a byte now and then).
    pub write_total: Duration,
    /// After an answer, for the client to close (unread input would reset the connection and
    /// could destroy the answer on its way).
    pub linger: Duration,
    pub poll_wait: Duration,
    /// For `print.html` and `search.html` while they are being written.
    pub whole_wait: Duration,
    /// For a worker's answer.
    pub work_time: Duration,
    pub max_conns: usize,
    pub max_parked: usize,
    pub workers: usize,
    /// Requests waiting for a worker; beyond, 503 at once.
    pub queue: usize,
}

type Job = (usize, Request);
type Done = (usize, Response, bool);

pub struct Server {
    poll: Poll,
    listener: TcpListener,
    /// By token; tokens only grow, so a late answer never reaches a newer connection, and
    /// the map's order is the connections' age.
    conns: BTreeMap<usize, Conn>,
    next: usize,
    parked: usize,
    jobs: SyncSender<Job>,
    done: Receiver<Done>,
    shared: Arc<Shared>,
    allowed: Allowed,
    limits: Limits,
    /// The state last acted on (see `state`).
    seen: (u64, Option<After>, usize),
    accept_later: bool,
    next_sweep: Instant,
    scratch: Vec<u8>,
}

impl Server {
    pub fn new(
        listener: std::net::TcpListener,
        shared: Arc<Shared>,
        allowed: Allowed,
        limits: Limits,
    ) -> io::Result<Server> {
        listener.set_nonblocking(true)?;
        let mut listener = TcpListener::from_std(listener);
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let _ = shared.waker.set(waker.clone());
        let (jobs, job_rx) = mpsc::sync_channel(limits.queue);
        let (done_tx, done) = mpsc::channel();
        spawn_workers(&limits, &shared, job_rx, done_tx, &waker)?;
        Ok(Server {
            poll,
            listener,
            conns: BTreeMap::new(),
            next: 2,
            parked: 0,
            jobs,
            done,
            shared,
            allowed,
            limits,
            seen: (u64::MAX, None, 0),
            accept_later: false,
            next_sweep: Instant::now(),
            scratch: vec![0; 16 * 1024],
        })
    }

    /// Serves until the process ends.
    pub fn run(mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        loop {
            let idle = self.conns.is_empty() && !self.accept_later;
            match self.poll.poll(&mut events, (!idle).then_some(TICK)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            let mut woken = false;
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept(),
                    WAKER => woken = true,
                    Token(t) => {
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            self.readable(t);
                        }
                        if event.is_writable() {
                            self.flush(t);
                        }
                    }
                }
            }
            while let Ok((t, response, head_only)) = self.done.try_recv() {
                if matches!(self.conns.get(&t).map(|c| &c.phase), Some(Phase::Working)) {
                    self.respond(t, response, head_only);
                }
            }
            if woken || Instant::now() >= self.next_sweep {
                self.announce();
            }
            self.expire();
            if self.accept_later {
                self.accept();
            }
        }
    }

    fn set(&mut self, t: usize, phase: Phase, deadline: Instant) {
        let Some(conn) = self.conns.get_mut(&t) else {
            return;
        };
        self.parked -= usize::from(matches!(conn.phase, Phase::Parked { .. }));
        self.parked += usize::from(matches!(phase, Phase::Parked { .. }));
        conn.phase = phase;
        conn.deadline = deadline;
    }

    fn close(&mut self, t: usize) {
        if let Some(mut conn) = self.conns.remove(&t) {
            self.parked -= usize::from(matches!(conn.phase, Phase::Parked { .. }));
            let _ = self.poll.registry().deregister(&mut conn.stream);
        }
    }

    fn accept(&mut self) {
        self.accept_later = false;
        loop {
            match self.listener.accept() {
                Ok((mut stream, _)) => {
                    if self.conns.len() >= self.limits.max_conns && !self.evict() {
                        // Every connection is being served: refuse, without letting it wait.
                        let _ = stream.write(&whole(Response::text(503, "busy, try again")));
                        continue;
                    }
                    let t = self.next;
                    self.next += 1;
                    let interest = Interest::READABLE | Interest::WRITABLE;
                    if self
                        .poll
                        .registry()
                        .register(&mut stream, Token(t), interest)
                        .is_err()
                    {
                        continue;
                    }
                    let conn = Conn {
                        local: stream.local_addr().ok(),
                        stream,
                        phase: Phase::Reading {
                            buf: Vec::new(),
                            scanned: 0,
                        },
                        deadline: Instant::now() + self.limits.head_time,
                    };
                    self.conns.insert(t, conn);
                    self.readable(t);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => {}
                // Out of file descriptors, most likely: make room, or try again soon.
                Err(_) if self.evict() => {}
                Err(_) => return self.accept_later = true,
            }
        }
    }

    /// Frees one slot: the oldest connection that has been answered, then the oldest still
    /// sending its head, then the oldest parked poll (told to ask again). `false` when every
    /// connection is being served.
    fn evict(&mut self) -> bool {
        let oldest = |want: fn(&Phase) -> bool| {
            self.conns
                .iter()
                .find(|(_, c)| want(&c.phase))
                .map(|(t, _)| *t)
        };
        let victim = oldest(|p| matches!(p, Phase::Draining))
            .or_else(|| oldest(|p| matches!(p, Phase::Reading { .. })))
            .or_else(|| oldest(|p| matches!(p, Phase::Parked { .. })));
        let Some(t) = victim else { return false };
        if let Some(Phase::Parked { .. }) = self.conns.get(&t).map(|c| &c.phase) {
            let bytes = whole(self.poll_answer(true));
            // Small enough for an empty socket buffer; if not, the client polls again anyway.
            if let Some(conn) = self.conns.get_mut(&t) {
                let _ = conn.stream.write(&bytes);
            }
        }
        self.close(t);
        true
    }

    /// Reads what the client sent: the head while it is being read, otherwise only to learn
    /// that the client went away (input after the head is discarded).
    fn readable(&mut self, t: usize) {
        let Some(conn) = self.conns.get_mut(&t) else {
            return;
        };
        let ended = read_all(conn, &mut self.scratch);
        let next = match (&mut conn.phase, ended) {
            (_, Err(())) => Next::Close,
            (Phase::Reading { buf, scanned }, eof) => match head::scan(buf, *scanned) {
                Scan::Done(end) => Next::Dispatch(end),
                Scan::Refuse(status) => Next::Refuse(status),
                // A head cut short: the client gave up.
                Scan::More(_) if eof == Ok(true) => Next::Close,
                Scan::More(at) => {
                    *scanned = at;
                    Next::Stay
                }
            },
            // A poll whose page went away, or a client done reading our answer.
            (Phase::Parked { .. } | Phase::Draining, Ok(true)) => Next::Close,
            _ => Next::Stay,
        };
        match next {
            Next::Close => self.close(t),
            Next::Dispatch(end) => self.dispatch(t, end),
            Next::Refuse(status) => self.respond(t, http::malformed(status), false),
            Next::Stay => {}
        }
    }

    /// A complete head: refuse it, park it, or hand it to a worker.
    fn dispatch(&mut self, t: usize, end: usize) {
        let Some(conn) = self.conns.get(&t) else {
            return;
        };
        let Phase::Reading { buf, .. } = &conn.phase else {
            return;
        };
        let req = match head::parse(&buf[..end]) {
            Ok(req) => req,
            Err(status) => return self.respond(t, http::malformed(status), false),
        };
        if let Some(refusal) = http::gate(&req, &self.allowed, conn.local) {
            return self.respond(t, refusal, req.is_head());
        }
        if req.path() == "/__ismsbook/poll" && !req.is_head() {
            let since = req
                .query()
                .split('&')
                .find_map(|kv| kv.strip_prefix("since="))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            return self.park(t, since);
        }
        let waits = {
            let state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
            held(&req, state.writing, &state.written)
        };
        if waits {
            let deadline = Instant::now() + self.limits.whole_wait;
            return self.set(t, Phase::Waiting(req), deadline);
        }
        self.work(t, req);
    }

    fn work(&mut self, t: usize, req: Request) {
        let head_only = req.is_head();
        self.set(t, Phase::Working, Instant::now() + self.limits.work_time);
        match self.jobs.try_send((t, req)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let busy = Response::text(503, "busy, try again").with("Retry-After", "1");
                self.respond(t, busy, head_only)
            }
            Err(TrySendError::Disconnected(_)) => {
                self.respond(t, Response::text(500, "no workers"), head_only)
            }
        }
    }

    /// The generation, the step writing and how many of its pages it has written: what a
    /// change of which may answer a poll or a waiting request.
    fn state(&self) -> (u64, Option<After>, usize) {
        let state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.generation, state.writing, state.written.len())
    }

    /// What a poll learns: the latest build, good or not. `busy` tells the page to wait a
    /// moment before asking again (too many polls are parked).
    fn poll_answer(&self, busy: bool) -> Response {
        let state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        let body = serde_json::json!({
            "generation": state.generation,
            "good": state.good,
            "errors": state.errors,
            "with_errors": state.with_errors,
            "busy": busy,
        });
        Response::new(200, "application/json", body.to_string().into_bytes())
    }

    fn park(&mut self, t: usize, since: u64) {
        let busy = self.parked >= self.limits.max_parked;
        if busy || self.state().0 != since {
            let answer = self.poll_answer(busy);
            return self.respond(t, answer, false);
        }
        let deadline = Instant::now() + self.limits.poll_wait;
        self.set(t, Phase::Parked { since }, deadline);
    }

    /// After a build (or on the tick): answers the polls that have news, and serves the
    /// requests that waited for the whole-handbook files.
    fn announce(&mut self) {
        let now = self.state();
        if now == self.seen {
            return;
        }
        self.seen = now;
        let news: Vec<usize> = self
            .conns
            .iter()
            .filter(|(_, c)| matches!(c.phase, Phase::Parked { since } if since != now.0))
            .map(|(t, _)| *t)
            .collect();
        if !news.is_empty() {
            let answer = self.poll_answer(false);
            for t in news {
                let Body::Bytes(body) = &answer.body else {
                    continue;
                };
                self.respond(
                    t,
                    Response::new(200, answer.content_type, body.clone()),
                    false,
                );
            }
        }
        let written = {
            let state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
            state.written.clone()
        };
        self.resume_waiting(
            |c| !matches!(&c.phase, Phase::Waiting(req) if held(req, now.1, &written)),
        );
    }

    fn resume_waiting(&mut self, which: impl Fn(&Conn) -> bool) {
        let waiting: Vec<usize> = self
            .conns
            .iter()
            .filter(|(_, c)| matches!(c.phase, Phase::Waiting(_)) && which(c))
            .map(|(t, _)| *t)
            .collect();
        for t in waiting {
            let phase = self
                .conns
                .get_mut(&t)
                .map(|c| std::mem::replace(&mut c.phase, Phase::Working));
            if let Some(Phase::Waiting(req)) = phase {
                self.work(t, req);
            }
        }
    }

    fn expire(&mut self) {
        let now = Instant::now();
        if now < self.next_sweep {
            return;
        }
        self.next_sweep = now + TICK;
        let due: Vec<usize> = self
            .conns
            .iter()
            .filter(|(_, c)| c.deadline <= now)
            .map(|(t, _)| *t)
            .collect();
        for t in due {
            // Handling one may have given another a new deadline (`resume_waiting`).
            let Some(conn) = self.conns.get(&t).filter(|c| c.deadline <= now) else {
                continue;
            };
            match &conn.phase {
                Phase::Reading { buf, .. } if !buf.is_empty() => {
                    self.respond(t, http::malformed(408), false)
                }
                Phase::Parked { .. } => {
                    let answer = self.poll_answer(false);
                    self.respond(t, answer, false)
                }
                Phase::Waiting(_) => self.resume_waiting(|c| c.deadline <= now),
                Phase::Working => self.respond(t, Response::text(503, "took too long"), false),
                // Idle, a client not reading its answer, or one not closing after it.
                _ => self.close(t),
            }
        }
    }

    fn respond(&mut self, t: usize, response: Response, head_only: bool) {
        let mut buf = response.head();
        let file = match response.body {
            Body::Bytes(_) | Body::File(..) if head_only => None,
            Body::Bytes(bytes) => {
                buf.extend_from_slice(&bytes);
                None
            }
            Body::File(f) => Some(f),
        };
        let now = Instant::now();
        let out = Outgoing {
            buf,
            pos: 0,
            file,
            progress: false,
            until: now + self.limits.write_total,
        };
        let deadline = now + self.limits.write_idle;
        self.set(t, Phase::Writing(out), deadline);
        self.flush(t);
    }

    /// Writes what the socket takes; then waits for the client to close.
    fn flush(&mut self, t: usize) {
        let Some(conn) = self.conns.get_mut(&t) else {
            return;
        };
        let Phase::Writing(out) = &mut conn.phase else {
            return;
        };
        match write_out(&mut conn.stream, out) {
            Ok(false) => {}
            Ok(true) => {
                let _ = conn.stream.shutdown(Shutdown::Write);
                let deadline = Instant::now() + self.limits.linger;
                self.set(t, Phase::Draining, deadline);
                self.readable(t);
            }
            Err(()) => self.close(t),
        }
        if let Some(conn) = self.conns.get_mut(&t) {
            if let Phase::Writing(out) = &mut conn.phase {
                if std::mem::take(&mut out.progress) {
                    conn.deadline = (Instant::now() + self.limits.write_idle).min(out.until);
                }
            }
        }
    }
}

fn spawn_workers(
    limits: &Limits,
    shared: &Arc<Shared>,
    jobs: Receiver<Job>,
    done: Sender<Done>,
    waker: &Arc<Waker>,
) -> io::Result<()> {
    let jobs = Arc::new(Mutex::new(jobs));
    for i in 0..limits.workers {
        let (jobs, done, shared, waker) =
            (jobs.clone(), done.clone(), shared.clone(), waker.clone());
        std::thread::Builder::new()
            .name(format!("serve-worker-{i}"))
            .spawn(move || loop {
                let job = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((t, req)) = job else { return };
                let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    http::handle(&req, &shared)
                }))
                .unwrap_or_else(|_| Response::text(500, "internal error; see the terminal"));
                if done.send((t, answer, req.is_head())).is_err() {
                    return;
                }
                let _ = waker.wake();
            })?;
    }
    Ok(())
}

/// Whether `req` waits while `writing` writes: it reads a page that a later step rewrites,
/// or that this step rewrites and has not yet `written`.
fn held(req: &Request, writing: Option<After>, written: &BTreeSet<String>) -> bool {
    let Ok(page) = http::site_path(req.path()) else {
        return false;
    };
    match (crate::site::written_after(&page), writing) {
        (Some(after), Some(step)) => after > step || (after == step && !written.contains(&page)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Request {
        head::parse(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes()).unwrap()
    }

    /// While the listings are written, a listing and print wait; while print and search
    /// are, only they do; the page of the edited document never waits.
    #[test]
    fn a_request_waits_for_the_step_that_rewrites_its_page() {
        let listings = Some(After::Listings);
        let print = Some(After::PrintSearch);
        let none = BTreeSet::new();
        assert!(held(&get("/documents/"), listings, &none));
        assert!(held(&get("/reviews.html"), listings, &none));
        assert!(held(&get("/print.html"), listings, &none));
        assert!(!held(&get("/documents/index.html"), print, &none));
        assert!(held(&get("/search.html"), print, &none));
        assert!(held(&get("/print/2.html"), print, &none));
        for writing in [listings, print, None] {
            assert!(!held(&get("/documents/POL-005.html"), writing, &none));
            assert!(!held(&get("/static/style.css"), writing, &none));
        }
        assert!(!held(&get("/print.html"), None, &none));
    }

    /// A page the step has written goes at once, however it is asked for; the others of
    /// that step, and those of a later step, still wait.
    #[test]
    fn a_page_its_step_has_written_no_longer_waits() {
        let listings = Some(After::Listings);
        let written: BTreeSet<String> = ["documents/index.html".to_string()].into();
        assert!(!held(&get("/documents/index.html"), listings, &written));
        assert!(!held(&get("/documents/"), listings, &written));
        assert!(!held(&get("/documents/index.html?q=1"), listings, &written));
        assert!(held(&get("/documents/index-2.html"), listings, &written));
        assert!(held(&get("/reviews.html"), listings, &written));
        let print: BTreeSet<String> = ["print.html".to_string()].into();
        assert!(
            held(&get("/print.html"), listings, &print),
            "a later step's page"
        );
        assert!(!held(&get("/print.html"), Some(After::PrintSearch), &print));
    }
}
