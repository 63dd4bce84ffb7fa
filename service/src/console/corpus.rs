//! The console's one door to the engine. Every page reaches fiches through
//! [`ConsoleCorpus`], so moving the console onto the engine's corpus API is a change
//! to this file only.
//!
//! Every method blocks (SQLite reads, the atlas build): handlers call them on
//! tokio's blocking pool ([`super::blocking`]), never on the runtime's workers.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use passerelle_engine::atlas::Atlas;
use passerelle_engine::fiche::{Fiche, FicheId};
use passerelle_engine::store::Store;
use passerelle_engine::{Error, Result};

use crate::server::State;

/// What the console reads of the corpus.
pub(crate) struct ConsoleCorpus {
    state: Arc<State>,
    /// A read connection of the console's own (opened on first use), so reading the
    /// generation or a snapshot never waits on the server's write lock.
    reader: Mutex<Option<Store>>,
    /// The date calls and LDC status are judged on (`None`: today, each time).
    today: Option<NaiveDate>,
}

impl ConsoleCorpus {
    pub(crate) fn new(state: Arc<State>, today: Option<NaiveDate>) -> ConsoleCorpus {
        ConsoleCorpus {
            state,
            reader: Mutex::new(None),
            today,
        }
    }

    /// The date the map judges calls on.
    pub(crate) fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    fn with_reader<T>(&self, read: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let mut reader = self.reader.lock().map_err(|_| Error::BadQuery {
            message: "console store connection poisoned by an earlier panic".into(),
        })?;
        if reader.is_none() {
            *reader = Some(Store::open(self.state.data_dir())?);
        }
        read(reader.as_ref().expect("opened above"))
    }

    /// The store's generation: it changes with every write.
    pub(crate) fn generation(&self) -> Result<u64> {
        self.with_reader(Store::generation)
    }

    /// The map's point set of every fiche, with the generation it was read at (one
    /// read transaction).
    ///
    /// **Adapter**: switch to the corpus API here (its atlas, built with the matcher's
    /// corpus context), keeping the signature.
    pub(crate) fn atlas(&self, today: NaiveDate) -> Result<(u64, Atlas)> {
        let snapshot = self.with_reader(Store::snapshot)?;
        Ok((snapshot.generation, Atlas::build(&snapshot.fiches, today)))
    }

    /// One fiche.
    pub(crate) fn fiche(&self, id: &FicheId) -> Result<Fiche> {
        self.state.get(id)
    }
}
