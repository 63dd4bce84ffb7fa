//! Scoring whole scopes at once (batch runs before an Assises, the national cross
//! product): every French × foreign pair of two lists, with the kernel's arithmetic,
//! keeping the best `k` pairs of each fiche on either side.
//!
//! The result is exactly what scoring every pair completely would keep. Every pair is
//! bounded, first by block ([`super::block_bounds`]: blocks where no pair can reach
//! a floor are skipped whole), then pair by pair ([`super::approximate`],
//! vectorised, on blocks of one country's candidates, [`super::blocks`]); the
//! exact total is computed only
//! for the pairs whose approximation reaches the lower of two floors: the French
//! fiche's own (its `k`-th best so far) and the foreign fiche's (shared by all
//! workers, [`super::best_pairs`]).
//!
//! Workers (one per thread of the matcher's pool) take batches of French fiches from a
//! shared counter (those likeliest to be among many foreign fiches' best first:
//! [`super::cross_order`]) and run each batch
//! block by block, so that a block's columns are
//! read from memory once per batch; each keeps the best pairs of its French fiches and
//! its own lists per foreign fiche, merged at the end. Pruning depends on timing, the
//! result does not: pruning only drops pairs that cannot be kept.

use std::ops::ControlFlow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::approximate::{ApproximateColumns, ApproximateQuery, PADDING, threshold};
use super::best_pairs::{BestOfEach, SharedFloors};
use super::block_bounds::{BlockSummaries, GROUP};
use super::blocks::Blocks;
use super::columns::Columns;
use super::cross_order::likeliest_first;
use super::kernel::{Cpu, QueryPlan};
use super::top_k::{Scored, TopK};
use super::{CandidateFilters, Matcher};
use crate::error::{Error, Result};
use crate::fiche::{FicheId, Side};
use crate::scoring::{PairVeto, Weights};

/// A scored pair: indices into the French and foreign lists given, and its total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossScore {
    pub french: usize,
    pub foreign: usize,
    pub total: f64,
}

/// French fiches a worker takes at a time, at most: a block of foreign columns is
/// read from memory once for the whole batch (national cross product, one run each:
/// 20 s with batches of 4, 14.6 s with 32, 13.8 s with 64, 13.5 s with 128; once a
/// query's nibble tables were held inline, CPU under load, the builds alternately:
/// 10.4 and 10.5 s with 128, 10.1 and 10.5 s with 256, 10.6 and 10.7 s with 512).
/// Smaller when the French scope is small, so that every thread gets work.
const MAX_BATCH: usize = 256;

/// The foreign side of a cross product, in block order.
pub(super) struct ForeignSide {
    pub(super) columns: Columns,
    approximate: ApproximateColumns,
    pub(super) blocks: Blocks,
    pub(super) summaries: BlockSummaries,
    /// The index in the caller's foreign list of each column.
    scope_index: Vec<u32>,
}

impl ForeignSide {
    /// The foreign fiches at `positions` (the caller's order), similar fiches side
    /// by side ([`Blocks::order`]), cut in blocks with their summaries.
    pub(super) fn of(matcher: &Matcher, positions: &[usize]) -> ForeignSide {
        let order = Blocks::order(&matcher.fiches, positions);
        let columns = Columns::of(
            &matcher.fiches,
            order.iter().map(|&i| positions[i]),
            Side::Foreign,
            &matcher.regions,
        );
        let blocks = Blocks::of(&columns);
        let approximate = ApproximateColumns::of(&columns);
        let summaries = BlockSummaries::of(&approximate, &blocks);
        ForeignSide {
            columns,
            approximate,
            blocks,
            summaries,
            scope_index: order.iter().map(|&i| i as u32).collect(),
        }
    }
}

/// What the workers share.
struct Shared<'a> {
    matcher: &'a Matcher,
    foreign: ForeignSide,
    french_positions: Vec<usize>,
    /// The order French fiches are taken in (indices into `french_positions`).
    french_order: Vec<u32>,
    k: usize,
    weights: Weights,
    min_score: f64,
    veto: &'a dyn PairVeto,
    floors: SharedFloors,
    /// French fiches per batch.
    batch: usize,
    next: AtomicUsize,
    scored_pairs: AtomicU64,
    stopped: AtomicBool,
}

/// One worker's findings.
struct WorkerBest {
    per_french: Vec<CrossScore>,
    per_foreign: BestOfEach,
    /// The thresholds of the shared floors for the approximate pass, refreshed block
    /// by block and raised at once by this worker's own finds (from a stale floor,
    /// lower, never higher: it only prunes less).
    thresholds: Vec<f32>,
    /// The bounds of each query of a batch on a group of blocks.
    bounds: Vec<[f32; GROUP]>,
}

impl Matcher {
    /// Scores every pair of `french` × `foreign` (calls are not required: the scopes
    /// say who takes part; pairs already partners or vetoed are left out) and keeps
    /// the pairs scoring at least `min_score` that are among the best `k` of their
    /// French fiche or of their foreign fiche. Sorted by total, then French index, then
    /// foreign index. `progress` is called with the number of pairs scored so far
    /// (from the pool's threads); when it answers `Break`, the run stops soon after
    /// with [`Error::Cancelled`].
    #[allow(clippy::too_many_arguments)]
    pub fn cross_top_k(
        &self,
        french: &[FicheId],
        foreign: &[FicheId],
        k: usize,
        weights: &Weights,
        min_score: f64,
        veto: &dyn PairVeto,
        progress: &(dyn Fn(u64) -> ControlFlow<()> + Sync),
    ) -> Result<Vec<CrossScore>> {
        weights.validate()?;
        let french_positions = self.scope_positions(french, Side::French)?;
        let foreign_positions = self.scope_positions(foreign, Side::Foreign)?;
        // The set-up and the merge run on the pool too: on their own, they were a
        // twentieth of a national run's wall clock, on one core.
        let (foreign_side, french_order) = self.pool.join(
            || ForeignSide::of(self, &foreign_positions),
            || likeliest_first(self, &french_positions, &foreign_positions, k, *weights),
        );
        let shared = Shared {
            matcher: self,
            floors: SharedFloors::new(foreign.len(), min_score),
            foreign: foreign_side,
            french_order,
            french_positions,
            k,
            weights: *weights,
            min_score,
            veto,
            batch: (french.len() / (8 * self.pool.current_num_threads())).clamp(1, MAX_BATCH),
            next: AtomicUsize::new(0),
            scored_pairs: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
        };
        let found = Mutex::new(Vec::new());
        self.pool.scope(|scope| {
            for _ in 0..self.pool.current_num_threads() {
                scope.spawn(|_| {
                    let best = shared.work(progress);
                    found.lock().expect("no worker panics").push(best);
                });
            }
        });
        if shared.stopped.into_inner() {
            return Err(Error::Cancelled);
        }
        let found = found.into_inner().expect("no worker panics");
        let scope_index = &shared.foreign.scope_index;
        Ok(self.pool.install(|| merge(found, scope_index, k)))
    }

    /// The positions of `ids`, which must all be fiches of `side`.
    fn scope_positions(&self, ids: &[FicheId], side: Side) -> Result<Vec<usize>> {
        ids.iter()
            .map(|id| match self.by_id.get(id) {
                Some(&p) if self.fiches[p as usize].side == side => Ok(p as usize),
                Some(_) => Err(Error::InvalidFiche(crate::fiche::FieldError {
                    field: "scope".into(),
                    value: id.to_string(),
                    reason: format!(
                        "is not a {} fiche",
                        if side == Side::French {
                            "French"
                        } else {
                            "foreign"
                        }
                    ),
                })),
                None => Err(Error::NotFound(id.clone())),
            })
            .collect()
    }
}

/// One French fiche being scored: its plan, its bounds, its best pairs so far.
struct Query<'m> {
    f: u32,
    plan: QueryPlan<'m>,
    approximate: ApproximateQuery,
    top: TopK,
}

impl<'m> Shared<'m> {
    /// A worker: batches of French fiches from the shared counter until none are left
    /// or the run is stopped.
    fn work(&'m self, progress: &(dyn Fn(u64) -> ControlFlow<()> + Sync)) -> WorkerBest {
        let mut best = WorkerBest {
            per_french: Vec::new(),
            per_foreign: BestOfEach::new(self.foreign.columns.len(), self.k),
            thresholds: vec![0.0; self.foreign.columns.len() + PADDING],
            bounds: Vec::new(),
        };
        loop {
            let start = self.next.fetch_add(self.batch, Ordering::Relaxed);
            if start >= self.french_positions.len() || self.stopped.load(Ordering::Relaxed) {
                return best;
            }
            let end = (start + self.batch).min(self.french_positions.len());
            let mut queries: Vec<Query> = (start..end)
                .map(|f| self.query(self.french_order[f] as usize))
                .collect();
            // The order within a batch changes nothing but the branches' predictions.
            queries.sort_by_key(|query| query.approximate.tables());
            match self.matcher.cpu {
                #[cfg(target_arch = "x86_64")]
                Cpu::Avx2 => {
                    #[allow(unsafe_code)]
                    // SAFETY: `Cpu::Avx2` is only ever detected at run time (`Cpu::detect`).
                    unsafe {
                        self.scan_avx2(&mut queries, &mut best)
                    }
                }
                _ => self.scan(&mut queries, &mut best, ApproximateQuery::candidates),
            }
            for query in queries {
                best.per_french
                    .extend(
                        query
                            .top
                            .into_sorted()
                            .into_iter()
                            .map(|scored| CrossScore {
                                french: query.f as usize,
                                foreign: scored.position as usize,
                                total: scored.total,
                            }),
                    );
            }
            let pairs = ((end - start) * self.foreign.columns.len()) as u64;
            let done = self.scored_pairs.fetch_add(pairs, Ordering::Relaxed) + pairs;
            if progress(done).is_break() {
                self.stopped.store(true, Ordering::Relaxed);
            }
        }
    }

    /// French fiche `f`, ready to score against the foreign side.
    fn query(&'m self, f: usize) -> Query<'m> {
        let matcher = self.matcher;
        let position = self.french_positions[f];
        let fiche = &matcher.fiches[position];
        let mut excluded = matcher.links[position].clone();
        excluded.extend(
            self.veto
                .vetoed_partners(&fiche.id)
                .iter()
                .filter_map(|id| matcher.by_id.get(id).copied()),
        );
        let plan = QueryPlan::over(
            matcher,
            &self.foreign.columns,
            fiche,
            &CandidateFilters::default(),
            self.weights,
            excluded,
        );
        Query {
            f: f as u32,
            approximate: ApproximateQuery::new(&plan, &self.foreign.blocks),
            plan,
            top: TopK::new(self.k),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt,avx2,fma")]
    fn scan_avx2(&self, queries: &mut [Query], best: &mut WorkerBest) {
        self.scan(
            queries,
            best,
            |query, columns, blocks, b, own_threshold, thresholds| {
                query.candidates_avx2(columns, blocks, b, own_threshold, thresholds)
            },
        )
    }

    /// Scores a batch of French fiches block by block: for each group of blocks,
    /// a bound on each block for every fiche of the batch (vectorised over the
    /// blocks, [`BlockSummaries::bounds`]), which lets a fiche skip the blocks where
    /// no pair can reach a floor; then the first pass for the others. A block's
    /// columns are read from memory once for the whole batch (one fiche at a time, the foreign
    /// columns — ~76 bytes per candidate — would stream from memory for every fiche
    /// and memory bandwidth, not arithmetic, would set the pace).
    ///
    /// A French fiche's own list holds scope indices (the caller's foreign order,
    /// which is the id order ties are broken by).
    ///
    /// `first_pass` is [`ApproximateQuery::candidates`] or its AVX2 version.
    #[inline(always)]
    fn scan(
        &self,
        queries: &mut [Query],
        best: &mut WorkerBest,
        first_pass: impl Fn(&ApproximateQuery, &ApproximateColumns, &Blocks, usize, f32, &[f32]) -> u64,
    ) {
        let foreign = &self.foreign;
        let blocks = foreign.blocks.len();
        best.bounds.resize(queries.len(), [0.0; GROUP]);
        for g in 0..foreign.summaries.groups() {
            let group = g * GROUP..((g + 1) * GROUP).min(blocks);
            for (bounds, query) in best.bounds.iter_mut().zip(queries.iter()) {
                *bounds = foreign.summaries.bounds(&query.approximate, g);
            }
            for (j, b) in group.enumerate() {
                let range = foreign.blocks.range(b);
                let start = range.start;
                // What every worker has found so far, refreshed just before the batch
                // scores the block (cheap: a block's floors, once for the whole batch;
                // stale floors let through pairs that cannot be kept, and a worker's
                // own raises go into its copy at once), and the lowest of them (which
                // these raises leave stale, lower: it only skips less).
                let mut lowest = f32::INFINITY;
                for i in range {
                    best.thresholds[i] = threshold(self.floors.candidate(i));
                    lowest = lowest.min(best.thresholds[i]);
                }
                for (q, query) in queries.iter_mut().enumerate() {
                    let own_threshold = threshold(query.top.floor().max(self.min_score));
                    // No candidate of the block can reach either floor
                    // ([`BlockSummaries::bounds`]): no first pass.
                    if best.bounds[q][j] < own_threshold.min(lowest) {
                        continue;
                    }
                    let mut mask = first_pass(
                        &query.approximate,
                        &foreign.approximate,
                        &foreign.blocks,
                        b,
                        own_threshold,
                        &best.thresholds,
                    );
                    while mask != 0 {
                        let i = start + mask.trailing_zeros() as usize;
                        mask &= mask - 1;
                        self.score(query, i, best);
                    }
                }
            }
        }
    }

    /// The exact total of candidate `i` for `query`, kept where it enters a list.
    #[inline(always)]
    fn score(&self, query: &mut Query, i: usize, best: &mut WorkerBest) {
        if !query.plan.admits(i) {
            return;
        }
        let own_floor = query.top.floor().max(self.min_score);
        let their_floor = self.floors.candidate(i);
        // The first pass left the pair in play, and the bound on the thematic
        // criterion that `total_above` tries first almost never prunes it then (it
        // let 96 % of them through in the national cross product): the total at once.
        let total = query.plan.total(i);
        if total < self.min_score || total < own_floor.min(their_floor) {
            return;
        }
        if total >= own_floor {
            query.top.push(Scored {
                total,
                position: self.foreign.scope_index[i],
            });
        }
        // The next French fiches of the batch prune with a raised floor at once (this
        // worker's floor may be below the shared one: never lower the copy).
        if total >= their_floor
            && let Some(floor) = best.per_foreign.offer(i, total, query.f, &self.floors)
        {
            best.thresholds[i] = best.thresholds[i].max(threshold(floor));
        }
    }
}

/// The pairs kept: every worker's French lists, and the best `k` of each foreign
/// fiche over all workers' lists; sorted by [`rank`], without duplicates. Run on a
/// rayon pool (foreign fiches and the sort are split between its threads); the same
/// result whatever the split: [`rank`] is a total order on distinct pairs, and a pair
/// found twice (in a French and a foreign list) has the same total both times.
fn merge(found: Vec<WorkerBest>, scope_index: &[u32], k: usize) -> Vec<CrossScore> {
    let mut keep: Vec<CrossScore> = (scope_index.par_iter().enumerate())
        .flat_map_iter(|(i, &foreign)| {
            let mut candidate: Vec<CrossScore> = Vec::new();
            for worker in &found {
                candidate.extend(worker.per_foreign.of(i).map(|(total, f)| CrossScore {
                    french: f as usize,
                    foreign: foreign as usize,
                    total,
                }));
            }
            candidate.sort_by(rank);
            candidate.truncate(k);
            candidate
        })
        .collect();
    for worker in found {
        keep.extend(worker.per_french);
    }
    keep.par_sort_unstable_by(rank);
    keep.dedup_by(|a, b| a.french == b.french && a.foreign == b.foreign);
    keep
}

fn rank(a: &CrossScore, b: &CrossScore) -> std::cmp::Ordering {
    b.total
        .total_cmp(&a.total)
        .then(a.french.cmp(&b.french))
        .then(a.foreign.cmp(&b.foreign))
}
