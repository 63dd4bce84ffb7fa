//! The dictionary entries of a search's terms, looked up once per segment and kept
//! from search to search.
//!
//! A query's document frequencies (for its idf) and its scorer read the same terms:
//! each lookup is a walk of the segment's term dictionary (an FST) and a decoding of
//! the entry. A committed segment's dictionary never changes (deletes go to its
//! alive bit set), so each segment keeps the entries searches looked up
//! ([`KnownTerms`], with the segment's columns, see [`super::columns`]): a word
//! searched again (another page, another filter, the same words refined) is not
//! walked again. The analysis of a query looks up its words' terms in every
//! segment at once, the segments in parallel ([`TermInfos::look_up_all`]: a query's
//! words have seven terms each); the scorer then finds them kept, in its segment's
//! columns.

use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tantivy::postings::TermInfo;
use tantivy::{SegmentOrdinal, SegmentReader, Term};

use super::columns::SegmentColumns;
use super::key_sets::io;
use crate::error::{Error, Result};

/// Most entries a segment keeps before it forgets them all: the terms of about
/// 7,000 distinct query words (seven terms a word), and a bound on the memory (a
/// few megabytes a segment).
const MAX_KNOWN_TERMS: usize = 50_000;

/// The dictionary entries searches looked up in one segment (`None`: the segment
/// lacks the term).
#[derive(Default)]
pub struct KnownTerms(Mutex<FxHashMap<Term, Option<TermInfo>>>);

impl KnownTerms {
    /// `term`'s entry in the segment (`reader`): kept, or looked up (outside the
    /// lock) and kept.
    pub fn look_up(&self, reader: &SegmentReader, term: &Term) -> Result<Option<TermInfo>> {
        if let Some(info) = self.0.lock().map_err(|_| poisoned())?.get(term) {
            return Ok(info.clone());
        }
        let inverted = reader.inverted_index(term.field())?;
        let info = inverted.get_term_info(term).map_err(io)?;
        let mut known = self.0.lock().map_err(|_| poisoned())?;
        if known.len() >= MAX_KNOWN_TERMS {
            known.clear();
        }
        known.insert(term.clone(), info.clone());
        Ok(info)
    }
}

fn poisoned() -> Error {
    Error::IndexUnusable {
        path: Default::default(),
        reason: "a search panicked while it kept a segment's dictionary entries".into(),
    }
}

/// The entries of the segments a search reads.
pub struct TermInfos<'c> {
    /// Each segment's columns and kept entries, by segment ordinal.
    segments: &'c [Arc<SegmentColumns>],
}

impl<'c> TermInfos<'c> {
    /// The entries of the segments whose columns are `segments` (by ordinal).
    pub fn new(segments: &'c [Arc<SegmentColumns>]) -> TermInfos<'c> {
        TermInfos { segments }
    }

    /// Looks up every term of `terms` in every segment of `readers` (one segment
    /// per thread), so that they are kept.
    pub fn look_up_all(&self, readers: &[SegmentReader], terms: &[Term]) -> Result<()> {
        (readers.par_iter().enumerate()).try_for_each(|(ord, reader)| {
            let known = self.known(ord as SegmentOrdinal)?;
            (terms.iter()).try_for_each(|term| known.look_up(reader, term).map(drop))
        })
    }

    /// `term`'s entry in the segment `ord` (`reader`).
    pub fn get(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
        term: &Term,
    ) -> Result<Option<TermInfo>> {
        self.known(ord)?.look_up(reader, term)
    }

    fn known(&self, ord: SegmentOrdinal) -> Result<&'c KnownTerms> {
        (self.segments.get(ord as usize))
            .map(|columns| &columns.terms)
            .ok_or_else(|| Error::IndexUnusable {
                path: Default::default(),
                reason: format!("the search has no columns for segment {ord}"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchIndex;
    use crate::search::tests::store_with_corpus;
    use crate::text::fixtures::corpus;

    impl KnownTerms {
        fn len(&self) -> usize {
            self.0.lock().unwrap().len()
        }
    }

    /// A segment keeps the entries it looked up, present or absent, as its
    /// dictionary gives them, and never more than its bound.
    #[test]
    fn a_segment_keeps_its_entries_within_its_bound() {
        let (_dir, store) = store_with_corpus();
        let index = SearchIndex::open_or_rebuild(&store).unwrap();
        let view = index.shared.view().unwrap();
        let reader = &view.searcher.segment_readers()[0];
        let id = index.shared.fields.id;
        let present = Term::from_field_text(id, corpus()[0].id.as_str());
        let absent = Term::from_field_text(id, "ZZ-0000");
        let dictionary = |term: &Term| {
            let inverted = reader.inverted_index(id).unwrap();
            inverted.get_term_info(term).unwrap()
        };
        assert!(dictionary(&present).is_some() && dictionary(&absent).is_none());

        let known = KnownTerms::default();
        for _ in 0..2 {
            for term in [&present, &absent] {
                assert_eq!(known.look_up(reader, term).unwrap(), dictionary(term));
            }
            assert_eq!(known.len(), 2);
        }
        for n in 0..MAX_KNOWN_TERMS + 10 {
            let term = Term::from_field_text(id, &format!("ZZ-{n}"));
            assert_eq!(known.look_up(reader, &term).unwrap(), None);
            assert!(known.len() <= MAX_KNOWN_TERMS);
        }
        assert_eq!(
            known.look_up(reader, &present).unwrap(),
            dictionary(&present)
        );
    }
}
