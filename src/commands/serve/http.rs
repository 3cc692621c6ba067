//! Answers: files of the current generation and the live-reload script, built by a worker
//! thread; the gate every request passes first. Only files under the generation directory
//! are ever served.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use super::head::Request;
use super::host::{self, Allowed};
use super::{Shared, LIVERELOAD};

/// What to send back. The body of a file is streamed from it, not read into memory.
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub extra: Vec<(&'static str, String)>,
    pub body: Body,
}

pub enum Body {
    Bytes(Vec<u8>),
    File(FileBody),
}

/// A file sent a chunk at a time: memory per answer stays at one chunk however large the
/// page (`print.html` of a large handbook) and however slowly it is read.
pub struct FileBody {
    file: File,
    len: u64,
    /// Read so far.
    offset: u64,
    /// Bytes written over the file's own at an offset (the generation of a page).
    patch: Option<(u64, Vec<u8>)>,
}

const CHUNK: usize = 64 * 1024;

impl FileBody {
    /// Reads the next chunk into `buf`; `false` once all is read. A file that shrank is an
    /// error: the length sent can no longer be honoured.
    pub fn next_chunk(&mut self, buf: &mut Vec<u8>) -> std::io::Result<bool> {
        let want = (self.len - self.offset).min(CHUNK as u64) as usize;
        if want == 0 {
            return Ok(false);
        }
        buf.resize(want, 0);
        self.file.read_exact(buf)?;
        if let Some((at, bytes)) = &self.patch {
            let (start, end) = (self.offset, self.offset + want as u64);
            for (i, b) in bytes.iter().enumerate() {
                let pos = at + i as u64;
                if (start..end).contains(&pos) {
                    buf[(pos - start) as usize] = *b;
                }
            }
        }
        self.offset += want as u64;
        Ok(true)
    }
}

/// Where the generation mark is in a page: before its last `</body>`, so the end is searched
/// first, then the rest a chunk at a time.
fn find_mark(file: &mut File, len: u64) -> Option<u64> {
    let mark = super::GENERATION_MARK.as_bytes();
    let tail = len.saturating_sub(CHUNK as u64);
    let search = |file: &mut File, from: u64, to: u64| -> Option<u64> {
        let mut at = from;
        let mut buf = vec![0; CHUNK];
        while at < to {
            let n = ((to - at) as usize).min(CHUNK);
            file.seek(SeekFrom::Start(at)).ok()?;
            file.read_exact(&mut buf[..n]).ok()?;
            if let Some(i) = memchr::memmem::find(&buf[..n], mark) {
                return Some(at + i as u64);
            }
            if at + (n as u64) >= to {
                break;
            }
            // Overlap so that a mark across two chunks is found.
            at += (n - mark.len() + 1) as u64;
        }
        None
    };
    search(file, tail, len).or_else(|| search(file, 0, (tail + mark.len() as u64).min(len)))
}

/// The served generation in place of the mark, as many bytes as the mark: the page keeps
/// its length. Leading zeros are nothing to the script's `+"007"`.
fn generation_bytes(good: u64) -> Vec<u8> {
    format!("{good:0width$}", width = super::GENERATION_MARK.len()).into_bytes()
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type,
            extra: Vec::new(),
            body: Body::Bytes(body),
        }
    }

    pub fn text(status: u16, message: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{message}\n").into_bytes(),
        )
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.extra.push((name, value.into()));
        self
    }

    pub fn len(&self) -> u64 {
        match &self.body {
            Body::Bytes(b) => b.len() as u64,
            Body::File(f) => f.len,
        }
    }

    /// Status line and headers. Every answer closes the connection: one request per
    /// connection keeps the state machine small, and on localhost a connection is cheap.
    pub fn head(&self) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
             Cross-Origin-Resource-Policy: same-origin\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.len()
        );
        for (name, value) in &self.extra {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// An answer for a head that could not be read (`head::scan` and `head::parse` statuses).
pub fn malformed(status: u16) -> Response {
    Response::text(
        status,
        match status {
            414 => "request line too long",
            431 => "request headers too large",
            408 => "request not received in time",
            505 => "only HTTP/1.0 and HTTP/1.1 are spoken here",
            _ => "bad request",
        },
    )
}

/// Refuses what no page of this handbook would ask: another `Host` (DNS rebinding),
/// another site's embedding, methods other than GET and HEAD.
pub fn gate(
    req: &Request,
    allowed: &Allowed,
    local: Option<std::net::SocketAddr>,
) -> Option<Response> {
    if let Some(host) = &req.host {
        if !allowed.accepts(host, local) {
            return Some(Response::text(
                421,
                &format!(
                    "ismsbook serve answers only requests addressed to this machine, such as \
                     http://localhost:{port}/ or http://127.0.0.1:{port}/; this one was addressed \
                     to \"{host}\". A web page on another site may be trying to read your handbook \
                     (DNS rebinding). Open the preview under one of those addresses instead.",
                    port = allowed.port,
                    host = host.escape_debug()
                ),
            ));
        }
    }
    let (site, mode, dest) = (&req.fetch_site, &req.fetch_mode, &req.fetch_dest);
    if host::from_another_site(site.as_deref(), mode.as_deref(), dest.as_deref()) {
        return Some(Response::text(
            403,
            "ismsbook serve does not share the handbook with pages of other sites",
        ));
    }
    if req.method != "GET" && req.method != "HEAD" {
        return Some(Response::text(405, "method not allowed").with("Allow", "GET, HEAD"));
    }
    None
}

/// Files a reader cannot trust to be inert: a copied asset (or theme file) that a browser
/// would run as a document. Served in a sandbox: no script, no forms, an origin of its own.
fn active(rel: &str, content_type: &str) -> bool {
    let copied = rel.starts_with("assets/") || rel.starts_with("static/");
    copied && (content_type.starts_with("text/html") || content_type.starts_with("image/svg"))
}

pub fn content_type(path: &str) -> &'static str {
    match path
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The file a URL path names, relative to the site; `Err(status)` for anything that tries to
/// leave it or cannot be a file name: `..`, backslashes, NUL, drive letters; 404 for the
/// folder an update stages its pages in, which holds them half written.
pub fn site_path(url: &str) -> Result<String, u16> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = crate::check::links::percent_decode(path);
    // Control characters have no place in a file name, and would split a header.
    if decoded.contains(['\\', '\u{fffd}']) || decoded.chars().any(char::is_control) {
        return Err(400);
    }
    let mut parts = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(400),
            s if s.contains(':') => return Err(400),
            s => parts.push(s),
        }
    }
    if parts.first() == Some(&crate::render::STAGING) {
        return Err(404);
    }
    let mut rel = parts.join("/");
    if rel.is_empty() || decoded.ends_with('/') {
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str("index.html");
    }
    Ok(rel)
}

/// Answers a request that passed the gate: the reload script or a file of the site.
pub fn handle(req: &Request, shared: &Shared) -> Response {
    let path = req.path();
    if path == "/__ismsbook/livereload.js" {
        return Response::new(
            200,
            "text/javascript; charset=utf-8",
            LIVERELOAD.as_bytes().to_vec(),
        );
    }
    let rel = match site_path(path) {
        Ok(rel) => rel,
        Err(404) => return Response::text(404, "not found"),
        Err(status) => return Response::text(status, "bad request"),
    };
    let (dir, good) = {
        let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.dir.clone(), state.good)
    };
    let Some(dir) = dir else {
        return Response::text(
            503,
            "the handbook could not be read or rendered; see the terminal",
        )
        .with("Retry-After", "1");
    };
    let file = dir.join(&rel);
    if file.is_dir() {
        // `/documents` → `/documents/`, so that the page's relative links resolve. Built from
        // the checked path: `//host` must not become a redirect to another site.
        let location: String = rel
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        return Response::text(301, "moved").with("Location", format!("/{location}/"));
    }
    let content_type = content_type(&rel);
    let opened = File::open(&file).and_then(|f| Ok((f.metadata()?, f)));
    let (len, mut file) = match opened {
        Ok((meta, f)) if meta.is_file() => (meta.len(), f),
        _ => return Response::text(404, &format!("not found: /{rel}")),
    };
    // A page of ours learns which generation it is, to reload when a newer one is served.
    let page = rel.ends_with(".html") && !rel.starts_with("assets/") && !rel.starts_with("static/");
    let patch = page
        .then(|| find_mark(&mut file, len))
        .flatten()
        .map(|at| (at, generation_bytes(good)));
    if file.seek(SeekFrom::Start(0)).is_err() {
        return Response::text(500, "cannot read the file; see the terminal");
    }
    let body = FileBody {
        file,
        len,
        offset: 0,
        patch,
    };
    let response = Response {
        status: 200,
        content_type,
        extra: Vec::new(),
        body: Body::File(body),
    };
    if active(&rel, content_type) {
        response.with("Content-Security-Policy", "sandbox")
    } else {
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page as the browser receives it, chunk by chunk.
    fn served(text: &[u8], good: u64) -> Vec<u8> {
        let mut tmp = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut tmp, text).unwrap();
        let len = text.len() as u64;
        let patch = find_mark(&mut tmp, len).map(|at| (at, generation_bytes(good)));
        tmp.seek(SeekFrom::Start(0)).unwrap();
        let mut body = FileBody {
            file: tmp,
            len,
            offset: 0,
            patch,
        };
        let (mut out, mut buf) = (Vec::new(), Vec::new());
        while body.next_chunk(&mut buf).unwrap() {
            out.extend_from_slice(&buf);
        }
        out
    }

    #[test]
    fn a_page_learns_its_generation_wherever_the_mark_falls() {
        let mark = crate::commands::serve::GENERATION_MARK;
        for (before, after) in [
            (10, 10),
            (CHUNK - 5, 100),
            (CHUNK, 3),
            (3 * CHUNK + 7, 2 * CHUNK),
        ] {
            let page = format!("{}{mark}{}", "a".repeat(before), "b".repeat(after));
            let out = served(page.as_bytes(), 42);
            let want = page.replace(mark, &format!("{:023}", 42));
            assert_eq!(out.len(), page.len());
            assert!(out == want.as_bytes(), "mark at {before}");
        }
        let plain = "c".repeat(2 * CHUNK + 1);
        assert!(served(plain.as_bytes(), 1) == plain.as_bytes());
    }

    #[test]
    fn paths_stay_inside_the_site() {
        assert_eq!(site_path("/"), Ok("index.html".into()));
        assert_eq!(site_path("/documents/"), Ok("documents/index.html".into()));
        assert_eq!(
            site_path("/documents/POL-001.html?x=1#a"),
            Ok("documents/POL-001.html".into())
        );
        assert_eq!(
            site_path("/assets/org%20chart.png"),
            Ok("assets/org chart.png".into())
        );
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2e%2e/x",
            "/a\\b",
            "/a%5c..%5cb",
            "/x%00.html",
            "/C:/Windows",
            "/%ff",
        ] {
            assert_eq!(site_path(bad), Err(400), "{bad}");
        }
        // The staging folder of an update holds pages half written, however it is named.
        for staged in [
            "/.ismsbook-update/job-3/documents/index.html",
            "/%2Eismsbook-update/job-0/reviews.html",
            "//./.ismsbook-update/",
        ] {
            assert_eq!(site_path(staged), Err(404), "{staged}");
        }
    }
}
