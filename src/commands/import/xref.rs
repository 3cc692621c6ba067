//! Control claims on a cross-reference page, in the shapes handbooks use: a table or list row
//! with the control and its documents (`| A.9.2.3 | [Access](access.md) |`), or a heading per
//! control followed by a list of its documents. Ids are those of ISO/IEC 27001:2013
//! (`A.9.2.3`, `9.2.3`: mapped to their 2022 successors) or, on a page with no 2013 id,
//! of 2022 (`A.5.15`).

use crate::core::catalog::catalog;
use crate::core::types::ControlId;

/// A control as written on the page and the 2022 controls it stands for.
pub(super) type Claim = (String, Vec<ControlId>);

/// Reads one page's claims. `docs_on(line)` gives the documents a line names (by link, or
/// by title when it has no link).
pub(super) fn claims(
    lines: &[&str],
    mut docs_on: impl FnMut(&str) -> Vec<String>,
) -> Vec<(String, Claim)> {
    let edition_2013 = lines.iter().any(|l| !ids_2013(l).is_empty());
    let mut out = Vec::new();
    let mut context: Vec<Claim> = Vec::new();
    for line in lines {
        let ids = ids_in(line, edition_2013);
        let heading = line.starts_with('#');
        if heading {
            context = ids.clone();
        }
        let under = match (ids.is_empty(), heading) {
            (false, _) => ids,
            (true, false) => context.clone(),
            (true, true) => Vec::new(),
        };
        if under.is_empty() {
            continue;
        }
        for doc in docs_on(line) {
            for claim in &under {
                out.push((doc.clone(), claim.clone()));
            }
        }
    }
    out
}

fn ids_in(line: &str, edition_2013: bool) -> Vec<Claim> {
    if edition_2013 {
        return ids_2013(line)
            .into_iter()
            .filter_map(|old| {
                let new = catalog().successors_of_2013(&old)?;
                Some((old, new.to_vec()))
            })
            .collect();
    }
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .filter(|w| w.starts_with("A."))
        .filter_map(|w| {
            let id: ControlId = w.trim_end_matches('.').parse().ok()?;
            catalog().control(id).map(|_| (id.to_string(), vec![id]))
        })
        .collect()
}

/// 2013 control ids on a line: `A.9.2.3` or `9.2.3` (three numbers).
pub(super) fn ids_2013(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
        let bare = word
            .trim_end_matches('.')
            .strip_prefix("A.")
            .unwrap_or(word.trim_end_matches('.'));
        let parts: Vec<&str> = bare.split('.').collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        {
            out.push(format!("A.{bare}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(line: &str) -> Vec<String> {
        line.contains("](")
            .then(|| "POL-001".to_string())
            .into_iter()
            .collect()
    }

    #[test]
    fn finds_2013_ids_in_a_line() {
        assert_eq!(ids_2013("| A.9.2.3 | [Access](access.md) |"), ["A.9.2.3"]);
        assert_eq!(ids_2013("6.2.1, 12.3.1."), ["A.6.2.1", "A.12.3.1"]);
        assert!(ids_2013("version 1.2").is_empty());
    }

    #[test]
    fn a_heading_per_control_claims_the_list_below_it() {
        let page = [
            "# Controls",
            "## A.9.2.3 Management of privileged access rights",
            "- [Access Control Policy](access.md)",
            "",
            "## Notes",
            "- [Other](other.md)",
        ];
        let found = claims(&page, docs);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1 .0, "A.9.2.3");
    }

    #[test]
    fn a_page_of_2022_ids_claims_them_as_they_are() {
        let page = ["| Control | Document |", "| A.5.15 | [Access](access.md) |"];
        let found = claims(&page, docs);
        assert_eq!(found[0].1 .1, vec!["A.5.15".parse().unwrap()]);
    }
}
