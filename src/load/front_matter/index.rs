//! The schema's fields by mapping and key, indexed once: every key of every document is
//! looked up, and a scan of [`FIELDS`] per key was a tenth of `check` at 100,000 documents.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::schema::{Field, FIELDS};

/// The field written as `key` in the mapping `parent` (`""`: the top level).
pub(super) fn field(parent: &str, key: &str) -> Option<&'static Field> {
    static INDEX: OnceLock<HashMap<(&'static str, &'static str), &'static Field>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for f in FIELDS.iter() {
            // The first wins, as a scan would find it (names are unique: a schema test).
            index.entry((f.parent(), f.key())).or_insert(f);
        }
        index
    });
    index.get(&(parent, key)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_field_under_its_own_mapping_only() {
        for f in FIELDS.iter() {
            assert_eq!(field(f.parent(), f.key()).map(|g| g.name), Some(f.name));
        }
        assert_eq!(field("review", "last").map(|f| f.name), Some("review.last"));
        assert!(field("", "last").is_none());
        assert!(field("", "titel").is_none());
    }
}
