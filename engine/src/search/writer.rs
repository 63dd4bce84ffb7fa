//! Writes: applied to the view at once, committed to tantivy in the background.
//!
//! [`Shared::apply`] turns a store write into pending documents and publishes a new
//! [`View`] (a few microseconds to a millisecond). The committer thread, woken by
//! each write, takes the pending writes of the current view, removes from the index
//! the documents of their ids, adds the new documents, commits with the view's store
//! generation in the payload, reloads, and publishes a view on the new snapshot with
//! the writes that arrived meanwhile still pending. Writes that arrive during a commit
//! go together into the next one, so a burst of writes costs a few commits.
//!
//! Views are published under one lock (`publish`), which also orders applies: a view
//! always holds every write applied before it, either committed or pending.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use tantivy::{Index, IndexReader, IndexWriter, Term};

use super::build::Payload;
use super::columns::ColumnCache;
use super::key_sets::KeySets;
use super::pending::{Entry, Pending, PendingDoc, View};
use super::schema::Fields;
use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId};

/// Memory of the long-lived writer: one thread, near tantivy's smallest budget; a
/// commit of a few fiches uses a fraction of it.
const MEMORY: usize = 20_000_000;
/// Above this many pending writes (commits failing, or far slower than writes), a
/// write waits for a commit.
const MAX_PENDING: usize = 20_000;
/// Least time between two background commits: a tantivy commit costs milliseconds of
/// CPU whatever its size (and makes a segment to merge later), which a steady write
/// load would pay per write, on the cores suggestions use; writes arriving meanwhile
/// are visible at once from the pending view and go into the next commit.
const COMMIT_INTERVAL: Duration = Duration::from_millis(250);
/// Wait before retrying a failed commit.
const RETRY: Duration = Duration::from_secs(1);

fn poisoned<T>(_: PoisonError<T>) -> Error {
    Error::IndexUnusable {
        path: Default::default(),
        reason: "an earlier write panicked".into(),
    }
}

/// What searches, writes and the committer share.
pub struct Shared {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    view: RwLock<Arc<View>>,
    /// The documents of exact-value terms, by segment, kept across views.
    pub key_sets: KeySets,
    /// Each committed segment's columns, kept from search to search.
    pub columns: ColumnCache,
    /// Held to publish a view; counts writes (their sequence numbers).
    publish: Mutex<u64>,
    /// The long-lived writer, opened by the first commit (a read-only user never
    /// takes the index's lock); held for the whole of a commit.
    writer: Mutex<Option<IndexWriter>>,
    /// The store generation of the last commit.
    committed: AtomicU64,
    /// Set by writes, cleared by the committer; and whether to stop.
    wake: Mutex<(bool, bool)>,
    woken: Condvar,
    /// Off in tests that look at pending writes before their commit.
    background: AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl Shared {
    pub fn new(
        index: Index,
        reader: IndexReader,
        fields: Fields,
        generation: u64,
    ) -> Result<Shared> {
        let view = View::new(reader.searcher(), Pending::default(), generation, &fields)?;
        Ok(Shared {
            index,
            reader,
            fields,
            view: RwLock::new(Arc::new(view)),
            key_sets: KeySets::default(),
            columns: ColumnCache::default(),
            publish: Mutex::new(0),
            writer: Mutex::new(None),
            committed: AtomicU64::new(generation),
            wake: Mutex::new((false, false)),
            woken: Condvar::new(),
            background: AtomicBool::new(true),
            last_error: Mutex::new(None),
        })
    }

    /// The view searches read now.
    pub fn view(&self) -> Result<Arc<View>> {
        Ok(self.view.read().map_err(poisoned)?.clone())
    }

    pub fn committed_generation(&self) -> u64 {
        self.committed.load(Ordering::Acquire)
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    #[cfg(test)]
    pub fn set_background(&self, on: bool) {
        self.background.store(on, Ordering::Release);
    }

    /// Publishes the writes (deletes first, then upserts; of a repeated id, the last
    /// wins) and wakes the committer; commits at once when too much is pending.
    pub fn apply(&self, upserted: &[Fiche], deleted: &[FicheId], generation: u64) -> Result<()> {
        let docs = upserted
            .iter()
            .map(|f| PendingDoc::new(f, &self.fields, &self.index).map(Arc::new))
            .collect::<Result<Vec<_>>>()?;
        let pending = {
            let mut sequence = self.publish.lock().map_err(poisoned)?;
            let current = self.view()?;
            let mut pending = current.pending.clone();
            let writes = (deleted.iter().map(|id| (id.clone(), None)))
                .chain(docs.into_iter().map(|d| (d.id.clone(), Some(d))));
            for (id, doc) in writes {
                *sequence += 1;
                let sequence = *sequence;
                pending.insert(id, Entry { sequence, doc });
            }
            let view = View::new(current.searcher.clone(), pending, generation, &self.fields)?;
            let len = view.pending.len();
            *self.view.write().map_err(poisoned)? = Arc::new(view);
            len
        };
        if pending > MAX_PENDING {
            self.commit()?;
        } else if self.background.load(Ordering::Acquire) {
            self.wake_committer(false);
        }
        Ok(())
    }

    fn wake_committer(&self, stop: bool) {
        if let Ok(mut wake) = self.wake.lock() {
            wake.0 = true;
            wake.1 |= stop;
            self.woken.notify_one();
        }
    }

    /// Commits the writes pending now; returns after the new view is published.
    pub fn commit(&self) -> Result<()> {
        let mut slot = self.writer.lock().map_err(poisoned)?;
        let snapshot = self.view()?;
        if snapshot.pending.is_empty() {
            return Ok(());
        }
        let writer = match slot.as_mut() {
            Some(writer) => writer,
            None => slot.insert(self.index.writer_with_num_threads(1, MEMORY)?),
        };
        if let Err(error) = self.write(writer, &snapshot) {
            // Drop what was queued; if even that fails, start afresh next time.
            if writer.rollback().is_err() {
                *slot = None;
            }
            self.record(Some(&error));
            return Err(error);
        }
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        {
            let _publish = self.publish.lock().map_err(poisoned)?;
            let current = self.view()?;
            let pending = current.pending.without(&snapshot.pending);
            let view = View::new(searcher, pending, current.generation, &self.fields)?;
            *self.view.write().map_err(poisoned)? = Arc::new(view);
        }
        self.committed.store(snapshot.generation, Ordering::Release);
        self.record(None);
        Ok(())
    }

    fn write(&self, writer: &mut IndexWriter, snapshot: &View) -> Result<()> {
        for (id, entry) in snapshot.pending.entries() {
            writer.delete_term(Term::from_field_text(self.fields.id, id.as_str()));
            if let Some(doc) = &entry.doc {
                writer.add_document(doc.doc.clone())?;
            }
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&Payload::at(snapshot.generation));
        commit.commit()?;
        Ok(())
    }

    fn record(&self, error: Option<&Error>) {
        if let Ok(mut last) = self.last_error.lock() {
            *last = error.map(ToString::to_string);
        }
    }

    /// The committer's loop: commit whenever woken, retry failures, commit what is
    /// pending when told to stop.
    pub fn run_committer(&self) {
        loop {
            let stop = {
                let Ok(mut wake) = self.wake.lock() else {
                    return;
                };
                while !wake.0 {
                    wake = match self.woken.wait(wake) {
                        Ok(wake) => wake,
                        Err(_) => return,
                    };
                }
                wake.0 = false;
                wake.1
            };
            if stop {
                let _ = self.commit();
                return;
            }
            // After a failure, wait longer, and commit again even if nothing new came.
            let (pause, again) = match self.commit() {
                Ok(()) => (COMMIT_INTERVAL, false),
                Err(_) => (RETRY, true),
            };
            // A stop request ends the pause at once.
            let paused = self.wake.lock().map(|w| {
                self.woken
                    .wait_timeout_while(w, pause, |(_, stopping)| !*stopping)
            });
            drop(paused);
            if again {
                self.wake_committer(false);
            }
        }
    }

    /// Stops the committer after a last commit.
    pub fn stop_committer(&self) {
        self.wake_committer(true);
    }

    /// Takes the writer (its lock on the index), waiting for its merges.
    pub fn close_writer(&self) -> Result<()> {
        let writer = self.writer_slot()?.take();
        if let Some(writer) = writer {
            writer.wait_merging_threads()?;
        }
        Ok(())
    }

    fn writer_slot(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>> {
        self.writer.lock().map_err(poisoned)
    }
}
