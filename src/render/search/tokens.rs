//! Words of the search index: the same rules as theme/static/search.js applies to a query
//! (lower case, split at anything but letters and digits, Snowball-stemmed).

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

/// A map keyed by words: looked up for each of millions of words, so with a fast hash
/// (SipHash, the default, was a tenth of the index's time), still seeded per process.
pub type Fast<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use crate::load::config::SearchLanguage;

/// Turns words into index terms, each term numbered once: a handbook has a few thousand
/// distinct words and millions of occurrences, so each distinct word is lower-cased and
/// stemmed once, then found by lookup.
pub struct Words {
    stemmer: Option<Stemmer>,
    /// Word as written -> its term's number.
    seen: Fast<String, u32>,
    /// Term -> its number.
    numbers: Fast<String, u32>,
    /// Number -> term.
    pub terms: Vec<String>,
}

impl Words {
    pub fn new(language: SearchLanguage) -> Words {
        Words {
            stemmer: match language {
                SearchLanguage::English => Some(Stemmer::create(Algorithm::English)),
                SearchLanguage::None => None,
            },
            seen: Fast::default(),
            numbers: Fast::default(),
            terms: Vec::new(),
        }
    }

    /// Calls `f` with the number of the term of each word of `text`, in order.
    pub fn each(&mut self, text: &str, mut f: impl FnMut(u32)) {
        for word in words(text) {
            let n = match self.seen.get(word) {
                Some(&n) => n,
                None => {
                    let n = self.number(&self.term(word));
                    self.seen.insert(word.to_string(), n);
                    n
                }
            };
            f(n);
        }
    }

    /// The number of `term`, numbering it if it is new.
    pub fn number(&mut self, term: &str) -> u32 {
        if let Some(&n) = self.numbers.get(term) {
            return n;
        }
        let n = self.terms.len() as u32;
        self.terms.push(term.to_string());
        self.numbers.insert(term.to_string(), n);
        n
    }

    /// The index term of one word.
    pub fn term(&self, word: &str) -> String {
        let lower = word.to_lowercase();
        match &self.stemmer {
            Some(s) => s.stem(&lower).into_owned(),
            None => lower,
        }
    }
}

/// The words of `text`: its runs of letters and digits (`char::is_alphanumeric`), split at
/// anything else. Bytes, not chars, for ASCII, which is most of a handbook's text.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut start = None;
        while at < bytes.len() {
            let (len, alphanumeric) = match bytes[at] {
                b if b.is_ascii() => (1, b.is_ascii_alphanumeric()),
                _ => {
                    let c = text[at..].chars().next().unwrap_or(' ');
                    (c.len_utf8(), c.is_alphanumeric())
                }
            };
            match (alphanumeric, start) {
                (true, None) => start = Some(at),
                (false, Some(s)) => {
                    let word = &text[s..at];
                    at += len;
                    return Some(word);
                }
                _ => {}
            }
            at += len;
        }
        start.map(|s| &text[s..])
    })
}

/// FNV-1a of the term's UTF-8 bytes: which term shard holds it (search.js computes the same).
pub fn shard_of(term: &str, shards: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in term.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h % shards.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_meet_at_one_stem() {
        let mut w = Words::new(SearchLanguage::English);
        let mut numbers = Vec::new();
        w.each("Restoring, restored; RESTORE the back-ups", |n| {
            numbers.push(n)
        });
        let terms: Vec<&str> = numbers
            .iter()
            .map(|&n| w.terms[n as usize].as_str())
            .collect();
        assert_eq!(terms, ["restor", "restor", "restor", "the", "back", "up"]);
        assert_eq!(w.terms.len(), 4, "each term numbered once");
        let none = Words::new(SearchLanguage::None);
        assert_eq!(none.term("Restoring"), "restoring");
    }

    #[test]
    fn words_split_as_str_split_at_anything_but_letters_and_digits() {
        for text in [
            "",
            " ",
            "a",
            "Straße, café-au-lait; naïve résumé 42x",
            "  leading and trailing  ",
            "x\u{a0}y\u{2003}z — déjà–vu 日本語テキスト١٢٣",
            "emoji🙂between and\u{301}combining",
        ] {
            let ours: Vec<&str> = words(text).collect();
            let std: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }
}
