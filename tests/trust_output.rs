//! Trust, output side: the build writes only to its output and to files it names, `verify`
//! refuses a zip that would unpack into something other than what it checked, and no CSV
//! cell is a formula a spreadsheet would run.

mod common;
use common::Handbook;
use std::path::Path;
use std::process::Command;

/// The cells of an RFC 4180 text (quoted fields, doubled quotes, CRLF rows).
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

fn draft(id: &str, title: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: '{title}'\ntype: procedure\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\ncontrols: [A.5.1]\n---\n\nText.\n"
    )
}

#[test]
fn csv_cells_that_a_spreadsheet_would_run_start_with_a_quote() {
    let hb = Handbook::fixture("_base");
    let titles = [r#"=HYPERLINK("http://evil","x")"#, "@SUM(1)", "-2+3"];
    for (i, title) in titles.iter().enumerate() {
        hb.write(
            &format!("content/evil{i}.md"),
            draft(&format!("EVIL-0{i}"), title),
        );
    }
    hb.write(
        "content/soa.yaml",
        "excluded:\n  A.7.4: \"+cmd|' /C calc'!A0 we have no premises\"\n",
    );
    hb.build().assert_exit(0);
    let mut seen = 0;
    for name in [
        "soa.csv",
        "traceability.csv",
        "documents.csv",
        "reviews.csv",
    ] {
        let text = hb.read(&format!("public/{name}"));
        for cell in csv_cells(&text).into_iter().flatten() {
            let hostile = titles.iter().any(|t| cell.contains(t)) || cell.contains("calc'!A0");
            if hostile {
                seen += 1;
                assert!(cell.starts_with('\''), "{name}: cell {cell:?} would run");
            }
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{name}: cell {cell:?} would run"
            );
        }
    }
    // soa: 1 justification; traceability, documents and reviews: the 3 titles each.
    assert_eq!(seen, 10, "every hostile cell was found");
    let soa = hb.read("public/soa.csv");
    assert!(
        soa.contains(",no,'+cmd|' /C calc'!A0 we have no premises,"),
        "{soa}"
    );
}

// ---- verify: a bundle that would unpack into something other than what was checked ----

use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use zip::write::SimpleFileOptions;

fn bundle(hb: &Handbook) -> Vec<u8> {
    let out = hb.path().join("good.zip");
    hb.run(&[
        "bundle",
        "--today",
        common::TODAY,
        "-o",
        out.to_str().unwrap(),
    ])
    .assert_exit(0);
    std::fs::read(out).unwrap()
}

const TOP: &str = "handbook-unversioned/";

/// A copy of the bundle `good` with `first` entries written before its own and `last` after,
/// and `sums` appended to its SHA256SUMS (so that the old `verify` would call it clean).
fn tampered(
    good: &[u8],
    first: impl FnOnce(&mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>),
    last: impl FnOnce(&mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>),
    sums: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(good)).unwrap();
    let mut dst = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    first(&mut dst);
    let opts = SimpleFileOptions::default().unix_permissions(0o644);
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        if name.ends_with("/SHA256SUMS") {
            for (path, content) in sums {
                let hex: String = Sha256::digest(content)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                let line = format!("{hex}  {path}\n");
                bytes.extend_from_slice(line.as_bytes());
            }
        }
        dst.start_file(name, opts).unwrap();
        dst.write_all(&bytes).unwrap();
    }
    last(&mut dst);
    dst.finish().unwrap().into_inner()
}

fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len());
    let mut n = 0;
    for i in 0..=bytes.len() - from.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            n += 1;
        }
    }
    n
}

fn verify(hb: &Handbook, zip: &[u8]) -> common::Run {
    let path = hb.path().join("suspect.zip");
    std::fs::write(&path, zip).unwrap();
    hb.run(&["verify", path.to_str().unwrap()])
}

fn assert_refused(run: &common::Run, entry: &str, why: &str) {
    run.assert_exit(1);
    assert!(
        run.stderr.contains("refused") && run.stderr.contains(entry) && run.stderr.contains(why),
        "expected a refusal of {entry} ({why}):\n{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn verify_refuses_a_second_entry_of_one_name_that_unzip_n_would_keep() {
    let hb = Handbook::fixture("_base");
    let good = bundle(&hb);
    verify(&hb, &good).assert_exit(0);
    // The forged page comes first: `unzip -n` keeps the first and skips the checked one.
    let mut zip = tampered(
        &good,
        |z| {
            z.start_file(format!("{TOP}index.htmX"), SimpleFileOptions::default())
                .unwrap();
            z.write_all(b"<p>Forged: all controls implemented.</p>")
                .unwrap();
        },
        |_| {},
        &[],
    );
    assert_eq!(replace_all(&mut zip, b"index.htmX", b"index.html"), 2);
    assert_refused(
        &verify(&hb, &zip),
        &format!("{TOP}index.html"),
        "appears twice",
    );
}

#[test]
fn verify_refuses_links_and_special_files_even_when_the_sums_list_them() {
    let hb = Handbook::fixture("_base");
    let good = bundle(&hb);
    let link = tampered(
        &good,
        |_| {},
        |z| {
            z.add_symlink(
                format!("{TOP}passwd"),
                "/etc/passwd",
                SimpleFileOptions::default(),
            )
            .unwrap();
        },
        &[("passwd", b"/etc/passwd")],
    );
    assert_refused(&verify(&hb, &link), "passwd", "symbolic link");
    let fifo = tampered(
        &good,
        |_| {},
        |z| {
            let opts = SimpleFileOptions::default().external_attributes(0o010644 << 16);
            z.start_file(format!("{TOP}pipe"), opts).unwrap();
        },
        &[("pipe", b"")],
    );
    assert_refused(&verify(&hb, &fifo), "pipe", "named pipe");
}

#[test]
fn verify_refuses_names_that_escape_or_name_a_file_twice() {
    let hb = Handbook::fixture("_base");
    let good = bundle(&hb);
    for name in [
        "./extra.html",
        "docs//extra.html",
        "..\\..\\evil.sh",
        "../../evil.sh",
    ] {
        let zip = tampered(
            &good,
            |_| {},
            |z| {
                z.start_file(format!("{TOP}{name}"), SimpleFileOptions::default())
                    .unwrap();
                z.write_all(b"<p>x</p>").unwrap();
            },
            &[(name, b"<p>x</p>")],
        );
        assert_refused(&verify(&hb, &zip), name, "outside its folder");
    }
}

/// A bundle with `copies` entries of `mib` MiB of zeros each (compressed once, copied raw).
fn bomb(good: &[u8], mib: usize, copies: usize) -> Vec<u8> {
    tampered(
        good,
        |_| {},
        |z| {
            let opts = SimpleFileOptions::default().compression_level(Some(9));
            z.start_file(format!("{TOP}zeros-0"), opts).unwrap();
            let chunk = vec![0u8; 1 << 20];
            for _ in 0..mib {
                z.write_all(&chunk).unwrap();
            }
            for i in 1..copies {
                z.deep_copy_file(&format!("{TOP}zeros-0"), &format!("{TOP}zeros-{i}"))
                    .unwrap();
            }
        },
        &[],
    )
}

#[test]
fn verify_refuses_a_zip_bomb_before_unpacking_it() {
    let hb = Handbook::fixture("_base");
    let good = bundle(&hb);
    // 1,100 x 1 MiB: a zip of about 1.3 MB that unpacks to 1.07 GiB.
    let zip = bomb(&good, 1, 1100);
    assert!(zip.len() < 2 << 20, "{} bytes", zip.len());
    let started = std::time::Instant::now();
    let run = verify(&hb, &zip);
    assert_refused(&run, "zeros-", "zip bomb");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refused from the directory, not by unpacking: {:?}",
        started.elapsed()
    );
    // One entry declaring more than the per-file cap.
    let mut one = bomb(&good, 1, 1);
    let size = (1u32 << 20).to_le_bytes();
    assert_eq!(
        replace_all(&mut one, &size, &(300u32 << 20).to_le_bytes()),
        2
    );
    assert_refused(&verify(&hb, &one), "zeros-0", "zip bomb");
}

#[test]
fn verify_reads_no_more_than_a_header_declares() {
    let hb = Handbook::fixture("_base");
    let good = bundle(&hb);
    // The headers say 1,000 bytes; the data inflates to 1 MiB.
    let mut liar = bomb(&good, 1, 1);
    let size = (1u32 << 20).to_le_bytes();
    assert_eq!(replace_all(&mut liar, &size, &1000u32.to_le_bytes()), 2);
    let run = verify(&hb, &liar);
    run.assert_exit(1);
    assert!(
        run.stderr
            .contains("refused: entry `handbook-unversioned/zeros-0`")
            && run.stderr.contains("declared"),
        "{}",
        run.stderr
    );
}

#[test]
fn verify_refuses_entries_that_share_their_bytes() {
    let hb = Handbook::fixture("_base");
    let good = bundle(&hb);
    // Two directory entries pointing at one body: the trick of non-recursive zip bombs.
    let zip = tampered(
        &good,
        |_| {},
        |z| {
            z.start_file(format!("{TOP}a.txt"), SimpleFileOptions::default())
                .unwrap();
            z.write_all(b"shared").unwrap();
            z.shallow_copy_file(&format!("{TOP}a.txt"), &format!("{TOP}b.txt"))
                .unwrap();
        },
        &[("a.txt", b"shared"), ("b.txt", b"shared")],
    );
    assert_refused(
        &verify(&hb, &zip),
        "b.txt",
        "does not match central directory",
    );
}

// ---- the output: written only where the build was told, never over what is not its own ----

/// `ismsbook ARGS --root ROOT`, run from the folder `cwd` (relative `--out` and `-o` are
/// taken from there, as in a user's shell).
fn run_in(cwd: &Path, root: &Path, args: &[&str]) -> common::Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .current_dir(cwd)
        .args(args)
        .arg("--root")
        .arg(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn build_to(hb: &Handbook, cwd: &Path, out: &str) -> common::Run {
    run_in(
        cwd,
        hb.path(),
        &["build", "--today", common::TODAY, "--out", out],
    )
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn assert_refused_out(run: &common::Run, what: &[&str]) {
    run.assert_exit(2);
    for w in what {
        assert!(run.stderr.contains(w), "expected {w:?} in:\n{}", run.stderr);
    }
}

#[test]
fn out_with_dot_dot_in_it_is_the_folder_it_names() {
    let hb = Handbook::fixture("_base");
    for _ in 0..2 {
        build_to(&hb, hb.path(), "public/../public").assert_exit(0);
        assert!(hb.read("public/index.html").contains("Fixture Ltd"));
    }
    assert_eq!(names(hb.path()), ["content", "ismsbook.toml", "public"]);
}

#[test]
fn out_that_is_or_holds_the_handbook_or_lies_in_its_sources_is_refused() {
    let hb = Handbook::fixture("_base");
    hb.write("index.html", "<p>the intranet's own home page</p>");
    hb.write("theme/static/logo.svg", "<svg/>");
    let before = common::files(hb.path());
    let parent = hb.path().parent().unwrap();
    let me = hb.path().file_name().unwrap().to_str().unwrap();
    let alias = Handbook::empty();
    std::os::unix::fs::symlink(hb.path().join("content"), alias.path().join("policies")).unwrap();
    let through_link = alias.path().join("policies/site");
    for (out, why) in [
        (
            through_link.to_str().unwrap().to_string(),
            "lies inside the handbook's content/",
        ),
        (format!("{me}/../{me}"), "is the handbook root"),
        (format!("{me}/content"), "is the handbook's content/ folder"),
        (
            format!("{me}/content/site"),
            "lies inside the handbook's content/",
        ),
        (
            format!("{me}/theme/./static"),
            "lies inside the handbook's theme/",
        ),
        (format!("{me}/.."), "contains the handbook root"),
    ] {
        let run = build_to(&hb, parent, &out);
        assert_refused_out(&run, &[why, "Pass a folder of its own, e.g. --out"]);
    }
    assert_eq!(common::files(hb.path()), before, "nothing moved or written");
}

#[test]
fn a_folder_holding_files_the_build_did_not_write_is_refused_and_kept() {
    let hb = Handbook::fixture("_base");
    hb.write("site/index.html", "<p>hand-made</p>");
    hb.write("site/CNAME", "isms.example.com");
    hb.write("site/photos/team.jpg", "JPEG");
    let before = common::files(&hb.path().join("site"));
    let run = build_to(&hb, hb.path(), "site");
    assert_refused_out(
        &run,
        &[
            "CNAME",
            "photos/",
            "did not write",
            "choose an empty or new folder",
        ],
    );
    assert_eq!(common::files(&hb.path().join("site")), before);
    // An empty folder is fine, and so is the build's own output, again and again.
    std::fs::create_dir(hb.path().join("empty")).unwrap();
    build_to(&hb, hb.path(), "empty").assert_exit(0);
    build_to(&hb, hb.path(), "empty").assert_exit(0);
    assert!(
        hb.path().join("empty/.ismsbook-output").is_file(),
        "marked as ours"
    );
    // A file dropped into our output later is not deleted by the next build either.
    hb.write("empty/CNAME", "isms.example.com");
    let run = build_to(&hb, hb.path(), "empty");
    assert_refused_out(&run, &["CNAME", "last build did not write"]);
    assert_eq!(hb.read("empty/CNAME"), "isms.example.com");
}

#[test]
fn out_that_is_a_file_or_a_link_is_refused() {
    let hb = Handbook::fixture("_base");
    hb.write("notes.txt", "mine");
    assert_refused_out(&build_to(&hb, hb.path(), "notes.txt"), &["is a file"]);
    assert_eq!(hb.read("notes.txt"), "mine");
    let www = Handbook::empty();
    std::fs::write(www.path().join("index.html"), "served").unwrap();
    std::os::unix::fs::symlink(www.path(), hb.path().join("www")).unwrap();
    let run = build_to(&hb, hb.path(), "www");
    assert_refused_out(&run, &["is a symbolic link", "Pass that folder itself"]);
    assert!(std::fs::symlink_metadata(hb.path().join("www"))
        .unwrap()
        .is_symlink());
    assert_eq!(names(www.path()), ["index.html"]);
}

#[test]
fn bundle_never_writes_over_a_source_or_a_file_that_is_not_its_own() {
    let hb = Handbook::fixture("_base");
    hb.write("notes.txt", "mine");
    hb.write("theme/static/x.css", "p{}");
    let before = common::files(hb.path());
    for (out, why) in [
        ("content/baseline.md", "lies inside the handbook's content/"),
        ("content/new.zip", "lies inside the handbook's content/"),
        ("theme/../theme/b.zip", "lies inside the handbook's theme/"),
        ("notes.txt", "is not a bundle ismsbook wrote"),
        ("content", "is the handbook's content/ folder"),
    ] {
        let run = run_in(
            hb.path(),
            hb.path(),
            &["bundle", "--today", common::TODAY, "-o", out],
        );
        assert_refused_out(&run, &[why]);
    }
    assert_eq!(common::files(hb.path()), before);
    // A zip someone else wrote is theirs too.
    let other = hb.path().join("photos.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&other).unwrap());
    z.start_file("team.jpg", SimpleFileOptions::default())
        .unwrap();
    z.finish().unwrap();
    let run = run_in(
        hb.path(),
        hb.path(),
        &["bundle", "--today", common::TODAY, "-o", "photos.zip"],
    );
    assert_refused_out(&run, &["is not a bundle ismsbook wrote"]);
    // Its own bundle it replaces, leaving nothing beside it.
    for _ in 0..2 {
        run_in(
            hb.path(),
            hb.path(),
            &["bundle", "--today", common::TODAY, "-o", "audit.zip"],
        )
        .assert_exit(0);
    }
    assert_eq!(
        names(hb.path()),
        [
            "audit.zip",
            "content",
            "ismsbook.toml",
            "notes.txt",
            "photos.zip",
            "theme"
        ]
    );
}

#[test]
fn leftovers_of_killed_runs_are_removed_by_the_next_and_nothing_else() {
    let hb = Handbook::fixture("_base");
    hb.build().assert_exit(0);
    let marker = std::fs::read(hb.path().join("public/.ismsbook-output")).unwrap();
    // No process has an id this high (Linux caps them at 4,194,304).
    let dead = u32::MAX - 7;
    let live = std::process::id();
    let leftover = |name: String, marked: bool| {
        let dir = hb.path().join(name);
        std::fs::create_dir_all(dir.join("documents")).unwrap();
        std::fs::write(dir.join("index.html"), "half").unwrap();
        if marked {
            std::fs::write(dir.join(".ismsbook-output"), &marker).unwrap();
        }
    };
    leftover(format!(".public.ismsbook-new-{dead}"), true);
    leftover(format!(".public.ismsbook-old-{dead}"), true);
    leftover(format!(".audit.zip.ismsbook-bundle-{dead}"), true);
    leftover(format!(".public.ismsbook-new-{live}"), true); // a build still running
    leftover(format!(".public.ismsbook-new-{}", dead - 1), false); // not ours
    hb.build().assert_exit(0);
    run_in(
        hb.path(),
        hb.path(),
        &["bundle", "--today", common::TODAY, "-o", "audit.zip"],
    )
    .assert_exit(0);
    let hidden: Vec<String> = names(hb.path())
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    let mut kept = [
        format!(".public.ismsbook-new-{}", dead - 1),
        format!(".public.ismsbook-new-{live}"),
    ];
    kept.sort();
    assert_eq!(
        hidden, kept,
        "only the dead runs' marked folders are removed"
    );
}

#[test]
fn an_output_of_an_older_ismsbook_is_replaced_but_not_with_files_of_the_users_beside_it() {
    let hb = Handbook::fixture("_base");
    // What a build before output markers wrote: only names a build writes.
    hb.write("public/index.html", "<p>old</p>");
    hb.write("public/documents/POL-001.html", "<p>old</p>");
    hb.write("public/search-index.js", "var x;");
    hb.write("public/soa.csv", "old");
    build_to(&hb, hb.path(), "public").assert_exit(0);
    assert!(hb.path().join("public/.ismsbook-output").is_file());
    assert!(!hb.path().join("public/search-index.js").exists());
    // The same with a CNAME of the user's beside it is refused and kept.
    let hb = Handbook::fixture("_base");
    hb.write("public/index.html", "<p>old</p>");
    hb.write("public/documents/POL-001.html", "<p>old</p>");
    hb.write("public/CNAME", "isms.example.com");
    let run = build_to(&hb, hb.path(), "public");
    assert_refused_out(&run, &["CNAME", "did not write"]);
    assert_eq!(hb.read("public/CNAME"), "isms.example.com");
}
