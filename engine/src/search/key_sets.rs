//! The documents of exact-value terms (themes, countries, sides… the `keys` field)
//! as bit sets, segment by segment, kept from search to search.
//!
//! A query's themes are most of its postings (a theme is on a tenth to a quarter of
//! the fiches), and a filter on a country or a side reads long postings too; there
//! are few such terms, and a committed segment never changes (deletes are the alive
//! bit set's, read apart), so each is read once per segment and kept. The sets are
//! forgotten all at once past [`MAX_SETS`], which bounds their memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, SegmentReader, Term};

use super::bits::Bits;
use crate::error::{Error, Result};

/// Most sets kept: 12 KiB each for a segment of 100,000 documents.
const MAX_SETS: usize = 2048;

#[derive(Default)]
pub struct KeySets {
    sets: Mutex<HashMap<(SegmentId, Term), Arc<Bits>>>,
}

fn poisoned() -> Error {
    Error::IndexUnusable {
        path: Default::default(),
        reason: "a search panicked while it kept a set of documents".into(),
    }
}

impl KeySets {
    /// The documents of `reader`'s segment that have `term` (deleted ones included).
    pub fn get(&self, reader: &SegmentReader, term: &Term) -> Result<Arc<Bits>> {
        let key = (reader.segment_id(), term.clone());
        if let Some(set) = self.sets.lock().map_err(|_| poisoned())?.get(&key) {
            return Ok(set.clone());
        }
        // Read without the lock: two searches may read the same term at once, and
        // keep the same set.
        let mut set = Bits::default();
        set.reset(reader.max_doc() as usize);
        for_each_block(reader, term, |docs| set.insert_sorted(docs))?;
        let set = Arc::new(set);
        let mut sets = self.sets.lock().map_err(|_| poisoned())?;
        if sets.len() >= MAX_SETS {
            sets.clear();
        }
        sets.insert(key, set.clone());
        Ok(set)
    }
}

/// Calls `f` with the blocks of `term`'s postings in the segment, in doc order.
pub(super) fn for_each_block(
    reader: &SegmentReader,
    term: &Term,
    f: impl FnMut(&[DocId]),
) -> Result<()> {
    let inverted = reader.inverted_index(term.field())?;
    let info = inverted.get_term_info(term).map_err(io)?;
    for_each_block_of(reader, term, info, f)
}

/// As [`for_each_block`], with the term's entry in the segment's dictionary already
/// looked up (`None`: the segment lacks the term).
pub(super) fn for_each_block_of(
    reader: &SegmentReader,
    term: &Term,
    info: Option<TermInfo>,
    mut f: impl FnMut(&[DocId]),
) -> Result<()> {
    let Some(info) = info else {
        return Ok(());
    };
    let inverted = reader.inverted_index(term.field())?;
    let mut block = inverted
        .read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)
        .map_err(io)?;
    while !block.docs().is_empty() {
        f(block.docs());
        block.advance();
    }
    Ok(())
}

pub(super) fn io(error: std::io::Error) -> Error {
    Error::Index(error.into())
}
