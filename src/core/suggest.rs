//! "Did you mean …?" for misspelt keys, ids and names.
//!
//! A suggestion is the closest candidate within a third of its length in edits (at least one),
//! ignoring case; ties go to the smaller name. Finding it costs an edit distance per
//! candidate, so a handbook with thousands of broken links must not compare each with every
//! id: [`Suggester`] indexes the candidates once, remembers its answers, and spends at most a
//! fixed amount of work in total, so a check stays linear in the size of the handbook.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};

/// Names longer than this are not typos of one another (a pasted paragraph, a 1 MB target):
/// they get no suggestion rather than a distance that costs their length squared.
const MAX_CHARS: usize = 128;

/// Cells of edit-distance tables one [`Budget`] may fill when the index has no answer (typos
/// of three or more edits, in names longer than eight characters): about 40 ms in a release
/// build, hundreds of such questions among ten thousand names. Past it, those get no
/// suggestion; one- and two-edit typos are still found.
pub const WORK: u64 = 20_000_000;

/// The edit distance allowed for a candidate of `chars` characters.
fn allowed(chars: usize) -> usize {
    (chars / 3).max(1)
}

/// The closest candidate to `input`, if one is close enough to be a likely typo.
/// For one question over a short list; many questions over one list use [`Suggester`].
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let query = lower(input);
    if query.len() > MAX_CHARS {
        return None;
    }
    let (mut rows, mut chars) = (Rows::default(), Vec::new());
    let mut best: Option<(usize, &str)> = None;
    for name in candidates {
        chars.clear();
        chars.extend(name.chars().map(|c| c.to_ascii_lowercase()));
        let limit = allowed(chars.len());
        let bound = match best {
            None => limit,
            Some((d, b)) if name < b => d.min(limit),
            Some((0, _)) => continue,
            Some((d, _)) => (d - 1).min(limit),
        };
        if let (Some(d), _) = distance_within(&query, &chars, bound, &mut rows) {
            best = Some((d, name));
        }
    }
    best.map(|(_, name)| name)
}

/// Work left for suggestions, shared by the suggesters of one run.
#[derive(Debug)]
pub struct Budget(Cell<u64>);

impl Default for Budget {
    fn default() -> Self {
        Budget(Cell::new(WORK))
    }
}

impl Budget {
    pub fn new(cells: u64) -> Self {
        Budget(Cell::new(cells))
    }

    fn spend(&self, cells: u64) {
        self.0.set(self.0.get().saturating_sub(cells));
    }

    pub fn exhausted(&self) -> bool {
        self.0.get() == 0
    }
}

/// Names up to this long are indexed by every way to delete up to two of their characters.
const INDEXED_CHARS: usize = 16;
/// Edits the index finds: a name within two edits of another shares a two-deletion variant.
const INDEXED_EDITS: usize = 2;
/// Fewer candidates than this (the headings of most documents, a list of keys) are scanned,
/// which costs less than an index of up to 137 keys a name.
const INDEXED_FROM: usize = 32;

/// Candidates indexed by length and by their deletion variants, with a memory of the
/// answers already given.
pub struct Suggester<'a> {
    names: Vec<&'a str>,
    /// Lower-cased characters of each candidate (empty when longer than [`MAX_CHARS`]).
    lowered: Vec<Vec<char>>,
    by_len: BTreeMap<usize, Vec<u32>>,
    /// (key, candidate), sorted: the hash of each short candidate with up to two characters
    /// deleted. Typos of one or two edits (the common ones, and a renamed id prefix) are
    /// found by looking up the query's own variants, without a scan.
    near: Vec<(u64, u32)>,
    indexed: bool,
    answers: RefCell<HashMap<String, Option<u32>>>,
}

impl<'a> Suggester<'a> {
    pub fn new(candidates: impl IntoIterator<Item = &'a str>) -> Self {
        let mut s = Suggester {
            names: Vec::new(),
            lowered: Vec::new(),
            by_len: BTreeMap::new(),
            near: Vec::new(),
            indexed: false,
            answers: RefCell::new(HashMap::new()),
        };
        for c in candidates {
            let i = s.names.len() as u32;
            let chars = lower(c);
            if chars.len() <= MAX_CHARS {
                s.by_len.entry(chars.len()).or_default().push(i);
                s.lowered.push(chars);
            } else {
                s.lowered.push(Vec::new());
            }
            s.names.push(c);
        }
        s.indexed = s.names.len() >= INDEXED_FROM;
        if s.indexed {
            for (i, chars) in s.lowered.iter().enumerate() {
                if chars.len() <= INDEXED_CHARS {
                    s.near
                        .extend(variants(chars).into_iter().map(|k| (k, i as u32)));
                }
            }
            s.near.sort_unstable();
        }
        s
    }

    /// The closest candidate to `input`, spending at most what `budget` has left.
    pub fn suggest(&self, input: &str, budget: &Budget) -> Option<&'a str> {
        if let Some(known) = self.answers.borrow().get(input) {
            return known.map(|i| self.names[i as usize]);
        }
        let found = self.search(input, budget);
        self.answers.borrow_mut().insert(input.to_string(), found);
        found.map(|i| self.names[i as usize])
    }

    fn search(&self, input: &str, budget: &Budget) -> Option<u32> {
        if input.chars().count() > MAX_CHARS {
            return None;
        }
        let query = lower(input);
        let n = query.len();
        let mut rows = Rows::default();
        let mut best = None;
        if self.indexed {
            best = self.nearest_indexed(&query, &mut rows);
        }
        // Every candidate within two edits is indexed when the query is this short, and
        // nothing farther can beat one found.
        if best.is_some() && n + INDEXED_EDITS <= INDEXED_CHARS {
            return best.map(|(_, _, i)| i);
        }
        // Farther typos need a scan. A question begun is answered in full, so an answer
        // never depends on where the budget ran out; the overshoot is one question's work.
        if budget.exhausted() {
            return best.map(|(_, _, i)| i);
        }
        // A candidate of length c is within reach only if |n - c| <= allowed(c); since
        // allowed(c) <= c / 3 + 1, no candidate longer than 3n / 2 + 2 qualifies.
        let lengths = n.saturating_sub(n / 2 + 1)..=(n * 3 / 2 + 2);
        for (&len, group) in self.by_len.range(lengths) {
            let limit = allowed(len);
            // Short names are allowed no more edits than the index finds.
            let found_by_index = self.indexed && len <= INDEXED_CHARS && limit <= INDEXED_EDITS;
            if n.abs_diff(len) > limit || found_by_index {
                continue;
            }
            for &i in group {
                let name = self.names[i as usize];
                // Ties go to the smaller name: only a strictly better candidate can win.
                let bound = match best {
                    None => limit,
                    Some((d, b, _)) if name < b => d.min(limit),
                    Some((0, _, _)) => continue,
                    Some((d, _, _)) => (d - 1).min(limit),
                };
                let lowered = &self.lowered[i as usize];
                let (d, cells) = distance_within(&query, lowered, bound, &mut rows);
                budget.spend(cells);
                if let Some(d) = d {
                    best = Some((d, name, i));
                }
            }
        }
        best.map(|(_, _, i)| i)
    }

    /// The closest indexed candidate within two edits (and its allowance).
    fn nearest_indexed(&self, query: &[char], rows: &mut Rows) -> Option<(usize, &'a str, u32)> {
        let mut best: Option<(usize, &'a str, u32)> = None;
        for key in variants(query) {
            let from = self.near.partition_point(|&(k, _)| k < key);
            for &(k, i) in &self.near[from..] {
                if k != key {
                    break;
                }
                let lowered = &self.lowered[i as usize];
                let bound = allowed(lowered.len()).min(INDEXED_EDITS);
                if let (Some(d), _) = distance_within(query, lowered, bound, rows) {
                    let candidate = (d, self.names[i as usize], i);
                    if best.is_none_or(|b| candidate < b) {
                        best = Some(candidate);
                    }
                }
            }
        }
        best
    }
}

/// Keys of `chars` whole and with any one or two characters deleted: the hash of the text
/// that results, whichever way it came about (a polynomial hash assembled from prefix hashes,
/// so each key costs a few multiplications).
fn variants(chars: &[char]) -> Vec<u64> {
    const BASE: u64 = 0x100_0000_01b3;
    let n = chars.len();
    let mut prefix = vec![0u64; n + 1];
    let mut power = vec![1u64; n + 1];
    for (k, &c) in chars.iter().enumerate() {
        prefix[k + 1] = prefix[k].wrapping_mul(BASE).wrapping_add(c as u64 + 1);
        power[k + 1] = power[k].wrapping_mul(BASE);
    }
    // The hash of chars[a..b].
    let part = |a: usize, b: usize| prefix[b].wrapping_sub(prefix[a].wrapping_mul(power[b - a]));
    let mut keys = vec![prefix[n]];
    for p in 0..n {
        keys.push(
            part(0, p)
                .wrapping_mul(power[n - p - 1])
                .wrapping_add(part(p + 1, n)),
        );
        for q in p + 1..n {
            let head = part(0, p)
                .wrapping_mul(power[q - p - 1])
                .wrapping_add(part(p + 1, q));
            keys.push(
                head.wrapping_mul(power[n - q - 1])
                    .wrapping_add(part(q + 1, n)),
            );
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn lower(s: &str) -> Vec<char> {
    s.chars().map(|c| c.to_ascii_lowercase()).collect()
}

/// Three rows of an edit-distance table, reused from one candidate to the next.
#[derive(Default)]
struct Rows(Vec<usize>, Vec<usize>, Vec<usize>);

/// The optimal-string-alignment distance (Levenshtein plus adjacent transpositions) between
/// `a` and `b`, or `None` as soon as it must exceed `bound`; and the table cells it filled.
fn distance_within(a: &[char], b: &[char], bound: usize, rows: &mut Rows) -> (Option<usize>, u64) {
    if a.len().abs_diff(b.len()) > bound {
        return (None, 1);
    }
    let width = b.len() + 1;
    let Rows(before, prev, row) = rows;
    for r in [&mut *before, &mut *prev, &mut *row] {
        r.clear();
        r.resize(width, 0);
    }
    prev.iter_mut().enumerate().for_each(|(j, v)| *v = j);
    for i in 1..=a.len() {
        row[0] = i;
        let mut smallest = row[0];
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
            smallest = smallest.min(d);
        }
        // A row's smallest value never shrinks further down the table.
        if smallest > bound {
            return (None, (i * width) as u64);
        }
        std::mem::swap(before, prev);
        std::mem::swap(prev, row);
    }
    let cells = ((a.len() + 1) * width) as u64;
    (Some(prev[b.len()]).filter(|&d| d <= bound), cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_only_near_misses() {
        let keys = ["owner", "classification", "version"];
        assert_eq!(did_you_mean("ownr", keys), Some("owner"));
        assert_eq!(did_you_mean("clasification", keys), Some("classification"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(
            did_you_mean("POL-099", ["POL-009", "PRO-004"]),
            Some("POL-009")
        );
        assert_eq!(did_you_mean("Onwer", keys), Some("owner"), "transposition");
    }

    #[test]
    fn distance_matches_the_textbook() {
        let d =
            |a: &str, b: &str| distance_within(&lower(a), &lower(b), 99, &mut Rows::default()).0;
        assert_eq!(d("kitten", "sitting"), Some(3));
        assert_eq!(d("ab", "ba"), Some(1));
        assert_eq!(d("", "abc"), Some(3));
        assert_eq!(
            distance_within(&lower("kitten"), &lower("sitting"), 2, &mut Rows::default()).0,
            None
        );
    }

    #[test]
    fn ties_go_to_the_smaller_name_in_any_order() {
        assert_eq!(
            did_you_mean("POL-002", ["POL-003", "POL-001"]),
            Some("POL-001")
        );
        assert_eq!(
            did_you_mean("POL-002", ["POL-001", "POL-003"]),
            Some("POL-001")
        );
    }

    #[test]
    fn a_spent_budget_gives_no_more_far_suggestions_and_answers_are_remembered() {
        // Paths are too long for the index: three edits away, they need a scan.
        let paths = ["content/policies/access.md", "content/policies/backup.md"];
        let s = Suggester::new(paths);
        let budget = Budget::new(10);
        let typo = "content/polices/acess.mdx";
        assert_eq!(s.suggest(typo, &budget), Some(paths[0]));
        assert!(budget.exhausted());
        assert_eq!(s.suggest(typo, &budget), Some(paths[0]), "remembered");
        assert_eq!(s.suggest("content/polices/backp.mdx", &budget), None);
    }

    #[test]
    fn one_or_two_edits_are_found_without_budget() {
        let ids: Vec<String> = (0..1000).map(|i| format!("POL-{i:04}")).collect();
        let s = Suggester::new(ids.iter().map(String::as_str));
        let spent = Budget::new(0);
        for (typo, why) in [
            ("PLO-0042", "transposed"),
            ("POL-042", "deleted"),
            ("POL-0X042", "inserted"),
            ("pol-0042", "case"),
            ("OLD-0042", "renamed prefix"),
        ] {
            assert_eq!(s.suggest(typo, &spent), Some("POL-0042"), "{why}");
        }
        assert_eq!(s.suggest("XYZ-9", &spent), None);
    }

    #[test]
    fn the_index_agrees_with_comparing_every_candidate() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let alphabet: Vec<char> = "ABP-01".chars().collect();
        let mut word = |len: usize| -> String { (0..len).map(|_| alphabet[next(6)]).collect() };
        let names: Vec<String> = (0..300).map(|k| word(2 + k % 18)).collect();
        let s = Suggester::new(names.iter().map(String::as_str));
        for k in 0..300 {
            let query = word(1 + k % 21);
            let q = lower(&query);
            let brute = names
                .iter()
                .filter_map(|c| {
                    let l = lower(c);
                    let d = distance_within(&q, &l, allowed(l.len()), &mut Rows::default()).0?;
                    Some((d, c.as_str()))
                })
                .min()
                .map(|(_, c)| c);
            assert_eq!(s.suggest(&query, &Budget::default()), brute, "{query}");
        }
    }

    #[test]
    fn huge_names_get_no_suggestion() {
        let long = "a".repeat(10_000);
        assert_eq!(did_you_mean(&long, [long.as_str()]), None);
    }
}
