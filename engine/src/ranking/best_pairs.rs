//! The best pairs of each foreign fiche during a cross product: each worker keeps its
//! own bounded lists, and the floors (the total a pair needs to enter a fiche's best
//! `k`) are shared between workers so that every worker prunes with what all have
//! found.
//!
//! Invariant: a shared floor never exceeds the `k`-th best total of its fiche over
//! the pairs scored so far by any worker — floors only rise (atomic max on the bits
//! of non-negative floats, whose order is the numbers' order), and each raise is the
//! floor of a full list of real pairs. So a pair whose total is *below* the floor can
//! never be among the fiche's best `k` in the end; a pair *at* the floor can (ties are
//! broken by French index), so pruning is always strict.

use std::sync::atomic::{AtomicU64, Ordering};

/// The floor of each candidate.
#[derive(Debug)]
pub struct SharedFloors {
    candidate: Vec<AtomicU64>,
}

impl SharedFloors {
    /// Every floor starts at `min_score` (≥ 0).
    pub fn new(candidates: usize, min_score: f64) -> SharedFloors {
        let start = min_score.max(0.0).to_bits();
        SharedFloors {
            candidate: (0..candidates).map(|_| AtomicU64::new(start)).collect(),
        }
    }

    #[inline(always)]
    pub fn candidate(&self, i: usize) -> f64 {
        f64::from_bits(self.candidate[i].load(Ordering::Relaxed))
    }

    /// Candidate `i` has `k` pairs at or above `floor`.
    fn raise(&self, i: usize, floor: f64) {
        // A load first: a worker's own list is often below what another worker has
        // found already, and the read-modify-write is then for nothing.
        let bits = floor.to_bits();
        if self.candidate[i].load(Ordering::Relaxed) < bits {
            self.candidate[i].fetch_max(bits, Ordering::Relaxed);
        }
    }
}

/// One worker's best `k` pairs of each candidate, as `(total, French index)`, in
/// flat arrays (`k` slots per candidate).
#[derive(Debug)]
pub struct BestOfEach {
    k: usize,
    totals: Vec<f64>,
    french: Vec<u32>,
    len: Vec<u16>,
    /// The slot of each full list's worst pair.
    worst: Vec<u16>,
}

impl BestOfEach {
    pub fn new(candidates: usize, k: usize) -> BestOfEach {
        BestOfEach {
            k,
            totals: vec![0.0; candidates * k],
            french: vec![0; candidates * k],
            len: vec![0; candidates],
            worst: vec![0; candidates],
        }
    }

    /// Offers the pair (`french`, candidate `i`) scoring `total`; raises the shared
    /// floor when the list is full, and returns this list's new floor then.
    pub fn offer(
        &mut self,
        i: usize,
        total: f64,
        french: u32,
        floors: &SharedFloors,
    ) -> Option<f64> {
        let k = self.k;
        if k == 0 {
            return None;
        }
        let slots = i * k..(i + 1) * k;
        let len = usize::from(self.len[i]);
        if len < k {
            self.totals[slots.start + len] = total;
            self.french[slots.start + len] = french;
            self.len[i] += 1;
            if len + 1 < k {
                return None;
            }
        } else {
            let worst = slots.start + usize::from(self.worst[i]);
            if !better((total, french), (self.totals[worst], self.french[worst])) {
                return None;
            }
            self.totals[worst] = total;
            self.french[worst] = french;
        }
        let worst = self.worst_slot(i);
        self.worst[i] = (worst - slots.start) as u16;
        floors.raise(i, self.totals[worst]);
        Some(self.totals[worst])
    }

    /// The slot of candidate `i`'s worst kept pair (its list is full).
    fn worst_slot(&self, i: usize) -> usize {
        let slots = i * self.k..(i + 1) * self.k;
        slots
            .reduce(|a, b| {
                if better(
                    (self.totals[a], self.french[a]),
                    (self.totals[b], self.french[b]),
                ) {
                    b
                } else {
                    a
                }
            })
            .expect("k > 0")
    }

    /// The pairs kept for candidate `i`, as `(total, French index)`.
    pub fn of(&self, i: usize) -> impl Iterator<Item = (f64, u32)> + '_ {
        let start = i * self.k;
        (start..start + usize::from(self.len[i])).map(|s| (self.totals[s], self.french[s]))
    }
}

/// Higher total first, then smaller French index.
#[inline]
fn better(a: (f64, u32), b: (f64, u32)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}
