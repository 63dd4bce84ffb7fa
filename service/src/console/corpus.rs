//! The console's one door to the engine: every page reaches fiches through
//! [`ConsoleCorpus`], a thin view of the server's [`Corpus`](passerelle_engine::Corpus)
//! and of its batch runner. Each method is one delegation: what a page shows is
//! decided by the engine, never here.
//!
//! Every method blocks (SQLite reads, scoring, the atlas build): handlers call them
//! on tokio's blocking pool ([`super::blocking`]), never on the runtime's workers.

use std::ops::ControlFlow;
use std::sync::Arc;

use chrono::NaiveDate;
use passerelle_engine::Result;
use passerelle_engine::atlas::Atlas;
use passerelle_engine::batch::export::StaleFiches;
use passerelle_engine::batch::{BatchRun, BatchSpec, ResolvedSpec, ResultItem, RunId, RunStatus};
use passerelle_engine::corpus::{History, PairExplanation, QueueQuery, ReviewPage, Suggestions};
use passerelle_engine::fiche::{Fiche, FicheId, Side};
use passerelle_engine::lookup::Resolution;
use passerelle_engine::ranking::SuggestOptions;
use passerelle_engine::scoring::Weights;
use passerelle_engine::search::{SearchPage, SearchQuery};
use passerelle_engine::store::{CorpusStats, Decision, NewDecision, Store};

use crate::server::State;
use crate::server::batch_runner::LiveProgress;

/// What the console reads of the corpus and of the server's batch runs.
pub(crate) struct ConsoleCorpus {
    state: Arc<State>,
}

impl ConsoleCorpus {
    pub(crate) fn new(state: Arc<State>) -> ConsoleCorpus {
        ConsoleCorpus { state }
    }

    /// The date calls are judged on: the corpus's.
    pub(crate) fn today(&self) -> NaiveDate {
        self.state.corpus().today()
    }

    /// The store's generation: it changes with every write.
    pub(crate) fn generation(&self) -> Result<u64> {
        self.state.corpus().generation()
    }

    /// The generation the search index reflects, once built.
    pub(crate) fn index_generation(&self) -> Result<Option<u64>> {
        self.state.corpus().index_generation()
    }

    /// The map's point set of every fiche, with the generation it was read at.
    pub(crate) fn atlas(&self) -> Result<(u64, Atlas)> {
        self.state.corpus().atlas()
    }

    /// One fiche.
    pub(crate) fn fiche(&self, id: &FicheId) -> Result<Fiche> {
        self.state.corpus().get(id)
    }

    /// A name or an id typed by staff, among one side's fiches when given.
    pub(crate) fn resolve(&self, name_or_id: &str, side: Option<Side>) -> Result<Resolution> {
        self.state.corpus().resolve(name_or_id, None, side)
    }

    /// Whether the fiche is « à reconfirmer » (older than the configured age).
    pub(crate) fn is_stale(&self, fiche: &Fiche) -> bool {
        self.state.corpus().is_stale(fiche)
    }

    /// The fiches « à reconfirmer » today, for the exports of batch runs.
    pub(crate) fn stale_fiches(&self) -> Result<StaleFiches> {
        self.state.corpus().stale_fiches()
    }

    /// The options every suggestion starts from (configured weights, interest bonus,
    /// freshness).
    pub(crate) fn suggest_options(&self) -> SuggestOptions {
        self.state.corpus().suggest_options()
    }

    /// A fiche's ranked suggestions, explained (rejected pairs never among them).
    pub(crate) fn suggest(&self, id: &FicheId, options: &SuggestOptions) -> Result<Suggestions> {
        self.state.corpus().suggest(id, options)
    }

    /// A pair's score, breakdown and exclusion.
    pub(crate) fn explain(
        &self,
        a: &FicheId,
        b: &FicheId,
        weights: &Weights,
    ) -> Result<PairExplanation> {
        self.state.corpus().explain(a, b, weights)
    }

    /// A fiche's interests (expressed or received) and reconfirmations, oldest
    /// first, with its decisions.
    pub(crate) fn history(&self, id: &FicheId) -> Result<History> {
        self.state.corpus().history(id, None)
    }

    /// Decisions on a fiche, or on a pair, oldest first.
    pub(crate) fn decisions(
        &self,
        id: &FicheId,
        partner: Option<&FicheId>,
    ) -> Result<Vec<Decision>> {
        self.state.corpus().decisions(id, partner)
    }

    /// Every decision recorded, oldest first.
    pub(crate) fn all_decisions(&self) -> Result<Vec<Decision>> {
        self.state.corpus().all_decisions()
    }

    /// Records a decision (a reject vetoes the pair at once).
    pub(crate) fn record_decision(&self, decision: &NewDecision) -> Result<Decision> {
        self.state.corpus().record_decision(decision)
    }

    /// One page of the review queue.
    pub(crate) fn review_queue(&self, query: &QueueQuery) -> Result<ReviewPage> {
        self.state.corpus().review_queue(query)
    }

    /// How many pairs the whole review queue holds.
    pub(crate) fn review_remaining(&self, query: &QueueQuery) -> Result<u64> {
        self.state.corpus().review_remaining(query)
    }

    /// One page of a full-text search, with the number of fiches found.
    pub(crate) fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        self.state.corpus().search(query)
    }

    /// Counts over the corpus, calls judged on the corpus's date.
    pub(crate) fn stats(&self) -> Result<CorpusStats> {
        let corpus = self.state.corpus();
        corpus.stats(corpus.today())
    }

    /// A batch spec checked against the corpus, names resolved.
    pub(crate) fn check_batch(&self, spec: &BatchSpec) -> Result<ResolvedSpec> {
        self.state.corpus().check_batch(spec)
    }

    /// Records a checked spec as a queued run; [`ConsoleCorpus::launch`] starts it.
    pub(crate) fn record_batch(&self, resolved: &ResolvedSpec, origin: &str) -> Result<BatchRun> {
        self.state.corpus().record_batch(resolved, origin)
    }

    /// Queues a recorded run on the server's runner (needs the tokio runtime).
    pub(crate) fn launch(&self, run: &BatchRun) {
        self.state.batches().launch(run);
    }

    pub(crate) fn batch_run(&self, id: RunId) -> Result<BatchRun> {
        self.state.corpus().batch_run(id)
    }

    /// The latest `limit` runs, newest first.
    pub(crate) fn batch_runs(&self, limit: usize) -> Result<Vec<BatchRun>> {
        self.state.corpus().batch_runs(limit)
    }

    /// Cancels a run; the status after the call.
    pub(crate) fn cancel_batch(&self, id: RunId) -> Result<RunStatus> {
        self.state.cancel_batch(id)
    }

    /// The live progress of a run this server carries out (`None` otherwise).
    pub(crate) fn live_progress(&self, id: RunId) -> Option<LiveProgress> {
        self.state
            .batches()
            .watch(id)
            .map(|live| live.borrow().clone())
    }

    /// A done run's results, item by item, read on a connection of their own (a
    /// long read holds no lock of the server).
    pub(crate) fn visit_batch_results(
        &self,
        id: RunId,
        visit: &mut dyn FnMut(ResultItem) -> ControlFlow<()>,
    ) -> Result<()> {
        Store::open_existing(self.state.data_dir())?.visit_batch_results(id, visit)
    }
}
