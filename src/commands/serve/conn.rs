//! One connection of the server loop (`net`): where it is in its life, and its reads and
//! writes, which never block.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::Instant;

use mio::net::TcpStream;

use super::head::{self, Request};
use super::http::{Body, FileBody, Response};

pub enum Phase {
    Reading {
        buf: Vec<u8>,
        scanned: usize,
    },
    Working,
    /// A long poll: answered when a build ends or at its deadline.
    Parked {
        since: u64,
    },
    /// Asks for a whole-handbook file being written.
    Waiting(Request),
    Writing(Outgoing),
    Draining,
}

pub struct Outgoing {
    pub buf: Vec<u8>,
    pub pos: usize,
    pub file: Option<FileBody>,
    /// Bytes went out since the deadline was last moved.
    pub progress: bool,
    /// The deadline that progress cannot move.
    pub until: Instant,
}

pub struct Conn {
    pub stream: TcpStream,
    pub local: Option<SocketAddr>,
    pub phase: Phase,
    pub deadline: Instant,
}

/// Head and body of a small answer, for a single write.
pub fn whole(response: Response) -> Vec<u8> {
    let mut bytes = response.head();
    if let Body::Bytes(b) = response.body {
        bytes.extend(b);
    }
    bytes
}

pub enum Next {
    Close,
    Dispatch(usize),
    Refuse(u16),
    Stay,
}

/// Reads until the socket is empty: into the head buffer (up to one byte past its limit,
/// enough to refuse it), otherwise discarded. `Ok(true)` at end of input.
pub fn read_all(conn: &mut Conn, scratch: &mut [u8]) -> Result<bool, ()> {
    loop {
        let room = match &conn.phase {
            Phase::Reading { buf, .. } => (head::HEAD_MAX + 1).saturating_sub(buf.len()),
            _ => scratch.len(),
        };
        if room == 0 {
            return Ok(false);
        }
        let cap = room.min(scratch.len());
        match conn.stream.read(&mut scratch[..cap]) {
            Ok(0) => return Ok(true),
            Ok(n) => {
                if let Phase::Reading { buf, .. } = &mut conn.phase {
                    buf.extend_from_slice(&scratch[..n]);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(()),
        }
    }
}

/// Writes what the socket takes, reading a file body 64 KiB at a time. `Ok(true)` when all
/// is written.
pub fn write_out(stream: &mut TcpStream, out: &mut Outgoing) -> Result<bool, ()> {
    loop {
        if out.pos == out.buf.len() {
            match out.file.as_mut() {
                Some(file) => {
                    out.pos = 0;
                    if !file.next_chunk(&mut out.buf).map_err(|_| ())? {
                        out.buf.clear();
                        out.file = None;
                    }
                }
                None => return Ok(true),
            }
            continue;
        }
        match stream.write(&out.buf[out.pos..]) {
            Ok(0) => return Err(()),
            Ok(n) => {
                out.pos += n;
                out.progress = true;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(()),
        }
    }
}
