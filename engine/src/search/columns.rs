//! The fast-field columns a text search reads in each committed segment, opened once
//! per segment and kept from search to search.
//!
//! Opening a column reads its header and, for the ids, the dictionary's: about a
//! twentieth of a search's time when done by every search. A committed segment's
//! columns never change (deletes go to its alive bit set), so they are kept by
//! segment id, for text searches and searches by filters alike. When a search meets
//! a segment not kept yet (a commit or a merge made it), the segments its searcher no
//! longer has are forgotten: their files, which a merge deletes, are not kept mapped.
//! The two columns read for many documents per search (the population's share of
//! ties, the end of open calls) are unpacked into arrays when the segment is first
//! met (16 bytes a document; a few milliseconds for the demo corpus's segments).
//! The dictionary entries searches look up in the segment are kept with them (see
//! [`super::term_infos`]), and forgotten with them.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

use super::collector::missing_ids;
use super::schema::NO_OPEN_CALL;
use super::term_infos::KnownTerms;

use crate::error::{Error, Result};

/// One segment's columns.
pub struct SegmentColumns {
    /// Ids, whose ordinals follow the order of ids (ties of a page).
    pub ids: StrColumn,
    /// [`super::schema::prior`] of the population, 0 where absent, by document: read
    /// for every document that may reach a page (equal scores are many), so kept
    /// as an array (8 bytes a document) rather than read from its packed column.
    pub prior: Arc<[f64]>,
    /// The day an open call ends, by document ([`NO_OPEN_CALL`] where absent): read
    /// for every document of a filter's domain, so kept as an array too.
    pub open_until: Arc<[i64]>,
    pub population: Column<u64>,
    /// The dictionary entries searches looked up in the segment (see
    /// [`super::term_infos`]).
    pub terms: KnownTerms,
}

impl SegmentColumns {
    pub fn open(reader: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let fast = reader.fast_fields();
        Ok(SegmentColumns {
            ids: fast.str("id")?.ok_or_else(missing_ids)?,
            prior: by_doc(fast.f64("prior")?, reader.max_doc(), 0.0),
            open_until: by_doc(fast.i64("open_until")?, reader.max_doc(), NO_OPEN_CALL),
            population: fast.u64("population")?,
            terms: KnownTerms::default(),
        })
    }
}

/// The value of each of the `max_doc` documents in `column`, `default` where it has
/// none.
fn by_doc<T>(column: Column<T>, max_doc: u32, default: T) -> Arc<[T]>
where
    T: PartialOrd + Copy + Debug + Send + Sync + 'static,
{
    let mut values = vec![default; max_doc as usize];
    match column.get_cardinality() {
        // Every document has one value (the rule): read at once.
        Cardinality::Full => column.values.get_range(0, &mut values),
        _ => (0..max_doc)
            .zip(&mut values)
            .for_each(|(doc, value)| *value = column.first(doc).unwrap_or(default)),
    }
    values.into()
}

#[derive(Default)]
pub struct ColumnCache {
    by_segment: Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>,
}

impl ColumnCache {
    /// The columns of each segment of `searcher`, by segment ordinal.
    pub fn of(&self, searcher: &Searcher) -> Result<Vec<Arc<SegmentColumns>>> {
        let readers = searcher.segment_readers();
        let mut by_segment = self.by_segment.lock().map_err(|_| poisoned())?;
        if readers
            .iter()
            .any(|r| !by_segment.contains_key(&r.segment_id()))
        {
            // A new segment: opened under the lock (reading a few column headers, once
            // per segment), and the retired ones forgotten.
            by_segment.retain(|id, _| readers.iter().any(|r| r.segment_id() == *id));
            for reader in readers {
                if let Entry::Vacant(new) = by_segment.entry(reader.segment_id()) {
                    new.insert(Arc::new(SegmentColumns::open(reader)?));
                }
            }
        }
        Ok(readers
            .iter()
            .map(|r| by_segment[&r.segment_id()].clone())
            .collect())
    }
}

fn poisoned() -> Error {
    Error::IndexUnusable {
        path: Default::default(),
        reason: "a search panicked while it kept a segment's columns".into(),
    }
}
