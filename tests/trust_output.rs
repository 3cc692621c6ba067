//! Trust, output side: the build writes only to its output and to files it names, `verify`
//! refuses a zip that would unpack into something other than what it checked, and no CSV
//! cell is a formula a spreadsheet would run.

mod common;
use common::Handbook;

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
