//! The server's state: the store (the system of record) and what is derived from it
//! (the matcher, the name table, the search index, the veto set), with the blocking
//! operations the handlers run off the async runtime.
//!
//! Locks: `store` (a `Mutex`: an SQLite connection is not `Sync`), then `derived`
//! and `index` (`RwLock`s), always in that order. A write holds the store lock from
//! the commit until every derived structure reflects it, so derived data follows the
//! store's order of writes and a write is visible everywhere when it is acknowledged.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, mpsc};
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use passerelle_engine::batch::BatchSpec;
use passerelle_engine::fiche::{Fiche, FicheId, Side};
use passerelle_engine::lookup::{NameHit, NameTable};
use passerelle_engine::ranking::{CandidateFilters, MAX_K, Matcher, SuggestOptions, Suggestion};
use passerelle_engine::reference::CountryCode;
use passerelle_engine::scoring::{Exclusion, PairScore, Weights};
use passerelle_engine::search::{SearchFilters, SearchIndex, SearchPage, SearchQuery};
use passerelle_engine::store::{
    BatchRun, Decision, NewDecision, RejectedPairs, RunId, RunStatus, Store,
};
use passerelle_engine::{Error, Result};

use super::batch_runner::BatchRunner;

/// Above this many fiches, the search index is rebuilt in the background after a
/// write (a full rebuild takes seconds on the demo corpus) instead of before the
/// write is acknowledged.
pub const DEFAULT_SYNC_INDEX_LIMIT: usize = 20_000;

/// How the state is built.
#[derive(Debug, Clone)]
pub struct StateOptions {
    /// The date calls and LDC status are judged on (default: today, at start).
    pub today: Option<NaiveDate>,
    /// Scoring threads (0: one per core).
    pub threads: usize,
    /// Up to this many fiches, writes refresh the search index before they are
    /// acknowledged; above, a background thread rebuilds it.
    pub sync_index_limit: usize,
}

impl Default for StateOptions {
    fn default() -> Self {
        StateOptions {
            today: None,
            threads: 0,
            sync_index_limit: DEFAULT_SYNC_INDEX_LIMIT,
        }
    }
}

struct Derived {
    matcher: Matcher,
    names: NameTable,
    vetoes: RejectedPairs,
}

/// A French fiche and one undecided suggestion for it.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub fiche_id: FicheId,
    pub fiche_name: String,
    pub partner: Suggestion,
}

/// What the review queue covers.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub region: Option<String>,
    pub filters: CandidateFilters,
    pub per_fiche: usize,
    pub page_size: usize,
    pub offset: usize,
}

/// Store and derived data, shared by every handler.
pub struct State {
    store: Mutex<Store>,
    derived: RwLock<Derived>,
    index: Arc<RwLock<SearchIndex>>,
    /// Held while the index directory is rebuilt (foreground or background).
    rebuilding: Arc<Mutex<()>>,
    /// Wakes the background index rebuilder (started on first use).
    rebuilder: Mutex<Option<mpsc::Sender<()>>>,
    data_dir: PathBuf,
    sync_index_limit: usize,
    /// Batch runs queued or running in this server.
    batches: Arc<BatchRunner>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("State")
    }
}

fn poisoned() -> Error {
    Error::BadQuery {
        message: "server state poisoned by an earlier panic".into(),
    }
}

impl State {
    /// Opens the store of `data_dir` and builds everything derived from it
    /// (blocking: the matcher build takes seconds on a large corpus).
    pub fn load(data_dir: &Path, options: &StateOptions) -> Result<State> {
        let started = Instant::now();
        let mut store = Store::open(data_dir)?;
        let interrupted = store.fail_interrupted_batch_runs(Utc::now())?;
        if interrupted > 0 {
            tracing::warn!(
                runs = interrupted,
                "batch runs left queued or running by a previous process marked failed (interrupted)"
            );
        }
        let fiches = store.load_all()?;
        let read = started.elapsed();
        let names = NameTable::from_fiches(&fiches);
        let vetoes = store.rejected_pairs()?;
        let count = fiches.len();
        let today = options
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        // The text analysis is read from the matcher cache when it matches the store.
        let cache = store.matcher_cache()?;
        let matcher = Matcher::with_cache(fiches, today, options.threads, &cache)?;
        let matched = started.elapsed();
        let index = SearchIndex::open_or_rebuild(&store)?;
        tracing::info!(
            fiches = count,
            vetoed_pairs = vetoes.len(),
            read_ms = read.as_millis() as u64,
            matcher_ms = (matched - read).as_millis() as u64,
            index_ms = (started.elapsed() - matched).as_millis() as u64,
            index_rebuilt = index.rebuilt().is_some(),
            total_ms = started.elapsed().as_millis() as u64,
            "state loaded"
        );
        Ok(State {
            store: Mutex::new(store),
            derived: RwLock::new(Derived {
                matcher,
                names,
                vetoes,
            }),
            index: Arc::new(RwLock::new(index)),
            rebuilding: Arc::new(Mutex::new(())),
            rebuilder: Mutex::new(None),
            data_dir: data_dir.to_owned(),
            sync_index_limit: options.sync_index_limit,
            batches: Arc::new(BatchRunner::new(data_dir.to_owned(), options.threads)),
        })
    }

    fn store(&self) -> Result<MutexGuard<'_, Store>> {
        self.store.lock().map_err(|_| poisoned())
    }

    fn derived(&self) -> Result<RwLockReadGuard<'_, Derived>> {
        self.derived.read().map_err(|_| poisoned())
    }

    fn derived_mut(&self) -> Result<RwLockWriteGuard<'_, Derived>> {
        self.derived.write().map_err(|_| poisoned())
    }

    /// Number of fiches.
    pub fn len(&self) -> usize {
        self.derived().map(|d| d.matcher.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes fiches (valid, distinct ids) durably, then updates the matcher and the
    /// name table, and the search index when `refresh_index`.
    pub fn upsert(&self, fiches: &[Fiche], refresh_index: bool) -> Result<()> {
        if fiches.is_empty() {
            return Ok(());
        }
        let mut store = self.store()?;
        store.upsert(fiches)?;
        {
            let mut derived = self.derived_mut()?;
            derived.matcher.apply(fiches, &[]);
            for fiche in fiches {
                derived.names.add(fiche);
            }
            metrics::gauge!("passerelle_fiches").set(derived.matcher.len() as f64);
        }
        if refresh_index {
            self.refresh_index_locked(&store)?;
        }
        Ok(())
    }

    /// Brings the search index up to date with the store: at once on a small
    /// corpus, in the background on a large one.
    pub fn refresh_index(&self) -> Result<()> {
        let store = self.store()?;
        self.refresh_index_locked(&store)
    }

    fn refresh_index_locked(&self, store: &Store) -> Result<()> {
        if self.len() <= self.sync_index_limit {
            return rebuild_index(&self.index, &self.rebuilding, store);
        }
        let mut rebuilder = self.rebuilder.lock().map_err(|_| poisoned())?;
        if let Some(wake) = rebuilder.as_ref()
            && wake.send(()).is_ok()
        {
            return Ok(());
        }
        let (wake, woken) = mpsc::channel::<()>();
        let (index, rebuilding) = (self.index.clone(), self.rebuilding.clone());
        let data_dir = self.data_dir.clone();
        std::thread::Builder::new()
            .name("passerelle-index".into())
            .spawn(move || background_rebuilder(&data_dir, &index, &rebuilding, &woken))
            .map_err(|source| Error::Io {
                path: self.data_dir.clone(),
                source,
            })?;
        let _ = wake.send(());
        *rebuilder = Some(wake);
        Ok(())
    }

    /// Deletes a fiche durably, then from every derived structure.
    pub fn delete(&self, id: &FicheId) -> Result<()> {
        let mut store = self.store()?;
        store.delete(id)?;
        {
            let mut derived = self.derived_mut()?;
            derived.matcher.apply(&[], std::slice::from_ref(id));
            derived.names.remove(id);
            metrics::gauge!("passerelle_fiches").set(derived.matcher.len() as f64);
        }
        self.refresh_index_locked(&store)
    }

    pub fn get(&self, id: &FicheId) -> Result<Fiche> {
        self.store()?
            .get(id)?
            .ok_or_else(|| Error::NotFound(id.clone()))
    }

    /// The store generation the search index reflects.
    pub fn index_generation(&self) -> u64 {
        self.index.read().map(|i| i.generation()).unwrap_or(0)
    }

    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        self.index.read().map_err(|_| poisoned())?.search(query)
    }

    /// Name lookup over the current fiches, one hit per fiche.
    pub fn lookup(&self, query: &str, country: Option<CountryCode>, limit: usize) -> Vec<NameHit> {
        let Ok(derived) = self.derived() else {
            return Vec::new();
        };
        derived.names.lookup(query, country, limit)
    }

    /// An id as is (it must exist), or the single fiche a name designates.
    pub fn resolve(&self, name_or_id: &str, country: Option<CountryCode>) -> Result<FicheId> {
        self.derived()?.names.resolve(name_or_id, country)
    }

    pub fn suggest(&self, id: &FicheId, options: &SuggestOptions) -> Result<Vec<Suggestion>> {
        let derived = self.derived()?;
        derived.matcher.suggest(id, options, &derived.vetoes)
    }

    pub fn explain(
        &self,
        a: &FicheId,
        b: &FicheId,
        weights: &Weights,
    ) -> Result<(PairScore, Option<Exclusion>)> {
        let derived = self.derived()?;
        derived.matcher.explain(a, b, weights, &derived.vetoes)
    }

    /// Records a decision durably; a rejection vetoes the pair at once.
    pub fn record_decision(&self, decision: &NewDecision) -> Result<Decision> {
        let mut store = self.store()?;
        let recorded = store.record_decision(decision)?;
        if recorded.kind == passerelle_engine::store::DecisionKind::Reject {
            self.derived_mut()?
                .vetoes
                .insert(&recorded.fiche_a, &recorded.fiche_b);
        }
        Ok(recorded)
    }

    pub fn decisions(&self, id: &FicheId, partner: Option<&FicheId>) -> Result<Vec<Decision>> {
        let store = self.store()?;
        match partner {
            Some(partner) => store.decisions_for_pair(id, partner),
            None => store.decisions_for_fiche(id),
        }
    }

    /// One page of French fiches in scope, with their best undecided suggestions,
    /// best first; and whether another page may follow.
    pub fn review_queue(&self, query: &QueueQuery) -> Result<(Vec<QueueEntry>, bool)> {
        let scope = SearchQuery {
            text: String::new(),
            filters: SearchFilters {
                side: Some(Side::French),
                admin1: query.region.clone(),
                ..SearchFilters::default()
            },
            limit: query.page_size,
            offset: query.offset,
        };
        let page = self.search(&scope)?.hits;
        let mut decided: Vec<HashSet<FicheId>> = Vec::with_capacity(page.len());
        {
            let store = self.store()?;
            for hit in &page {
                let decisions = store.decisions_for_fiche(&hit.id)?;
                decided.push(
                    decisions
                        .iter()
                        .map(|d| d.partner_of(&hit.id).clone())
                        .collect(),
                );
            }
        }
        let derived = self.derived()?;
        let mut entries = Vec::new();
        for (hit, decided) in page.iter().zip(&decided) {
            let options = SuggestOptions {
                k: (query.per_fiche + decided.len()).min(MAX_K),
                filters: query.filters.clone(),
                ..SuggestOptions::default()
            };
            let suggestions = match derived.matcher.suggest(&hit.id, &options, &derived.vetoes) {
                Ok(s) => s,
                // Deleted since the index was read.
                Err(Error::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            entries.extend(
                suggestions
                    .into_iter()
                    .filter(|s| !decided.contains(&s.id))
                    .take(query.per_fiche)
                    .map(|partner| QueueEntry {
                        fiche_id: hit.id.clone(),
                        fiche_name: hit.name.clone(),
                        partner,
                    }),
            );
        }
        entries.sort_by(|a, b| {
            b.partner
                .total
                .total_cmp(&a.partner.total)
                .then_with(|| a.fiche_id.cmp(&b.fiche_id))
                .then_with(|| a.partner.id.cmp(&b.partner.id))
        });
        Ok((entries, page.len() == query.page_size))
    }

    /// Resolves the names of `spec` among the current fiches and records it as a
    /// queued run (it is not started: see [`BatchRunner::launch`]). Scoring date: the
    /// server's.
    pub fn create_batch(&self, spec: &BatchSpec, origin: &str) -> Result<BatchRun> {
        let (resolved, today) = {
            let derived = self.derived()?;
            (spec.resolve(&derived.names)?, derived.matcher.today())
        };
        self.store()?
            .create_batch_run(&resolved, today, origin, Utc::now())
    }

    pub fn batch_run(&self, id: RunId) -> Result<BatchRun> {
        self.store()?.batch_run(id)
    }

    /// The latest `limit` runs, newest first.
    pub fn batch_runs(&self, limit: usize) -> Result<Vec<BatchRun>> {
        self.store()?.batch_runs(limit)
    }

    /// Cancels a run (recorded in the store, so a run of another process stops too)
    /// and tells this server's runner; the status after the call.
    pub fn cancel_batch(&self, id: RunId) -> Result<RunStatus> {
        let status = self.store()?.cancel_batch_run(id, Utc::now())?;
        self.batches.cancelled(id, &status);
        Ok(status)
    }

    /// The runner of this server's batch runs.
    pub fn batches(&self) -> &Arc<BatchRunner> {
        &self.batches
    }

    /// The data directory (batch results are read on a connection of their own).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The current time, for decisions.
    pub fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now()
    }
}

/// Rebuilds the index from `store` when it is stale, without blocking searches
/// (they use the old index until the new one is swapped in).
fn rebuild_index(index: &RwLock<SearchIndex>, rebuilding: &Mutex<()>, store: &Store) -> Result<()> {
    let _rebuilding = rebuilding.lock().map_err(|_| poisoned())?;
    let (generation, dir) = {
        let index = index.read().map_err(|_| poisoned())?;
        (index.generation(), index.dir().to_owned())
    };
    if store.generation()? == generation {
        return Ok(());
    }
    let started = Instant::now();
    let fresh = SearchIndex::open_in(store, &dir)?;
    let docs = fresh.num_docs();
    *index.write().map_err(|_| poisoned())? = fresh;
    tracing::info!(
        docs,
        ms = started.elapsed().as_millis() as u64,
        "search index rebuilt"
    );
    Ok(())
}

/// Rebuilds the index each time it is woken (coalescing wake-ups), on its own
/// connection to the store; stops when the state is dropped.
fn background_rebuilder(
    data_dir: &Path,
    index: &RwLock<SearchIndex>,
    rebuilding: &Mutex<()>,
    woken: &mpsc::Receiver<()>,
) {
    while woken.recv().is_ok() {
        while woken.try_recv().is_ok() {}
        let outcome =
            Store::open(data_dir).and_then(|store| rebuild_index(index, rebuilding, &store));
        if let Err(error) = outcome {
            tracing::error!(%error, "background search index rebuild failed");
        }
    }
}
