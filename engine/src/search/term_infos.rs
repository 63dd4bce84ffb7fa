//! The dictionary entries of a search's terms, segment by segment, looked up once.
//!
//! A query's document frequencies (for its idf) and its scorer read the same terms:
//! each lookup is a walk of the segment's term dictionary (an FST), a few percent of a
//! search when done twice. The analysis of the query looks up its words' terms in
//! every segment at once, the segments in parallel ([`TermInfos::look_up_all`]:
//! the walks wait on memory, and a query's words have seven terms each); the
//! scorer reads them from here and looks up only what the analysis did not.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tantivy::postings::TermInfo;
use tantivy::{SegmentOrdinal, SegmentReader, Term};

use super::key_sets::io;
use crate::error::Result;

/// One segment's entries of the terms looked up (`None`: the segment lacks it).
type Entries = FxHashMap<Term, Option<TermInfo>>;

/// Term infos of one search, by segment ordinal, then by term.
#[derive(Default)]
pub struct TermInfos {
    segments: Vec<Entries>,
}

impl TermInfos {
    /// Looks up every term of `terms` in every segment of `readers` (one segment
    /// per thread) and records them.
    pub fn look_up_all(&mut self, readers: &[SegmentReader], terms: &[Term]) -> Result<()> {
        let found = (readers.par_iter())
            .map(|reader| {
                (terms.iter())
                    .map(|term| Ok((term.clone(), look_up(reader, term)?)))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        for (ord, entries) in found.into_iter().enumerate() {
            self.segment_mut(ord as SegmentOrdinal).extend(entries);
        }
        Ok(())
    }

    /// `term`'s entry in the segment `ord` (`reader`), looked up and recorded.
    pub fn record(
        &mut self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
        term: &Term,
    ) -> Result<Option<TermInfo>> {
        if let Some(info) = self.known(ord, term) {
            return Ok(info);
        }
        let info = look_up(reader, term)?;
        self.segment_mut(ord).insert(term.clone(), info.clone());
        Ok(info)
    }

    /// `term`'s entry in the segment `ord` (`reader`): recorded, or looked up.
    pub fn get(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
        term: &Term,
    ) -> Result<Option<TermInfo>> {
        match self.known(ord, term) {
            Some(info) => Ok(info),
            None => look_up(reader, term),
        }
    }

    /// `term`'s entry in the segment `ord`, if recorded.
    fn known(&self, ord: SegmentOrdinal, term: &Term) -> Option<Option<TermInfo>> {
        self.segments.get(ord as usize)?.get(term).cloned()
    }

    fn segment_mut(&mut self, ord: SegmentOrdinal) -> &mut Entries {
        let ord = ord as usize;
        if self.segments.len() <= ord {
            self.segments.resize_with(ord + 1, Entries::default);
        }
        &mut self.segments[ord]
    }
}

fn look_up(reader: &SegmentReader, term: &Term) -> Result<Option<TermInfo>> {
    let inverted = reader.inverted_index(term.field())?;
    inverted.get_term_info(term).map_err(io)
}
