//! The head of an HTTP/1.x request, read with hard limits: a request line longer than
//! `LINE_MAX` is answered 414, a head longer than `HEAD_MAX` 431, anything malformed 400.
//! Only what serve uses is kept; a body is never read (GET and HEAD only).

/// Longest request line (method, target, version).
pub const LINE_MAX: usize = 8 * 1024;
/// Longest head, request line and headers together: browsers send a few KiB, cookies of
/// other local development servers (which share `localhost`) included.
pub const HEAD_MAX: usize = 32 * 1024;

#[derive(Debug, Default, Clone)]
pub struct Request {
    pub method: String,
    /// The request target in origin form: starts with `/`.
    pub target: String,
    /// `None` when the client sent no `Host` (HTTP/1.0 only).
    pub host: Option<String>,
    /// Fetch Metadata (`Sec-Fetch-Site`, `-Mode`, `-Dest`), lowercased.
    pub fetch_site: Option<String>,
    pub fetch_mode: Option<String>,
    pub fetch_dest: Option<String>,
}

impl Request {
    pub fn is_head(&self) -> bool {
        self.method == "HEAD"
    }

    /// The target without its query.
    pub fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("")
    }

    pub fn query(&self) -> &str {
        self.target
            .split_once('?')
            .map_or("", |(_, q)| q.split('#').next().unwrap_or(""))
    }
}

/// What to do with the bytes read so far.
#[derive(Debug, PartialEq)]
pub enum Scan {
    /// The head is not complete yet; continue scanning at this offset.
    More(usize),
    /// The head ends at this offset (after its empty line).
    Done(usize),
    /// Refuse the request with this status.
    Refuse(u16),
}

/// Looks for the empty line that ends the head in `buf`, starting near `from` (the offset a
/// previous call returned), so a head that trickles in is scanned once, not once per byte.
pub fn scan(buf: &[u8], from: usize) -> Scan {
    let start = from.saturating_sub(3);
    let first_line_end = memchr::memchr(b'\n', buf);
    match first_line_end {
        None if buf.len() > LINE_MAX => return Scan::Refuse(414),
        Some(end) if end > LINE_MAX => return Scan::Refuse(414),
        _ => {}
    }
    for i in memchr::memchr_iter(b'\n', &buf[start..]).map(|i| i + start) {
        let rest = &buf[i + 1..];
        if rest.starts_with(b"\r\n") {
            return Scan::Done(i + 3);
        }
        if rest.starts_with(b"\n") {
            return Scan::Done(i + 2);
        }
    }
    if buf.len() > HEAD_MAX {
        return Scan::Refuse(431);
    }
    Scan::More(buf.len())
}

/// Parses a complete head (as delimited by `scan`). `Err` is the status to answer with.
pub fn parse(head: &[u8]) -> Result<Request, u16> {
    let text = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version), None) = (
        request_line.next(),
        request_line.next(),
        request_line.next(),
        request_line.next(),
    ) else {
        return Err(400);
    };
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        v if v.starts_with("HTTP/") => return Err(505),
        _ => return Err(400),
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    // Origin form only: an absolute URI would name a host other than the `Host` header.
    if !token(method) || !target.starts_with('/') || target.bytes().any(|b| b <= b' ') {
        return Err(400);
    }
    let mut req = Request {
        method: method.to_string(),
        target: target.to_string(),
        ..Request::default()
    };
    let mut hosts = 0;
    for line in lines.take_while(|l| !l.is_empty()) {
        // Obsolete line folding and nameless headers are how request smuggling starts.
        let Some((name, value)) = line.split_once(':') else {
            return Err(400);
        };
        if !token(name) {
            return Err(400);
        }
        let value = value.trim_matches([' ', '\t']);
        if value.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(400);
        }
        let name = name.to_ascii_lowercase();
        let slot = match name.as_str() {
            "host" => {
                hosts += 1;
                &mut req.host
            }
            "sec-fetch-site" => &mut req.fetch_site,
            "sec-fetch-mode" => &mut req.fetch_mode,
            "sec-fetch-dest" => &mut req.fetch_dest,
            _ => continue,
        };
        *slot = Some(value.to_ascii_lowercase());
    }
    // RFC 9112 3.2: exactly one Host in HTTP/1.1.
    if hosts > 1 || (hosts == 0 && !http10) {
        return Err(400);
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_found_however_it_trickles_in() {
        let full = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\nrest";
        let mut from = 0;
        for end in 1..full.len() {
            match scan(&full[..end], from) {
                Scan::More(at) => from = at,
                Scan::Done(at) => {
                    assert_eq!(&full[at..end], &b"rest"[..end - at]);
                    return;
                }
                Scan::Refuse(s) => panic!("{s}"),
            }
        }
        panic!("never done");
    }

    #[test]
    fn limits_and_malformed_heads_are_refused() {
        assert_eq!(scan(&vec![b'a'; LINE_MAX + 1], 0), Scan::Refuse(414));
        let mut big = b"GET / HTTP/1.1\r\n".to_vec();
        while big.len() <= HEAD_MAX {
            big.extend_from_slice(b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        assert_eq!(scan(&big, 0), Scan::Refuse(431));
        for (head, status) in [
            (&b"GET / HTTP/1.1\r\n\r\n"[..], 400),
            (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            (b"GET http://evil.example/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
            (b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
            (b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400),
        ] {
            assert_eq!(parse(head).err(), Some(status), "{head:?}");
        }
        let ok = parse(b"GET /a?since=3 HTTP/1.0\r\nSec-Fetch-Site: Cross-Site\r\n\r\n").unwrap();
        assert_eq!((ok.path(), ok.query()), ("/a", "since=3"));
        assert_eq!(ok.fetch_site.as_deref(), Some("cross-site"));
        assert_eq!(ok.host, None);
    }
}
