//! The corpus: one data directory, opened once and answered for.
//!
//! [`Corpus`] is the engine's one entry point for every interface — the command line,
//! the gRPC handlers and the console call it and hold no business logic of their own.
//! It owns the store (the system of record) and what is derived from it: the matcher
//! (through its cache), the name table, the search index and the staff vetoes. Writes
//! go through it, so that every derived structure reflects a write when the write
//! returns; reads answer suggest, explain, search, lookup, the review queue and stats.
//!
//! Derived structures are built on first use (a `search` on the command line never
//! builds the matcher); a server calls [`Corpus::warm`] at start.
//!
//! Locks, always taken in this order: the store (a `Mutex`: an SQLite connection is
//! not `Sync`), then one derived structure at a time (`RwLock`s; the matcher's read
//! lock may be held while the vetoes' is taken). Writers hold the store's lock from the
//! commit until every built structure has applied the write, so derived data follows
//! the store's order of writes. Readers never take the store's lock while holding a
//! structure's. Every operation is bounded work (one suggestion, one lookup, one page).

mod batch;
mod freshness;
mod interest;
mod learning;
mod matching;
mod policy;
mod review;
mod slot;
mod writes;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

pub use freshness::{FRESHNESS_HEADER, FreshnessReport, ToContact};
pub use interest::{History, MutualInterest};
pub use learning::{DecisionReplay, TuneOptions, TuneReport, weights_file};

pub use matching::{PairExplanation, Suggestions};
pub use policy::{DEFAULT_MAX_AGE_MONTHS, EXPIRING_WITHIN_DAYS, Freshness, MAX_AGE_MONTHS, Policy};
pub use review::{QueueEntry, QueueQuery, ReviewPage};

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId, Side};
use crate::lookup::{NameHit, NameTable, Resolution};
use crate::ranking::Matcher;
use crate::reference::CountryCode;
use crate::search::{SearchIndex, SearchPage, SearchQuery};
use crate::store::{CorpusStats, DataDirLock, Decision, Interests, RejectedPairs, Store};
use slot::Slot;

/// How a corpus is opened.
#[derive(Debug, Clone, Default)]
pub struct CorpusOptions {
    /// The date calls and LDC status are judged on (default: today, when opened).
    pub today: Option<NaiveDate>,
    /// Scoring threads (0: one per core).
    pub threads: usize,
    /// The command of a process that writes (`passerelle serve`): it holds the data
    /// directory's writer lock for the corpus's life, and a second writer is refused
    /// naming it. Readers (`None`) take nothing.
    pub writer: Option<&'static str>,
    /// The settings of suggestions (default weights, interest bonus, freshness).
    pub policy: Policy,
}

/// What [`Corpus::warm`] built, and how long each part took.
#[derive(Debug, Clone, Default)]
pub struct WarmReport {
    pub fiches: usize,
    pub vetoed_pairs: usize,
    /// Directed interests whose latest word is "interested", and "not interested".
    pub interested: usize,
    pub not_interested: usize,
    /// Reading and decoding every fiche, once for the matcher and the name table.
    pub read: Duration,
    /// The matcher and the name table, built side by side after the read.
    pub matcher: Duration,
    pub names: Duration,
    pub index: Duration,
    /// All of it, start to end.
    pub total: Duration,
    /// Why the search index had to be rebuilt, if it was.
    pub index_rebuilt: Option<crate::search::RebuildReason>,
}

/// The search index as opened.
#[derive(Debug, Clone, Copy)]
pub struct IndexReport {
    pub docs: u64,
    /// Why it had to be rebuilt, if it was.
    pub rebuilt: Option<crate::search::RebuildReason>,
}

/// A data directory's store and everything derived from it.
#[derive(Debug)]
pub struct Corpus {
    data_dir: PathBuf,
    today: NaiveDate,
    threads: usize,
    store: Mutex<Store>,
    matcher: Slot<Matcher>,
    names: Slot<NameTable>,
    index: Slot<SearchIndex>,
    /// Loaded at open (one small query): never rebuilt, so it can be read while the
    /// matcher's lock is held.
    vetoes: RwLock<RejectedPairs>,
    /// The interest fiches declared in each other (latest word of each): loaded at
    /// open like the vetoes, read under the matcher's lock.
    interests: RwLock<Interests>,
    policy: Policy,
    /// Held by a writing process, released when the corpus is dropped.
    _writer: Option<DataDirLock>,
}

impl Corpus {
    /// Opens the store of an existing data directory; a directory without a store
    /// is [`Error::NoStore`] (read commands never create one).
    pub fn open(data_dir: &Path, options: &CorpusOptions) -> Result<Corpus> {
        let writer = Corpus::lock(data_dir, options, true)?;
        Corpus::with_store(Store::open_existing(data_dir)?, options, writer)
    }

    /// Opens the store of `data_dir`, creating the directory and the store if
    /// needed (for `import`, `demo` and `serve`).
    pub fn create_or_open(data_dir: &Path, options: &CorpusOptions) -> Result<Corpus> {
        let writer = Corpus::lock(data_dir, options, false)?;
        Corpus::with_store(Store::open(data_dir)?, options, writer)
    }

    /// The writer lock, for a writing process; taken before the store is opened, so
    /// a second writer is refused before it touches anything.
    fn lock(
        data_dir: &Path,
        options: &CorpusOptions,
        existing: bool,
    ) -> Result<Option<DataDirLock>> {
        match options.writer {
            Some(command) if !existing || data_dir.join(crate::store::DATABASE_FILE).is_file() => {
                DataDirLock::acquire(data_dir, command).map(Some)
            }
            // A missing store is said by `open_existing`, with nothing created.
            _ => Ok(None),
        }
    }

    fn with_store(
        store: Store,
        options: &CorpusOptions,
        writer: Option<DataDirLock>,
    ) -> Result<Corpus> {
        options.policy.validate().map_err(Error::InvalidSetting)?;
        let vetoes = store.rejected_pairs()?;
        let interests = store.interests()?;
        Ok(Corpus {
            data_dir: store.data_dir().to_owned(),
            today: options
                .today
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
            threads: options.threads,
            store: Mutex::new(store),
            matcher: Slot::new("matcher"),
            names: Slot::new("name table"),
            index: Slot::new("search index"),
            vetoes: RwLock::new(vetoes),
            interests: RwLock::new(interests),
            policy: options.policy,
            _writer: writer,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The date calls and LDC status are judged on.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// Scoring threads asked for (0: one per core).
    pub fn threads(&self) -> usize {
        self.threads
    }

    fn store(&self) -> Result<MutexGuard<'_, Store>> {
        self.store
            .lock()
            .map_err(|_| Error::Poisoned { what: "store" })
    }

    fn vetoes(&self) -> Result<RwLockReadGuard<'_, RejectedPairs>> {
        self.vetoes
            .read()
            .map_err(|_| Error::Poisoned { what: "vetoes" })
    }

    fn interests(&self) -> Result<RwLockReadGuard<'_, Interests>> {
        self.interests
            .read()
            .map_err(|_| Error::Poisoned { what: "interests" })
    }

    fn load_matcher(&self, store: &Store) -> Result<Matcher> {
        let cache = crate::ranking::MatcherCache::for_store(store)?;
        Matcher::with_cache(store.load_all()?, self.today, self.threads, &cache)
    }

    fn with_matcher<R>(&self, read: impl FnOnce(&Matcher) -> R) -> Result<R> {
        self.matcher
            .read(|| self.store(), |store| self.load_matcher(store), read)
    }

    fn with_names<R>(&self, read: impl FnOnce(&NameTable) -> R) -> Result<R> {
        self.names
            .read(|| self.store(), NameTable::from_store, read)
    }

    fn with_index<R>(&self, read: impl FnOnce(&SearchIndex) -> R) -> Result<R> {
        self.index
            .read(|| self.store(), SearchIndex::open_or_rebuild, read)
    }

    /// Builds every derived structure now (a server at start), and says what it
    /// cost.
    ///
    /// The matcher and the name table are built from one read of the fiches, side by
    /// side: reading and decoding every fiche costs as much as either.
    pub fn warm(&self) -> Result<WarmReport> {
        let started = Instant::now();
        let (mut read, mut matcher, mut names) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        {
            let store = self.store()?;
            if !self.matcher.is_loaded()? || !self.names.is_loaded()? {
                // In id order, as the matcher is built from them.
                let fiches = store.load_all()?;
                read = started.elapsed();
                let cache = crate::ranking::MatcherCache::for_store(&store)?;
                let (built_names, built_matcher) = rayon::join(
                    || {
                        let started = Instant::now();
                        (self.names.fill(NameTable::from_fiches(&fiches)))
                            .map(|()| started.elapsed())
                    },
                    || {
                        let started = Instant::now();
                        Matcher::with_cache_sorted(&fiches, self.today, self.threads, &cache)
                            .and_then(|built| self.matcher.fill(built))
                            .map(|()| started.elapsed())
                    },
                );
                (names, matcher) = (built_names?, built_matcher?);
            }
        }
        let fiches = self.with_matcher(Matcher::len)?;
        let index_started = Instant::now();
        let index_rebuilt = self.with_index(SearchIndex::rebuilt)?;
        let index = index_started.elapsed();
        let interests = self.interests()?;
        Ok(WarmReport {
            fiches,
            vetoed_pairs: self.vetoes()?.len(),
            interested: interests.count(crate::store::InterestKind::Interested),
            not_interested: interests.count(crate::store::InterestKind::NotInterested),
            read,
            matcher,
            names,
            index,
            total: started.elapsed(),
            index_rebuilt,
        })
    }

    /// Opens (or rebuilds) the search index now, and says whether it had to be
    /// rebuilt.
    pub fn warm_index(&self) -> Result<IndexReport> {
        self.with_index(|index| IndexReport {
            docs: index.num_docs(),
            rebuilt: index.rebuilt(),
        })
    }

    /// Builds the name table now; the number of fiches it holds.
    pub fn warm_names(&self) -> Result<usize> {
        self.with_names(NameTable::len)
    }

    /// The map's point set of every fiche, and the store generation it was read at.
    /// The fiches are read on a connection of their own (one read transaction), so
    /// writes do not wait for it; under-served countries are judged by the matcher's
    /// corpus context, on the corpus's date.
    pub fn atlas(&self) -> Result<(u64, crate::atlas::Atlas)> {
        let context = self.with_matcher(|matcher| matcher.context().clone())?;
        let snapshot = Store::open_existing(&self.data_dir)?.snapshot()?;
        let atlas = crate::atlas::Atlas::with_context(&snapshot.fiches, &context);
        Ok((snapshot.generation, atlas))
    }

    /// Number of fiches in the store.
    pub fn count(&self) -> Result<u64> {
        self.store()?.count()
    }

    /// The store's generation (it changes with every write of fiches).
    pub fn generation(&self) -> Result<u64> {
        self.store()?.generation()
    }

    /// The store generation the search index reflects, once it is built.
    pub fn index_generation(&self) -> Result<Option<u64>> {
        if !self.index.is_loaded()? {
            return Ok(None);
        }
        self.with_index(|index| Some(index.generation()))
    }

    pub fn get(&self, id: &FicheId) -> Result<Fiche> {
        self.store()?
            .get(id)?
            .ok_or_else(|| Error::NotFound(id.clone()))
    }

    /// A user's "name or id" — a name may be qualified, `Saint-Denis (93)` — among
    /// the fiches of `country` and `side` when given. A name corrected by fuzzy
    /// matching says so ([`Resolution::corrected_from`]); an unknown or ambiguous
    /// one is an error listing the candidates.
    pub fn resolve(
        &self,
        name_or_id: &str,
        country: Option<CountryCode>,
        side: Option<Side>,
    ) -> Result<Resolution> {
        crate::input::text_at_most("name", name_or_id, crate::fiche::MAX_NAME_CHARS)?;
        self.with_names(|names| names.resolve_detailed(name_or_id, country, side))?
    }

    /// The `limit` fiches whose names are closest to `name`.
    pub fn lookup(
        &self,
        name: &str,
        country: Option<CountryCode>,
        limit: usize,
    ) -> Result<Vec<NameHit>> {
        crate::input::text_at_most("name", name, crate::fiche::MAX_NAME_CHARS)?;
        self.with_names(|names| names.lookup(name, country, limit))?
    }

    /// Full-text search with filters: one page, the total, and why each hit matched;
    /// hits whose fiche is older than the freshness limit are flagged
    /// ([`crate::search::SearchHit::stale`]).
    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let mut page = self.with_index(|index| index.search(query))??;
        let store = self.store()?;
        for hit in &mut page.hits {
            let updated_on = store.updated_on(&hit.id)?;
            hit.stale = self.policy.freshness.is_stale(updated_on, self.today);
        }
        Ok(page)
    }

    /// Staff decisions on a fiche, or on a pair when `partner` is given, oldest
    /// first.
    pub fn decisions(&self, id: &FicheId, partner: Option<&FicheId>) -> Result<Vec<Decision>> {
        let store = self.store()?;
        match partner {
            Some(partner) => store.decisions_for_pair(id, partner),
            None => store.decisions_for_fiche(id),
        }
    }

    /// Counts by country, level, kind, theme and call state, calls judged on `date`.
    pub fn stats(&self, date: NaiveDate) -> Result<CorpusStats> {
        self.store()?.stats(date)
    }

    /// Writes every fiche as JSON Lines in id order; the number written.
    pub fn export(&self, out: &mut dyn std::io::Write) -> Result<u64> {
        self.store()?.export(out)
    }

    /// Writes every fiche as an .xlsx workbook in id order (one sheet, the
    /// columns [`crate::sheets::Mapping::passerelle`] reads back, then « À
    /// reconfirmer » as [`Corpus::is_stale`] judges on the corpus's date); the
    /// number written. The fiches are read on a connection of their own (one
    /// statement, hence one consistent read), so writes do not wait for the export.
    pub fn export_xlsx(&self, out: impl std::io::Write + Send) -> Result<u64> {
        let store = Store::open_existing(&self.data_dir)?;
        let mut book = crate::sheets::FichesBook::new()?;
        store.for_each_fiche(|fiche| book.fiche(&fiche, self.is_stale(&fiche)))?;
        book.save(out)
    }

    /// Every staff decision, oldest first.
    pub fn all_decisions(&self) -> Result<Vec<Decision>> {
        self.store()?.all_decisions()
    }
}

#[cfg(test)]
mod interest_tests;
#[cfg(test)]
mod tests;
