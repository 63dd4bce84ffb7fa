//! The store: the system of record for fiches, an SQLite database in the data
//! directory (`<data-dir>/passerelle.sqlite3`).
//!
//! Every fiche is kept as its canonical JSON line (what `export` gives back) beside a
//! few columns for queries (country, kind, level, population, theme bitsets, call,
//! administrative areas, update time; the last two with covering indexes, so that
//! checking a batch scope and flagging stale fiches read no body).
//! Writes happen in transactions: an import is committed whole or not at all. The
//! database runs in WAL mode with `synchronous=FULL`, so a commit that returned is on
//! disk. Search indexes and caches are derived from it and can be rebuilt from it.

mod areas;
mod decisions;
mod export;
mod import;
mod interests;
mod lock;
pub mod permissions;
mod reconfirmations;
mod record;
mod schema;
mod snapshot;
mod stats;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

pub use areas::AreaCount;
pub use decisions::{Decision, DecisionKind, DecisionReason, NewDecision, RejectedPairs};
pub use import::{ImportRecord, ImportReport, ImportSource, RecordSource};
pub use interests::{
    DeclinedBy, DeclinedEitherWay, Interest, InterestKind, Interests, MutualPair, NewInterest,
};
pub use lock::{DataDirLock, LOCK_FILE};
pub use reconfirmations::Reconfirmation;
pub use snapshot::Snapshot;
pub use stats::{CallCounts, CorpusStats, ThemeCounts};

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId};

/// Records decoded at a time by [`Store::load_all`] (a few hundred kilobytes).
const DECODE_CHUNK: usize = 1024;

/// Every stored record, in id order: what the readers of every fiche decode.
const BODIES_BY_ID: &str = "SELECT id, body FROM fiches ORDER BY id";

/// Name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "passerelle.sqlite3";

/// An open store.
#[derive(Debug)]
pub struct Store {
    /// The batch runs' records (`batch::runs`) extend the store with their own
    /// statements on this connection.
    pub(crate) connection: Connection,
    data_dir: PathBuf,
}

impl Store {
    /// Opens the store of `data_dir`, creating the directory and the database if needed
    /// and bringing the schema up to date. A directory or database this creates is
    /// readable by its owner only (the WAL and shared-memory files take the
    /// database's mode); existing ones are left as they are
    /// ([`permissions::exposed_paths`] lists what others can read).
    pub fn open(data_dir: &Path) -> Result<Store> {
        permissions::create_private_dir(data_dir)?;
        let path = data_dir.join(DATABASE_FILE);
        permissions::touch_private_file(&path)?;
        let mut connection = Connection::open(&path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        // Sorts and groupings (the area counts a batch spec is checked against, over
        // every fiche) in memory rather than in temporary files: they are a few
        // megabytes, and writing them out was a tenth of a small batch run.
        connection.pragma_update(None, "temp_store", "MEMORY")?;
        // Batch runs write from their own connection (results of a large run take
        // seconds): another writer waits for them rather than failing at once.
        connection.busy_timeout(std::time::Duration::from_secs(60))?;
        // Write transactions take the write lock when they begin. A deferred one
        // that reads first (a decision checks its fiches) and writes after another
        // connection committed cannot wait: SQLite fails it at once with "database
        // is locked", whatever the busy timeout (a decision failed so while a batch
        // run wrote its results). Read-only transactions say so (`snapshot`).
        connection.set_transaction_behavior(TransactionBehavior::Immediate);
        schema::migrate(&mut connection, &path)?;
        Ok(Store {
            connection,
            data_dir: data_dir.to_owned(),
        })
    }

    /// Opens the store of an existing data directory; [`Error::NoStore`] when the
    /// directory or its database does not exist (read commands never create one).
    pub fn open_existing(data_dir: &Path) -> Result<Store> {
        if !data_dir.join(DATABASE_FILE).is_file() {
            return Err(Error::NoStore {
                path: data_dir.to_owned(),
            });
        }
        Store::open(data_dir)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Number of fiches.
    pub fn count(&self) -> Result<u64> {
        let count: i64 = self
            .connection
            .query_row("SELECT COUNT(*) FROM fiches", [], |row| row.get(0))?;
        Ok(count as u64)
    }

    /// The fiche with this id, if any.
    pub fn get(&self, id: &FicheId) -> Result<Option<Fiche>> {
        let body: Option<String> = self
            .connection
            .query_row(
                "SELECT body FROM fiches WHERE id = ?1",
                [id.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        body.map(|body| record::decode(id.as_str(), &body))
            .transpose()
    }

    /// The day a fiche was last updated (its `updated_at`, UTC), `None` when it does
    /// not say or there is no such fiche.
    pub fn updated_on(&self, id: &FicheId) -> Result<Option<chrono::NaiveDate>> {
        let text: Option<Option<String>> = self
            .connection
            .query_row(
                "SELECT updated_at FROM fiches WHERE id = ?1",
                [id.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        Ok(day_of(text.flatten()))
    }

    /// Every fiche's id with the day it was last updated (as [`Store::updated_on`]
    /// reads it), in no particular order; read from an index, no body is read.
    pub fn updated_days(&self) -> Result<Vec<(FicheId, Option<chrono::NaiveDate>)>> {
        let mut statement = self
            .connection
            .prepare("SELECT id, updated_at FROM fiches INDEXED BY fiches_by_update")?;
        let mut rows = statement.query([])?;
        let mut days = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let id = FicheId::parse(&id).map_err(|error| Error::CorruptRecord {
                id: id.clone(),
                message: error,
            })?;
            days.push((id, day_of(row.get(1)?)));
        }
        Ok(days)
    }

    /// Inserts or replaces fiches in one transaction; each is validated first, and
    /// nothing is written if one is invalid.
    pub fn upsert(&mut self, fiches: &[Fiche]) -> Result<()> {
        for fiche in fiches {
            fiche.validate()?;
        }
        let transaction = self.connection.transaction()?;
        {
            let mut insert = record::Inserter::new(&transaction)?;
            for fiche in fiches {
                insert.upsert(fiche)?;
            }
        }
        record::bump_generation(&transaction)?;
        transaction.commit()?;
        Ok(())
    }

    /// Deletes a fiche; `NotFound` when there is none with that id.
    pub fn delete(&mut self, id: &FicheId) -> Result<()> {
        let transaction = self.connection.transaction()?;
        let deleted = transaction.execute("DELETE FROM fiches WHERE id = ?1", [id.as_str()])?;
        if deleted == 0 {
            return Err(Error::NotFound(id.clone()));
        }
        record::bump_generation(&transaction)?;
        transaction.commit()?;
        Ok(())
    }

    /// A number that changes whenever the fiches change (import, upsert, delete):
    /// derived data built at one generation is stale at any other.
    pub fn generation(&self) -> Result<u64> {
        let generation: i64 = self.connection.query_row(
            "SELECT value FROM meta WHERE key = 'fiches_generation'",
            [],
            |row| row.get(0),
        )?;
        Ok(generation as u64)
    }

    /// Every fiche, in id order. Decoding (parsing and checking each record) costs
    /// more than reading, and runs on the calling rayon pool (or the global one):
    /// chunks of [`DECODE_CHUNK`] records are decoded there while the next ones are
    /// read (the connection stays on the calling thread), or on the calling thread
    /// when every thread of the pool already has a chunk (records read ahead of the
    /// decoding would pile up in memory). When records are corrupt, the error is the
    /// first one's in id order.
    pub fn load_all(&self) -> Result<Vec<Fiche>> {
        let mut statement = self.connection.prepare(BODIES_BY_ID)?;
        let mut rows = statement.query([])?;
        let decoded = Mutex::new(Vec::new());
        let in_flight = AtomicUsize::new(0);
        let workers = rayon::current_num_threads();
        let read = rayon::in_place_scope(|scope| -> Result<()> {
            let mut index = 0;
            let mut decode = |records: Vec<(String, String)>| {
                let (decoded, in_flight) = (&decoded, &in_flight);
                let decode_and_keep = move || {
                    let fiches = (records.iter())
                        .map(|(id, body)| record::decode(id, body))
                        .collect::<Result<Vec<Fiche>>>();
                    let mut decoded = decoded.lock().expect("no decoding panics");
                    decoded.push((index, fiches));
                };
                if in_flight.load(Ordering::Acquire) >= workers {
                    decode_and_keep();
                } else {
                    in_flight.fetch_add(1, Ordering::AcqRel);
                    scope.spawn(move |_| {
                        decode_and_keep();
                        in_flight.fetch_sub(1, Ordering::AcqRel);
                    });
                }
                index += 1;
            };
            let mut chunk = Vec::with_capacity(DECODE_CHUNK);
            while let Some(row) = rows.next()? {
                chunk.push((row.get::<_, String>(0)?, row.get::<_, String>(1)?));
                if chunk.len() == DECODE_CHUNK {
                    decode(std::mem::replace(
                        &mut chunk,
                        Vec::with_capacity(DECODE_CHUNK),
                    ));
                }
            }
            decode(chunk);
            Ok(())
        });
        read?;
        let mut decoded = decoded.into_inner().expect("no decoding panics");
        decoded.sort_unstable_by_key(|(index, _)| *index);
        let count = decoded
            .iter()
            .map(|(_, c)| c.as_ref().map_or(0, Vec::len))
            .sum();
        let mut fiches = Vec::with_capacity(count);
        for (_, chunk) in decoded {
            fiches.extend(chunk?);
        }
        Ok(fiches)
    }

    /// Calls `visit` with what `make` makes of every fiche, by chunks of `len` in id
    /// order. Each chunk's records are decoded and made on the calling rayon pool
    /// (or the global one) while the calling thread waits, then visited there: the
    /// calling thread reads the next chunk while the work `visit` handed on goes on.
    /// When records are corrupt, the error is the first one's in id order, and no
    /// chunk after the one that holds it is visited.
    pub fn for_each_chunk<T: Send>(
        &self,
        len: usize,
        make: impl Fn(Fiche) -> T + Sync,
        mut visit: impl FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let mut statement = self.connection.prepare(BODIES_BY_ID)?;
        let mut rows = statement.query([])?;
        let mut chunk: Vec<(String, String)> = Vec::with_capacity(len);
        let mut flush = |chunk: &mut Vec<(String, String)>| -> Result<()> {
            let made: Vec<Result<T>> = (chunk.par_iter())
                .map(|(id, body)| record::decode(id, body).map(&make))
                .collect();
            // In id order: the first corrupt record of the chunk, not the first found.
            let made = made.into_iter().collect::<Result<Vec<T>>>()?;
            chunk.clear();
            visit(made)
        };
        while let Some(row) = rows.next()? {
            chunk.push((row.get(0)?, row.get(1)?));
            if chunk.len() >= len {
                flush(&mut chunk)?;
            }
        }
        if !chunk.is_empty() {
            flush(&mut chunk)?;
        }
        Ok(())
    }

    /// Calls `visit` with every fiche, in id order.
    pub fn for_each_fiche(&self, mut visit: impl FnMut(Fiche) -> Result<()>) -> Result<()> {
        let mut statement = self.connection.prepare(BODIES_BY_ID)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let body: String = row.get(1)?;
            visit(record::decode(&id, &body)?)?;
        }
        Ok(())
    }
}

/// The UTC day of a stored `updated_at`; `None` when there is none.
fn day_of(updated_at: Option<String>) -> Option<chrono::NaiveDate> {
    updated_at
        .and_then(|t| crate::fiche::Timestamp::parse(&t).ok())
        .map(|t| t.to_datetime().naive_utc().date())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fixtures::fiche;

    /// More fiches than two chunks of [`DECODE_CHUNK`]: decoded on the pool, they
    /// come back whole and in id order; corrupt records are reported, the first in
    /// id order whatever chunk finished first.
    #[test]
    fn every_fiche_loads_in_id_order_and_the_first_corrupt_record_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let count = 2 * DECODE_CHUNK + 100;
        // Written in reverse id order: the store's order is its own.
        let fiches: Vec<Fiche> = (0..count)
            .rev()
            .map(|n| {
                fiche(
                    &format!("BJ-GN-{n:07}"),
                    &format!("Commune {n}"),
                    serde_json::json!({}),
                )
            })
            .collect();
        store.upsert(&fiches).unwrap();
        let loaded = store.load_all().unwrap();
        let mut expected = fiches;
        expected.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(loaded, expected);
        // By chunks (the index build's way): every fiche made once, in id order.
        let mut chunks = Vec::new();
        let names = |chunk: Vec<String>| {
            chunks.push(chunk);
            Ok(())
        };
        store
            .for_each_chunk(DECODE_CHUNK, |f| f.name, names)
            .unwrap();
        let lengths: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(lengths, [DECODE_CHUNK, DECODE_CHUNK, 100]);
        let made: Vec<String> = chunks.concat();
        assert_eq!(
            made,
            expected.iter().map(|f| f.name.clone()).collect::<Vec<_>>()
        );

        // Two in the same chunk, the later one in its other half (another thread's).
        for n in [2 * DECODE_CHUNK + 50, DECODE_CHUNK + 700, DECODE_CHUNK + 7] {
            store
                .connection
                .execute(
                    "UPDATE fiches SET body = '{' WHERE id = ?1",
                    [format!("BJ-GN-{n:07}")],
                )
                .unwrap();
        }
        match store.load_all() {
            Err(Error::CorruptRecord { id, .. }) => {
                assert_eq!(id, format!("BJ-GN-{:07}", DECODE_CHUNK + 7));
            }
            other => panic!("{:?}", other.map(|f| f.len())),
        }
        // The chunk that holds the first corrupt record is not visited, nor any after.
        let mut visited = 0;
        let visit = |chunk: Vec<FicheId>| {
            visited += chunk.len();
            Ok(())
        };
        match store.for_each_chunk(DECODE_CHUNK, |f| f.id, visit) {
            Err(Error::CorruptRecord { id, .. }) => {
                assert_eq!(id, format!("BJ-GN-{:07}", DECODE_CHUNK + 7));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(visited, DECODE_CHUNK);
    }
}
