//! The dictionary entries of a search's terms, segment by segment, looked up once.
//!
//! A query's document frequencies (for its idf) and its scorer read the same terms:
//! each lookup is a walk of the segment's term dictionary (an FST), a few percent of a
//! search when done twice. The analysis of the query records what it looked up; the
//! scorer reads it from here and looks up only what the analysis did not.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use tantivy::postings::TermInfo;
use tantivy::{SegmentOrdinal, SegmentReader, Term};

use super::key_sets::io;
use crate::error::Result;

/// Term infos of one search (`None`: the segment lacks the term).
#[derive(Default)]
pub struct TermInfos {
    known: HashMap<(SegmentOrdinal, Term), Option<TermInfo>>,
}

impl TermInfos {
    /// `term`'s entry in the segment `ord` (`reader`), looked up and recorded.
    pub fn record(
        &mut self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
        term: &Term,
    ) -> Result<Option<TermInfo>> {
        match self.known.entry((ord, term.clone())) {
            Entry::Occupied(known) => Ok(known.get().clone()),
            Entry::Vacant(new) => Ok(new.insert(look_up(reader, term)?).clone()),
        }
    }

    /// `term`'s entry in the segment `ord` (`reader`): recorded, or looked up.
    pub fn get(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
        term: &Term,
    ) -> Result<Option<TermInfo>> {
        match self.known.get(&(ord, term.clone())) {
            Some(info) => Ok(info.clone()),
            None => look_up(reader, term),
        }
    }
}

fn look_up(reader: &SegmentReader, term: &Term) -> Result<Option<TermInfo>> {
    let inverted = reader.inverted_index(term.field())?;
    inverted.get_term_info(term).map_err(io)
}
