//! Standard base64 (RFC 4648, with padding): the search shards carry their sealed text in
//! it, and Chromium sends a printed PDF in it. A few lines, not worth a dependency.

pub fn encode(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    encode_into(bytes, &mut out);
    // Only base64 digits were written.
    String::from_utf8(out).unwrap_or_default()
}

/// [`encode`], appended to `out`: a search shard is written straight after its prefix.
pub fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digit = |n: u32, i: u32| ABC[(n >> (18 - 6 * i) & 63) as usize];
    // Bytes, then one UTF-8 check: the search shards (50 MB at 10,000 documents) go through
    // here, and pushing chars one at a time was most of the cost.
    out.reserve(bytes.len().div_ceil(3) * 4);
    let whole = bytes.chunks_exact(3);
    let rest = whole.remainder();
    for c in whole {
        let n = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        out.extend_from_slice(&[digit(n, 0), digit(n, 1), digit(n, 2), digit(n, 3)]);
    }
    if !rest.is_empty() {
        let n = rest
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            out.push(match i as usize <= rest.len() {
                true => digit(n, i),
                false => b'=',
            });
        }
    }
}

/// Decodes, skipping anything that is not a base64 digit (line breaks, padding).
pub fn decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | (d as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in ["", "a", "ab", "abc", "abcd", "Grüße <x>"] {
            assert_eq!(decode(&encode(s.as_bytes())), s.as_bytes());
        }
        assert_eq!(encode(b"ab"), "YWI=");
        assert_eq!(encode(b"a"), "YQ==");
        assert_eq!(encode(b"abc"), "YWJj");
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "+/+/");
    }
}
