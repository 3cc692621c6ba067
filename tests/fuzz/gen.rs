//! Strategies for hostile but plausible inputs: files a careless author or an attacker could
//! write, built from the pieces real handbooks are made of, not only random bytes.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// Characters that mean something to YAML, TOML, Markdown or HTML, plus the troublemakers:
/// tabs, lone CR, NUL, BOM, right-to-left override, wide and combining characters.
const NASTY: &[char] = &[
    'a', 'Z', '0', '9', ' ', ' ', '-', '.', ':', '#', '[', ']', '{', '}', '&', '*', '!', '|', '>',
    '<', '\'', '"', '%', '@', '`', ',', '?', '=', '\\', '/', '(', ')', '_', '~', '^', '+', '\t',
    '\r', '\n', '\0', '\u{feff}', '\u{202e}', 'é', '€', '😀', '\u{301}', '\u{85}', '\u{2028}',
];

pub fn junk(max: usize) -> impl Strategy<Value = String> {
    vec(select(NASTY), 0..max).prop_map(|v| v.into_iter().collect())
}

/// A scalar as an author might write one, valid or not for the field it lands in.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        select(&[
            "POL-001",
            "BASE-01",
            "pol-1",
            "POLICY-00001",
            "1.0",
            "\"1.10\"",
            "1.10",
            "01.1",
            "1.1.1",
            "\"99999999999.1\"",
            "1e999",
            "0x1F",
            "-1",
            ".inf",
            "~",
            "null",
            "''",
            "yes",
            "2026-01-15",
            "2026-02-30",
            "2028-02-29",
            "0000-00-00",
            "9999-12-31",
            "2026-1-5",
            "2026-01-15T10:00:00Z",
            "approved",
            "draft",
            "retired",
            "CISO",
            "Nobody",
            "internal",
            "secret",
            "\"\\uD800\"",
            "\"\\x00\"",
            "\"\\N\\_\"",
            "'it''s'",
            "!!binary aGVsbG8=",
            "!custom POL-001",
            "&anchor POL-001",
            "*anchor",
            "*undefined",
            "[]",
            "{}",
            "[A.5.15, 5.1, A.9.9, A.5.1.1]",
            "=cmd|' /C calc'!A0",
            "|\n  block\n  text",
            ">-\n  folded\n  text",
            "\"unterminated",
            "[unclosed",
            "{a: 1, a: 2}",
        ])
        .prop_map(String::from),
        junk(12),
    ]
}

/// The top-level keys of front matter, from the one schema table the parser reads.
fn fields() -> Vec<&'static str> {
    ismsbook::load::FIELDS
        .iter()
        .map(|f| f.name)
        .filter(|n| !n.contains('.'))
        .collect()
}

/// Aliases that expand exponentially if anyone ever expands them (billion laughs).
pub fn laughs(levels: usize, width: usize) -> String {
    let mut out = String::from("extra:\n  l0: &l0 lol\n");
    for i in 1..levels {
        let refs = vec![format!("*l{}", i - 1); width].join(", ");
        out.push_str(&format!("  l{i}: &l{i} [{refs}]\n"));
    }
    out
}

/// Nesting `depth` levels deep, in one of YAML's three ways to nest.
pub fn nested(kind: u8, depth: usize) -> String {
    match kind % 3 {
        0 => format!("extra: {}{}", "[".repeat(depth), "]".repeat(depth)),
        1 => format!("extra: {}x{}", "{a: ".repeat(depth), "}".repeat(depth)),
        _ => {
            // Indentation grows with depth: a few hundred levels already make 100 KB.
            let mut s = String::from("extra:\n");
            for i in 0..depth.min(400) {
                s.push_str(&" ".repeat(i + 1));
                s.push_str("- \n");
            }
            s
        }
    }
}

/// One front matter entry (possibly several lines, `\n`-separated).
fn entry() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (select(fields()), scalar()).prop_map(|(k, v)| format!("{k}: {v}")),
        2 => (select(fields()), vec(scalar(), 0..4))
            .prop_map(|(k, vs)| format!("{k}:\n{}", vs.iter().map(|v| format!("  - {v}\n")).collect::<String>())),
        1 => (select(&["interval", "last", "next", "inteval"]), scalar())
            .prop_map(|(k, v)| format!("review:\n  {k}: {v}")),
        1 => select(&["99999999 months", "4294967295 days", "999999999 weeks", "429496730 years",
                      "0 days", "-1 months", "1 fortnight", "none", "12 months"])
            .prop_map(|i| format!("review:\n  interval: {i}\n  last: 2026-01-10")),
        1 => (scalar(), scalar(), scalar()).prop_map(|(v, r, d)| format!(
            "approvals:\n  - version: {v}\n    by: Jane\n    role: {r}\n    date: {d}\n    digest: sha256:{}",
            "0".repeat(64))),
        1 => (junk(8), scalar()).prop_map(|(k, v)| format!("{k}: {v}")),
        1 => junk(30),
        1 => (1usize..12, 1usize..12).prop_map(|(l, w)| laughs(l, w)),
        1 => (any::<u8>(), 1usize..3000).prop_map(|(k, d)| nested(k, d)),
        1 => select(&["\tid: POL-001", "id:\tPOL-001", "? [complex, key]\n: value", "%YAML 1.2",
                      "&a id: POL-001", "<<: *a", "--- !tag", "...", "id: POL-001 # comment",
                      "title: \"a\nb\"", "title: 'x\n\n  y'", "  indented: wrongly"])
            .prop_map(String::from),
    ]
}

/// How lines end: LF, CRLF, a lone CR, or a mix.
fn eol() -> impl Strategy<Value = &'static str> {
    select(&["\n", "\n", "\r\n", "\r", "\u{2028}"])
}

fn join(lines: &[String], eol: &str) -> String {
    lines
        .iter()
        .map(|l| l.replace('\n', eol))
        .collect::<Vec<_>>()
        .join(eol)
}

/// A whole file's bytes from text: maybe a BOM, maybe cut short, maybe a byte that is not UTF-8.
pub fn damage(text: String) -> impl Strategy<Value = Vec<u8>> {
    let len = text.len();
    (
        any::<bool>(),
        0u8..8,
        0..=len,
        select(&[0xffu8, 0xc3, 0x80, 0xed, 0xfe]),
    )
        .prop_map(move |(bom, how, at, byte)| {
            let mut bytes = text.clone().into_bytes();
            match how {
                0 => bytes.truncate(at),
                1 => bytes.insert(at, byte),
                _ => {}
            }
            if bom {
                bytes.splice(0..0, "\u{feff}".bytes());
            }
            bytes
        })
}

/// A document: front matter from `entries`, a closing line, a body.
pub fn document(body: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (
        vec(entry(), 0..14),
        eol(),
        body,
        select(&["---", "...", "--- ", "----", ""]),
    )
        .prop_map(|(entries, eol, body, close)| {
            format!(
                "---{eol}{}{eol}{close}{eol}{}",
                join(&entries, eol),
                body.replace('\n', eol)
            )
        })
}

/// A valid front matter, so the body is what gets tested.
pub fn valid_front(id: &str) -> String {
    format!("---\nid: {id}\ntitle: Fuzzed\ntype: policy\nversion: \"0.1\"\nstatus: draft\nowner: CISO\nclassification: internal\ncontrols: [A.5.1]\nrelated: [BASE-01]\n---\n")
}

fn link_target() -> impl Strategy<Value = String> {
    prop_oneof![
        select(&[
            "BASE-01",
            "BASE-01#baseline",
            "FUZ-01#nowhere",
            "POL-404",
            "A.5.1",
            "A.9.9",
            "5.15",
            "../baseline.md",
            "../../etc/passwd",
            "/abs/path.html",
            "other.md#x",
            "img.png",
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "java\tscript:x",
            "vbscript:x",
            "data:text/html,<script>x</script>",
            "https://example.org/a?b#c",
            "mailto:a@b",
            "#top",
            "#",
            "",
            "%2e%2e/baseline.md",
            "%zz",
            "<with space>",
            "file:///etc/passwd",
            "\\\\host\\x",
        ])
        .prop_map(String::from),
        junk(10),
    ]
}

fn inline() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => junk(20),
        3 => (junk(6), link_target()).prop_map(|(t, d)| format!("[{t}]({d})")),
        1 => link_target().prop_map(|d| format!("![img]({d} \"title\")")),
        1 => link_target().prop_map(|d| format!("[ref][r]\n\n[r]: {d}")),
        1 => link_target().prop_map(|d| format!("<a href=\"{d}\">x</a><img src=\"{d}\" srcset=\"{d} 2x\">")),
        1 => select(&["**bold**", "*em", "`code", "~~del~~", "[^1]", "[^1]: note", "&amp;", "&#0;",
                      "&#x110000;", "<http://auto.link>", "<script>alert(1)</script>", "<!-- c",
                      "<div>", "</div>", "<svg onload=x>", "\\", "[", "]("])
            .prop_map(String::from),
    ]
}

/// A Markdown block, nested into lists and quotes up to a few levels.
pub fn markdown() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => vec(inline(), 1..5).prop_map(|v| v.join(" ")),
        1 => (1usize..8, junk(10), select(&["", " {#custom}", " {#BASE-01 .c}", " {#}", " #"]))
            .prop_map(|(n, t, a)| format!("{} {t}{a}", "#".repeat(n))),
        1 => (1usize..6, 0usize..5, inline()).prop_map(|(cols, rows, cell)| {
            let row = |c: &str| format!("|{}|", vec![c; cols].join("|"));
            let mut t = vec![row("h"), row("---")];
            t.extend(std::iter::repeat_n(row(&cell), rows));
            t.join("\n")
        }),
        1 => (select(&["```", "~~~", "    "]), junk(20)).prop_map(|(f, c)| format!("{f}\n{c}")),
        1 => select(&["---", "***", "- [ ] task", "- [x] done", "<details>\n<summary>s</summary>"])
            .prop_map(String::from),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            (
                vec(inner.clone(), 1..4),
                select(&["- ", "* ", "1. ", "> ", "  ", ">> "])
            )
                .prop_map(|(blocks, prefix)| blocks
                    .join("\n\n")
                    .lines()
                    .map(|l| format!("{prefix}{l}"))
                    .collect::<Vec<_>>()
                    .join("\n")),
            vec(inner, 1..5).prop_map(|b| b.join("\n\n")),
        ]
    })
}

fn soa_key() -> impl Strategy<Value = String> {
    prop_oneof![
        select(&[
            "A.7.4",
            "7.4",
            "A.5.1",
            "A.8.24",
            "A.9.9",
            "A.5.1.1",
            "A.99999999999.1",
            "a.7.4",
            "\"A.7.4\"",
            "~",
            "[A.5.1]",
            "? A.5.2\n ",
            "A.7.4 ",
            "&c A.7.5",
            "*c"
        ])
        .prop_map(String::from),
        junk(8),
    ]
}

/// `content/soa.yaml`: sections right and wrong, entries right and wrong.
pub fn soa() -> impl Strategy<Value = String> {
    let section = (
        select(&[
            "excluded", "included", "exclude", "Excluded", "other", "excluded", "included",
        ]),
        vec((soa_key(), scalar()), 0..8),
    )
        .prop_map(|(name, entries)| {
            let body: String = entries
                .iter()
                .map(|(k, v)| format!("  {k}: {}\n", v.replace('\n', "\n    ")))
                .collect();
            format!("{name}:\n{body}")
        });
    let weird = prop_oneof![
        junk(30),
        (1usize..12, 1usize..12).prop_map(|(l, w)| laughs(l, w).replacen("extra", "excluded", 1)),
        (any::<u8>(), 1usize..3000)
            .prop_map(|(k, d)| nested(k, d).replacen("extra", "included", 1)),
        select(&[
            "- A.7.4",
            "excluded: [A.7.4]",
            "excluded: text",
            "excluded:\n\tA.7.4: tab"
        ])
        .prop_map(String::from),
    ];
    (vec(prop_oneof![4 => section, 1 => weird], 0..4), eol())
        .prop_map(|(parts, eol)| join(&parts, eol))
}

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        select(&[
            "\"Title\"",
            "5",
            "true",
            "1979-05-27",
            "[]",
            "[1, 2]",
            "[\"CEO\"]",
            "[\"Nobody\"]",
            "[\"a\", 1]",
            "{ a = 1 }",
            "\"12 months\"",
            "\"99999999 months\"",
            "\"4294967295 days\"",
            "\"999999999 weeks\"",
            "\"429496730 years\"",
            "\"-1 days\"",
            "\"1e9 weeks\"",
            "\"none\"",
            "\"\"",
            "'''multi\nline'''",
            "\"\\uD800\"",
            "\"\\u0000\"",
            "nan",
            "1e999",
            "\"unterminated",
            "[\"public\", \"public\"]",
        ])
        .prop_map(String::from),
        (0usize..3000, any::<bool>()).prop_map(|(d, inline)| match inline {
            true => format!("{}1{}", "{ a = ".repeat(d), " }".repeat(d)),
            false => format!("{}{}", "[".repeat(d), "]".repeat(d)),
        }),
        junk(10).prop_map(|j| format!("\"{j}\"")),
    ]
}

const TOML_KEYS: &[&str] = &[
    "title",
    "organization",
    "organisation",
    "levels",
    "default_interval",
    "warn_before",
    "roles",
    "policy",
    "record",
    "register",
    "nonsense",
    "CEO",
    "CISO",
    "types",
    "\"quoted key\"",
    "a.b",
];
const TOML_TABLES: &[&str] = &[
    "[handbook]",
    "[roles]",
    "[classification]",
    "[review]",
    "[review.intervals]",
    "[approval]",
    "[approval.types]",
    "[[handbook]]",
    "[unknown]",
    "[handbook.deep.er]",
    "",
];

/// `ismsbook.toml`: the real tables with keys and values of the right and the wrong kind.
pub fn toml() -> impl Strategy<Value = String> {
    let table = (
        select(TOML_TABLES),
        vec((select(TOML_KEYS), toml_value()), 0..6),
    )
        .prop_map(|(name, kvs)| {
            let body: String = kvs.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
            format!("{name}\n{body}")
        });
    let start = "[handbook]\ntitle = \"T\"\norganization = \"O\"\n".to_string();
    (
        any::<bool>(),
        vec(prop_oneof![5 => table, 1 => junk(20)], 0..6),
        eol(),
    )
        .prop_map(move |(keep_start, tables, eol)| {
            let mut parts = tables;
            if keep_start {
                parts.insert(0, start.clone());
            }
            join(&parts, eol)
        })
}
