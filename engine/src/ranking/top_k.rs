//! Keeping the best `k` of a stream: a bounded heap whose top is the worst kept
//! candidate. A candidate's `position` is a number that sorts like its id (the
//! matcher's order key, or an index in an id-sorted list), so breaking ties by
//! position breaks them by id — whatever the order of arrival, which is what makes
//! rankings identical across thread counts.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A scored candidate: its total and its fiche's position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub total: f64,
    pub position: u32,
}

impl Scored {
    /// Better first: higher total, then smaller position (id).
    #[inline]
    pub fn rank_cmp(&self, other: &Self) -> Ordering {
        other
            .total
            .total_cmp(&self.total)
            .then_with(|| self.position.cmp(&other.position))
    }
}

/// Heap entry ordered so that the heap's maximum is the worst kept candidate.
#[derive(Debug)]
struct Entry(Scored);

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank_cmp(&other.0)
    }
}

/// The best `k` candidates seen.
#[derive(Debug)]
pub struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
    /// The worst kept total once `k` are kept: anything below cannot enter.
    floor: f64,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
            floor: f64::NEG_INFINITY,
        }
    }

    /// The total a candidate needs to enter (ties enter the comparison by position).
    #[inline]
    pub fn floor(&self) -> f64 {
        if self.k == 0 {
            f64::INFINITY
        } else {
            self.floor
        }
    }

    /// Whether a candidate with this total could enter (a cheap pre-check).
    #[inline]
    pub fn admits(&self, total: f64) -> bool {
        total >= self.floor && self.k > 0
    }

    pub fn push(&mut self, candidate: Scored) {
        if self.k == 0 {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(Entry(candidate));
        } else if let Some(worst) = self.heap.peek()
            && candidate.rank_cmp(&worst.0) == Ordering::Less
        {
            self.heap.pop();
            self.heap.push(Entry(candidate));
        }
        if self.heap.len() == self.k {
            self.floor = self
                .heap
                .peek()
                .map_or(f64::NEG_INFINITY, |worst| worst.0.total);
        }
    }

    pub fn merge(mut self, other: TopK) -> Self {
        for Entry(candidate) in other.heap {
            self.push(candidate);
        }
        self
    }

    /// Best first.
    pub fn into_sorted(self) -> Vec<Scored> {
        let mut kept: Vec<Scored> = self.heap.into_iter().map(|entry| entry.0).collect();
        kept.sort_by(Scored::rank_cmp);
        kept
    }
}
