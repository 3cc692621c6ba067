//! Natural order for diagnostics of one place: A.5.2 before A.5.10, as a reader counts.

use std::cmp::Ordering;

use crate::core::diagnostics::Diagnostic;

/// Compares two texts with their runs of digits taken as numbers.
pub fn cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = digits(a);
                let (nb, rb) = digits(b);
                let (ta, tb) = (trim_zeros(na), trim_zeros(nb));
                let by_value = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) if x != y => return x.cmp(y),
            _ => (a, b) = (&a[1..], &b[1..]),
        }
    }
}

fn digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n.min(s.len().saturating_sub(1))..]
}

/// Sorts diagnostics already in `diagnostics::sort` order so that, within one file and
/// position, messages follow natural order. Stable: nothing else moves.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.span, a.code)
            .cmp(&(&b.file, b.span, b.code))
            .then_with(|| cmp(&a.message, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_count_as_numbers() {
        let mut ids = vec!["A.5.10", "A.5.2", "A.5.1", "A.8.1", "A.6.3"];
        ids.sort_by(|a, b| cmp(a, b));
        assert_eq!(ids, ["A.5.1", "A.5.2", "A.5.10", "A.6.3", "A.8.1"]);
        assert_eq!(cmp("POL-010", "POL-9"), Ordering::Greater);
        assert_eq!(cmp("a", "a"), Ordering::Equal);
    }
}
