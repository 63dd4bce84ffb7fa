//! Jaro-Winkler similarity, equal to `strsim::jaro_winkler` bit for bit, for less.
//!
//! strsim allocates the matched flags at each call and, for each character of the
//! first string, reads the second from its start up to the end of the match window;
//! the lookup makes thousands of comparisons of short folded words per query. On
//! ASCII strings of at most 64 bytes (folded names and their words, as a rule) the
//! flags here are two bit masks and the window is indexed; other strings go to
//! strsim. Tested equal to strsim on random strings.

/// Longest string, in bytes, compared here rather than by strsim: a bit per byte.
const MAX_BYTES: usize = 64;

/// `strsim::jaro_winkler(a, b)`.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > MAX_BYTES || y.len() > MAX_BYTES || !x.is_ascii() || !y.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro(x, y);
    if sim > 0.7 {
        let prefix = (x.iter().take(4).zip(y))
            .take_while(|(p, q)| p == q)
            .count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Jaro similarity of two ASCII strings of at most [`MAX_BYTES`] bytes, with the
/// steps and the arithmetic of `strsim::generic_jaro`.
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_matched, mut b_matched) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let (start, end) = (i.saturating_sub(window), i + window + 1);
        for (j, &d) in b.iter().enumerate().take(end).skip(start) {
            if d == c && b_matched & (1 << j) == 0 {
                a_matched |= 1 << i;
                b_matched |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    // The matched characters of each string, in order, compared pairwise.
    let mut transpositions = 0usize;
    while a_matched != 0 {
        let (i, j) = (a_matched.trailing_zeros(), b_matched.trailing_zeros());
        transpositions += usize::from(a[i as usize] != b[j as usize]);
        a_matched &= a_matched - 1;
        b_matched &= b_matched - 1;
    }
    transpositions /= 2;
    ((matches as f64 / a.len() as f64)
        + (matches as f64 / b.len() as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random strings over a small alphabet (many matches and transpositions), of 0
    /// to 70 bytes, some with a non-ASCII letter: every result equals strsim's.
    #[test]
    fn equal_to_strsim_bit_for_bit() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let alphabet = ['a', 'b', 'e', 'n', 'o', 's', 't', ' ', 'é'];
        let mut word = |max: u64| -> String {
            let len = next(max + 1);
            let ascii = next(4) != 0;
            (0..len)
                .map(|_| alphabet[next(alphabet.len() as u64 - u64::from(ascii)) as usize])
                .collect()
        };
        for round in 0..200_000 {
            let max = if round % 10 == 0 { 70 } else { 12 };
            let (a, b) = (word(max), word(max));
            let (ours, theirs) = (jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
            assert_eq!(ours.to_bits(), theirs.to_bits(), "{a:?} {b:?}");
        }
        for (a, b) in [("", ""), ("", "a"), ("saint etienne", "saint etiene")] {
            assert_eq!(
                jaro_winkler(a, b).to_bits(),
                strsim::jaro_winkler(a, b).to_bits()
            );
        }
    }
}
