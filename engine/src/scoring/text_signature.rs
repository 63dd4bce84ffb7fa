//! Text similarity at kernel speed: a text becomes a 128-bit signature of its
//! distinctive stems (hashed), and two texts compare by the cosine of their bit
//! vectors — a few `popcount`s.
//!
//! Stems that occur in more than [`COMMON_SHARE`] of the corpus's texts are dropped
//! (they carry templates and stop words, not meaning), so a shared signature bit means
//! a shared distinctive word (up to hash collisions, rare at the ~20 stems a text
//! keeps). Texts in different languages share few stems: across languages, themes
//! inferred from the texts carry the match.

use std::collections::{HashMap, HashSet};

/// Stems in more than this share of the texts are ignored.
pub const COMMON_SHARE: f64 = 0.02;

/// A set of hashed stems.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TextSignature([u64; 2]);

impl TextSignature {
    pub fn from_bits(bits: [u64; 2]) -> TextSignature {
        TextSignature(bits)
    }

    pub fn bits(self) -> [u64; 2] {
        self.0
    }

    pub fn insert(&mut self, stem: &str) {
        let bit = fnv1a(stem) % 128;
        self.0[(bit / 64) as usize] |= 1 << (bit % 64);
    }

    pub fn len(self) -> u32 {
        self.0[0].count_ones() + self.0[1].count_ones()
    }

    pub fn is_empty(self) -> bool {
        self.0 == [0, 0]
    }

    /// The number of bits both have.
    #[inline]
    pub fn shared(self, other: TextSignature) -> u32 {
        (self.0[0] & other.0[0]).count_ones() + (self.0[1] & other.0[1]).count_ones()
    }

    /// Cosine of the two bit vectors, in [0, 1]; 0 when either is empty. Symmetric.
    pub fn cosine(self, other: TextSignature) -> f64 {
        let shared = self.shared(other);
        if shared == 0 {
            return 0.0;
        }
        f64::from(shared) / (f64::from(self.len()) * f64::from(other.len())).sqrt()
    }
}

/// FNV-1a: a fixed hash, so signatures never change with the standard library.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Document frequencies of stems over a corpus of texts.
#[derive(Debug, Default)]
pub struct Vocabulary {
    texts: u64,
    frequency: HashMap<String, u32>,
}

impl Vocabulary {
    /// A vocabulary read back from its parts (see [`Vocabulary::parts`]).
    pub fn from_parts(texts: u64, frequency: HashMap<String, u32>) -> Vocabulary {
        Vocabulary { texts, frequency }
    }

    /// The number of texts counted and each stem's document frequency.
    pub fn parts(&self) -> (u64, &HashMap<String, u32>) {
        (self.texts, &self.frequency)
    }

    /// Counts a text's distinct stems.
    pub fn add(&mut self, stems: &[String]) {
        self.texts += 1;
        let distinct: HashSet<&String> = stems.iter().collect();
        for stem in distinct {
            match self.frequency.get_mut(stem) {
                Some(count) => *count += 1,
                None => {
                    self.frequency.insert(stem.clone(), 1);
                }
            }
        }
    }

    /// The signature of a text's distinctive stems.
    pub fn signature(&self, stems: &[String]) -> TextSignature {
        let limit = (self.texts as f64 * COMMON_SHARE).max(2.0);
        let mut signature = TextSignature::default();
        for stem in stems {
            if f64::from(self.frequency.get(stem).copied().unwrap_or(0)) <= limit {
                signature.insert(stem);
            }
        }
        signature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn cosine_is_symmetric_and_in_range() {
        let mut vocabulary = Vocabulary::default();
        for text in [
            "forage puits pompe",
            "forage latrine",
            "festival musique",
            "a b c d",
        ] {
            vocabulary.add(&stems(text));
        }
        let a = vocabulary.signature(&stems("forage puits pompe"));
        let b = vocabulary.signature(&stems("forage latrine"));
        let c = vocabulary.signature(&stems("festival musique"));
        assert_eq!(a.cosine(b), b.cosine(a));
        assert!(a.cosine(b) > 0.0 && a.cosine(b) < 1.0);
        assert_eq!(a.cosine(a), 1.0);
        assert_eq!(a.cosine(c), 0.0);
        assert_eq!(a.cosine(TextSignature::default()), 0.0);
    }

    #[test]
    fn common_stems_are_ignored() {
        let mut vocabulary = Vocabulary::default();
        for i in 0..200 {
            vocabulary.add(&stems(&format!("nous souhaitons mot{i}")));
        }
        let signature = vocabulary.signature(&stems("nous souhaitons"));
        assert!(signature.is_empty());
        assert_eq!(vocabulary.signature(&stems("mot7")).len(), 1);
    }
}
