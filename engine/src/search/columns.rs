//! The fast-field columns a text search reads in each committed segment, opened once
//! per segment and kept from search to search.
//!
//! Opening a column reads its header and, for the ids, the dictionary's: about a
//! twentieth of a search's time when done by every search. A committed segment's
//! columns never change (deletes go to its alive bit set), so they are kept by
//! segment id. When a search meets a segment not kept yet (a commit or a merge made
//! it), the segments its searcher no longer has are forgotten: their files, which a
//! merge deletes, are not kept mapped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::{Column, ColumnValues, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentOrdinal, SegmentReader, TantivyError};

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
        let ids = fast
            .str("id")?
            .ok_or_else(|| TantivyError::SchemaError("the index has no `id` column".into()))?;
        Ok(SegmentColumns {
            ids,
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
    /// The columns of the segment `ord` of `searcher`.
    pub fn get(&self, searcher: &Searcher, ord: SegmentOrdinal) -> Result<Arc<SegmentColumns>> {
        let reader = searcher.segment_reader(ord);
        let id = reader.segment_id();
        if let Some(columns) = self.by_segment.lock().map_err(|_| poisoned())?.get(&id) {
            return Ok(columns.clone());
        }
        // Opened without the lock: two searches may open the same segment's columns.
        let columns = Arc::new(SegmentColumns::open(reader)?);
        let mut by_segment = self.by_segment.lock().map_err(|_| poisoned())?;
        let live = searcher.segment_readers();
        by_segment.retain(|id, _| live.iter().any(|reader| reader.segment_id() == *id));
        by_segment.insert(id, columns.clone());
        Ok(columns)
    }
}

fn poisoned() -> Error {
    Error::IndexUnusable {
        path: Default::default(),
        reason: "a search panicked while it kept a segment's columns".into(),
    }
}
