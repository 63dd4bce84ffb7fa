//! Full-text and filtered search over fiches: a tantivy index in `<data-dir>/index/`.
//!
//! The index is derived from the store and never the only copy of anything.
//! [`SearchIndex::open_or_rebuild`] opens it when it was built from the store's current
//! [`generation`](crate::store::Store::generation) (recorded in tantivy's commit
//! payload) and passes its checks; otherwise (missing, stale, unreadable or failing
//! its checksums) it rebuilds it from the store, into a temporary folder renamed into
//! place, so that a crash mid-build leaves no half index.
//!
//! Names are indexed folded (see [`crate::text`]); activities, offer and request texts
//! are indexed in the field of the fiche's language (`text_fr`, `text_en`, `text_es`,
//! `text_pt`) with that language's analyser, and a query is analysed by all four.
//! Filters (country, région/admin1, level, theme, side, open call on a date,
//! population range) do not change scores. Results are ordered by score descending,
//! then id ascending, so the same query on the same store always gives the same page.

mod build;
mod query;
mod schema;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

use tantivy::IndexReader;

pub use build::RebuildReason;
pub use query::{MAX_LIMIT, MAX_OFFSET, SearchFilters, SearchHit, SearchQuery};

use crate::error::Result;
use crate::store::Store;
use schema::Fields;

/// Name of the index folder inside the data directory.
pub const INDEX_DIR: &str = "index";

/// An open search index, built from one generation of the store.
pub struct SearchIndex {
    dir: PathBuf,
    reader: IndexReader,
    fields: Fields,
    generation: u64,
    rebuilt: Option<RebuildReason>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .field("generation", &self.generation)
            .field("rebuilt", &self.rebuilt)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index of the store's data directory, rebuilding it first when it is
    /// missing, stale or corrupt.
    pub fn open_or_rebuild(store: &Store) -> Result<SearchIndex> {
        Self::open_in(store, &store.data_dir().join(INDEX_DIR))
    }

    /// As [`open_or_rebuild`](Self::open_or_rebuild), with the index in `dir`.
    pub fn open_in(store: &Store, dir: &Path) -> Result<SearchIndex> {
        let generation = store.generation()?;
        let (reader, fields, rebuilt) = match build::open_fresh(dir, generation) {
            Ok((reader, fields)) => (reader, fields, None),
            Err(reason) => {
                build::build(store, dir)?;
                let (reader, fields) = build::open_fresh(dir, generation).map_err(|reason| {
                    crate::Error::IndexUnusable {
                        path: dir.to_owned(),
                        reason: format!("{reason:?} right after a rebuild"),
                    }
                })?;
                (reader, fields, Some(reason))
            }
        };
        Ok(SearchIndex {
            dir: dir.to_owned(),
            reader,
            fields,
            generation,
            rebuilt,
        })
    }

    /// Rebuilds the index if the store changed since it was built.
    pub fn refresh(&mut self, store: &Store) -> Result<()> {
        if store.generation()? != self.generation {
            *self = Self::open_in(store, &self.dir)?;
        }
        Ok(())
    }

    /// Why the last open had to build the index; `None` when it was opened as is.
    pub fn rebuilt(&self) -> Option<RebuildReason> {
        self.rebuilt
    }

    /// The store generation the index was built from.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of indexed fiches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a query: hits ordered by score descending, then id ascending.
    pub fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>> {
        query::run(&self.reader, &self.fields, query)
    }
}
