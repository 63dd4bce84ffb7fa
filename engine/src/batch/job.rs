//! A recorded batch run carried out: what `passerelle batch` and the server's
//! `BatchService` both call, so both leave the same record in the store.
//!
//! The run reads a snapshot of the store (fiches, rejected pairs, declared
//! interests, generation: one read transaction) and builds its own matcher on it (through the matcher cache, on
//! a pool of its own): writes that arrive during a long run do not wait for it and do
//! not change it, and the recorded generation says which data it saw. Same snapshot,
//! same spec, same date: same results, whatever the number of threads.
//!
//! Four phases, each reporting its progress and each stopping at its next report when
//! the callback answers `Break` or a cancel was recorded in the store: the snapshot
//! (reading the store, building the matcher), scoring (the cross product), pairing
//! (the solver checks between blocks of pivots) and writing (the results, in chunks).

use std::ops::ControlFlow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{Participants, RunOutput};
use crate::batch::{BatchRun, ResultItem, RunId, RunOutcome};
use crate::error::{Error, Result};
use crate::ranking::{Matcher, MatcherCache};
use crate::store::Store;

/// The phases of a run, in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Reading the store and building the run's matcher.
    #[default]
    Snapshot,
    /// The cross product.
    Scoring,
    /// The pairing under capacities.
    Pairing,
    /// The results, into the store.
    Writing,
}

impl Phase {
    /// `snapshot`, `scoring`, `pairing` or `writing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Snapshot => "snapshot",
            Phase::Scoring => "scoring",
            Phase::Pairing => "pairing",
            Phase::Writing => "writing",
        }
    }
}

/// Where a running run stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunProgress {
    pub phase: Phase,
    /// Pairs scored so far, out of the run's total.
    pub scored: u64,
    pub total: u64,
    /// The phase's work done, and its size (0 when not known in advance): steps of
    /// the snapshot, pairs scored, pivots of the solver, result rows written.
    pub done: u64,
    pub size: u64,
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
    execute_streaming(store, id, threads, progress, None)
}

/// Where [`execute_streaming`] hands every result of a run.
pub type ResultSink<'a> = Box<dyn FnMut(ResultItem) -> ControlFlow<()> + Send + 'a>;

/// [`execute`], and every result also given to `sink` (when there is one) while
/// they are written into the store, from another thread: what `passerelle batch`
/// writes its files with, without reading millions of rows back. The sink sees the
/// results before the run is done: it must keep them aside until [`execute`]'s
/// record says `done` (the run may still be cancelled or fail). Its `Break` stops
/// the feeding, not the run. The sink is dropped as soon as the feeding ends (after
/// the last result, or when it stopped), possibly before the store has recorded
/// every result: its owner may finish its files then.
pub fn execute_streaming(
    store: &mut Store,
    id: RunId,
    threads: usize,
    progress: &(dyn Fn(RunProgress) -> ControlFlow<()> + Sync),
    sink: Option<ResultSink<'_>>,
) -> Result<BatchRun> {
    if !store.start_batch_run(id, Utc::now())? {
        return store.batch_run(id);
    }
    let run = store.batch_run(id)?;
    let scored = AtomicU64::new(0);
    let outcome = carry_out(store, &run, threads, &scored, progress).and_then(|output| {
        // Every pair is scored by now.
        let (scored, total) = (scored.load(Ordering::Relaxed), output.participants.pairs());
        // The sink stops being fed as soon as the writing fails or is cancelled.
        let failed = AtomicBool::new(false);
        let written = std::thread::scope(|scope| {
            if let Some(mut sink) = sink {
                scope.spawn(|| {
                    output.for_each_item(&mut |item| match failed.load(Ordering::Relaxed) {
                        true => ControlFlow::Break(()),
                        false => sink(item),
                    });
                    drop(sink);
                });
            }
            let written = store.write_batch_results(id, &output, &mut |done, size| {
                progress(RunProgress {
                    phase: Phase::Writing,
                    scored,
                    total,
                    done,
                    size,
                })
            });
            failed.store(written.is_err(), Ordering::Relaxed);
            written
        });
        written.map(|()| output)
    });
    let scored = scored.into_inner();
    match &outcome {
        Ok(output) => store.finish_batch_run(id, RunOutcome::Done(output), scored, Utc::now()),
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
) -> Result<RunOutput> {
    let snapshot_step = |store: &mut Store, done: u64, total: u64| -> Result<()> {
        let cancelled = store.set_batch_progress(run.id, 0)?.is_break()
            || progress(RunProgress {
                phase: Phase::Snapshot,
                total,
                done,
                size: 2,
                ..RunProgress::default()
            })
            .is_break();
        if cancelled {
            return Err(Error::Cancelled);
        }
        Ok(())
    };
    snapshot_step(store, 0, 0)?;
    let snapshot = store.snapshot()?;
    let participants = Participants::select(&snapshot.fiches, &run.spec)?;
    let total = participants.pairs();
    store.set_batch_input(run.id, snapshot.generation, total)?;
    snapshot_step(store, 1, total)?;
    let cache = MatcherCache {
        path: store.data_dir().join(crate::ranking::MATCHER_CACHE_FILE),
        generation: snapshot.generation,
    };
    let matcher = Matcher::with_cache(snapshot.fiches, run.today, threads, &cache)?;
    snapshot_step(store, 2, total)?;
    // The progress callback runs on the pool's threads: the store is reached through
    // a lock, tried and never waited for, at most every STORE_PROGRESS_EVERY.
    let shared = Mutex::new((&mut *store, Instant::now()));
    let output = super::run(
        matcher,
        participants,
        &run.spec,
        &snapshot.vetoes,
        &snapshot.interests,
        &|phase, done, size| {
            if phase == super::Phase::Scoring {
                scored.fetch_max(done, Ordering::Relaxed);
            }
            let scored = scored.load(Ordering::Relaxed);
            if let Ok(mut guard) = shared.try_lock()
                && guard.1.elapsed() >= STORE_PROGRESS_EVERY
            {
                guard.1 = Instant::now();
                // A failed progress write is not worth failing the run for.
                if let Ok(ControlFlow::Break(())) = guard.0.set_batch_progress(run.id, scored) {
                    return ControlFlow::Break(());
                }
            }
            progress(RunProgress {
                phase,
                scored,
                total,
                done,
                size,
            })
        },
    )?;
    scored.store(total, Ordering::Relaxed);
    Ok(output)
}
