//! Full-text and filtered search over fiches: a tantivy index in `<data-dir>/index/`.
//!
//! The index is derived from the store and never the only copy of anything. It
//! records the store [`generation`](crate::store::Store::generation) it reflects in
//! tantivy's commit payload.
//!
//! - **Start-up.** [`SearchIndex::open_or_rebuild`] opens the index when it reflects
//!   the store's current generation, holds as many documents as the store has fiches
//!   and passes its checksums; otherwise (missing, stale, unreadable, failing a
//!   check) it rebuilds it from the store into a temporary folder renamed into place,
//!   so that a crash mid-build leaves no half index.
//! - **Writes.** [`SearchIndex::apply`] applies one store write (fiches upserted,
//!   ids deleted) through a long-lived writer, commits with the write's generation
//!   and reloads the reader: the next search sees it. The caller applies writes in
//!   the store's order, after the store's commit, one at a time (it holds its write
//!   lock across both). Searches never wait for a write: they read the last reloaded
//!   snapshot while a commit is in progress.
//! - **Crashes.** The store commits first, so the index is never ahead of it. A
//!   process killed after the store's commit but before the index's leaves an index
//!   at an older generation: stale at the next start, hence rebuilt. A killed process
//!   loses nothing the operating system was given, so an index whose commit returned
//!   is whole at restart; after a power loss, a commit that was not on disk yet
//!   leaves either the older generation (stale) or files that fail their checksums
//!   (corrupt): both are rebuilt.
//!
//! Scoring is in [`relevance`]: a query's words weigh by rarity and by where they are
//! found (name, alternative names, texts, themes). Names are indexed folded (see
//! [`crate::text`]); activities, offer and request texts are indexed in the field of
//! the fiche's language (`text_fr`, `text_en`, `text_es`, `text_pt`) with that
//! language's analyser, and a query is analysed by all four. Filters (country,
//! région/admin1, level, theme, side, open call on a date, population range) do not
//! change scores. A page gives the total number of matches and, for each hit, a
//! [`Snippet`] saying why it matched. Hits are ordered by score descending, then id
//! ascending; document frequencies leave deleted documents out, so the same query
//! on the same fiches gives the same page whatever the history of writes.

mod build;
mod collector;
mod directory;
mod query;
mod relevance;
mod schema;
mod snippet;
mod terms;
mod writer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tantivy::{Index, IndexReader, IndexWriter};

pub use build::RebuildReason;
pub use query::{MAX_LIMIT, MAX_OFFSET, SearchFilters, SearchHit, SearchPage, SearchQuery};
pub use snippet::{MAX_SNIPPET_BYTES, MatchedField, Snippet};
pub use terms::{MAX_QUERY_BYTES, MAX_WORDS};

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId};
use crate::store::Store;
use schema::Fields;

/// Name of the index folder inside the data directory.
pub const INDEX_DIR: &str = "index";

/// An open search index. `Sync`: searches and writes go through `&self`.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Opened on the first write (a read-only user never takes the index's lock).
    writer: Mutex<Option<IndexWriter>>,
    /// The store generation the index reflects.
    generation: AtomicU64,
    rebuilt: Option<RebuildReason>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .field("generation", &self.generation())
            .field("rebuilt", &self.rebuilt)
            .finish_non_exhaustive()
    }
}

fn poisoned() -> Error {
    Error::IndexUnusable {
        path: PathBuf::new(),
        reason: "an earlier write panicked".into(),
    }
}

impl SearchIndex {
    /// Opens the index of the store's data directory, rebuilding it first when it is
    /// missing, stale or corrupt.
    pub fn open_or_rebuild(store: &Store) -> Result<SearchIndex> {
        Self::open_in(store, &store.data_dir().join(INDEX_DIR))
    }

    /// As [`open_or_rebuild`](Self::open_or_rebuild), with the index in `dir`.
    ///
    /// After a rebuild, [`generation`](Self::generation) is the store's generation
    /// when the build began: if another connection wrote meanwhile, the index is
    /// behind the store (never ahead of it), which the caller sees by comparing.
    pub fn open_in(store: &Store, dir: &Path) -> Result<SearchIndex> {
        let generation = store.generation()?;
        let docs = store.count()?;
        let (opened, generation, rebuilt) = match build::open_fresh(dir, generation, docs) {
            Ok(opened) => (opened, generation, None),
            Err(reason) => {
                let built = build::build(store, dir)?;
                let opened =
                    build::open_fresh(dir, built.generation, built.docs).map_err(|after| {
                        Error::IndexUnusable {
                            path: dir.to_owned(),
                            reason: format!("{after:?} right after a rebuild"),
                        }
                    })?;
                (opened, built.generation, Some(reason))
            }
        };
        Ok(SearchIndex {
            dir: dir.to_owned(),
            index: opened.index,
            reader: opened.reader,
            fields: opened.fields,
            writer: Mutex::new(None),
            generation: AtomicU64::new(generation),
            rebuilt,
        })
    }

    /// Rebuilds the index if the store changed since it was built or last written.
    pub fn refresh(&mut self, store: &Store) -> Result<()> {
        if store.generation()? != self.generation() {
            // The writer holds the index's lock and may be merging: it goes first.
            let writer = self.writer.get_mut().map_err(|_| poisoned())?.take();
            if let Some(writer) = writer {
                writer.wait_merging_threads()?;
            }
            *self = Self::open_in(store, &self.dir)?;
        }
        Ok(())
    }

    /// Applies one store write: removes the documents of `deleted` and of the ids of
    /// `upserted`, adds `upserted`, commits with `generation` (the store's after the
    /// write) and reloads, so the next search sees the write.
    ///
    /// Calls must follow the store's commits, in their order and one at a time. On
    /// error nothing of this write is committed and searches keep the previous state;
    /// [`generation`](Self::generation) then stays behind the store's.
    pub fn apply(&self, upserted: &[Fiche], deleted: &[FicheId], generation: u64) -> Result<()> {
        let mut slot = self.writer.lock().map_err(|_| poisoned())?;
        let writer = match slot.as_mut() {
            Some(writer) => writer,
            None => slot.insert(writer::open(&self.index)?),
        };
        if let Err(error) = writer::apply(writer, &self.fields, upserted, deleted, generation) {
            // Drop what was queued; if even that fails, start afresh next time.
            if writer.rollback().is_err() {
                *slot = None;
            }
            return Err(error);
        }
        self.reader.reload()?;
        self.generation.store(generation, Ordering::Release);
        Ok(())
    }

    /// Why the last open had to build the index; `None` when it was opened as is.
    pub fn rebuilt(&self) -> Option<RebuildReason> {
        self.rebuilt
    }

    /// The store generation the index reflects (built from, or last applied).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of indexed fiches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a query: the total number of matches and one page of hits, ordered by
    /// score descending, then id ascending, each with its snippet.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        query::run(&self.reader.searcher(), &self.fields, query)
    }
}
