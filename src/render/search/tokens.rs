//! Words of the search index: the same rules as theme/static/search.js applies to a query
//! (lower case, split at anything but letters and digits, Snowball-stemmed).

use rust_stemmers::{Algorithm, Stemmer};

use crate::load::config::SearchLanguage;

pub struct Words {
    stemmer: Option<Stemmer>,
}

impl Words {
    pub fn new(language: SearchLanguage) -> Words {
        Words {
            stemmer: match language {
                SearchLanguage::English => Some(Stemmer::create(Algorithm::English)),
                SearchLanguage::None => None,
            },
        }
    }

    /// The index terms of `text`, in order, repeats included.
    pub fn terms<'t>(&'t self, text: &'t str) -> impl Iterator<Item = String> + 't {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| self.term(w))
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
        let w = Words::new(SearchLanguage::English);
        let terms: Vec<String> = w
            .terms("Restoring, restored; RESTORE the back-ups")
            .collect();
        assert_eq!(terms, ["restor", "restor", "restor", "the", "back", "up"]);
        let none = Words::new(SearchLanguage::None);
        assert_eq!(none.term("Restoring"), "restoring");
    }
}
