//! The server's batch runs in flight: a FIFO queue in front of [`MAX_CONCURRENT_RUNS`]
//! run slot(s), each run carried out by the engine ([`batch::execute`]) on a blocking
//! thread with its own store connection, its progress published on a tokio `watch`
//! channel for `WatchBatch`, and a cancel flag its progress callback reads.
//!
//! One run at a time: a run already uses every core of its matcher's pool, so a
//! second one would only share them and hold a second snapshot of the corpus in
//! memory. Later runs wait in the order they were started (tokio's semaphore is fair).

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use passerelle_engine::batch::{self, Phase, RunProgress};
use passerelle_engine::batch::{BatchRun, RunId, RunStatus};
use passerelle_engine::store::Store;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};

/// Runs carried out at once; the others wait, queued.
pub const MAX_CONCURRENT_RUNS: usize = 1;

/// Where a run of this server stands.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveProgress {
    pub status: RunStatus,
    pub scored: u64,
    pub total: u64,
    /// When scoring began, and the pairs scored then: the rate is measured from it.
    pub since: Option<(Instant, u64)>,
    /// The phase of a running run, its work done and its size (0: not known).
    pub phase: Option<Phase>,
    pub phase_done: u64,
    pub phase_size: u64,
}

impl LiveProgress {
    /// A run's progress as recorded in the store.
    pub fn of(run: &BatchRun) -> LiveProgress {
        LiveProgress {
            status: run.status.clone(),
            scored: run.pairs_scored,
            total: run.pairs_total,
            since: None,
            phase: None,
            phase_done: 0,
            phase_size: 0,
        }
    }

    /// Pairs per second since scoring began (0 before).
    pub fn rate(&self) -> f64 {
        match self.since {
            Some((at, first)) => {
                let seconds = at.elapsed().as_secs_f64();
                if seconds > 0.0 {
                    self.scored.saturating_sub(first) as f64 / seconds
                } else {
                    0.0
                }
            }
            None => 0.0,
        }
    }

    /// Seconds left at the current rate, while running.
    pub fn seconds_left(&self) -> Option<f64> {
        let rate = self.rate();
        (self.status == RunStatus::Running && rate > 0.0)
            .then(|| self.total.saturating_sub(self.scored) as f64 / rate)
    }
}

struct Live {
    progress: watch::Sender<LiveProgress>,
    cancel: Arc<AtomicBool>,
}

/// The runs of this server that are queued or running.
pub struct BatchRunner {
    data_dir: PathBuf,
    threads: usize,
    slots: Arc<Semaphore>,
    live: Mutex<HashMap<RunId, Live>>,
    pause: Mutex<Option<Pause>>,
}

/// A pause waiting for a run to reach its phase ([`BatchRunner::pause_at`]).
struct Pause {
    phase: Phase,
    reached: oneshot::Sender<RunId>,
    /// Ends (an error) when the [`PhaseGate`] is dropped.
    release: std::sync::mpsc::Receiver<()>,
}

/// Holds the run that reached a phase ([`BatchRunner::pause_at`]) in its progress
/// report until dropped.
#[derive(Debug)]
pub struct PhaseGate {
    reached: Option<oneshot::Receiver<RunId>>,
    _release: std::sync::mpsc::SyncSender<()>,
}

impl PhaseGate {
    /// Waits until a run reports the gate's phase (it then waits, with its progress
    /// published, until the gate is dropped); its id.
    pub async fn reached(&mut self) -> RunId {
        self.reached
            .take()
            .expect("a gate is reached once")
            .await
            .expect("the pause is kept until a run reaches it")
    }
}

impl std::fmt::Debug for BatchRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BatchRunner")
    }
}

impl BatchRunner {
    pub fn new(data_dir: PathBuf, threads: usize) -> BatchRunner {
        BatchRunner {
            data_dir,
            threads,
            slots: Arc::new(Semaphore::new(MAX_CONCURRENT_RUNS)),
            live: Mutex::new(HashMap::new()),
            pause: Mutex::new(None),
        }
    }

    /// The next run (of any) to report `phase` waits in that report, its progress
    /// published, until the returned gate is dropped; then it goes on as usual (and
    /// stops there if a cancel arrived meanwhile). Replaces a pause not reached yet.
    pub fn pause_at(&self, phase: Phase) -> PhaseGate {
        let (reached, reached_rx) = oneshot::channel();
        let (release_tx, release) = std::sync::mpsc::sync_channel(0);
        *super::registry_lock::lock(&self.pause, "batch run pause") = Some(Pause {
            phase,
            reached,
            release,
        });
        PhaseGate {
            reached: Some(reached_rx),
            _release: release_tx,
        }
    }

    /// Waits at a pause set for `phase`, if there is one.
    fn pause_in(&self, id: RunId, phase: Phase) {
        let pause = {
            let mut pause = super::registry_lock::lock(&self.pause, "batch run pause");
            match pause.as_ref() {
                Some(p) if p.phase == phase => pause.take(),
                _ => None,
            }
        };
        if let Some(pause) = pause {
            // A test that stopped waiting still releases the run by dropping the gate.
            let _ = pause.reached.send(id);
            let _ = pause.release.recv();
        }
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<RunId, Live>> {
        super::registry_lock::lock(&self.live, "live batch runs")
    }

    /// Queues a recorded (queued) run; it starts when a slot is free. Needs a tokio
    /// runtime.
    pub fn launch(self: &Arc<Self>, run: &BatchRun) {
        let (progress, _) = watch::channel(LiveProgress::of(run));
        let cancel = Arc::new(AtomicBool::new(false));
        self.live().insert(
            run.id,
            Live {
                progress: progress.clone(),
                cancel: cancel.clone(),
            },
        );
        let (runner, id) = (self.clone(), run.id);
        tokio::spawn(async move {
            let Ok(_slot) = runner.slots.clone().acquire_owned().await else {
                return;
            };
            let worker = runner.clone();
            let outcome =
                tokio::task::spawn_blocking(move || worker.execute(id, &progress, &cancel)).await;
            let final_status = match outcome {
                Ok(Ok(run)) => LiveProgress::of(&run),
                Ok(Err(error)) => {
                    tracing::error!(run = %id, %error, "batch run could not be recorded");
                    failed(&error.to_string())
                }
                Err(error) => failed(&format!("worker failed: {error}")),
            };
            runner.finish(id, final_status);
        });
    }

    fn execute(
        &self,
        id: RunId,
        progress: &watch::Sender<LiveProgress>,
        cancel: &AtomicBool,
    ) -> passerelle_engine::Result<BatchRun> {
        let mut store = Store::open(&self.data_dir)?;
        let started = Instant::now();
        tracing::info!(run = %id, "batch run starting");
        let run = batch::execute(&mut store, id, self.threads, &|p: RunProgress| {
            progress.send_modify(|live| {
                live.status = RunStatus::Running;
                live.scored = p.scored;
                live.total = p.total;
                live.phase = Some(p.phase);
                live.phase_done = p.done;
                live.phase_size = p.size;
                if live.since.is_none() && p.scored > 0 {
                    live.since = Some((Instant::now(), p.scored));
                }
            });
            self.pause_in(id, p.phase);
            match cancel.load(Ordering::Relaxed) {
                true => ControlFlow::Break(()),
                false => ControlFlow::Continue(()),
            }
        })?;
        tracing::info!(
            run = %id,
            status = run.status.as_str(),
            pairs = run.pairs_scored,
            ms = started.elapsed().as_millis() as u64,
            "batch run finished"
        );
        Ok(run)
    }

    /// Publishes a run's final status and forgets it (its watchers see the status,
    /// then the end of the channel).
    fn finish(&self, id: RunId, last: LiveProgress) {
        if let Some(live) = self.live().remove(&id) {
            live.progress.send_replace(last);
        }
    }

    /// Follows a run of this server; `None` when it is not queued or running here.
    pub fn watch(&self, id: RunId) -> Option<watch::Receiver<LiveProgress>> {
        self.live().get(&id).map(|live| live.progress.subscribe())
    }

    /// After the store recorded a cancel: a queued run's watchers learn it at once, a
    /// running run stops at its next progress report.
    pub fn cancelled(&self, id: RunId, status: &RunStatus) {
        let live = self.live();
        let Some(run) = live.get(&id) else {
            return;
        };
        run.cancel.store(true, Ordering::Relaxed);
        if status.is_finished() {
            run.progress.send_modify(|p| p.status = status.clone());
        }
    }

    /// Holds every run slot until the guard is dropped: queued runs wait (for
    /// maintenance, and for tests that need a run to stay queued).
    pub async fn hold(&self) -> OwnedSemaphorePermit {
        self.slots
            .clone()
            .acquire_many_owned(MAX_CONCURRENT_RUNS as u32)
            .await
            .expect("the run slots are never closed")
    }
}

fn failed(message: &str) -> LiveProgress {
    LiveProgress {
        status: RunStatus::Failed(message.to_owned()),
        scored: 0,
        total: 0,
        since: None,
        phase: None,
        phase_done: 0,
        phase_size: 0,
    }
}
