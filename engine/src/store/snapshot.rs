//! A consistent read of the store for work that runs apart from writes (a batch
//! run, the console's map): the fiches, the rejected pairs, the declared interests
//! and the generation, read in one transaction so that they agree even while another
//! connection writes.

use rusqlite::{Transaction, TransactionBehavior};

use super::{Interests, RejectedPairs, Store};
use crate::error::Result;
use crate::fiche::Fiche;

/// What a run reads: the fiches, the rejected pairs and the generation, from one
/// read transaction.
#[derive(Debug)]
pub struct Snapshot {
    pub generation: u64,
    pub fiches: Vec<Fiche>,
    pub vetoes: RejectedPairs,
    pub interests: Interests,
}

impl Store {
    /// The fiches, the rejected pairs and the generation, read in one transaction so
    /// that they agree even while another connection writes.
    pub fn snapshot(&self) -> Result<Snapshot> {
        // Deferred: a read, which must not hold the write lock while it reads
        // every fiche (writers would wait for it).
        let transaction =
            Transaction::new_unchecked(&self.connection, TransactionBehavior::Deferred)?;
        let generation = self.generation()?;
        let fiches = self.load_all()?;
        let vetoes = self.rejected_pairs()?;
        let interests = self.interests()?;
        transaction.commit()?;
        Ok(Snapshot {
            generation,
            fiches,
            vetoes,
            interests,
        })
    }
}
