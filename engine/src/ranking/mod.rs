//! Ranking: score one fiche against every candidate of the other side in parallel on
//! a dedicated rayon pool and keep the best `k`, deterministically (ties by id, the
//! same result for any number of threads), with an optional cap per country.
//!
//! [`Matcher`] holds the corpus in the scoring view ([`MatchFeatures`], one slot per
//! fiche) and, per side, the kernel's columns of the fiches that can be suggested
//! (those with an open call). A suggestion is scored by the kernel, then explained by
//! the criteria for the `k` kept only. Ties are broken by id through order keys
//! ([`id_order`]); writes are applied in place ([`apply`]).

mod apply;
mod approximate;
mod best_pairs;
mod blocks;
mod build;
mod cache;
mod columns;
mod cross;
mod id_order;
mod kernel;
mod queue;
mod top_k;

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::fiche::{FicheId, Level};
use crate::reference::{CountryCode, ThemeCode};
use crate::scoring::{
    Breakdown, CorpusContext, Exclusion, MatchFeatures, PairScore, PairVeto, Weights, exclusions,
    score_pair,
};
pub use apply::PreparedWrite;
pub use cache::{MATCHER_CACHE_FILE, MatcherCache};
use columns::Columns;
pub use cross::CrossScore;
use kernel::{Cpu, QueryPlan};
use top_k::{Scored, TopK};

/// Candidates per parallel task: large enough to amortise scheduling, small enough
/// to balance two cores.
const CHUNK: usize = 8192;

/// Largest `k` a suggestion request may ask for.
pub const MAX_K: usize = 1000;

/// Which candidates may be suggested.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandidateFilters {
    pub country: Option<CountryCode>,
    pub level: Option<Level>,
    /// The candidate offers, seeks or has this theme in its profile.
    pub theme: Option<ThemeCode>,
    pub min_population: Option<u64>,
    pub max_population: Option<u64>,
}

/// A suggestion request.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestOptions {
    pub k: usize,
    pub filters: CandidateFilters,
    pub weights: Weights,
    /// Diversity: at most this many suggestions per country.
    pub max_per_country: Option<usize>,
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions {
            k: 10,
            filters: CandidateFilters::default(),
            weights: Weights::default(),
            max_per_country: None,
        }
    }
}

/// One suggested partner with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: FicheId,
    pub name: String,
    pub country: CountryCode,
    pub total: f64,
    pub breakdown: crate::scoring::PerCriterion<Breakdown>,
}

/// The scoring view of a corpus, ready to rank.
#[derive(Debug)]
pub struct Matcher {
    /// The scoring view, by slot ("position"): sorted by id after a build; a fiche
    /// keeps its slot until deleted, and a deleted fiche's slot (not in `by_id`) is
    /// reused by a later insertion. Slots are not in id order after writes: ties are
    /// broken by `writes.order`.
    fiches: Vec<MatchFeatures>,
    /// The slot of each fiche.
    by_id: HashMap<FicheId, u32>,
    /// Slots of each fiche's partners, links read in both directions, sorted.
    links: Vec<Vec<u32>>,
    context: CorpusContext,
    /// The French régions, indexed by the French columns.
    regions: Vec<String>,
    french: Columns,
    foreign: Columns,
    /// Document frequencies of the first build, for the texts of later upserts.
    vocabulary: crate::scoring::Vocabulary,
    /// Areas of the foreign fiches, to place the partners of upserted fiches.
    areas: HashMap<FicheId, crate::scoring::AreaId>,
    pool: rayon::ThreadPool,
    cpu: Cpu,
    /// Order keys and the indexes incremental writes need.
    writes: apply::WriteIndex,
}

impl Matcher {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The date calls and LDC status are judged on.
    pub fn today(&self) -> chrono::NaiveDate {
        self.context.today
    }

    /// Corpus-wide facts the criteria use.
    pub fn context(&self) -> &CorpusContext {
        &self.context
    }

    /// The country of each foreign fiche that can be suggested (open call).
    pub fn suggestible_foreign_countries(&self) -> Vec<CountryCode> {
        self.foreign
            .fiche
            .iter()
            .map(|&p| self.fiches[p as usize].country)
            .collect()
    }

    pub fn features(&self, id: &FicheId) -> Result<&MatchFeatures> {
        self.by_id
            .get(id)
            .map(|&i| &self.fiches[i as usize])
            .ok_or_else(|| Error::NotFound(id.clone()))
    }

    /// The best `k` partners for `id` among the fiches of the other side; a fiche
    /// with neither offer nor request is [`Error::NothingToMatch`].
    pub fn suggest(
        &self,
        id: &FicheId,
        options: &SuggestOptions,
        veto: &dyn PairVeto,
    ) -> Result<Vec<Suggestion>> {
        options.weights.validate()?;
        let position = *self
            .by_id
            .get(id)
            .ok_or_else(|| Error::NotFound(id.clone()))?;
        let fiche = &self.fiches[position as usize];
        if !fiche.matchable {
            return Err(Error::NothingToMatch {
                id: id.clone(),
                name: fiche.name.clone(),
            });
        }
        let k = options.k.min(MAX_K);
        let mut excluded = self.links[position as usize].clone();
        excluded.extend(
            veto.vetoed_partners(id)
                .iter()
                .filter_map(|other| self.by_id.get(other).copied()),
        );
        let plan = QueryPlan::new(self, fiche, &options.filters, options.weights, excluded);
        let chunks = (0..plan.columns.len())
            .step_by(CHUNK)
            .map(|start| start..(start + CHUNK).min(plan.columns.len()));
        let chunks: Vec<_> = chunks.collect();
        let kept = self.pool.install(|| match options.max_per_country {
            None => chunks
                .into_par_iter()
                .map(|range| plan.scan(range, k, self.cpu))
                .reduce(|| TopK::new(k), TopK::merge)
                .into_sorted(),
            Some(cap) => {
                let merge = |mut a: HashMap<u16, TopK>, b: HashMap<u16, TopK>| {
                    for (country, top) in b {
                        let merged = match a.remove(&country) {
                            Some(existing) => existing.merge(top),
                            None => top,
                        };
                        a.insert(country, merged);
                    }
                    a
                };
                let best = chunks
                    .into_par_iter()
                    .map(|range| plan.scan_capped(range, cap.min(k), self.cpu))
                    .reduce(HashMap::new, merge);
                let mut top = TopK::new(k);
                best.into_values()
                    .flat_map(TopK::into_sorted)
                    .for_each(|scored| top.push(scored));
                top.into_sorted()
            }
        });
        Ok(kept
            .into_iter()
            .map(|scored| self.explained(fiche, scored, &options.weights))
            .collect())
    }

    /// `scored` comes from the kernel, which keeps order keys (see `kernel::scan`).
    fn explained(&self, fiche: &MatchFeatures, scored: Scored, weights: &Weights) -> Suggestion {
        let slot = self.writes.order.slot(scored.position);
        let candidate = &self.fiches[slot as usize];
        let explained = score_pair(fiche, candidate, &self.context, weights);
        debug_assert_eq!(
            explained.total.to_bits(),
            scored.total.to_bits(),
            "kernel and explanation agree"
        );
        Suggestion {
            id: candidate.id.clone(),
            name: candidate.name.clone(),
            country: candidate.country,
            total: scored.total,
            breakdown: explained.breakdown,
        }
    }

    /// Scores and explains any pair, with the reason it would be excluded if it is.
    pub fn explain(
        &self,
        a: &FicheId,
        b: &FicheId,
        weights: &Weights,
        veto: &dyn PairVeto,
    ) -> Result<(PairScore, Option<Exclusion>)> {
        weights.validate()?;
        let (a, b) = (self.features(a)?, self.features(b)?);
        let exclusion = exclusions::check(a, b, veto).err();
        Ok((score_pair(a, b, &self.context, weights), exclusion))
    }
}

#[cfg(test)]
mod apply_tests;
#[cfg(test)]
mod tests;
