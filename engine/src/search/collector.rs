//! Collecting one page of hits in a total order: score descending, then id ascending,
//! and counting every match.
//!
//! Each segment keeps its best `offset + limit` documents ordered by score, then by
//! the ordinal of their id in the segment's id column: ordinals follow the order of
//! ids within a segment, so this is the order of ids. The segments' lists are then
//! merged on the ids themselves. The order does not depend on how documents are cut
//! in segments, which incremental writes change.
//!
//! For a text query, equal scores are first told apart by population: of two places
//! that answer the query equally (two *Porto Novo*, two requests listing the same
//! words), the larger collectivité is more likely the one looked for. The adjustment,
//! [`POPULATION_TIE_BREAK`] × ln(1 + population) added to the score (at most about
//! 0.002), stays below the differences scoring makes between fiches that match
//! differently; population 0 (unknown) adds nothing.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{ColumnValues, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

/// Weight of the population in the order of equal scores.
pub const POPULATION_TIE_BREAK: f64 = 1e-4;

/// One document kept.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub score: Score,
    pub id: String,
    pub address: DocAddress,
}

/// Keeps the best `keep` documents and counts all matches.
pub struct TopById {
    keep: usize,
    /// Whether population breaks ties (not for a filter-only search: id order).
    by_population: bool,
}

impl TopById {
    pub fn new(keep: usize, by_population: bool) -> TopById {
        TopById {
            keep,
            by_population,
        }
    }
}

/// A candidate within a segment; the greatest is the worst kept so far.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: Score,
    ord: u64,
    doc: DocId,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.ord.cmp(&other.ord))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

pub struct SegmentTop {
    segment: SegmentOrdinal,
    ids: StrColumn,
    population: Option<Arc<dyn ColumnValues<u64>>>,
    keep: usize,
    heap: BinaryHeap<Candidate>,
    matches: u64,
}

fn missing_ids() -> TantivyError {
    TantivyError::SchemaError("the index has no `id` column".into())
}

impl Collector for TopById {
    type Fruit = (u64, Vec<Ranked>);
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        let ids = reader.fast_fields().str("id")?.ok_or_else(missing_ids)?;
        let population = match self.by_population {
            true => Some(
                reader
                    .fast_fields()
                    .u64("population")?
                    .first_or_default_col(0),
            ),
            false => None,
        };
        Ok(SegmentTop {
            segment,
            ids,
            population,
            keep: self.keep,
            heap: BinaryHeap::with_capacity(self.keep.min(1024)),
            matches: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        fruits: Vec<tantivy::Result<(u64, Vec<Ranked>)>>,
    ) -> tantivy::Result<(u64, Vec<Ranked>)> {
        let mut matches = 0;
        let mut all = Vec::new();
        for fruit in fruits {
            let (count, ranked) = fruit?;
            matches += count;
            all.extend(ranked);
        }
        all.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        all.truncate(self.keep);
        Ok((matches, all))
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = tantivy::Result<(u64, Vec<Ranked>)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.matches += 1;
        if self.keep == 0 {
            return;
        }
        let score = match &self.population {
            None => score,
            Some(population) => {
                let prior = (1.0 + population.get_val(doc) as f64).ln();
                (f64::from(score) + POPULATION_TIE_BREAK * prior) as Score
            }
        };
        let ord = self.ids.ords().first(doc).unwrap_or(u64::MAX);
        let candidate = Candidate { score, ord, doc };
        if self.heap.len() < self.keep {
            self.heap.push(candidate);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && candidate < *worst
        {
            *worst = candidate;
        }
    }

    fn harvest(self) -> tantivy::Result<(u64, Vec<Ranked>)> {
        let mut ranked = Vec::with_capacity(self.heap.len());
        let mut id = String::new();
        for candidate in self.heap.into_sorted_vec() {
            id.clear();
            self.ids.ord_to_str(candidate.ord, &mut id)?;
            ranked.push(Ranked {
                score: candidate.score,
                id: id.clone(),
                address: DocAddress::new(self.segment, candidate.doc),
            });
        }
        Ok((self.matches, ranked))
    }
}
