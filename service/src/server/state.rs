//! The server's state: the engine's [`Corpus`] (store and everything derived from
//! it, with its own locks and write ordering) and what only a server has — the queue
//! of batch runs. Handlers call the corpus on blocking threads; no business logic
//! lives here.

use std::path::Path;
use std::sync::Arc;

use passerelle_engine::batch::{RunId, RunStatus};
use passerelle_engine::{Corpus, CorpusOptions, Result};

use super::batch_runner::BatchRunner;

/// The corpus and the batch runner, shared by every handler.
#[derive(Debug)]
pub struct State {
    corpus: Corpus,
    batches: Arc<BatchRunner>,
}

impl State {
    /// Opens (or creates) the store of `data_dir` and builds everything derived from
    /// it (blocking: seconds on a large corpus). Batch runs a stopped process left
    /// behind are marked failed.
    pub fn load(data_dir: &Path, options: &CorpusOptions) -> Result<State> {
        State::new(Corpus::create_or_open(data_dir, options)?)
    }

    /// The state of an open corpus: interrupted runs failed, every derived structure
    /// built.
    pub fn new(corpus: Corpus) -> Result<State> {
        let interrupted = corpus.fail_interrupted_batch_runs()?;
        if interrupted > 0 {
            tracing::warn!(
                runs = interrupted,
                "batch runs left queued or running by a previous process marked failed (interrupted)"
            );
        }
        let warmed = corpus.warm()?;
        tracing::info!(
            fiches = warmed.fiches,
            vetoed_pairs = warmed.vetoed_pairs,
            read_ms = warmed.read.as_millis() as u64,
            matcher_ms = warmed.matcher.as_millis() as u64,
            names_ms = warmed.names.as_millis() as u64,
            index_ms = warmed.index.as_millis() as u64,
            warm_ms = warmed.total.as_millis() as u64,
            index_rebuilt = warmed.index_rebuilt.is_some(),
            "state loaded"
        );
        let batches = Arc::new(BatchRunner::new(
            corpus.data_dir().to_owned(),
            corpus.threads(),
        ));
        Ok(State { corpus, batches })
    }

    /// The engine's one API over the data directory.
    pub fn corpus(&self) -> &Corpus {
        &self.corpus
    }

    /// The runner of this server's batch runs.
    pub fn batches(&self) -> &Arc<BatchRunner> {
        &self.batches
    }

    /// Cancels a run (recorded in the store, so a run of another process stops too)
    /// and tells this server's runner; the status after the call.
    pub fn cancel_batch(&self, id: RunId) -> Result<RunStatus> {
        let status = self.corpus.cancel_batch(id)?;
        self.batches.cancelled(id, &status);
        Ok(status)
    }

    /// The data directory (batch results are read on a connection of their own).
    pub fn data_dir(&self) -> &Path {
        self.corpus.data_dir()
    }
}
