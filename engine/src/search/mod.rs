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
//!   ids deleted) to the view searches read, at once (about 0.1 ms on the demo
//!   corpus): the next search sees it, scored exactly as once committed. A
//!   background thread commits pending writes to tantivy with the store generation
//!   in the payload, at most one commit every 250 ms, taking every write pending
//!   (see `writer.rs` and `pending.rs`): a tantivy commit costs milliseconds of work
//!   whatever its size, which a write need not wait for, nor pay one by one. The caller applies writes
//!   in the store's order, after the store's commit, one at a time (it holds its
//!   write lock across both). Searches never wait for a write or a commit.
//! - **Crashes.** The store commits first, so the index is never ahead of it. A
//!   process killed before the index committed a write leaves an index at an older
//!   generation: stale at the next start, hence rebuilt (a clean stop, dropping the
//!   index, commits first; [`SearchIndex::flush`] commits at once). The index does
//!   not fsync (see `directory.rs`): a killed process loses nothing the operating
//!   system was given, so a commit that returned is whole at restart; after a power
//!   loss, a commit that was not on disk yet leaves either the older generation
//!   (stale) or files that fail their checksums (corrupt): both are rebuilt.
//!
//! Scoring is in `relevance.rs`: a query's words weigh by rarity and by where they are
//! found (name, alternative names, texts, themes). Names are indexed folded (see
//! [`crate::text`]); activities, offer and request texts are indexed in the field of
//! the fiche's language (`text_fr`, `text_en`, `text_es`, `text_pt`, `text_ar`) with that
//! language's analyser, and a query is analysed by all five. Filters (country,
//! région/admin1, level, theme, side, open call on a date, population range) do not
//! change scores. A page gives the total number of matches and, for each hit, a
//! [`Snippet`] saying why it matched. Hits are ordered by score descending, then id
//! ascending; document frequencies count the fiches as they are (deleted, replaced
//! and pending documents accounted for), so the same query on the same fiches gives
//! the same page whatever the history of writes and commits (tested against a fresh
//! build). A text search runs its plan segment by segment in `scorer.rs`, straight
//! from posting lists; the plan's tantivy query gives the same pages, slower: it is
//! the scorer's test oracle, and tantivy queries run searches by filters only.

mod bits;
mod build;
mod collector;
mod columns;
mod directory;
mod filters;
mod key_sets;
mod pending;
mod query;
mod relevance;
mod schema;
mod scorer;
mod snippet;
mod stored;
mod term_infos;
mod terms;
mod writer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub use build::RebuildReason;
pub use query::{MAX_LIMIT, MAX_OFFSET, SearchFilters, SearchHit, SearchPage, SearchQuery};
pub use snippet::{MAX_SNIPPET_BYTES, MatchedField, Snippet};
pub use terms::{MAX_QUERY_BYTES, MAX_WORDS};

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId};
use crate::store::Store;
use writer::Shared;

/// Name of the index folder inside the data directory.
pub const INDEX_DIR: &str = "index";

/// An open search index. `Sync`: searches and writes go through `&self`.
pub struct SearchIndex {
    dir: PathBuf,
    shared: Arc<Shared>,
    /// The thread committing pending writes, started by the first write.
    committer: Mutex<Option<JoinHandle<()>>>,
    rebuilt: Option<RebuildReason>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .field("generation", &self.generation())
            .field("committed_generation", &self.committed_generation())
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
        let shared = Shared::new(opened.index, opened.reader, opened.fields, generation)?;
        Ok(SearchIndex {
            dir: dir.to_owned(),
            shared: Arc::new(shared),
            committer: Mutex::new(None),
            rebuilt,
        })
    }

    /// Rebuilds the index if the store changed since it was built or last written.
    pub fn refresh(&mut self, store: &Store) -> Result<()> {
        if store.generation()? != self.generation() {
            self.close()?;
            *self = Self::open_in(store, &self.dir)?;
        }
        Ok(())
    }

    /// Applies one store write: the documents of `deleted` and of the ids of
    /// `upserted` leave the index, `upserted` enter it (deletes first; of a repeated
    /// id, the last wins). The next search sees the write, and
    /// [`generation`](Self::generation) becomes `generation` (the store's after the
    /// write).
    ///
    /// The write is committed to disk in the background, together with the writes
    /// that arrive meanwhile; [`committed_generation`](Self::committed_generation)
    /// follows, and [`flush`](Self::flush) waits for it. Calls must follow the
    /// store's commits, in their order and one at a time. On error (a fiche that
    /// cannot be analysed) nothing of this write is applied.
    pub fn apply(&self, upserted: &[Fiche], deleted: &[FicheId], generation: u64) -> Result<()> {
        self.start_committer()?;
        self.shared.apply(upserted, deleted, generation)
    }

    /// Commits the writes applied so far, now.
    pub fn flush(&self) -> Result<()> {
        self.shared.commit()
    }

    fn start_committer(&self) -> Result<()> {
        let mut committer = self.committer.lock().map_err(|_| poisoned())?;
        if committer.is_none() {
            let shared = self.shared.clone();
            let thread = std::thread::Builder::new()
                .name("passerelle-index-commit".into())
                .spawn(move || shared.run_committer())
                .map_err(|source| Error::Io {
                    path: self.dir.clone(),
                    source,
                })?;
            *committer = Some(thread);
        }
        Ok(())
    }

    /// Leaves writes pending until [`flush`](Self::flush) (tests of pending writes).
    #[cfg(test)]
    fn pause_commits(&self) {
        self.shared.set_background(false);
    }

    /// Commits what is pending, stops the committer and releases the index's lock.
    fn close(&self) -> Result<()> {
        let thread = self.committer.lock().map_err(|_| poisoned())?.take();
        if let Some(thread) = thread {
            self.shared.stop_committer();
            let _ = thread.join();
        }
        self.shared.commit()?;
        self.shared.close_writer()
    }

    /// Why the last open had to build the index; `None` when it was opened as is.
    pub fn rebuilt(&self) -> Option<RebuildReason> {
        self.rebuilt
    }

    /// The store generation searches reflect (built from, or last applied).
    pub fn generation(&self) -> u64 {
        self.shared.view().map_or(0, |view| view.generation)
    }

    /// The store generation of the index on disk (its last commit).
    pub fn committed_generation(&self) -> u64 {
        self.shared.committed_generation()
    }

    /// Why the last commit failed, if it did (the committer retries every second).
    pub fn commit_error(&self) -> Option<String> {
        self.shared.last_error()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of indexed fiches.
    pub fn num_docs(&self) -> u64 {
        self.shared.view().map_or(0, |view| view.num_docs())
    }

    /// Runs a query: the total number of matches and one page of hits, ordered by
    /// score descending, then id ascending, each with its snippet.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let view = self.shared.view()?;
        let shared = &self.shared;
        let (fields, key_sets, columns) = (&shared.fields, &shared.key_sets, &shared.columns);
        // One hand-over to the pool per search: its parallel steps (segments, then
        // hits) start on a worker, where rayon splits them without waking the
        // calling thread in between (each hand-over from outside the pool is a
        // sleep and a wake-up).
        rayon::scope(|_| {
            query::run(
                &view,
                fields,
                key_sets,
                columns,
                query,
                query::Scoring::Postings,
            )
        })
    }
}

impl Drop for SearchIndex {
    /// Commits pending writes, so that a clean stop leaves the index at the store's
    /// generation (a failure only means a rebuild at the next open).
    fn drop(&mut self) {
        let _ = self.close();
    }
}
