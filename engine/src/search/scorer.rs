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
//!    seen are the candidates.
//! 2. Candidates, in doc order, that are deleted or fail a filter are dropped: key
//!    filters by seeking their postings, call and population ranges from fast fields.
//! 3. Common words only add to the scores of the candidates left: their postings
//!    are scanned, or, when few candidates are left, sought.
//! 4. What is left goes to the page's collector ([`TopById`]), which counts it and
//!    keeps the page with the tie rules.
//!
//! Scores are multiples of 1/4096 (see `relevance::points`), so sums do not depend on
//! the order they are made in. Tested against the tantivy query on random queries and
//! filters (`tests/exact.rs`); searches by filters only still run tantivy queries.

use std::cell::RefCell;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, SegmentOrdinal, SegmentReader};

use super::collector::{Collected, TopById};
use super::filters::Filters;
use super::pending::View;
use super::relevance::{Place, Plan};
use crate::error::{Error, Result};

/// Candidates fewer than 1/`SEEK_RATIO` of a posting list's length are sought in
/// it; more, and scanning the whole list is cheaper.
const SEEK_RATIO: usize = 16;

/// Per-document arrays reused from search to search (the searches of a thread run
/// one at a time). Stamps say which step of which search last wrote an entry, so
/// nothing is cleared between searches: a search costs what its postings cost, not
/// the size of the index.
#[derive(Default)]
struct Scratch {
    /// The step that made the document a candidate.
    member: Vec<u32>,
    /// The clause that last credited the document.
    credited: Vec<u32>,
    /// Valid where `member` is the current search's step.
    scores: Vec<f32>,
    stamp: u32,
}

impl Scratch {
    fn reserve(&mut self, max_doc: usize) {
        if self.member.len() < max_doc {
            self.member.resize(max_doc, 0);
            self.credited.resize(max_doc, 0);
            self.scores.resize(max_doc, 0.0);
        }
    }

    /// A stamp no entry has yet.
    fn next_stamp(&mut self) -> u32 {
        if self.stamp == u32::MAX {
            self.member.fill(0);
            self.credited.fill(0);
            self.stamp = 0;
        }
        self.stamp += 1;
        self.stamp
    }

    /// Adds `score` to `doc` unless `clause` already credited it.
    #[inline]
    fn credit(&mut self, doc: DocId, clause: u32, score: f32) {
        let d = doc as usize;
        if self.credited[d] != clause {
            self.credited[d] = clause;
            self.scores[d] += score;
        }
    }
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
    let mut fruits = Vec::new();
    for (ord, reader) in view.searcher.segment_readers().iter().enumerate() {
        let mut child = collector.for_segment(ord as SegmentOrdinal, reader)?;
        SCRATCH.with_borrow_mut(|scratch| {
            let docs = score_segment(reader, plan, filters, scratch)?;
            for doc in docs {
                child.collect(doc, scratch.scores[doc as usize]);
            }
            Ok::<(), Error>(())
        })?;
        fruits.push(child.harvest());
    }
    Ok(collector.merge_fruits(fruits)?)
}

/// The documents of the segment that the plan selects and the filters admit, in doc
/// order, their scores in `scratch.scores`.
fn score_segment(
    reader: &SegmentReader,
    plan: &Plan,
    filters: &Filters,
    scratch: &mut Scratch,
) -> Result<Vec<DocId>> {
    scratch.reserve(reader.max_doc() as usize);
    let candidate = scratch.next_stamp();
    let mut docs = Vec::new();
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
                    let d = doc as usize;
                    if scratch.member[d] != candidate {
                        scratch.member[d] = candidate;
                        scratch.scores[d] = 0.0;
                        docs.push(doc);
                    }
                    scratch.credit(doc, clause, place.score);
                }
                block.advance();
            }
        }
    }
    docs.sort_unstable();
    admit(reader, filters, &mut docs)?;
    let left = scratch.next_stamp();
    for &doc in &docs {
        scratch.member[doc as usize] = left;
    }
    for (places, _) in plan.clauses().filter(|(_, selects)| !*selects) {
        let clause = scratch.next_stamp();
        for place in places {
            add(reader, place, &docs, (left, clause), scratch)?;
        }
    }
    Ok(docs)
}

fn term_info(reader: &SegmentReader, place: &Place) -> Result<Option<TermInfo>> {
    let inverted = reader.inverted_index(place.term.field())?;
    inverted.get_term_info(&place.term).map_err(io)
}

/// Adds `place`'s score to the documents of `docs` (stamped `left`) that have its
/// term and that `clause` has not credited yet.
fn add(
    reader: &SegmentReader,
    place: &Place,
    docs: &[DocId],
    (left, clause): (u32, u32),
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
            if scratch.member[doc as usize] == left {
                scratch.credit(doc, clause, place.score);
            }
        }
        block.advance();
    }
    Ok(())
}

/// Keeps the documents of `docs` (in doc order) that are alive and pass the filters.
fn admit(reader: &SegmentReader, filters: &Filters, docs: &mut Vec<DocId>) -> Result<()> {
    if let Some(alive) = reader.alive_bitset() {
        docs.retain(|&doc| alive.is_alive(doc));
    }
    for term in &filters.keys {
        let inverted = reader.inverted_index(term.field())?;
        let Some(mut postings) = inverted
            .read_postings(term, IndexRecordOption::Basic)
            .map_err(io)?
        else {
            docs.clear();
            return Ok(());
        };
        // `retain` visits in order, so targets only grow, as `seek` requires.
        docs.retain(|&doc| postings.doc() <= doc && postings.seek(doc) == doc);
    }
    if let Some(day) = filters.open_from {
        let open_until = reader.fast_fields().i64("open_until")?;
        docs.retain(|&doc| open_until.first(doc).is_some_and(|until| until >= day));
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
