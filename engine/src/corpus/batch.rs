//! Batch runs as records: a spec checked against the corpus (every problem reported)
//! and recorded queued; runs listed and cancelled. Carrying a run out is
//! [`crate::batch::execute`], on a store connection of its own, so that a long run
//! never holds the corpus's lock.

use chrono::Utc;

use super::Corpus;
use crate::batch::Scope;
use crate::batch::{BatchRun, RunId, RunStatus};
use crate::batch::{BatchSpec, ResolvedSpec};
use crate::error::Result;
use crate::lookup::NameTable;

/// Whether `spec` names no fiche (no `ids:` scope, no exclusion): its check looks
/// nothing up.
fn names_no_fiche(spec: &BatchSpec) -> bool {
    !matches!(spec.french, Scope::Ids(_))
        && !matches!(spec.foreign, Scope::Ids(_))
        && spec.exclude.is_empty()
        && spec.exclude_pairs.is_empty()
}

impl Corpus {
    /// Checks `spec` against the corpus — bounds, names (among their side; a
    /// qualified name such as `Saint-Denis (93)` settles an ambiguity), scopes that
    /// would select nothing — and resolves its names to ids. Every problem is
    /// reported at once, each naming its field ([`crate::Error::SpecRejected`]);
    /// names corrected by fuzzy matching are listed with the result.
    pub fn check_batch(&self, spec: &BatchSpec) -> Result<ResolvedSpec> {
        let areas = self.store()?.area_counts()?;
        if names_no_fiche(spec) {
            // Nothing to look up: the name table (a read of every fiche, when it is
            // not built yet, as in `passerelle batch`) is not needed.
            return spec.check(&NameTable::from_fiches([]), &areas);
        }
        self.with_names(|names| spec.check(names, &areas))?
    }

    /// Checks `spec` ([`Corpus::check_batch`]) and records it as a queued run
    /// scored on the corpus's date; `origin` says who asked (`cli`, `grpc:staff`).
    pub fn create_batch(&self, spec: &BatchSpec, origin: &str) -> Result<(BatchRun, ResolvedSpec)> {
        let resolved = self.check_batch(spec)?;
        let run = self.record_batch(&resolved, origin)?;
        Ok((run, resolved))
    }

    /// Records a spec already checked by [`Corpus::check_batch`] as a queued run.
    pub fn record_batch(&self, resolved: &ResolvedSpec, origin: &str) -> Result<BatchRun> {
        self.store()?
            .create_batch_run(&resolved.spec, self.today, origin, Utc::now())
    }

    /// The run with this id.
    pub fn batch_run(&self, id: RunId) -> Result<BatchRun> {
        self.store()?.batch_run(id)
    }

    /// The latest `limit` runs, newest first.
    pub fn batch_runs(&self, limit: usize) -> Result<Vec<BatchRun>> {
        self.store()?.batch_runs(limit)
    }

    /// Records a cancel: a queued run is cancelled at once, a running one (of this
    /// process or another) stops at its next progress report. The status after the
    /// call.
    pub fn cancel_batch(&self, id: RunId) -> Result<RunStatus> {
        self.store()?.cancel_batch_run(id, Utc::now())
    }

    /// Marks the runs a stopped process left queued or running as failed
    /// ("interrupted"); how many there were.
    pub fn fail_interrupted_batch_runs(&self) -> Result<usize> {
        self.store()?.fail_interrupted_batch_runs(Utc::now())
    }
}
