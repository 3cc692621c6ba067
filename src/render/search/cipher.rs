//! ChaCha20 (RFC 8439), to seal the search shards. The shards are scripts, so that search
//! works from file://, and any page of another origin can include a script; the key lives in
//! search.html, which no other origin can read. theme/static/search.js has the same cipher.

#[cfg(test)]
fn quarter(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// One block, word by word as RFC 8439 writes it: the reference for [`blocks4`].
#[cfg(test)]
fn block(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> [u8; 64] {
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let mut init = [0u32; 16];
    init[..4].copy_from_slice(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]);
    for i in 0..8 {
        init[4 + i] = word(&key[4 * i..]);
    }
    init[12] = counter;
    for i in 0..3 {
        init[13 + i] = word(&nonce[4 * i..]);
    }
    let mut s = init;
    for _ in 0..10 {
        quarter(&mut s, 0, 4, 8, 12);
        quarter(&mut s, 1, 5, 9, 13);
        quarter(&mut s, 2, 6, 10, 14);
        quarter(&mut s, 3, 7, 11, 15);
        quarter(&mut s, 0, 5, 10, 15);
        quarter(&mut s, 1, 6, 11, 12);
        quarter(&mut s, 2, 7, 8, 13);
        quarter(&mut s, 3, 4, 9, 14);
    }
    let mut out = [0u8; 64];
    for i in 0..16 {
        out[4 * i..4 * i + 4].copy_from_slice(&s[i].wrapping_add(init[i]).to_le_bytes());
    }
    out
}

/// XORs `data` with the key stream (counter from 1, as RFC 8439's encryption). Four blocks
/// at a time ([`blocks4`]); [`block`], one at a time, is the reference it is tested against.
pub fn apply(key: &[u8; 32], nonce: &[u8; 12], data: &mut [u8]) {
    for (n, chunk) in data.chunks_mut(256).enumerate() {
        let stream = blocks4(key, 4 * n as u32 + 1, nonce);
        // Block by block: a byte loop over a flattened stream was most of the cost.
        for (part, block) in chunk.chunks_mut(64).zip(&stream) {
            for (b, k) in part.iter_mut().zip(block) {
                *b ^= k;
            }
        }
    }
}

/// Four lanes of one word of the state: four independent blocks, whose operations the
/// processor overlaps (one block's rounds are a chain, each step waiting on the last).
type Lanes = [u32; 4];

#[inline(always)]
fn add(x: &mut Lanes, y: &Lanes) {
    for i in 0..4 {
        x[i] = x[i].wrapping_add(y[i]);
    }
}

/// `x = (x ^ y) <<< r`.
#[inline(always)]
fn xor_rot(x: &mut Lanes, y: &Lanes, r: u32) {
    for i in 0..4 {
        x[i] = (x[i] ^ y[i]).rotate_left(r);
    }
}

#[inline(always)]
fn quarter4(s: &mut [Lanes; 16], a: usize, b: usize, c: usize, d: usize) {
    let (mut va, mut vb, mut vc, mut vd) = (s[a], s[b], s[c], s[d]);
    add(&mut va, &vb);
    xor_rot(&mut vd, &va, 16);
    add(&mut vc, &vd);
    xor_rot(&mut vb, &vc, 12);
    add(&mut va, &vb);
    xor_rot(&mut vd, &va, 8);
    add(&mut vc, &vd);
    xor_rot(&mut vb, &vc, 7);
    (s[a], s[b], s[c], s[d]) = (va, vb, vc, vd);
}

/// Blocks `counter` to `counter + 3`, as [`block`] makes each.
fn blocks4(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> [[u8; 64]; 4] {
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let mut init = [[0u32; 4]; 16];
    for (i, c) in [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]
        .into_iter()
        .enumerate()
    {
        init[i] = [c; 4];
    }
    for i in 0..8 {
        init[4 + i] = [word(&key[4 * i..]); 4];
    }
    init[12] = std::array::from_fn(|lane| counter.wrapping_add(lane as u32));
    for i in 0..3 {
        init[13 + i] = [word(&nonce[4 * i..]); 4];
    }
    let mut s = init;
    for _ in 0..10 {
        quarter4(&mut s, 0, 4, 8, 12);
        quarter4(&mut s, 1, 5, 9, 13);
        quarter4(&mut s, 2, 6, 10, 14);
        quarter4(&mut s, 3, 7, 11, 15);
        quarter4(&mut s, 0, 5, 10, 15);
        quarter4(&mut s, 1, 6, 11, 12);
        quarter4(&mut s, 2, 7, 8, 13);
        quarter4(&mut s, 3, 4, 9, 14);
    }
    let mut out = [[0u8; 64]; 4];
    for (lane, block) in out.iter_mut().enumerate() {
        for i in 0..16 {
            let w = s[i][lane].wrapping_add(init[i][lane]);
            block[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8439, section 2.4.2.
    #[test]
    fn the_rfc_test_vector() {
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        let nonce = [0, 0, 0, 0, 0, 0, 0, 0x4a, 0, 0, 0, 0];
        let mut text = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".to_vec();
        apply(&key, &nonce, &mut text);
        assert_eq!(
            &text[..16],
            &[
                0x6e, 0x2e, 0x35, 0x9a, 0x25, 0x68, 0xf9, 0x80, 0x41, 0xba, 0x07, 0x28, 0xdd, 0x0d,
                0x69, 0x81
            ]
        );
        assert_eq!(text[113], 0x4d);
    }

    #[test]
    fn four_blocks_at_a_time_are_the_blocks_one_at_a_time() {
        let key: [u8; 32] = std::array::from_fn(|i| (i * 7 + 3) as u8);
        let nonce: [u8; 12] = std::array::from_fn(|i| (i * 13 + 1) as u8);
        for counter in [1, 5, u32::MAX - 1] {
            let four = blocks4(&key, counter, &nonce);
            for (lane, b) in four.iter().enumerate() {
                assert_eq!(*b, block(&key, counter.wrapping_add(lane as u32), &nonce));
            }
        }
        // And `apply` over lengths around the block and group sizes.
        for len in [0, 1, 63, 64, 65, 255, 256, 257, 1000] {
            let mut data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            apply(&key, &nonce, &mut data);
            let expected: Vec<u8> = (0..len)
                .map(|i| i as u8 ^ block(&key, (i / 64) as u32 + 1, &nonce)[i % 64])
                .collect();
            assert_eq!(data, expected, "{len}");
        }
    }
}
