//! The scorer of text searches: a [`Plan`]'s matches and scores computed segment by
//! segment straight from posting lists, the same as the plan's tantivy query
//! ([`Plan::query`]) gives, bit for bit, at a fraction of its cost.
//!
//! Why not run the tantivy query: it is a union of one disjunction per word over
//! boxed constant-score scorers, intersected with the filters, and profiles of the
//! demo corpus spent most of a search in the unions' buffering, the intersections'
//! seeks and dynamic dispatch. Here, for each segment:
//!
//! 1. The selecting clauses (whole names, words that are not common): each place's
//!    postings are read block by block, best place first; a document is credited
//!    once per clause (its best place) into a dense array of scores. The documents
//!    seen are the candidates, marked in a bitset (read in doc order, unsorted).
//! 2. Candidates that are deleted or fail a filter are dropped: key filters by
//!    seeking their postings (scanning them for many candidates), call and
//!    population ranges from fast fields.
//! 3. Common words only add to scores, and at most so much: they are read only for
//!    the candidates left that they could lift onto the page (see [`contenders`]);
//!    their postings are scanned, or, for few contenders, sought.
//! 4. The contenders go to the page's collector ([`TopById`]), which keeps the page
//!    with the tie rules; it counts the other candidates left.
//!
//! Scores are multiples of 1/4096 (see `relevance::points`), so sums do not depend on
//! the order they are made in. Tested against the tantivy query on random queries and
//! filters (`tests/exact.rs`); searches by filters only still run tantivy queries.

use std::cell::RefCell;
use std::fmt::Debug;

use rayon::prelude::*;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column};
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, SegmentOrdinal, SegmentReader};

use super::collector::{Collected, MAX_TIE_BREAK, TopById};
use super::filters::Filters;
use super::pending::View;
use super::relevance::{Place, Plan};
use crate::error::{Error, Result};

/// Candidates fewer than 1/`SEEK_RATIO` of a posting list's length are sought in
/// it; more, and scanning the whole list is cheaper.
const SEEK_RATIO: usize = 16;

/// Per-document arrays reused from search to search (the searches of a thread run
/// one at a time), so that a search costs what its postings cost, not the size of
/// the index: the credit stamps say which clause of which search last credited a
/// document, so they are never cleared.
#[derive(Default)]
struct Scratch {
    /// One bit per document: the candidates, then those left after filtering.
    /// Read in word order, it gives them in doc order without sorting.
    members: Vec<u64>,
    /// By document, side by side (one cache line for both): the clause that last
    /// credited it, and its score (valid for the members).
    slots: Vec<Slot>,
    stamp: u32,
}

impl Scratch {
    /// Sizes the arrays for `max_doc` documents, with no members.
    fn start(&mut self, max_doc: usize) {
        if self.slots.len() < max_doc {
            self.slots.resize(max_doc, Slot::default());
        }
        self.members.clear();
        self.members.resize(max_doc.div_ceil(64), 0);
    }

    /// A stamp no entry has yet.
    fn next_stamp(&mut self) -> u32 {
        if self.stamp == u32::MAX {
            self.slots.fill(Slot::default());
            self.stamp = 0;
        }
        self.stamp += 1;
        self.stamp
    }

    #[inline]
    fn is_member(&self, doc: DocId) -> bool {
        self.members[doc as usize / 64] & (1 << (doc % 64)) != 0
    }

    /// Makes `doc` a member, its score left as is.
    #[inline]
    fn mark(&mut self, doc: DocId) {
        self.members[doc as usize / 64] |= 1 << (doc % 64);
    }

    /// Makes `doc` a member credited `score` by `clause`: its first credit if it was
    /// not a member, else added unless `clause` already credited it.
    #[inline]
    fn enter(&mut self, doc: DocId, clause: u32, score: f32) {
        let (word, bit) = (doc as usize / 64, 1u64 << (doc % 64));
        let slot = &mut self.slots[doc as usize];
        if self.members[word] & bit == 0 {
            self.members[word] |= bit;
            *slot = Slot {
                credited: clause,
                score,
            };
        } else if slot.credited != clause {
            slot.credited = clause;
            slot.score += score;
        }
    }

    /// The members, in doc order.
    fn members(&self) -> Vec<DocId> {
        let count = self.members.iter().map(|w| w.count_ones() as usize).sum();
        let mut docs = Vec::with_capacity(count);
        for (i, &word) in self.members.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                docs.push((i * 64) as DocId + word.trailing_zeros());
                word &= word - 1;
            }
        }
        docs
    }

    /// Makes `docs` the members.
    fn set_members(&mut self, docs: &[DocId]) {
        self.members.fill(0);
        for &doc in docs {
            self.members[doc as usize / 64] |= 1 << (doc % 64);
        }
    }

    /// Adds `score` to `doc` unless `clause` already credited it.
    #[inline]
    fn credit(&mut self, doc: DocId, clause: u32, score: f32) {
        let slot = &mut self.slots[doc as usize];
        if slot.credited != clause {
            slot.credited = clause;
            slot.score += score;
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    credited: u32,
    score: f32,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

fn io(error: std::io::Error) -> Error {
    Error::Index(error.into())
}

/// Runs `plan` with `filters` over the committed segments of `view` into `collector`.
pub fn collect(
    view: &View,
    plan: &Plan,
    filters: &Filters,
    collector: &TopById,
) -> Result<Collected> {
    // Segments are independent (each thread has its own scratch): the index is built
    // in one segment per thread, so a search's latency shares the cores too.
    let fruits = (view.searcher.segment_readers().par_iter().enumerate())
        .map(|(ord, reader)| {
            let mut child = collector.for_segment(ord as SegmentOrdinal, reader)?;
            SCRATCH.with_borrow_mut(|scratch| {
                let docs = score_segment(reader, plan, filters, collector.keep(), scratch)?;
                for doc in docs {
                    match scratch.is_member(doc) {
                        true => child.collect(doc, scratch.slots[doc as usize].score),
                        false => child.count(doc),
                    }
                }
                Ok::<(), Error>(())
            })?;
            Ok(child.harvest())
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(collector.merge_fruits(fruits)?)
}

/// The documents of the segment that the plan selects and the filters admit, in doc
/// order; the contenders for the `keep` best are left as the members of `scratch`,
/// with their scores in `scratch.slots`.
fn score_segment(
    reader: &SegmentReader,
    plan: &Plan,
    filters: &Filters,
    keep: usize,
    scratch: &mut Scratch,
) -> Result<Vec<DocId>> {
    scratch.start(reader.max_doc() as usize);
    for (places, _) in plan.clauses().filter(|(_, selects)| *selects) {
        let clause = scratch.next_stamp();
        for place in places {
            let Some(info) = term_info(reader, place)? else {
                continue;
            };
            let inverted = reader.inverted_index(place.term.field())?;
            let mut block = inverted
                .read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)
                .map_err(io)?;
            while !block.docs().is_empty() {
                for &doc in block.docs() {
                    scratch.enter(doc, clause, place.score);
                }
                block.advance();
            }
        }
    }
    let mut docs = scratch.members();
    admit(reader, filters, &mut docs, scratch)?;
    let contenders = contenders(plan, &docs, keep, scratch);
    scratch.set_members(&contenders);
    for (places, _) in plan.clauses().filter(|(_, selects)| !*selects) {
        let clause = scratch.next_stamp();
        for place in places {
            add(reader, place, &contenders, clause, scratch)?;
        }
    }
    Ok(docs)
}

/// The documents of `docs` that may be among the `keep` best once the common words
/// add to their scores. Common words select nothing, so they change no total, and
/// they add at most `lift` (the sum of their best places): a document whose score
/// plus `lift` (plus the population's share of ties) stays below the `keep`-th best
/// score before them cannot reach the page, and their postings need not be read
/// for it. Common words are frequent: their postings are the longest.
fn contenders(plan: &Plan, docs: &[DocId], keep: usize, scratch: &Scratch) -> Vec<DocId> {
    let adding = plan.clauses().filter(|(_, selects)| !*selects);
    let lift: f64 = adding
        .map(|(places, _)| places.first().map_or(0.0, |p| f64::from(p.score)))
        .sum();
    if lift == 0.0 || docs.len() <= keep {
        return docs.to_vec();
    }
    let Some(nth) = keep.checked_sub(1) else {
        return Vec::new();
    };
    let score = |doc: DocId| scratch.slots[doc as usize].score;
    let mut scores: Vec<f32> = docs.iter().map(|&doc| score(doc)).collect();
    let (_, kth, _) = scores.select_nth_unstable_by(nth, |a, b| b.total_cmp(a));
    // The `keep` documents scoring `kth` or more score at least that in the end;
    // the tie break adds at most `MAX_TIE_BREAK`, its f32 rounding far less.
    let floor = f64::from(*kth) - lift - 2.0 * MAX_TIE_BREAK;
    (docs.iter().copied())
        .filter(|&doc| f64::from(score(doc)) >= floor)
        .collect()
}

fn term_info(reader: &SegmentReader, place: &Place) -> Result<Option<TermInfo>> {
    let inverted = reader.inverted_index(place.term.field())?;
    inverted.get_term_info(&place.term).map_err(io)
}

/// Adds `place`'s score to the documents of `docs` (the members) that have its term
/// and that `clause` has not credited yet.
fn add(
    reader: &SegmentReader,
    place: &Place,
    docs: &[DocId],
    clause: u32,
    scratch: &mut Scratch,
) -> Result<()> {
    let Some(info) = term_info(reader, place)? else {
        return Ok(());
    };
    let inverted = reader.inverted_index(place.term.field())?;
    let basic = IndexRecordOption::Basic;
    if docs.len() * SEEK_RATIO < info.doc_freq as usize {
        let mut postings = inverted
            .read_postings_from_terminfo(&info, basic)
            .map_err(io)?;
        for &doc in docs {
            if postings.doc() <= doc && postings.seek(doc) == doc {
                scratch.credit(doc, clause, place.score);
            }
        }
        return Ok(());
    }
    let mut block = inverted
        .read_block_postings_from_terminfo(&info, basic)
        .map_err(io)?;
    while !block.docs().is_empty() {
        for &doc in block.docs() {
            if scratch.is_member(doc) {
                scratch.credit(doc, clause, place.score);
            }
        }
        block.advance();
    }
    Ok(())
}

/// Keeps the documents of `docs` (in doc order) that are alive and pass the filters;
/// uses the bitset of `scratch`.
fn admit(
    reader: &SegmentReader,
    filters: &Filters,
    docs: &mut Vec<DocId>,
    scratch: &mut Scratch,
) -> Result<()> {
    if let Some(alive) = reader.alive_bitset() {
        docs.retain(|&doc| alive.is_alive(doc));
    }
    for term in &filters.keys {
        let inverted = reader.inverted_index(term.field())?;
        let Some(info) = inverted.get_term_info(term).map_err(io)? else {
            docs.clear();
            return Ok(());
        };
        let basic = IndexRecordOption::Basic;
        if docs.len() * SEEK_RATIO < info.doc_freq as usize {
            let mut postings = inverted
                .read_postings_from_terminfo(&info, basic)
                .map_err(io)?;
            // `retain` visits in order, so targets only grow, as `seek` requires.
            docs.retain(|&doc| postings.doc() <= doc && postings.seek(doc) == doc);
        } else {
            // The bitset is free until the caller sets the members left.
            scratch.set_members(&[]);
            let mut block = inverted
                .read_block_postings_from_terminfo(&info, basic)
                .map_err(io)?;
            while !block.docs().is_empty() {
                for &doc in block.docs() {
                    scratch.mark(doc);
                }
                block.advance();
            }
            docs.retain(|&doc| scratch.is_member(doc));
        }
    }
    if let Some(day) = filters.open_from {
        let open_until = reader.fast_fields().i64("open_until")?;
        docs.retain(|&doc| value(&open_until, doc).is_some_and(|until| until >= day));
    }
    if let (None, None) = filters.population {
        return Ok(());
    }
    let (min, max) = filters.population;
    let population = reader.fast_fields().u64("population")?;
    docs.retain(|&doc| {
        population
            .first(doc)
            .is_some_and(|p| min.is_none_or(|min| p >= min) && max.is_none_or(|max| p <= max))
    });
    Ok(())
}

/// The value of `doc` in a fast field of one value per document (every document has
/// one: read directly, without the general path through the column's index).
fn value<T>(column: &Column<T>, doc: DocId) -> Option<T>
where
    T: PartialOrd + Copy + Debug + Send + Sync + 'static,
{
    match column.get_cardinality() {
        Cardinality::Full => Some(column.values.get_val(doc)),
        _ => column.first(doc),
    }
}
