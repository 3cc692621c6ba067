//! The pipeline runs one way: no top-level module of `src/` reaches itself again through the
//! modules it uses. Every `crate::X` path counts, in `use` lines and inline alike
//! (`crate::commands::cli::report(..)` called from `site` would be an import of `commands` too).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Edges still to cut, each with the change that cuts it; the test fails when one is gone,
/// so that this list only shrinks.
const KNOWN: &[(&str, &str, &str)] = &[];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules named after `crate::` in `code`, including those of a
/// `use crate::{a, b::c}` group (which may span lines: `code` is the whole file).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // First-level names of the group: after `{` or a `,` at depth 0.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        out.insert(ident(&group[j..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

/// Which top-level modules each top-level module uses. Comment lines do not count.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = first.trim_end_matches(".rs").to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .map(|l| format!("{l}\n"))
            .collect();
        let used = deps.entry(top.clone()).or_default();
        used.extend(crate_paths(&code).into_iter().filter(|m| *m != top));
    }
    deps
}

/// A cycle through `from`, as the list of modules on it, if there is one.
fn cycle_from(deps: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in deps.get(last).into_iter().flatten() {
            if next == from {
                let mut cycle = path.clone();
                cycle.push(from.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_top_level_module_imports_itself_back() {
    let mut deps = graph();
    assert!(
        deps.get("commands").is_some_and(|d| d.contains("site")),
        "the parser reads nothing: {deps:?}"
    );
    for (from, to, fix) in KNOWN {
        let present = deps.get_mut(*from).is_some_and(|d| d.remove(*to));
        assert!(
            present,
            "{from} -> {to} is gone ({fix}): remove it from KNOWN"
        );
    }
    let cycles: Vec<String> = deps
        .keys()
        .filter_map(|m| cycle_from(&deps, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_parser_sees_grouped_and_inline_paths() {
    let found = crate_paths(
        "use crate::{\n    a::X,\n    b::{c, d},\n    e,\n};\nfn f() { crate::g::h(); }",
    );
    let expected: BTreeSet<String> = ["a", "b", "e", "g"].map(String::from).into();
    assert_eq!(found, expected);
}
