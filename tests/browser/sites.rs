//! What the search tests need: a static web server, as an intranet host would be, and the
//! page of another site that tries to read the handbook.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;

/// A static web server for a directory, as an intranet host would be, under `prefix`.
pub fn serve_dir(dir: PathBuf, prefix: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                        break;
                    }
                }
                let target = line.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split('?').next().unwrap_or("");
                let file = path
                    .strip_prefix(prefix)
                    .filter(|p| !p.contains(".."))
                    .map(|p| dir.join(p));
                let (status, body, kind) =
                    match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
                        Some((f, b)) => {
                            let kind = match f.extension().and_then(|e| e.to_str()) {
                                Some("html") => "text/html; charset=utf-8",
                                Some("js") => "text/javascript",
                                Some("css") => "text/css",
                                _ => "application/octet-stream",
                            };
                            ("200 OK", b, kind)
                        }
                        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
                    };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    port
}

/// Every way a page can try to read another origin's data: include it as a script, fetch
/// it, frame it. What it got is collected in `loot`.
pub fn attacker_page(site: &str) -> String {
    format!(
        r#"<!DOCTYPE html><meta charset="utf-8"><title>evil</title><body><script>
window.loot = []; window.done = 0;
function take(x) {{ try {{ loot.push(typeof x === "string" ? x : JSON.stringify(x)); }} catch (e) {{ loot.push("?"); }} }}
window.onerror = function (m) {{ take(String(m)); }};
window.ismsbookSearchShard = function (name, data) {{ take(name + " " + data); }};
</script>
<script src="{site}search/t0.js"></script>
<script src="{site}search/d0.js"></script>
<script src="{site}search/d1.js"></script>
<script src="{site}search-index.js" onload="take(window.ISMSBOOK_SEARCH); done++" onerror="done++"></script>
<script src="{site}search.html" onload="take(window.ISMSBOOK_SEARCH); done++" onerror="done++"></script>
<script src="{site}static/search.js" onload="done++" onerror="done++"></script>
<script>
take(document.body.innerText);
if (window.fetch && location.protocol !== "file:") {{
  fetch("{site}search.html").then(function (r) {{ return r.text(); }}).then(take, function () {{ take("blocked"); }}).then(function () {{ done++; }});
  fetch("{site}search.html", {{ mode: "no-cors" }}).then(function (r) {{ return r.text(); }}).then(take, function () {{ take("blocked"); }}).then(function () {{ done++; }});
}} else {{ done += 2; }}
if (location.protocol !== "file:") {{
  var f = document.createElement("iframe");
  f.src = "{site}search.html?q=officers";
  f.onload = function () {{
    try {{ take(f.contentDocument.documentElement.outerHTML); }} catch (e) {{ take("blocked"); }}
    try {{ take(f.contentWindow.ISMSBOOK_SEARCH); }} catch (e) {{ take("blocked"); }}
    done++;
  }};
  document.body.appendChild(f);
}} else {{ done++; }}
</script>"#
    )
}
