//! Writes: committed to the store first, then applied to every derived structure
//! already built, all under the store's lock — so a write is visible everywhere when
//! it returns, and derived data follows the store's order of writes.

use super::Corpus;
use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId};
use crate::store::{Decision, DecisionKind, ImportReport, ImportSource, NewDecision};

impl Corpus {
    /// Writes fiches (valid, distinct ids) durably, then into the matcher, the name
    /// table and the search index. Returns the store's new generation.
    pub fn upsert(&self, fiches: &[Fiche]) -> Result<u64> {
        let mut store = self.store()?;
        if fiches.is_empty() {
            return store.generation();
        }
        store.upsert(fiches)?;
        let generation = store.generation()?;
        self.apply_upserts(fiches, generation)?;
        Ok(generation)
    }

    /// Applies fiches just committed (at `generation`) to every built structure; the
    /// caller holds the store's lock.
    pub(super) fn apply_upserts(&self, fiches: &[Fiche], generation: u64) -> Result<()> {
        // Fiches are analysed while suggestions go on; only the swap waits for them.
        self.matcher.update_prepared(
            |matcher| matcher.prepare(fiches, &[]),
            |matcher, write| matcher.commit(write),
        )?;
        self.names.update(|names| {
            fiches.iter().for_each(|fiche| names.add(fiche));
            Ok(())
        })?;
        self.index
            .update_shared(|index| index.apply(fiches, &[], generation))
    }

    /// Deletes a fiche durably, then from every derived structure.
    pub fn delete(&self, id: &FicheId) -> Result<u64> {
        let mut store = self.store()?;
        store.delete(id)?;
        let generation = store.generation()?;
        self.matcher.update_prepared(
            |matcher| matcher.prepare(&[], std::slice::from_ref(id)),
            |matcher, write| matcher.commit(write),
        )?;
        self.names.update(|names| {
            names.remove(id);
            Ok(())
        })?;
        self.index
            .update_shared(|index| index.apply(&[], std::slice::from_ref(id), generation))?;
        Ok(generation)
    }

    /// Imports files as one transaction (all or nothing; see the store's import
    /// policy). Derived structures are rebuilt on next use. `progress` is called with
    /// the bytes read so far.
    pub fn import(
        &self,
        sources: Vec<ImportSource>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        let mut store = self.store()?;
        let report = store.import(sources, progress)?;
        self.matcher.reset()?;
        self.names.reset()?;
        self.index.reset()?;
        Ok(report)
    }

    /// Records a staff decision durably; a rejection vetoes the pair at once, for
    /// every later suggestion, explanation and batch run.
    pub fn record_decision(&self, decision: &NewDecision) -> Result<Decision> {
        let mut store = self.store()?;
        let recorded = store.record_decision(decision)?;
        if recorded.kind == DecisionKind::Reject {
            self.vetoes
                .write()
                .map_err(|_| Error::Poisoned { what: "vetoes" })?
                .insert(&recorded.fiche_a, &recorded.fiche_b);
        }
        Ok(recorded)
    }
}
