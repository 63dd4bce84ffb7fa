//! The fast-field columns a text search reads in each committed segment, opened once
//! per segment and kept from search to search.
//!
//! Opening a column reads its header and, for the ids, the dictionary's: about a
//! twentieth of a search's time when done by every search. A committed segment's
//! columns never change (deletes go to its alive bit set), so they are kept by
//! segment id, for text searches and searches by filters alike. When a search meets
//! a segment not kept yet (a commit or a merge made it), the segments its searcher no
//! longer has are forgotten: their files, which a merge deletes, are not kept mapped.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex};

use tantivy::columnar::{Column, ColumnValues, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

use super::collector::missing_ids;

use crate::error::{Error, Result};

/// One segment's columns.
pub struct SegmentColumns {
    /// Ids, whose ordinals follow the order of ids (ties of a page).
    pub ids: StrColumn,
    /// [`super::schema::prior`] of the population, 0 where absent.
    pub prior: Arc<dyn ColumnValues<f64>>,
    /// The day an open call ends.
    pub open_until: Column<i64>,
    pub population: Column<u64>,
}

impl SegmentColumns {
    pub fn open(reader: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let fast = reader.fast_fields();
        Ok(SegmentColumns {
            ids: fast.str("id")?.ok_or_else(missing_ids)?,
            prior: fast.f64("prior")?.first_or_default_col(0.0),
            open_until: fast.i64("open_until")?,
            population: fast.u64("population")?,
        })
    }
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
