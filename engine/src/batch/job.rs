//! A recorded batch run carried out: what `passerelle batch` and the server's
//! `BatchService` both call, so both leave the same record in the store.
//!
//! The run reads a snapshot of the store (fiches, rejected pairs, generation: one
//! read transaction) and builds its own matcher on it (through the matcher cache, on
//! a pool of its own): writes that arrive during a long run do not wait for it and do
//! not change it, and the recorded generation says which data it saw. Same snapshot,
//! same spec, same date: same results, whatever the number of threads.

use std::ops::ControlFlow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{Participants, agenda};
use crate::error::{Error, Result};
use crate::ranking::{Matcher, MatcherCache};
use crate::store::{BatchRun, RunId, RunOutcome, RunResults, Store};

/// Pairs scored so far, out of the run's total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunProgress {
    pub scored: u64,
    pub total: u64,
}

/// How often a running run records its progress in the store (and reads whether a
/// cancel was requested there).
const STORE_PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Carries out the queued run `id` of `store` to its end and returns its final
/// record: done with its results, failed with the error's message, or cancelled
/// (when `progress` answers `Break`, or a cancel was recorded in the store). A run
/// no longer queued (cancelled meanwhile) is returned as it is. Errors are those of
/// the store itself, when the outcome cannot be recorded.
pub fn execute(
    store: &mut Store,
    id: RunId,
    threads: usize,
    progress: &(dyn Fn(RunProgress) -> ControlFlow<()> + Sync),
) -> Result<BatchRun> {
    if !store.start_batch_run(id, Utc::now())? {
        return store.batch_run(id);
    }
    let run = store.batch_run(id)?;
    let scored = AtomicU64::new(0);
    let outcome = carry_out(store, &run, threads, &scored, progress);
    let scored = scored.into_inner();
    match &outcome {
        Ok(results) => store.finish_batch_run(id, RunOutcome::Done(results), scored, Utc::now()),
        Err(Error::Cancelled) => {
            store.finish_batch_run(id, RunOutcome::Cancelled, scored, Utc::now())
        }
        Err(error) => {
            let message = error.to_string();
            store.finish_batch_run(id, RunOutcome::Failed(&message), scored, Utc::now())
        }
    }?;
    store.batch_run(id)
}

fn carry_out(
    store: &mut Store,
    run: &BatchRun,
    threads: usize,
    scored: &AtomicU64,
    progress: &(dyn Fn(RunProgress) -> ControlFlow<()> + Sync),
) -> Result<RunResults> {
    let snapshot = store.snapshot()?;
    let participants = Participants::select(&snapshot.fiches, &run.spec)?;
    let total = participants.pairs();
    store.set_batch_input(run.id, snapshot.generation, total)?;
    if progress(RunProgress { scored: 0, total }).is_break() {
        return Err(Error::Cancelled);
    }
    let cache = MatcherCache {
        path: store.data_dir().join(crate::store::MATCHER_CACHE_FILE),
        generation: snapshot.generation,
    };
    let matcher = Matcher::with_cache(snapshot.fiches, run.today, threads, &cache)?;
    // The progress callback runs on the pool's threads: the store is reached through
    // a lock, tried and never waited for, at most every STORE_PROGRESS_EVERY.
    let shared = Mutex::new((&mut *store, Instant::now()));
    let result = super::run(
        matcher,
        &participants,
        &run.spec,
        &snapshot.vetoes,
        &|done, total| {
            scored.fetch_max(done, Ordering::Relaxed);
            if let Ok(mut guard) = shared.try_lock()
                && guard.1.elapsed() >= STORE_PROGRESS_EVERY
            {
                guard.1 = Instant::now();
                // A failed progress write is not worth failing the run for.
                if let Ok(ControlFlow::Break(())) = guard.0.set_batch_progress(run.id, done) {
                    return ControlFlow::Break(());
                }
            }
            progress(RunProgress {
                scored: done,
                total,
            })
        },
    )?;
    scored.store(total, Ordering::Relaxed);
    let agenda = run
        .spec
        .agenda
        .as_ref()
        .map(|a| agenda::plan(&result.assigned, &a.slots, a.tables));
    Ok(RunResults { result, agenda })
}
