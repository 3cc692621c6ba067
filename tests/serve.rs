//! `serve`: a real server on a free port, real edits, the reload event, the overlay data,
//! and the paths that must not escape the site.

mod common;
use common::{get, Handbook};
#[path = "serve/support.rs"]
mod support;
use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};
use support::serve;

/// A page without its sidebar, which lists every document on every page.
fn main_of(page: &str) -> String {
    let start = page.find("<main").unwrap_or(0);
    let end = page.find("</main>").unwrap_or(page.len());
    page[start..end].to_string()
}

/// The text of every entry of the search index, as the browser would decrypt it.
fn search_text(port: u16) -> String {
    let entries =
        ismsbook::render::search::read_back_with(|p| Ok(get(port, &format!("/{p}")).body)).unwrap();
    serde_json::to_string(&entries).unwrap()
}

fn poll(port: u16, since: u64) -> serde_json::Value {
    serde_json::from_str(&get(port, &format!("/__ismsbook/poll?since={since}")).body).unwrap()
}

#[test]
fn an_edit_is_rebuilt_and_announced_to_open_pages() {
    let hb = Handbook::fixture("_base");
    let server = serve(&hb, &[]);
    let first = poll(server.port, 0);
    assert_eq!(first["good"], 1);
    let page = get(server.port, "/documents/BASE-01.html");
    assert_eq!(page.status, 200);
    assert!(page.headers.contains("text/html; charset=utf-8"));
    assert!(
        page.body.contains("/__ismsbook/livereload.js"),
        "served pages carry the reload script"
    );
    let text = hb.read("content/baseline.md").replace(
        "the problem it is named for",
        "the problem it is named for. Edited live",
    );
    let digest = ismsbook::load::body_digest(text.split_once("\n---\n").unwrap().1);
    let old_digest = text
        .lines()
        .find(|l| l.contains("digest:"))
        .unwrap()
        .split("digest: ")
        .nth(1)
        .unwrap()
        .to_string();
    hb.write("content/baseline.md", text.replace(&old_digest, &digest));
    let news = poll(server.port, 1);
    assert_eq!(news["good"], 2, "{news}");
    assert!(get(server.port, "/documents/BASE-01.html")
        .body
        .contains("Edited live"));
}

#[test]
fn a_broken_edit_keeps_the_last_good_pages_and_reports_the_errors() {
    let hb = Handbook::fixture("_base");
    let server = serve(&hb, &[]);
    poll(server.port, 0);
    hb.write(
        "content/bad.md",
        "---\nid: POL-001\ntitle: [unclosed\n---\n",
    );
    let news = poll(server.port, 1);
    assert_eq!(news["generation"], 2);
    assert_eq!(news["good"], 1, "still serving the first build");
    let errors = news["errors"].as_array().unwrap();
    assert_eq!(errors[0]["location"], "content/bad.md:3:1", "{news}");
    assert_eq!(errors[0]["code"], "front-matter");
    assert_eq!(get(server.port, "/index.html").status, 200);
    // The next good build clears the errors.
    std::fs::remove_file(hb.path().join("content/bad.md")).unwrap();
    let fixed = poll(server.port, 2);
    assert_eq!(
        (
            fixed["good"].as_u64(),
            fixed["errors"].as_array().unwrap().len()
        ),
        (Some(3), 0)
    );
}

#[test]
fn paths_outside_the_site_are_refused() {
    let hb = Handbook::fixture("_base");
    let server = serve(&hb, &[]);
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/documents/..%2f..%2fetc/passwd",
        "/a%5c..%5cb",
        "/index.html%00.css",
        "/C:/Windows/win.ini",
        "/..\\..\\x",
    ] {
        let r = get(server.port, path);
        assert!(r.status == 400 || r.status == 404, "{path}: {}", r.status);
        assert!(
            !r.body.contains("[package]") && !r.body.contains("root:"),
            "{path}"
        );
    }
    assert_eq!(get(server.port, "/nope.html").status, 404);
    let css = get(server.port, "/static/style.css");
    assert!(css.headers.contains("text/css"));
    assert!(get(server.port, "/soa.csv").headers.contains("text/csv"));
}

#[test]
fn a_busy_port_is_a_clear_error_naming_it() {
    let hb = Handbook::fixture("_base");
    let server = serve(&hb, &[]);
    let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args(["serve", "--port", &server.port.to_string(), "--root"])
        .arg(hb.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {} is already in use", server.port)),
        "{stderr}"
    );
}

#[test]
fn many_waiting_clients_and_a_vanished_one_do_not_stall_it() {
    let hb = Handbook::fixture("_base");
    let server = serve(&hb, &[]);
    poll(server.port, 0);
    // A client that asks and goes away.
    {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        write!(
            s,
            "GET /__ismsbook/poll?since=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
    }
    let waiting: Vec<_> = (0..40)
        .map(|_| {
            let port = server.port;
            std::thread::spawn(move || poll(port, 1))
        })
        .collect();
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(get(server.port, "/index.html").status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "pages keep coming while polls wait"
    );
    hb.write("content/note.md", "---\nid: NOTE-01\ntitle: Note\ntype: guideline\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\n---\nHi\n");
    for w in waiting {
        assert_eq!(w.join().unwrap()["good"], 2);
    }
}

#[test]
fn an_edit_updates_every_page_that_shows_the_document() {
    let hb = Handbook::fixture("retired-referenced");
    let server = serve(&hb, &[]);
    assert_eq!(poll(server.port, 0)["good"], 1);
    // Rename the linked document: its page, the register and the page that links to it change.
    hb.write(
        "content/old.md",
        hb.read("content/old.md")
            .replace("title: Old Policy", "title: Renamed Policy"),
    );
    assert_eq!(poll(server.port, 1)["good"], 2);
    assert!(get(server.port, "/documents/POL-002.html")
        .body
        .contains("Renamed Policy"));
    assert!(get(server.port, "/documents/index.html")
        .body
        .contains("Renamed Policy"));
    assert!(
        get(server.port, "/documents/POL-001.html")
            .body
            .contains("Renamed Policy"),
        "the linking page"
    );
    // An edit made while the build is broken still reaches its page once it is fixed.
    hb.write(
        "content/new.md",
        hb.read("content/new.md")
            .replace("owner: CISO", "owner: NOBODY"),
    );
    assert_eq!(poll(server.port, 2)["good"], 2);
    hb.write(
        "content/old.md",
        hb.read("content/old.md")
            .replace("Renamed Policy", "Twice Renamed Policy"),
    );
    assert_eq!(poll(server.port, 3)["good"], 2);
    hb.write(
        "content/new.md",
        hb.read("content/new.md")
            .replace("owner: NOBODY", "owner: CISO"),
    );
    assert_eq!(poll(server.port, 4)["good"], 5);
    assert!(get(server.port, "/documents/POL-002.html")
        .body
        .contains("Twice Renamed Policy"));
    let index = search_text(server.port);
    assert!(index.contains("Twice Renamed Policy"), "{index}");
}

#[test]
fn a_body_edit_updates_its_page_and_the_dashboard_follows_new_problems() {
    let hb = Handbook::fixture("retired-referenced");
    let server = serve(&hb, &[]);
    assert_eq!(poll(server.port, 0)["good"], 1);
    assert!(get(server.port, "/index.html")
        .body
        .contains("content/new.md:12:22"));
    // A body-only edit: the listing pages show nothing of it, the document page does.
    hb.write(
        "content/old.md",
        hb.read("content/old.md")
            .replace("Some text.", "Other text."),
    );
    assert_eq!(poll(server.port, 1)["good"], 2);
    assert!(get(server.port, "/documents/POL-002.html")
        .body
        .contains("Other text."));
    assert!(get(server.port, "/documents/index.html")
        .body
        .contains("Old Policy"));
    // A body edit that moves a warning: the dashboard, which lists problems, follows.
    hb.write(
        "content/new.md",
        hb.read("content/new.md")
            .replace("See the", "An added paragraph.\n\nSee the"),
    );
    assert_eq!(poll(server.port, 2)["good"], 3);
    let dashboard = get(server.port, "/index.html").body;
    assert!(
        dashboard.contains("content/new.md:14:22") && !dashboard.contains("content/new.md:12:22"),
        "{dashboard}"
    );
    let index = search_text(server.port);
    assert!(index.contains("Other text."), "{index}");
}

#[test]
fn an_edit_of_a_documents_controls_or_title_updates_the_control_pages() {
    let hb = Handbook::fixture("retired-referenced");
    let server = serve(&hb, &[]);
    assert_eq!(poll(server.port, 0)["good"], 1);
    assert!(!main_of(&get(server.port, "/controls/A.5.1.html").body).contains("POL-001"));
    let original = hb.read("content/new.md");
    let edit = |title: &str, controls: &str| {
        original
            .replace("title: A Policy", &format!("title: {title}"))
            .replace("related:", &format!("{controls}related:"))
    };
    hb.write(
        "content/new.md",
        edit("Remote Policy", "controls: [A.5.1]\n"),
    );
    assert_eq!(poll(server.port, 1)["good"], 2);
    let page = main_of(&get(server.port, "/controls/A.5.1.html").body);
    assert!(
        page.contains("POL-001") && page.contains("Remote Policy"),
        "{page}"
    );
    hb.write(
        "content/new.md",
        edit("Hybrid Policy", "controls: [A.5.1]\n"),
    );
    assert_eq!(poll(server.port, 2)["good"], 3);
    let page = main_of(&get(server.port, "/controls/A.5.1.html").body);
    assert!(
        page.contains("Hybrid Policy") && !page.contains("Remote Policy"),
        "{page}"
    );
    hb.write("content/new.md", edit("Hybrid Policy", ""));
    assert_eq!(poll(server.port, 3)["good"], 4);
    assert!(!main_of(&get(server.port, "/controls/A.5.1.html").body).contains("POL-001"));
}
