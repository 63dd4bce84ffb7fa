//! A tiny deterministic generator for the pairing tests' random instances.

/// Knuth's MMIX linear congruential generator.
#[derive(Debug)]
pub(super) struct Lcg(pub u64);

impl Lcg {
    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as f64 / (1u64 << 31) as f64
    }
}
