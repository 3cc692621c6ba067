//! CSV exports: RFC 4180 (fields quoted where needed, CRLF line ends) so they open cleanly
//! in any spreadsheet, and no cell a spreadsheet would run as a formula (OWASP's
//! CSV-injection advice: such a cell starts with `'`, which Excel and Calc take as "text").

use std::path::PathBuf;

use super::context::Site;
use super::OutputFile;

/// A cell starting with one of these is read as a formula (or, for tab, CR, LF and NUL, may
/// be trimmed by the spreadsheet to one that is); the full-width forms are taken as their
/// ASCII twins by Excel in East Asian locales.
const FORMULA_STARTS: &[char] = &[
    '=', '+', '-', '@', '\t', '\r', '\n', '\0', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
];

/// The cell as text a spreadsheet shows but never evaluates.
fn inert(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(FORMULA_STARTS) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

fn field(out: &mut String, value: &str) {
    let value = &*inert(value);
    if value.contains([',', '"', '\r', '\n']) || value.starts_with(' ') || value.ends_with(' ') {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// One CSV table: a header row, then the rows.
pub fn table<R: AsRef<str>>(header: &[&str], rows: impl IntoIterator<Item = Vec<R>>) -> String {
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, cell);
        }
        out.push_str("\r\n");
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(AsRef::as_ref));
    }
    out
}

pub fn files(site: &Site<'_>) -> Vec<OutputFile> {
    let soa = table(
        &[
            "control",
            "title",
            "theme",
            "applicable",
            "justification",
            "implementation status",
            "implementing documents",
            "risks",
        ],
        site.controls().iter().map(|c| {
            let docs: Vec<String> = c
                .documents
                .iter()
                .map(|d| format!("{} v{}", d.id, d.version))
                .collect();
            vec![
                c.id.clone(),
                c.title.to_string(),
                c.theme.to_string(),
                if c.applicable { "yes" } else { "no" }.to_string(),
                c.justification.clone(),
                c.soa_status.to_string(),
                docs.join("; "),
                c.risks.join("; "),
            ]
        }),
    );
    let trace = table(
        &[
            "control",
            "control title",
            "document",
            "document title",
            "version",
            "status",
        ],
        site.controls().iter().flat_map(|c| {
            c.documents.iter().map(move |d| {
                vec![
                    c.id.as_str(),
                    c.title,
                    &d.id,
                    &d.title,
                    &d.version,
                    d.status.as_str(),
                ]
            })
        }),
    );
    let register = table(
        &[
            "id",
            "title",
            "type",
            "version",
            "status",
            "owner",
            "classification",
            "approved by",
            "approved on",
            "next review",
        ],
        site.rows().iter().map(|r| {
            vec![
                r.id.as_str(),
                &r.title,
                r.doc_type,
                &r.version,
                r.status.as_str(),
                &r.owner,
                &r.classification,
                &r.approved_by,
                &r.approved_on,
                &r.next_review,
            ]
        }),
    );
    let reviews = table(
        &[
            "id",
            "title",
            "owner",
            "status",
            "next review",
            "review state",
        ],
        site.rows().iter().map(|r| {
            vec![
                r.id.as_str(),
                &r.title,
                &r.owner,
                r.status.as_str(),
                &r.next_review,
                r.review_state.label(),
            ]
        }),
    );
    [
        ("soa.csv", soa),
        ("traceability.csv", trace),
        ("documents.csv", register),
        ("reviews.csv", reviews),
    ]
    .into_iter()
    .map(|(name, text)| OutputFile {
        path: PathBuf::from(name),
        bytes: text.into_bytes(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn fields_are_quoted_where_needed_and_lines_end_in_crlf() {
        let t = table(
            &["a", "b"],
            vec![vec!["x, y", "say \"hi\""], vec!["plain", "two\nlines"]],
        );
        assert_eq!(
            t,
            "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\nplain,\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_starts_with_a_quote() {
        let t = table(
            &["a", "b", "c"],
            vec![
                vec!["=HYPERLINK(\"http://evil\",\"x\")", "@SUM(1)", "-2+3"],
                vec!["+1", "\tx", "plain - text"],
            ],
        );
        assert_eq!(
            t,
            "a,b,c\r\n\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",'@SUM(1),'-2+3\r\n'+1,'\tx,plain - text\r\n"
        );
    }
}
