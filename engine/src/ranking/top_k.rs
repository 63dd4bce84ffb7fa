//! Keeping the best `k` of a stream: a bounded min-heap ordered by (total, then id
//! reversed), so that ties are broken by id whatever the order of arrival — which is
//! what makes rankings identical across thread counts.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A scored candidate: `index` into the matcher's fiches, whose ids order ties.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    pub total: f64,
    pub id: &'a str,
    pub index: usize,
}

impl Scored<'_> {
    /// Better first: higher total, then smaller id.
    pub fn rank_cmp(&self, other: &Self) -> Ordering {
        other
            .total
            .total_cmp(&self.total)
            .then_with(|| self.id.cmp(other.id))
    }
}

/// Heap entry whose maximum is the *worst* kept candidate.
#[derive(Debug)]
struct Worst<'a>(Scored<'a>);

impl PartialEq for Worst<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst<'_> {}
impl PartialOrd for Worst<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank_cmp(&other.0)
    }
}

/// The best `k` candidates seen.
#[derive(Debug)]
pub struct TopK<'a> {
    k: usize,
    heap: BinaryHeap<Worst<'a>>,
}

impl<'a> TopK<'a> {
    pub fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    pub fn push(&mut self, candidate: Scored<'a>) {
        if self.k == 0 {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(Worst(candidate));
        } else if let Some(worst) = self.heap.peek()
            && candidate.rank_cmp(&worst.0) == Ordering::Less
        {
            self.heap.pop();
            self.heap.push(Worst(candidate));
        }
    }

    pub fn merge(mut self, other: TopK<'a>) -> Self {
        for Worst(candidate) in other.heap {
            self.push(candidate);
        }
        self
    }

    /// Best first.
    pub fn into_sorted(self) -> Vec<Scored<'a>> {
        let mut kept: Vec<Scored<'a>> = self.heap.into_iter().map(|w| w.0).collect();
        kept.sort_by(Scored::rank_cmp);
        kept
    }
}
