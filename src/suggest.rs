//! "Did you mean …?" for misspelt keys, ids and names.

/// The closest candidate to `input`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input_lower = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&input_lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|&(distance, c)| distance <= (c.chars().count() / 3).max(1))
        .min_by_key(|&(distance, c)| (distance, c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

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
    }
}
