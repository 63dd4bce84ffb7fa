//! Collecting one page of hits in a total order: score descending, then id ascending,
//! and counting every match.
//!
//! Each segment keeps its best `offset + limit` documents ordered by score, then by
//! the ordinal of their id in the segment's id column: ordinals follow the order of
//! ids within a segment, so this is the order of ids. The segments' lists (and the
//! pending documents, see [`super::pending`]) are then merged by [`order`], which
//! reads ids only where equal scores come from different segments. The order does
//! not depend on how documents are cut in segments, which writes change.
//!
//! For a text query, equal scores are first told apart by population: of two places
//! that answer the query equally (two *Porto Novo*, two requests listing the same
//! words), the larger collectivité is more likely the one looked for. The adjustment,
//! [`POPULATION_TIE_BREAK`] × ln(1 + population) added to the score (at most about
//! 0.002), stays below the differences scoring makes between fiches that match
//! differently; population 0 (unknown) adds nothing.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use super::columns::SegmentColumns;

/// Weight of the population in the order of equal scores.
pub const POPULATION_TIE_BREAK: f64 = 1e-4;

/// One document kept by a segment.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub score: Score,
    /// Ordinal of the id in the segment's id column.
    pub ord: u64,
    pub address: DocAddress,
    /// The document matched through themes only: no name or text of it holds a
    /// word of the query. Set by the scorer, which knows it for free (see
    /// `scorer::collect`); `false` when unknown.
    pub themes_only: bool,
}

/// What the segments kept, the number of matches, and their id columns.
pub struct Collected {
    pub matches: u64,
    pub ranked: Vec<Ranked>,
    pub ids: HashMap<SegmentOrdinal, StrColumn>,
}

/// Keeps the best `keep` documents and counts all matches, leaving out documents
/// that pending writes replace or delete.
pub struct TopById {
    keep: usize,
    /// Whether population breaks ties (not for a filter-only search: id order).
    by_population: bool,
    shadowed: HashMap<SegmentOrdinal, Vec<DocId>>,
    /// Each segment's columns, by ordinal (see [`super::columns`]).
    columns: Vec<Arc<SegmentColumns>>,
}

impl TopById {
    pub fn new(
        keep: usize,
        by_population: bool,
        shadowed: HashMap<SegmentOrdinal, Vec<DocId>>,
        columns: Vec<Arc<SegmentColumns>>,
    ) -> TopById {
        TopById {
            keep,
            by_population,
            shadowed,
            columns,
        }
    }
}

/// The most [`tie_broken`] adds to a score: ln(1 + population) is below 45 for any
/// `u64` population.
pub const MAX_TIE_BREAK: f64 = POPULATION_TIE_BREAK * 45.0;

impl TopById {
    /// The columns of `segment`.
    pub fn columns(&self, segment: SegmentOrdinal) -> &SegmentColumns {
        &self.columns[segment as usize]
    }

    /// The collector of `segment`.
    pub fn segment_top(&self, segment: SegmentOrdinal) -> SegmentTop {
        let columns = self.columns(segment);
        SegmentTop {
            segment,
            ids: columns.ids.clone(),
            prior: self.by_population.then(|| columns.prior.clone()),
            shadowed: self.shadowed.get(&segment).cloned().unwrap_or_default(),
            keep: self.keep,
            heap: BinaryHeap::with_capacity(self.keep.min(1024)),
            matches: 0,
        }
    }

    /// The documents of `segment` that pending writes replace or delete, sorted.
    pub fn shadowed(&self, segment: SegmentOrdinal) -> &[DocId] {
        self.shadowed.get(&segment).map_or(&[], Vec::as_slice)
    }

    /// How many documents a segment keeps: `offset + limit`.
    pub fn keep(&self) -> usize {
        self.keep
    }
}

/// `score` with the population's share of the order of equal scores (`prior` is
/// [`super::schema::prior`] of the population).
pub fn tie_broken(score: Score, prior: f64) -> Score {
    (f64::from(score) + POPULATION_TIE_BREAK * prior) as Score
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
    prior: Option<Arc<[f64]>>,
    /// Sorted.
    shadowed: Vec<DocId>,
    keep: usize,
    heap: BinaryHeap<Candidate>,
    matches: u64,
}

pub(super) fn missing_ids() -> TantivyError {
    TantivyError::SchemaError("the index has no `id` column".into())
}

impl Collector for TopById {
    type Fruit = Collected;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(self.segment_top(segment))
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Collected> {
        let mut collected = Collected {
            matches: 0,
            ranked: Vec::new(),
            ids: HashMap::new(),
        };
        for fruit in fruits {
            collected.matches += fruit.matches;
            collected.ranked.extend(fruit.ranked);
            collected.ids.insert(fruit.segment, fruit.ids);
        }
        Ok(collected)
    }
}

/// What a segment kept: its number of matches, its best documents, its id column.
pub struct SegmentFruit {
    matches: u64,
    pub ranked: Vec<Ranked>,
    segment: SegmentOrdinal,
    ids: StrColumn,
}

impl SegmentTop {
    /// Counts `doc` as a match that cannot be among the documents kept (see
    /// `scorer.rs`), without reading anything of it.
    /// Counts `matches` more documents, none of them shadowed.
    pub fn count_others(&mut self, matches: u64) {
        self.matches += matches;
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.shadowed.is_empty() && self.shadowed.binary_search(&doc).is_ok() {
            return;
        }
        self.matches += 1;
        if self.keep == 0 {
            return;
        }
        if self.heap.len() == self.keep
            && self.heap.peek().is_some_and(|worst| {
                // Below the worst kept even with the largest population share (and
                // the f32 rounding of it, far smaller): no need to read its prior.
                f64::from(score) + 2.0 * MAX_TIE_BREAK < f64::from(worst.score)
            })
        {
            return;
        }
        let score = match &self.prior {
            None => score,
            Some(prior) => tie_broken(score, prior[doc as usize]),
        };
        if self.heap.len() == self.keep && self.heap.peek().is_some_and(|worst| score < worst.score)
        {
            return; // Worse than every document kept: its id does not matter.
        }
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

    fn harvest(self) -> SegmentFruit {
        let ranked = (self.heap.into_iter())
            .map(|c| Ranked {
                score: c.score,
                ord: c.ord,
                address: DocAddress::new(self.segment, c.doc),
                themes_only: false,
            })
            .collect();
        SegmentFruit {
            matches: self.matches,
            ranked,
            segment: self.segment,
            ids: self.ids,
        }
    }
}

/// What orders equal scores: a committed document's place in its segment's ids, or
/// a pending document's id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TieKey {
    Committed { segment: SegmentOrdinal, ord: u64 },
    Pending(String),
}

/// An entry of a page being ordered.
pub struct Found<T> {
    pub score: Score,
    pub key: TieKey,
    pub item: T,
}

/// Orders `found` by score descending, then id ascending, and keeps the first
/// `keep`. Ids of committed documents are read from `ids` only for runs of equal
/// scores that mix segments or pending documents (within one segment, ordinals are
/// in id order).
pub fn order<T>(
    found: &mut Vec<Found<T>>,
    keep: usize,
    ids: &HashMap<SegmentOrdinal, StrColumn>,
) -> tantivy::Result<()> {
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
    let mut start = 0;
    while start < keep.min(found.len()) {
        let score = found[start].score;
        let end = start
            + found[start..]
                .iter()
                .take_while(|f| f.score.total_cmp(&score) == Ordering::Equal)
                .count();
        let sources = |f: &Found<T>| match f.key {
            TieKey::Committed { segment, .. } => Some(segment),
            TieKey::Pending(_) => None,
        };
        let first = sources(&found[start]);
        if found[start + 1..end].iter().any(|f| sources(f) != first) {
            let run: Vec<Found<T>> = found.drain(start..end).collect();
            let sorted = by_id(run, ids)?;
            found.splice(start..start, sorted);
        }
        start = end;
    }
    found.truncate(keep);
    Ok(())
}

/// `run` sorted by id, committed ids read segment by segment in ordinal order.
fn by_id<T>(
    run: Vec<Found<T>>,
    ids: &HashMap<SegmentOrdinal, StrColumn>,
) -> tantivy::Result<Vec<Found<T>>> {
    let mut keyed: Vec<(String, Found<T>)> = Vec::with_capacity(run.len());
    let mut by_segment: HashMap<SegmentOrdinal, Vec<Found<T>>> = HashMap::new();
    for found in run {
        match &found.key {
            TieKey::Pending(id) => keyed.push((id.clone(), found)),
            TieKey::Committed { segment, .. } => {
                by_segment.entry(*segment).or_default().push(found)
            }
        }
    }
    for (segment, mut entries) in by_segment {
        // Entries come sorted by ordinal; the dictionary reads them in one pass.
        let ords: Vec<u64> = entries
            .iter()
            .map(|f| match f.key {
                TieKey::Committed { ord, .. } => ord,
                TieKey::Pending(_) => 0,
            })
            .collect();
        let column = ids.get(&segment).ok_or_else(missing_ids)?;
        let mut names = Vec::with_capacity(ords.len());
        column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            names.push(String::from_utf8_lossy(bytes).into_owned())
        })?;
        keyed.extend(names.into_iter().zip(entries.drain(..)));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(keyed.into_iter().map(|(_, found)| found).collect())
}
