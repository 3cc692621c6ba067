//! The reference in `docs/` is kept true by these tests: every rule code, every front-matter
//! field and every key of `ismsbook.toml` the code knows is documented, and nothing else is.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use ismsbook::core::diagnostics::{Code, Diagnostic};
use ismsbook::core::types::DocType;
use ismsbook::load::FIELDS;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn doc(name: &str) -> String {
    fs::read_to_string(repo().join("docs").join(name))
        .unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

/// The first two cells of each table row whose first cell is one `code` span.
fn table_rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let mut cells = l.strip_prefix('|')?.split('|').map(str::trim);
            let first = cells.next()?;
            let name = first.strip_prefix('`')?.strip_suffix('`')?;
            (!name.contains('`')).then(|| (name.to_string(), cells.next().unwrap_or("").into()))
        })
        .collect()
}

fn differences(found: &BTreeSet<String>, known: &BTreeSet<String>, place: &str) -> String {
    let missing: Vec<_> = known.difference(found).collect();
    let extra: Vec<_> = found.difference(known).collect();
    format!("missing from {place}: {missing:?}; in {place} but unknown to the code: {extra:?}")
}

/// The rows of the table under `## Every rule` in docs/rules.md.
fn rule_rows() -> Vec<(String, String)> {
    let text = doc("rules.md");
    let start = text
        .find("\n## Every rule\n")
        .expect("docs/rules.md has a section `## Every rule`");
    let section = &text[start + 1..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    table_rows(&section[..end])
}

#[test]
fn rules_md_lists_every_code_and_no_other() {
    let rows = rule_rows();
    let documented: BTreeSet<String> = rows.iter().map(|(c, _)| c.clone()).collect();
    let known: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(
        documented,
        known,
        "{}",
        differences(&documented, &known, "the docs")
    );
    assert_eq!(
        rows.len(),
        known.len(),
        "a code is listed twice in docs/rules.md"
    );
}

/// For each code, the severities the source creates it with: `Diagnostic::error(Code::X` or
/// `Diagnostic::warning(Code::X`, however the call is wrapped.
fn severities_in_source() -> BTreeMap<String, BTreeSet<&'static str>> {
    let names: BTreeMap<String, &str> = Code::ALL
        .iter()
        .map(|c| (format!("{c:?}"), c.as_str()))
        .collect();
    let mut out: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut stack = vec![repo().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap();
            for severity in ["error", "warning"] {
                let call = format!("Diagnostic::{severity}(");
                for (at, _) in text.match_indices(&call) {
                    let rest = text[at + call.len()..].trim_start();
                    let Some(rest) = rest.strip_prefix("Code::") else {
                        continue;
                    };
                    let variant: String = rest
                        .chars()
                        .take_while(char::is_ascii_alphanumeric)
                        .collect();
                    let code = names
                        .get(&variant)
                        .unwrap_or_else(|| panic!("Code::{variant} in {}", path.display()));
                    out.entry(code.to_string()).or_default().insert(severity);
                }
            }
        }
    }
    // `[handbook] stage` lowers these rules to warnings before a handbook is certified.
    for code in ismsbook::check::stage::relaxed() {
        if let Some(severities) = out.get_mut(code.as_str()) {
            severities.insert("warning");
        }
    }
    out
}

#[test]
fn rules_md_gives_each_code_the_severity_the_code_reports() {
    let rows: BTreeMap<String, String> = rule_rows().into_iter().collect();
    let source = severities_in_source();
    assert!(
        source.len() > 20,
        "the scan of src/ found too little: {source:?}"
    );
    for (code, severities) in &source {
        let want = severities.iter().copied().collect::<Vec<_>>().join(" or ");
        assert_eq!(
            rows.get(code).map(String::as_str),
            Some(want.as_str()),
            "docs/rules.md: severity of `{code}`"
        );
    }
    for (code, severity) in &rows {
        assert!(
            ["error", "warning", "error or warning"].contains(&severity.as_str()),
            "docs/rules.md: `{code}` has severity {severity:?}"
        );
    }
}

/// The text between `<!-- NAME: ... -->` and `<!-- end NAME -->`.
fn generated<'a>(text: &'a str, name: &str) -> &'a str {
    let open = format!("<!-- {name}:");
    let start = text
        .find(&open)
        .unwrap_or_else(|| panic!("no {open} marker in docs/front-matter.md"));
    let start = start + text[start..].find("-->\n").unwrap() + 4;
    let end = text[start..]
        .find(&format!("<!-- end {name} -->"))
        .unwrap_or_else(|| panic!("no end marker for {name}"));
    &text[start..start + end]
}

#[test]
fn front_matter_md_lists_every_field_of_the_schema_and_no_other() {
    let text = doc("front-matter.md");
    let table = generated(&text, "fields");
    let documented: BTreeSet<String> = table_rows(table).into_iter().map(|(f, _)| f).collect();
    let known: BTreeSet<String> = FIELDS.iter().map(|f| f.name.to_string()).collect();
    assert_eq!(
        documented,
        known,
        "{}",
        differences(&documented, &known, "the docs")
    );
    let fresh = FIELDS.markdown_table();
    assert!(
        table == fresh,
        "docs/front-matter.md's field table differs from the schema; paste this between its markers:\n{fresh}"
    );
    let example = generated(&text, "example");
    let fresh = format!("```yaml\n{}```\n", FIELDS.example());
    assert!(
        example == fresh,
        "docs/front-matter.md's example differs from the schema; paste this between its markers:\n{fresh}"
    );
}

#[test]
fn the_documented_front_matter_example_is_read_without_a_front_matter_problem() {
    let hb = common::Handbook::fixture("_base");
    hb.write(
        "content/example.md",
        // A `record:` block belongs to a record: the example shows every field at once.
        format!("{}\nBody.\n", FIELDS.example()).replace("type: policy", "type: record"),
    );
    let problems: Vec<_> = hb
        .check()
        .diagnostics()
        .into_iter()
        .filter(|d| d.location.starts_with("content/example.md"))
        .filter(|d| ["front-matter", "missing-field", "unknown-field"].contains(&d.code.as_str()))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

/// `ismsbook.toml`'s shape as the reader accepts it, found by asking the reader: an unknown
/// key in a table is reported with "the keys of [table] are: …".
#[derive(Debug)]
enum Shape {
    Leaf,
    /// A table whose keys are free names (`[roles]`).
    Free,
    Table(Vec<String>),
}

const PROBE: &str = "zzqqxxyy";

fn shape(section: &str) -> Shape {
    let base = "[handbook]\ntitle = \"T\"\norganization = \"O\"\n";
    let text = match section {
        "" => format!("{PROBE} = \"x\"\n{base}"),
        "handbook" => format!("{base}{PROBE} = \"x\"\n"),
        _ => format!("{base}[{section}]\n{PROBE} = \"x\"\n"),
    };
    let (_, diags) = ismsbook::load::config::parse(&text);
    if diags.is_empty() {
        return Shape::Free;
    }
    let unknown = diags.iter().find(|d| d.message.contains(PROBE));
    match unknown.and_then(|d| d.help.as_deref()?.split_once(" are: ")) {
        Some((_, keys)) => Shape::Table(keys.split(", ").map(String::from).collect()),
        None => Shape::Leaf,
    }
}

/// Every key the reader accepts, as documented names: `review.default_interval`,
/// `roles.<name>`, `review.intervals.<type>`.
fn accepted_keys() -> BTreeSet<String> {
    let types: BTreeSet<String> = DocType::ALL.iter().map(|t| t.as_str().into()).collect();
    let mut out = BTreeSet::new();
    let mut todo = vec![String::new()];
    while let Some(section) = todo.pop() {
        let join = |k: &str| match section.as_str() {
            "" => k.to_string(),
            s => format!("{s}.{k}"),
        };
        match shape(&section) {
            Shape::Leaf => {
                out.insert(section);
            }
            Shape::Free => {
                out.insert(join("<name>"));
            }
            Shape::Table(keys) if keys.iter().cloned().collect::<BTreeSet<_>>() == types => {
                out.insert(join("<type>"));
            }
            Shape::Table(keys) => todo.extend(keys.iter().map(|k| join(k))),
        }
    }
    out
}

/// The keys of a TOML table as documented names (see [`accepted_keys`]).
fn example_keys(table: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
    let types: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
    for (key, value) in table {
        let name = match prefix {
            "" => key.clone(),
            "roles" => "roles.<name>".into(),
            p if types.contains(&key.as_str()) => format!("{p}.<type>"),
            p => format!("{p}.{key}"),
        };
        match value {
            toml::Value::Table(t) => example_keys(t, &name, out),
            _ => {
                out.insert(name);
            }
        }
    }
}

#[test]
fn configuration_md_documents_every_key_and_its_example_is_complete_and_valid() {
    let text = doc("configuration.md");
    let accepted = accepted_keys();
    assert!(
        accepted.contains("handbook.title") && accepted.len() > 6,
        "the probe of config.rs found too little: {accepted:?}"
    );
    let documented: BTreeSet<String> = table_rows(&text).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        documented,
        accepted,
        "{}",
        differences(&documented, &accepted, "the docs")
    );

    let block = text
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/configuration.md has a ```toml example");
    let (_, diags): (_, Vec<Diagnostic>) = ismsbook::load::config::parse(block);
    assert!(diags.is_empty(), "the example is refused: {diags:#?}");
    let mut in_example = BTreeSet::new();
    example_keys(&block.parse::<toml::Table>().unwrap(), "", &mut in_example);
    assert_eq!(
        in_example,
        accepted,
        "{}",
        differences(&in_example, &accepted, "the example")
    );
}

#[test]
fn links_between_docs_pages_lead_to_files() {
    let dir = repo().join("docs");
    let mut pages: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        // The pages: not docs/ci/'s pipeline files, nor docs/screenshots/ (images).
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    for page in pages {
        let text = fs::read_to_string(&page).unwrap();
        for (at, _) in text.match_indices("](") {
            let target: String = text[at + 2..].chars().take_while(|c| *c != ')').collect();
            // Page links only: the examples of document links (`[x](POL-009)`) are text.
            let file = target.split('#').next().unwrap();
            if target.contains(':') || !file.ends_with(".md") {
                continue;
            }
            assert!(
                dir.join(file).exists(),
                "{}: link to {target}, which does not exist",
                page.display()
            );
        }
    }
}
