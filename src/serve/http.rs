//! Request handling: files of the current generation, the live-reload script, long polls.
//! Only files under the generation directory are ever served.

use std::io::Cursor;
use std::time::{Duration, Instant};

use tiny_http::{Header, Request, Response, StatusCode};

use super::{Shared, LIVERELOAD};

const POLL_WAIT: Duration = Duration::from_secs(25);

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header")
}

fn respond(request: Request, status: u16, content_type: &str, body: Vec<u8>) {
    let response = Response::new(
        StatusCode(status),
        vec![
            header("Content-Type", content_type),
            header("Cache-Control", "no-store"),
            header("X-Content-Type-Options", "nosniff"),
        ],
        Cursor::new(body.clone()),
        Some(body.len()),
        None,
    );
    // A client that went away is not our problem.
    let _ = request.respond(response);
}

fn text(request: Request, status: u16, message: &str) {
    respond(
        request,
        status,
        "text/plain; charset=utf-8",
        message.as_bytes().to_vec(),
    );
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
/// leave it or cannot be a file name: `..`, backslashes, NUL, drive letters.
pub fn site_path(url: &str) -> Result<String, u16> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = crate::links::percent_decode(path);
    if decoded.contains(['\0', '\\']) || decoded.contains('\u{fffd}') {
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
    let mut rel = parts.join("/");
    if rel.is_empty() || decoded.ends_with('/') {
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str("index.html");
    }
    Ok(rel)
}

pub fn handle(request: Request, shared: &Shared) {
    let url = request.url().to_string();
    if !matches!(
        request.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    ) {
        return text(request, 405, "method not allowed");
    }
    if url == "/__ismsbook/livereload.js" {
        return respond(
            request,
            200,
            "text/javascript; charset=utf-8",
            LIVERELOAD.as_bytes().to_vec(),
        );
    }
    if let Some(query) = url.strip_prefix("/__ismsbook/poll") {
        let since = query
            .trim_start_matches('?')
            .split('&')
            .find_map(|kv| kv.strip_prefix("since="))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        return poll(request, shared, since);
    }
    let rel = match site_path(&url) {
        Ok(rel) => rel,
        Err(status) => return text(request, status, "bad request"),
    };
    let dir = {
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        // The whole-handbook files are written just after an update: wait for them.
        let deadline = Instant::now() + Duration::from_secs(10);
        while state.writing_whole
            && (rel == "print.html" || rel == "search-index.js")
            && Instant::now() < deadline
        {
            state = shared
                .changed
                .wait_timeout(state, Duration::from_millis(200))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        state.dir.clone()
    };
    let Some(dir) = dir else {
        return text(
            request,
            503,
            "the first build has not succeeded yet; see the terminal",
        );
    };
    let mut file = dir.join(&rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) if rel.ends_with(".html") => {
            // The page learns which generation it is, to reload when a newer one is served.
            let good = shared.state.lock().unwrap_or_else(|e| e.into_inner()).good;
            let html = String::from_utf8_lossy(&bytes).replacen(
                super::GENERATION_MARK,
                &good.to_string(),
                1,
            );
            respond(request, 200, content_type(&rel), html.into_bytes())
        }
        Ok(bytes) => respond(request, 200, content_type(&rel), bytes),
        Err(_) => text(request, 404, &format!("not found: /{rel}")),
    }
}

/// Answers when the generation differs from `since`, or after a while with the same news.
fn poll(request: Request, shared: &Shared, since: u64) {
    let deadline = Instant::now() + POLL_WAIT;
    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    while state.generation == since {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        state = shared
            .changed
            .wait_timeout(state, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
    let body = serde_json::json!({
        "generation": state.generation,
        "good": state.good,
        "errors": state.errors,
    });
    drop(state);
    respond(
        request,
        200,
        "application/json",
        body.to_string().into_bytes(),
    );
}

#[cfg(test)]
mod tests {
    use super::site_path;

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
    }
}
