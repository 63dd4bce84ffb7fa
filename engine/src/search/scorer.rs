//! The scorer of text searches: a [`Plan`]'s matches and scores computed segment by
//! segment straight from posting lists, the same as the plan's tantivy query
//! ([`Plan::query`]) gives, bit for bit, at a fraction of its cost.
//!
//! Why not run the tantivy query: it is a union of one disjunction per word over
//! boxed constant-score scorers, intersected with the filters, and profiles of the
//! demo corpus spent most of a search in the unions' buffering, the intersections'
//! seeks and dynamic dispatch. Here, for each segment:
//!
//! 0. Key filters (country, side, theme…) narrow the search first ([`narrow`]): only
//!    their documents are entered below; when they are few, the other tests are
//!    applied to them at once, step 3 has nothing left to do, long postings are
//!    sought for them rather than read whole, and the bit sets below are read only
//!    in the words (of 64 documents) that hold them ([`Words`]).
//! 1. The selecting clauses (whole names, words that are not common): each place's
//!    postings but themes are read block by block, best place first; a document is
//!    credited once per clause (its best place) into a dense array of scores. The
//!    documents seen are the members, marked in a bit set ([`Bits`]).
//! 2. Their themes, worth less than any other place of the word and most of a
//!    query's postings, are bit sets (kept across searches, see [`KeySets`]): a
//!    member gains the best theme of each
//!    word that credited it nowhere else (64 documents at a time); the other themed
//!    documents are set aside.
//! 3. Members and themed documents that are deleted, shadowed by a pending write or
//!    fail the call or population filters are dropped (key filters were step 0's).
//!    With no filter and nothing deleted, the documents are only counted.
//! 4. Documents only themes select score at most the sum of each word's best theme:
//!    they are scored only if that could reach the page; otherwise they are counted.
//! 5. Common words only add to scores, and at most so much: they are read only for
//!    the documents left that they could lift onto the page (see [`contenders`]);
//!    their postings are scanned, or, for few contenders, sought.
//! 6. The contenders go to the page's collector ([`TopById`]), which keeps the page
//!    with the tie rules; the others are counted. The page's documents that only
//!    themes credited are marked so (their snippets skip their names and texts).
//!
//! Scores are multiples of 1/4096 (see `relevance::points`), so sums do not depend on
//! the order they are made in. Tested against the tantivy query on random queries and
//! filters (`tests/exact.rs`); searches by filters only still run tantivy queries.

use std::cell::RefCell;
use std::sync::Arc;

use rayon::prelude::*;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, SegmentOrdinal, SegmentReader};

use super::bits::{Bits, for_each_bit};
use super::collector::{Collected, MAX_TIE_BREAK, TopById};
use super::columns::SegmentColumns;
use super::filters::Filters;
use super::key_sets::{KeySets, for_each_block_of, io};
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
    /// The candidates, then those left after filtering, then the contenders.
    members: Bits,
    /// By document, side by side (one cache line for both): the clause that last
    /// credited it, and its score (valid for the members).
    slots: Vec<Slot>,
    stamp: u32,
    /// The documents that a theme of a selecting word has.
    themed: Bits,
    /// The documents selected, then those the filters admit.
    selected: Bits,
    /// By selecting word with themes: the documents its other places credited.
    word_docs: Vec<Bits>,
    /// The documents the key filters admit (see [`narrow`]).
    domain: Bits,
}

impl Scratch {
    /// Sizes the arrays for `max_doc` documents, with no members.
    fn start(&mut self, max_doc: usize) {
        if self.slots.len() < max_doc {
            self.slots.resize(max_doc, Slot::default());
        }
        self.members.reset(max_doc);
        self.themed.reset(max_doc);
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
        self.members.contains(doc)
    }

    /// Makes `doc` a member credited `score` by `clause`: its first credit if it was
    /// not a member, else added unless `clause` already credited it.
    #[inline]
    fn enter(&mut self, doc: DocId, clause: u32, score: f32) {
        let slot = &mut self.slots[doc as usize];
        if !self.members.contains(doc) {
            self.members.insert(doc);
            *slot = Slot {
                credited: clause,
                score,
            };
        } else if slot.credited != clause {
            slot.credited = clause;
            slot.score += score;
        }
    }

    /// Makes `docs` the members.
    fn set_members(&mut self, docs: &[DocId]) {
        self.members.words_mut().fill(0);
        for &doc in docs {
            self.members.insert(doc);
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

    /// The score of `doc`.
    #[inline]
    fn score(&self, doc: DocId) -> f32 {
        self.slots[doc as usize].score
    }

    /// Whether `doc`, a contender, was credited through themes only: no name or
    /// text of it holds a word of the query (a common word's theme also makes it
    /// unknown, hence `false`).
    fn themes_only(&self, doc: DocId) -> bool {
        self.slots[doc as usize].credited == THEMES_ONLY
    }
}

/// The credit stamp of a document only themes selected ([`score_theme_only`]): no
/// clause has it, as stamps start at 1. Members were entered with their clause's,
/// and a common word's place that credits the document replaces it.
const THEMES_ONLY: u32 = 0;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    credited: u32,
    score: f32,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Runs `plan` with `filters` over the committed segments of `view` into `collector`.
pub fn collect(
    view: &View,
    plan: &Plan,
    filters: &Filters,
    key_sets: &KeySets,
    collector: &TopById,
) -> Result<Collected> {
    // Segments are independent (each thread has its own scratch): the index is built
    // in one segment per thread, so a search's latency shares the cores too.
    let fruits = (view.searcher.segment_readers().par_iter().enumerate())
        .map(|(ord, reader)| {
            let ord = ord as SegmentOrdinal;
            let mut child = collector.segment_top(ord);
            let segment = Segment {
                reader,
                columns: collector.columns(ord),
                filters,
                key_sets,
                shadowed: collector.shadowed(ord),
                keep: collector.keep(),
            };
            SCRATCH.with_borrow_mut(|scratch| {
                let selected = score_segment(&segment, plan, scratch)?;
                for &doc in &selected.contenders {
                    child.collect(doc, scratch.score(doc));
                }
                child.count_others(selected.others);
                let mut fruit = child.harvest();
                // Their snippets need not look for the query in their names and texts.
                for ranked in &mut fruit.ranked {
                    ranked.themes_only = scratch.themes_only(ranked.address.doc_id);
                }
                Ok::<_, Error>(fruit)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(collector.merge_fruits(fruits)?)
}

/// A segment and what a search asks of it.
struct Segment<'a> {
    reader: &'a SegmentReader,
    columns: &'a SegmentColumns,
    filters: &'a Filters,
    /// The documents of themes and filters' keys.
    key_sets: &'a KeySets,
    /// Documents that pending writes replace or delete (sorted): left out.
    shadowed: &'a [DocId],
    /// How many documents the page needs from it.
    keep: usize,
}

/// What a segment gives the collector: the documents that may be on the page, in
/// doc order, with their scores in the scratch; and how many other documents the
/// plan selects and the filters admit.
struct Selected {
    contenders: Vec<DocId>,
    others: u64,
}

/// A theme place of a selecting word.
struct ThemePlace<'p> {
    place: &'p Place,
    /// The documents that have the theme.
    docs: Arc<Bits>,
    /// The word's documents credited by its other places: `Scratch::word_docs[word]`.
    word: usize,
}

/// Scores the segment's documents that the plan selects and the filters admit.
///
/// Theme places are worth less than any other place of their word, and their
/// postings are most of a query's: they are read as bit sets. A document a word
/// credits elsewhere gains nothing from the word's themes; a document only themes
/// select (`themed`) scores at most `theme_lift`, the sum of each word's best theme:
/// when the page is full of members scoring more than that plus what common words
/// add, it is only counted.
fn score_segment(segment: &Segment, plan: &Plan, scratch: &mut Scratch) -> Result<Selected> {
    let reader = segment.reader;
    let max_doc = reader.max_doc() as usize;
    scratch.start(max_doc);
    let domain = narrow(segment, scratch)?;
    if let Domain::Admitted(docs) = &domain
        && docs.is_empty()
    {
        return Ok(Selected {
            contenders: Vec::new(),
            others: 0,
        });
    }
    // Every document the sets below may hold is in the domain: when it is the few
    // documents admitted, only their words of the sets are read.
    let admitted_words;
    let within = match &domain {
        Domain::Admitted(docs) => {
            admitted_words = words_of(docs);
            Words::Of(&admitted_words)
        }
        _ => Words::All,
    };
    let mut themes: Vec<ThemePlace> = Vec::new();
    let mut words = 0;
    for (places, _) in plan.clauses().filter(|(_, selects)| *selects) {
        let clause = scratch.next_stamp();
        let split = places.iter().position(|p| p.theme).unwrap_or(places.len());
        debug_assert!(places[split..].iter().all(|p| p.theme), "themes come last");
        let word = (split < places.len()).then(|| {
            words += 1;
            grow(&mut scratch.word_docs, words, max_doc);
            words - 1
        });
        for place in &places[..split] {
            let info = segment.columns.terms.look_up(reader, &place.term)?;
            // Few documents, a long posting list: each sought in it.
            if let (Domain::Admitted(docs), Some(info)) = (&domain, &info)
                && docs.len() * SEEK_RATIO < info.doc_freq as usize
            {
                enter_sought(reader, place, info, docs, (clause, word), scratch)?;
                continue;
            }
            let masked = !matches!(domain, Domain::All);
            for_each_block_of(reader, &place.term, info, |docs| {
                if !masked {
                    for &doc in docs {
                        scratch.enter(doc, clause, place.score);
                    }
                    if let Some(word) = word {
                        scratch.word_docs[word].insert_sorted(docs);
                    }
                    return;
                }
                // Only the domain's documents become members, and `word_docs`
                // matters for members only.
                for &doc in docs {
                    if scratch.domain.contains(doc) {
                        scratch.enter(doc, clause, place.score);
                        if let Some(word) = word {
                            scratch.word_docs[word].insert(doc);
                        }
                    }
                }
            })?;
        }
        for place in &places[split..] {
            themes.push(ThemePlace {
                place,
                docs: segment.key_sets.get(reader, &place.term)?,
                word: word.unwrap_or_default(),
            });
        }
    }
    credit_themes(&themes, !matches!(domain, Domain::All), within, scratch);
    // Each word's best theme: its first.
    let theme_lift: f64 = (themes.iter().enumerate())
        .filter(|(i, t)| *i == 0 || themes[i - 1].word != t.word)
        .map(|(_, t)| f64::from(t.place.score))
        .sum();
    let lift = common_lift(plan);
    let unfiltered = matches!(domain, Domain::Admitted(_))
        || (segment.filters.is_empty()
            && reader.alive_bitset().is_none()
            && segment.shadowed.is_empty());
    // Without filters, deleted or shadowed documents (or with the documents that
    // pass them as the domain), every selected document counts and only the members
    // need listing.
    let (credited, filtered_theme_only, total) = if unfiltered {
        let total = union_len(&scratch.members, &scratch.themed, within);
        (docs_in(&scratch.members, within), None, total)
    } else {
        let docs = admitted(segment, scratch);
        let (credited, only): (Vec<DocId>, Vec<DocId>) =
            docs.iter().partition(|&&doc| scratch.members.contains(doc));
        (credited, Some(only), docs.len())
    };
    let keep = segment.keep;
    let mut kth = kth_best(&credited, keep, scratch);
    let themed_can_reach = match kth {
        Some(kth) => theme_lift + lift + 2.0 * MAX_TIE_BREAK >= f64::from(kth),
        None => keep > 0,
    };
    let mut scored = credited;
    if themed_can_reach && !themes.is_empty() {
        let only = filtered_theme_only.unwrap_or_else(|| themed_only(scratch, within));
        score_theme_only(&themes, &only, scratch);
        scored = merge(&scored, &only);
        kth = kth_best(&scored, keep, scratch);
    }
    let contenders = contenders(&scored, keep, kth, lift, scratch);
    scratch.set_members(&contenders);
    for (places, _) in plan.clauses().filter(|(_, selects)| !*selects) {
        let clause = scratch.next_stamp();
        for place in places {
            let info = segment.columns.terms.look_up(reader, &place.term)?;
            add(reader, place, info, &contenders, clause, scratch)?;
        }
    }
    let others = (total - contenders.len()) as u64;
    Ok(Selected { contenders, others })
}

/// Makes `sets` hold at least `len` sets, the first `len` emptied for `max_doc`.
fn grow(sets: &mut Vec<Bits>, len: usize, max_doc: usize) {
    if sets.len() < len {
        sets.resize_with(len, Bits::default);
    }
    sets[len - 1].reset(max_doc);
}

/// The words (of 64 documents) of a segment's sets that a search reads: all of
/// them, or only those holding the few documents the filters admitted (see
/// [`Domain::Admitted`]), which every set of the search is then within.
#[derive(Clone, Copy)]
enum Words<'a> {
    All,
    Of(&'a [usize]),
}

impl Words<'_> {
    /// Calls `f` with each word's index, in order, for sets of `len` words.
    #[inline]
    fn for_each(self, len: usize, f: impl FnMut(usize)) {
        match self {
            Words::All => (0..len).for_each(f),
            Words::Of(words) => words.iter().copied().for_each(f),
        }
    }
}

/// The words of `docs` (in doc order), once each, in order.
fn words_of(docs: &[DocId]) -> Vec<usize> {
    let mut words: Vec<usize> = docs.iter().map(|&doc| doc as usize / 64).collect();
    words.dedup();
    words
}

/// The documents of `set` in `words`, in doc order.
fn docs_in(set: &Bits, words: Words) -> Vec<DocId> {
    let Words::Of(indexes) = words else {
        return set.docs();
    };
    let mut docs = Vec::new();
    for &i in indexes {
        for_each_bit(&[set.words()[i]], |bit| docs.push((i * 64) as DocId + bit));
    }
    docs
}

/// Credits each member the best theme of each word that credited it nowhere else
/// (a word's themes best first), and gathers every themed document in `themed`
/// (of the domain only, when `masked`; members are all in it). Only `words` are
/// read.
fn credit_themes(themes: &[ThemePlace], masked: bool, words: Words, scratch: &mut Scratch) {
    let Scratch {
        members,
        slots,
        themed,
        word_docs,
        domain,
        ..
    } = scratch;
    for theme in themes {
        let docs = theme.docs.words();
        let word = word_docs[theme.word].words_mut();
        let members = members.words();
        let themed = themed.words_mut();
        let domain = domain.words();
        words.for_each(docs.len(), |i| {
            let gained = docs[i] & members[i] & !word[i];
            word[i] |= gained;
            themed[i] |= match masked {
                true => docs[i] & domain[i],
                false => docs[i],
            };
            for_each_bit(&[gained], |bit| {
                slots[i * 64 + bit as usize].score += theme.place.score;
            });
        });
    }
}

/// The documents only themes select (themed, not members), in doc order; only
/// `words` are read.
fn themed_only(scratch: &Scratch, words: Words) -> Vec<DocId> {
    let mut docs = Vec::new();
    let (themed, members) = (scratch.themed.words(), scratch.members.words());
    words.for_each(themed.len(), |i| {
        for_each_bit(&[themed[i] & !members[i]], |bit| {
            docs.push((i * 64) as DocId + bit)
        });
    });
    docs
}

/// The score of each document of `docs`, which only themes select: each word's best
/// theme it has.
fn score_theme_only(themes: &[ThemePlace], docs: &[DocId], scratch: &mut Scratch) {
    for &doc in docs {
        let mut score = 0.0;
        let mut last_word = None;
        for theme in themes {
            if last_word == Some(theme.word) {
                continue;
            }
            if theme.docs.contains(doc) {
                score += theme.place.score;
                last_word = Some(theme.word);
            }
        }
        scratch.slots[doc as usize] = Slot {
            credited: THEMES_ONLY,
            score,
        };
    }
}

/// How many documents `a` or `b` hold in `words`.
fn union_len(a: &Bits, b: &Bits, words: Words) -> usize {
    let (a, b) = (a.words(), b.words());
    let mut len = 0;
    words.for_each(a.len(), |i| len += (a[i] | b[i]).count_ones() as usize);
    len
}

/// Two lists in doc order, without common documents, as one.
fn merge(a: &[DocId], b: &[DocId]) -> Vec<DocId> {
    let mut all = Vec::with_capacity(a.len() + b.len());
    all.extend_from_slice(a);
    all.extend_from_slice(b);
    all.sort_unstable();
    all
}

/// What common words (which select nothing) can add to a score at most: the sum of
/// their best places.
fn common_lift(plan: &Plan) -> f64 {
    (plan.clauses().filter(|(_, selects)| !*selects))
        .map(|(places, _)| places.first().map_or(0.0, |p| f64::from(p.score)))
        .sum()
}

/// The `keep`-th best score of `docs`, if they are that many.
fn kth_best(docs: &[DocId], keep: usize, scratch: &Scratch) -> Option<f32> {
    let nth = keep.checked_sub(1)?;
    if docs.len() < keep {
        return None;
    }
    let mut scores: Vec<f32> = docs.iter().map(|&doc| scratch.score(doc)).collect();
    let (_, kth, _) = scores.select_nth_unstable_by(nth, |a, b| b.total_cmp(a));
    Some(*kth)
}

/// The documents of `docs` that may be among the `keep` best once the common words
/// add to their scores, `kth` being the `keep`-th best score of `docs`
/// ([`kth_best`]). Common words select nothing, so they change no total, and they
/// add at most `lift` (the sum of their best places): a document whose score plus
/// `lift` (plus the population's share of ties) stays below `kth` cannot reach the
/// page, and their postings need not be read for it. Common words are frequent:
/// their postings are the longest.
fn contenders(
    docs: &[DocId],
    keep: usize,
    kth: Option<f32>,
    lift: f64,
    scratch: &Scratch,
) -> Vec<DocId> {
    if keep == 0 {
        return Vec::new();
    }
    let Some(kth) = kth else {
        return docs.to_vec();
    };
    // The `keep` documents scoring `kth` or more score at least that in the end;
    // the tie break adds at most `MAX_TIE_BREAK`, its f32 rounding far less.
    let floor = f64::from(kth) - lift - 2.0 * MAX_TIE_BREAK;
    (docs.iter().copied())
        .filter(|&doc| f64::from(scratch.score(doc)) >= floor)
        .collect()
}

/// Adds `place`'s score to the documents of `docs` (the members) that have its term
/// (whose entry in the segment is `info`) and that `clause` has not credited yet.
fn add(
    reader: &SegmentReader,
    place: &Place,
    info: Option<TermInfo>,
    docs: &[DocId],
    clause: u32,
    scratch: &mut Scratch,
) -> Result<()> {
    let Some(info) = info else {
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

/// The documents of `scratch.members` or `scratch.themed` that are alive, not
/// shadowed, and whose call and population pass the filters, in doc order. Key
/// filters need no test here: only documents of their domain were entered (see
/// [`narrow`]).
fn admitted(segment: &Segment, scratch: &mut Scratch) -> Vec<DocId> {
    let Scratch {
        members,
        themed,
        selected,
        ..
    } = scratch;
    selected.copy_from(members);
    selected.union_with(themed);
    let mut docs = selected.docs();
    retain_alive_in_ranges(segment, &mut docs);
    docs
}

/// Keeps the documents of `docs` (in doc order) that are alive, not shadowed, and
/// whose call and population pass the filters.
fn retain_alive_in_ranges(segment: &Segment, docs: &mut Vec<DocId>) {
    let Segment {
        reader,
        columns,
        filters,
        shadowed,
        ..
    } = *segment;
    if let Some(alive) = reader.alive_bitset() {
        docs.retain(|&doc| alive.is_alive(doc));
    }
    if !shadowed.is_empty() {
        docs.retain(|doc| shadowed.binary_search(doc).is_err());
    }
    if let Some(day) = filters.open_from {
        docs.retain(|&doc| columns.open_until[doc as usize] >= day);
    }
    if let (None, None) = filters.population {
        return;
    }
    let (min, max) = filters.population;
    docs.retain(|&doc| {
        (columns.population)
            .first(doc)
            .is_some_and(|p| min.is_none_or(|min| p >= min) && max.is_none_or(|max| p <= max))
    });
}

/// Which documents a search reads postings for (see [`narrow`]).
enum Domain {
    /// No key filter: every document.
    All,
    /// The documents of the key filters, in `Scratch::domain`; other tests to come.
    Keys,
    /// The documents that pass every test (alive, not shadowed, every filter), in
    /// doc order and in `Scratch::domain`.
    Admitted(Vec<DocId>),
}

/// Narrows the search to the documents the key filters admit (country, side,
/// theme…), before any text posting is read: their sets are kept across searches
/// (see [`KeySets`]), so intersecting them costs a few microseconds. A query asking
/// for the open calls of one country's foreign fiches leaves tens of documents of
/// 200,000: each is then sought in the text postings, and a posting list longer
/// than [`SEEK_RATIO`] times their number is not read whole (see `enter_sought`);
/// as long as they are few, the other tests are applied to them at once. Otherwise
/// postings are read whole, and only the domain's documents are entered.
fn narrow(segment: &Segment, scratch: &mut Scratch) -> Result<Domain> {
    let Some((first, others)) = segment.filters.keys.split_first() else {
        return Ok(Domain::All);
    };
    let (reader, key_sets) = (segment.reader, segment.key_sets);
    let domain = &mut scratch.domain;
    domain.copy_from(&*key_sets.get(reader, first)?);
    for term in others {
        domain.intersect_with(&*key_sets.get(reader, term)?);
    }
    let max_doc = reader.max_doc() as usize;
    if domain.len() * SEEK_RATIO > max_doc {
        return Ok(Domain::Keys);
    }
    let mut docs = domain.docs();
    retain_alive_in_ranges(segment, &mut docs);
    domain.reset(max_doc);
    domain.insert_sorted(&docs);
    Ok(Domain::Admitted(docs))
}

/// Enters the documents of `docs` that have `place`'s term (whose entry in the
/// segment is `info`), each sought in its postings, for `clause`, and records them
/// as credited by `word` (see [`Scratch::word_docs`]).
fn enter_sought(
    reader: &SegmentReader,
    place: &Place,
    info: &TermInfo,
    docs: &[DocId],
    (clause, word): (u32, Option<usize>),
    scratch: &mut Scratch,
) -> Result<()> {
    let inverted = reader.inverted_index(place.term.field())?;
    let mut postings = inverted
        .read_postings_from_terminfo(info, IndexRecordOption::Basic)
        .map_err(io)?;
    for &doc in docs {
        if postings.doc() <= doc && postings.seek(doc) == doc {
            scratch.enter(doc, clause, place.score);
            if let Some(word) = word {
                scratch.word_docs[word].insert(doc);
            }
        }
    }
    Ok(())
}
