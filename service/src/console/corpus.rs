//! The console's one door to the engine: every page reaches fiches through
//! [`ConsoleCorpus`], a thin view of the server's [`Corpus`](passerelle_engine::Corpus).
//!
//! Every method blocks (SQLite reads, the atlas build): handlers call them on
//! tokio's blocking pool ([`super::blocking`]), never on the runtime's workers.

use std::sync::Arc;

use chrono::NaiveDate;
use passerelle_engine::Result;
use passerelle_engine::atlas::Atlas;
use passerelle_engine::fiche::{Fiche, FicheId};

use crate::server::State;

/// What the console reads of the corpus.
pub(crate) struct ConsoleCorpus {
    state: Arc<State>,
}

impl ConsoleCorpus {
    pub(crate) fn new(state: Arc<State>) -> ConsoleCorpus {
        ConsoleCorpus { state }
    }

    /// The date the map judges calls on: the corpus's.
    pub(crate) fn today(&self) -> NaiveDate {
        self.state.corpus().today()
    }

    /// The store's generation: it changes with every write.
    pub(crate) fn generation(&self) -> Result<u64> {
        self.state.corpus().generation()
    }

    /// The map's point set of every fiche, with the generation it was read at.
    pub(crate) fn atlas(&self) -> Result<(u64, Atlas)> {
        self.state.corpus().atlas()
    }

    /// One fiche.
    pub(crate) fn fiche(&self, id: &FicheId) -> Result<Fiche> {
        self.state.corpus().get(id)
    }
}
