//! The edit `approve` makes to a front matter: exact byte spans found through the parsed
//! YAML, never a text search. Whatever it cannot place with certainty (block scalars,
//! anchors, tags, values over several lines) is refused; and every edit is checked by
//! parsing the result, which must equal the old front matter plus the approval, or nothing
//! is written.

use super::tree::{self, indent_at, line_end, scalar_end, Kind, Node};
use crate::core::diagnostics::Span;
use crate::load::yaml;

/// What the approval records.
pub struct Approval<'a> {
    pub version: String,
    pub by: &'a str,
    pub role: &'a str,
    pub date: String,
    pub digest: &'a str,
    /// `signer:` and `signature:` of a signed approval (`--sign`).
    pub signature: Option<&'a super::sign::Signature>,
}

/// Which fields the approval has to set besides the new approval.
#[derive(Clone, Copy)]
pub struct Needs {
    pub status: bool,
    pub effective: bool,
    pub review_last: bool,
}

/// A YAML scalar for a name: plain when that is unambiguous, else double-quoted.
pub fn plain_or_quoted(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_alphanumeric() || " .'-".contains(c))
        && !s.starts_with([' ', '\'', '-'])
        && !s.ends_with(' ');
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The lines a person adds by hand when approve refuses: the same edit, written out.
pub fn by_hand(needs: Needs, a: &Approval<'_>) -> String {
    let mut out = String::new();
    if needs.status {
        out.push_str("  status: approved\n");
    }
    if needs.effective {
        out.push_str(&format!("  effective: {}\n", a.date));
    }
    if needs.review_last {
        out.push_str(&format!("  review:\n    last: {}\n", a.date));
    }
    out.push_str("  approvals:\n");
    out.push_str(&item_block(a, "    ", "\n"));
    out
}

fn item_block(a: &Approval<'_>, dash: &str, eol: &str) -> String {
    let signed = a.signature.map_or(String::new(), |s| {
        format!(
            "{dash}  signer: {}{eol}{dash}  signature: {}{eol}",
            plain_or_quoted(&s.signer),
            s.yaml()
        )
    });
    format!(
        "{dash}- version: \"{}\"{eol}{dash}  by: {}{eol}{dash}  role: {}{eol}{dash}  date: {}{eol}{dash}  digest: {}{eol}{signed}",
        a.version,
        plain_or_quoted(a.by),
        plain_or_quoted(a.role),
        a.date,
        a.digest
    )
}

fn item_flow(a: &Approval<'_>) -> String {
    let signed = a.signature.map_or(String::new(), |s| {
        format!(
            ", signer: {}, signature: {}",
            plain_or_quoted(&s.signer),
            s.yaml()
        )
    });
    format!(
        "{{version: \"{}\", by: {}, role: {}, date: {}, digest: {}{signed}}}",
        a.version,
        plain_or_quoted(a.by),
        plain_or_quoted(a.role),
        a.date,
        a.digest
    )
}

struct Edits<'a> {
    yaml: &'a str,
    eol: &'static str,
    /// (start, end, new text): the bytes start..end are replaced; start == end inserts.
    list: Vec<(usize, usize, String)>,
}

impl Edits<'_> {
    fn put(&mut self, start: usize, end: usize, text: String) {
        self.list.push((start, end, text));
    }

    /// Replaces a scalar written on one line, keeping its quotes.
    fn set_scalar(&mut self, v: &Node, value: &str, field: &str) -> Result<(), String> {
        let end = match (&v.kind, v.tagged) {
            (Kind::Scalar { .. }, false) => scalar_end(self.yaml, v),
            _ => None,
        };
        let Some(end) = end else {
            return Err(format!(
                "`{field}` is not a plain or quoted value on one line (a block scalar `|` or `>`, a tag or a value over several lines)"
            ));
        };
        let quote = match &self.yaml[v.start..].chars().next() {
            Some(q @ ('"' | '\'')) => q.to_string(),
            _ => String::new(),
        };
        self.put(v.start, end, format!("{quote}{value}{quote}"));
        Ok(())
    }

    /// The byte just after the colon that follows the key `k`.
    fn after_colon(&self, k: &Node, field: &str) -> Result<usize, String> {
        let kend = scalar_end(self.yaml, k).ok_or_else(|| format!("`{field}` is written oddly"))?;
        let gap = self.yaml[kend..].find(':').filter(|&i| {
            self.yaml[kend..kend + i]
                .chars()
                .all(|c| c == ' ' || c == '\t')
        });
        gap.map(|i| kend + i + 1)
            .ok_or_else(|| format!("`{field}` is written oddly"))
    }

    /// Gives a null value (`key:` or `key: ~`) the value `value`.
    fn fill_null(&mut self, k: &Node, v: &Node, value: &str, field: &str) -> Result<(), String> {
        if v.is_empty_null() {
            let at = self.after_colon(k, field)?;
            self.put(at, at, format!(" {value}"));
            Ok(())
        } else {
            self.set_scalar(v, value, field)
        }
    }

    /// The byte just after a node that ends on a known line: a one-line scalar or a flow
    /// collection.
    fn end_of(&self, node: &Node) -> Option<usize> {
        match &node.kind {
            Kind::Scalar { .. } => scalar_end(self.yaml, node),
            Kind::Seq {
                flow: true, end, ..
            }
            | Kind::Map {
                flow: true, end, ..
            } => Some(end + 1),
            _ => None,
        }
    }

    fn review_last(&mut self, k: &Node, v: &Node, date: &str) -> Result<(), String> {
        let eol = self.eol;
        if v.tagged {
            return Err("`review` has a YAML tag".into());
        }
        if v.is_empty_null() {
            let pad = format!("{}  ", indent_at(self.yaml, k.start));
            let at = line_end(self.yaml, k.start);
            self.put(at, at, format!("{pad}last: {date}{eol}"));
            return Ok(());
        }
        if v.is_null() {
            return self.set_scalar(v, &format!("{{ last: {date} }}"), "review");
        }
        let Kind::Map { flow, entries, end } = &v.kind else {
            return Err("`review` is not a mapping".into());
        };
        if let Some((lk, lv)) = v.get("last") {
            return if lv.is_null() {
                self.fill_null(lk, lv, date, "review.last")
            } else {
                Err("`review.last` is not a date".into())
            };
        }
        match (flow, entries.first()) {
            (true, None) => self.put(v.start + 1, *end, format!("last: {date}")),
            (true, Some((first, _))) => {
                self.put(first.start, first.start, format!("last: {date}, "))
            }
            (false, Some((first, _))) => {
                let pad = indent_at(self.yaml, first.start).to_string();
                if line_end(self.yaml, k.start) > first.start {
                    return Err("`review` starts its entries on its own line".into());
                }
                let at = line_end(self.yaml, k.start);
                self.put(at, at, format!("{pad}last: {date}{eol}"));
            }
            (false, None) => return Err("`review` is empty".into()),
        }
        Ok(())
    }

    fn approvals(&mut self, k: &Node, v: &Node, a: &Approval<'_>) -> Result<(), String> {
        let eol = self.eol;
        if v.tagged {
            return Err("`approvals` has a YAML tag".into());
        }
        if v.is_empty_null() {
            let dash = format!("{}  ", indent_at(self.yaml, k.start));
            let at = line_end(self.yaml, k.start);
            self.put(at, at, item_block(a, &dash, eol));
            return Ok(());
        }
        if v.is_null() {
            return self.set_scalar(v, &format!("[{}]", item_flow(a)), "approvals");
        }
        let Kind::Seq { flow, items, end } = &v.kind else {
            return Err("`approvals` is not a list".into());
        };
        let unplaceable = || "the last entry of `approvals` ends in a value over several lines";
        match (flow, items.last()) {
            (false, Some(_)) => {
                let dash = indent_at(self.yaml, v.start).to_string();
                let last = self.end_of(v.last_leaf()).ok_or_else(unplaceable)?;
                let at = line_end(self.yaml, last);
                self.put(at, at, item_block(a, &dash, eol));
            }
            (true, None) => {
                // `approvals: []` becomes a block list, as a person would write it, when
                // nothing but a comment follows the brackets.
                let close = line_end(self.yaml, *end);
                let rest = self.yaml[end + 1..close].trim();
                let colon = self.after_colon(k, "approvals")?;
                if (rest.is_empty() || rest.starts_with('#')) && line_end(self.yaml, colon) == close
                {
                    let dash = format!("{}  ", indent_at(self.yaml, k.start));
                    self.put(colon, end + 1, String::new());
                    self.put(close, close, item_block(a, &dash, eol));
                } else {
                    self.put(v.start + 1, *end, item_flow(a));
                }
            }
            (true, Some(last)) => {
                let at = self.end_of(last).ok_or_else(unplaceable)?;
                self.put(at, at, format!(", {}", item_flow(a)));
            }
            (false, None) => return Err("`approvals` is empty".into()),
        }
        Ok(())
    }

    fn apply(mut self) -> String {
        // Stable: insertions at the same place keep the order they were made in.
        self.list.sort_by_key(|&(start, _, _)| start);
        let mut out = String::with_capacity(self.yaml.len() + 256);
        let mut pos = 0;
        for (start, end, text) in self.list {
            out.push_str(&self.yaml[pos..start]);
            out.push_str(&text);
            pos = end;
        }
        out.push_str(&self.yaml[pos..]);
        out
    }
}

/// The new front matter text (between the `---` lines), or why approve will not edit it.
pub fn edit(yaml: &str, needs: Needs, a: &Approval<'_>) -> Result<String, String> {
    let tree = tree::parse(yaml)?.ok_or("the front matter is empty")?;
    if tree.anchors {
        return Err(
            "the front matter uses YAML anchors or aliases (`&name`, `*name`): an edit could change values elsewhere"
                .into(),
        );
    }
    let root = &tree.root;
    let first_key = match &root.kind {
        Kind::Map {
            flow: false,
            entries,
            ..
        } => entries.first().map(|(k, _)| k),
        _ => None,
    };
    let Some(first_key) = first_key else {
        return Err("the front matter is not a block mapping (one `key: value` per line)".into());
    };
    let top = indent_at(yaml, first_key.start).to_string();
    let eol = if yaml.contains("\r\n") { "\r\n" } else { "\n" };
    let mut e = Edits {
        yaml,
        eol,
        list: Vec::new(),
    };
    let status = root.get("status");
    if needs.status {
        let (_, v) = status.ok_or("there is no `status` field")?;
        e.set_scalar(v, "approved", "status")?;
    }
    // New top-level fields go below `status`, where a reader looks for them.
    let below_status = status
        .and_then(|(_, v)| scalar_end(yaml, v))
        .map_or(yaml.len(), |end| line_end(yaml, end));
    let mut new_top = String::new();
    if needs.effective {
        match root.get("effective") {
            None => new_top.push_str(&format!("{top}effective: {}{eol}", a.date)),
            Some((k, v)) if v.is_null() => e.fill_null(k, v, &a.date, "effective")?,
            Some(_) => {}
        }
    }
    if needs.review_last {
        match root.get("review") {
            None => new_top.push_str(&format!("{top}review:{eol}{top}  last: {}{eol}", a.date)),
            Some((k, v)) => e.review_last(k, v, &a.date)?,
        }
    }
    if !new_top.is_empty() {
        e.put(below_status, below_status, new_top);
    }
    match root.get("approvals") {
        None => {
            let block = format!(
                "{top}approvals:{eol}{}",
                item_block(a, &format!("{top}  "), eol)
            );
            e.put(yaml.len(), yaml.len(), block);
        }
        Some((k, v)) => e.approvals(k, v, a)?,
    }
    let new = e.apply();
    verify(yaml, &new, needs, a)?;
    Ok(new)
}

pub(super) fn scalar(text: &str, quoted: bool) -> yaml::Node {
    yaml::Node {
        value: yaml::Value::Scalar {
            text: text.to_string(),
            quoted,
        },
        span: Span::new(1, 1, 1),
    }
}

fn map(entries: Vec<(&str, yaml::Node)>) -> yaml::Node {
    yaml::Node {
        value: yaml::Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (scalar(k, false), v))
                .collect(),
        ),
        span: Span::new(1, 1, 1),
    }
}

/// Sets `key` in a mapping node, keeping its place if it is there.
pub(super) fn set(node: &mut yaml::Node, key: &str, value: yaml::Node) {
    if let yaml::Value::Map(entries) = &mut node.value {
        match entries.iter_mut().find(|(k, _)| is_key(k, key)) {
            Some((_, v)) => *v = value,
            None => entries.push((scalar(key, false), value)),
        }
    }
}

fn is_key(k: &yaml::Node, key: &str) -> bool {
    matches!(&k.value, yaml::Value::Scalar { text, .. } if text == key)
}

pub(super) fn get<'n>(node: &'n mut yaml::Node, key: &str) -> Option<&'n mut yaml::Node> {
    match &mut node.value {
        yaml::Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| is_key(k, key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Same YAML data: scalars as written (text and quoting), lists in order, mappings in any.
pub(super) fn same(a: &yaml::Node, b: &yaml::Node) -> bool {
    use yaml::Value::*;
    match (&a.value, &b.value) {
        (Scalar { text: x, quoted: p }, Scalar { text: y, quoted: q }) => x == y && p == q,
        (Seq(x), Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Map(x), Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .filter(|(l, _)| same(k, l))
                        .map(|(_, w)| same(v, w))
                        .eq([true])
                })
        }
        _ => false,
    }
}

/// Parses the edited front matter: it must be the old one with exactly the approval added.
fn verify(old: &str, new: &str, needs: Needs, a: &Approval<'_>) -> Result<(), String> {
    let unsafe_edit = || "approve could not place its edit with certainty".to_string();
    let parse = |t: &str| yaml::parse(t, 1).ok().flatten();
    let (Some(mut expected), Some(got)) = (parse(old), parse(new)) else {
        return Err(unsafe_edit());
    };
    let date = || scalar(&a.date, false);
    if needs.status {
        let quoted = get(&mut expected, "status")
            .is_some_and(|s| matches!(s.value, yaml::Value::Scalar { quoted: true, .. }));
        set(&mut expected, "status", scalar("approved", quoted));
    }
    if needs.effective && get(&mut expected, "effective").is_none_or(|v| v.is_null()) {
        set(&mut expected, "effective", date());
    }
    if needs.review_last {
        match get(&mut expected, "review") {
            Some(r) if !r.is_null() => set(r, "last", date()),
            _ => set(&mut expected, "review", map(vec![("last", date())])),
        }
    }
    let quoted = |s: &str| plain_or_quoted(s).starts_with('"');
    let mut item = map(vec![
        ("version", scalar(&a.version, true)),
        ("by", scalar(a.by, quoted(a.by))),
        ("role", scalar(a.role, quoted(a.role))),
        ("date", date()),
        ("digest", scalar(a.digest, false)),
    ]);
    if let Some(s) = a.signature {
        set(&mut item, "signer", scalar(&s.signer, quoted(&s.signer)));
        set(&mut item, "signature", scalar(&s.armored, true));
    }
    match get(&mut expected, "approvals") {
        Some(yaml::Node {
            value: yaml::Value::Seq(items),
            ..
        }) => items.push(item),
        _ => {
            let list = yaml::Node {
                value: yaml::Value::Seq(vec![item]),
                span: Span::new(1, 1, 1),
            };
            set(&mut expected, "approvals", list);
        }
    }
    if same(&expected, &got) {
        Ok(())
    } else {
        Err(unsafe_edit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval() -> Approval<'static> {
        Approval {
            version: "1.2".into(),
            by: "Jane Doe",
            role: "CEO",
            date: "2026-05-02".into(),
            digest: "sha256:00",
            signature: None,
        }
    }

    const ALL: Needs = Needs {
        status: true,
        effective: true,
        review_last: true,
    };

    /// Shapes approve edits, and shapes it refuses: never a third outcome.
    #[test]
    fn every_shape_is_edited_exactly_or_refused() {
        let edited = [
            "status: draft\n",
            "status: draft # c\n",
            "status:   \"draft\"  \n",
            "status: 'draft'\n",
            "status:\n  draft\n",
            "  status: draft\n  tags: []\n",
            "status: draft\nreview: ~\napprovals: ~\n",
            "status: draft\nreview:\n  last:\napprovals:\n",
            "status: draft\nreview: {}\napprovals: [ ]\n",
            "status: draft\nreview:   # later\n  interval: 6 months\n",
            "status: draft\napprovals:\n  - version: \"1.0\"\n    digest: x # c\n\n# gap\n",
            "status: draft\napprovals: [\n  {version: \"1.0\"},\n]\n",
            "status: draft\neffective:\n",
            "status: draft\r\nreview:\r\n",
            "é: ü\nstatus: draft\n",
            "status: draft\nextra: {a: [1, 2], b: \"x: y\"}\n",
        ];
        for yaml in edited {
            let new = edit(yaml, ALL, &approval()).unwrap_or_else(|e| panic!("{yaml:?}: {e}"));
            assert!(new.contains("approved"), "{yaml:?} -> {new:?}");
        }
        let refused = [
            "status: |-\n  draft\n",
            "status: >\n  draft\n",
            "status: !!str draft\n",
            "status: &s draft\nx: *s\n",
            "status: \"dr\n  aft\"\n",
            "{status: draft}\n",
            "status: draft\nreview: yearly\n",
            "status: draft\napprovals: {a: 1}\n",
            "status: draft\napprovals:\n  - digest: |\n      x\n",
            "status: draft\nreview: !!map\n  interval: 6 months\n",
            "- status\n",
        ];
        for yaml in refused {
            assert!(edit(yaml, ALL, &approval()).is_err(), "{yaml:?}");
        }
    }
}
