//! The generator's own pseudo-random numbers (SplitMix64).
//!
//! Written here rather than taken from the `rand` crate so that a given seed gives the
//! same corpus forever: no dependency upgrade can change the stream. Each fiche and
//! each stage draws from its own stream, keyed by the seed, a stage name and the
//! fiche id, so that changing one stage does not reshuffle the others.

/// A SplitMix64 generator: tiny, fast, and good enough for synthetic data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The stream of one stage (`"profile"`, `"call"`, …) for one key (a fiche id).
    pub fn for_key(seed: u64, stage: &str, key: &str) -> Rng {
        let mut rng = Rng::new(seed ^ fnv1a(stage.as_bytes()));
        let mixed = rng.next_u64() ^ fnv1a(key.as_bytes());
        Rng(mixed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n`; `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        // Multiply-shift: unbiased enough for n far below 2^64.
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as usize) as i64
    }

    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given non-negative weights; `None` if they sum to zero.
    pub fn weighted(&mut self, weights: &[f64]) -> Option<usize> {
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let mut target = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if target < *w {
                return Some(i);
            }
            target -= w;
        }
        weights.iter().rposition(|w| *w > 0.0)
    }

    /// Up to `count` distinct indices drawn with the given weights, in draw order.
    pub fn weighted_distinct(&mut self, weights: &[f64], count: usize) -> Vec<usize> {
        let mut left = weights.to_vec();
        let mut chosen = Vec::with_capacity(count);
        while chosen.len() < count {
            let Some(i) = self.weighted(&left) else { break };
            left[i] = 0.0;
            chosen.push(i);
        }
        chosen
    }

    /// A Poisson-distributed count (Knuth's method; fine for the small means used here).
    pub fn poisson(&mut self, mean: f64) -> usize {
        if mean <= 0.0 {
            return 0;
        }
        let limit = (-mean).exp();
        let mut product = self.unit();
        let mut count = 0;
        while product > limit && count < 64 {
            product *= self.unit();
            count += 1;
        }
        count
    }
}

/// Cumulative weights for drawing among many items (thousands of places) in log time.
#[derive(Debug, Clone)]
pub struct Cumulative {
    sums: Vec<f64>,
}

impl Cumulative {
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Cumulative {
        let mut total = 0.0;
        let sums = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Cumulative { sums }
    }

    pub fn draw(&self, rng: &mut Rng) -> Option<usize> {
        let total = *self.sums.last()?;
        if total <= 0.0 {
            return None;
        }
        let target = rng.unit() * total;
        Some(
            self.sums
                .partition_point(|s| *s <= target)
                .min(self.sums.len() - 1),
        )
    }
}

/// FNV-1a: a fixed, dependency-free hash for keying streams and sampling.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01B3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_fixed_for_a_seed() {
        // First outputs of SplitMix64 from seed 0 (reference values of the algorithm).
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn streams_differ_by_stage_and_key() {
        let a = Rng::for_key(42, "profile", "FR-COM-01001").next_u64();
        let b = Rng::for_key(42, "call", "FR-COM-01001").next_u64();
        let c = Rng::for_key(42, "profile", "FR-COM-01002").next_u64();
        assert!(a != b && a != c && b != c);
        assert_eq!(a, Rng::for_key(42, "profile", "FR-COM-01001").next_u64());
    }

    #[test]
    fn draws_stay_in_range_and_follow_weights() {
        let mut rng = Rng::new(7);
        let mut counts = [0usize; 3];
        for _ in 0..10_000 {
            assert!(rng.unit() < 1.0);
            counts[rng.weighted(&[1.0, 0.0, 3.0]).unwrap()] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!(counts[2] > 2 * counts[0]);
        let cumulative = Cumulative::new([0.0, 5.0, 0.0]);
        assert_eq!(cumulative.draw(&mut rng), Some(1));
        let distinct = rng.weighted_distinct(&[1.0, 1.0, 0.0, 1.0], 5);
        assert_eq!(distinct.len(), 3);
        assert!(!distinct.contains(&2));
    }
}
