//! Scoring whole scopes at once (batch runs before an Assises): every French × foreign
//! pair of two lists, with the kernel's arithmetic, keeping the best pairs of each
//! fiche on either side.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use super::columns::Columns;
use super::kernel::QueryPlan;
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
        let scored_pairs = AtomicU64::new(0);
        let stopped = AtomicBool::new(false);
        weights.validate()?;
        let positions = |ids: &[FicheId], side: Side| -> Result<Vec<usize>> {
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
        };
        let french_positions = positions(french, Side::French)?;
        let foreign_positions = positions(foreign, Side::Foreign)?;
        let columns = Columns::of(
            &self.fiches,
            foreign_positions.iter().copied(),
            Side::Foreign,
            &self.regions,
        );
        // Each task keeps its French fiches' best k and, per foreign fiche, the best k
        // it has seen: memory stays O((French + foreign) × k), not O(pairs).
        let best = self.pool.install(|| {
            french_positions
                .par_iter()
                .enumerate()
                .with_min_len(16)
                .fold(
                    || Best::new(foreign.len()),
                    |mut best, (f, &position)| {
                        if stopped.load(Ordering::Relaxed) {
                            return best;
                        }
                        let fiche = &self.fiches[position];
                        let mut excluded = self.links[position].clone();
                        excluded.extend(
                            veto.vetoed_partners(&fiche.id)
                                .iter()
                                .filter_map(|id| self.by_id.get(id).copied()),
                        );
                        let plan = QueryPlan::over(
                            self,
                            &columns,
                            fiche,
                            &CandidateFilters::default(),
                            *weights,
                            excluded,
                        );
                        let mut mine: Vec<CrossScore> = Vec::new();
                        for (x, total) in plan.all_totals() {
                            if total < min_score {
                                continue;
                            }
                            let pair = CrossScore {
                                french: f,
                                foreign: x,
                                total,
                            };
                            keep_best(&mut mine, pair, k);
                            keep_best(&mut best.per_foreign[x], pair, k);
                        }
                        best.per_french.extend(mine);
                        let done = scored_pairs.fetch_add(columns.len() as u64, Ordering::Relaxed);
                        if progress(done + columns.len() as u64).is_break() {
                            stopped.store(true, Ordering::Relaxed);
                        }
                        best
                    },
                )
                .reduce(|| Best::new(foreign.len()), |a, b| a.merge(b, k))
        });
        if stopped.into_inner() {
            return Err(Error::Cancelled);
        }
        let mut keep = best.per_french;
        keep.extend(best.per_foreign.into_iter().flatten());
        keep.sort_by(rank);
        keep.dedup_by(|a, b| a.french == b.french && a.foreign == b.foreign);
        Ok(keep)
    }
}

/// The best pairs of some French fiches, and the best pairs of each foreign fiche.
struct Best {
    per_french: Vec<CrossScore>,
    per_foreign: Vec<Vec<CrossScore>>,
}

impl Best {
    fn new(foreign: usize) -> Best {
        Best {
            per_french: Vec::new(),
            per_foreign: vec![Vec::new(); foreign],
        }
    }

    fn merge(mut self, other: Best, k: usize) -> Best {
        self.per_french.extend(other.per_french);
        for (mine, theirs) in self.per_foreign.iter_mut().zip(other.per_foreign) {
            for pair in theirs {
                keep_best(mine, pair, k);
            }
        }
        self
    }
}

/// Adds `pair` to `kept` if it is among the best `k` (by [`rank`]): the result does
/// not depend on the order pairs arrive in.
fn keep_best(kept: &mut Vec<CrossScore>, pair: CrossScore, k: usize) {
    if k == 0 {
        return;
    }
    if kept.len() < k {
        kept.push(pair);
        return;
    }
    let (worst, _) = kept
        .iter()
        .enumerate()
        .max_by(|a, b| rank(a.1, b.1))
        .expect("k > 0 pairs kept");
    if rank(&pair, &kept[worst]) == std::cmp::Ordering::Less {
        kept[worst] = pair;
    }
}

fn rank(a: &CrossScore, b: &CrossScore) -> std::cmp::Ordering {
    b.total
        .total_cmp(&a.total)
        .then(a.french.cmp(&b.french))
        .then(a.foreign.cmp(&b.foreign))
}
