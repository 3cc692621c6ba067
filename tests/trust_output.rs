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
