//! Ranking: score one fiche against every candidate of the other side in parallel on
//! a dedicated rayon pool and keep the best `k`, deterministically (ties by id, the
//! same result for any number of threads), with an optional cap per country.
//!
//! [`Matcher`] holds the corpus in the scoring view ([`MatchFeatures`], one slot per
//! fiche) and, per side, the kernel's columns of the fiches that can be suggested
//! (those with an open call). A suggestion is scored by the kernel, then explained by
//! the criteria for the `k` kept only. Ties are broken by id through order keys
//! ([`id_order`]); writes are applied in place ([`apply`]).
//!
//! Declared interest ([`PairInterest`]) concerns few candidates of a query: they are
//! left out of the scan and scored one by one with the same kernel arithmetic, their
//! bonus added ([`crate::scoring::interest::adjusted`]), then merged into the kept
//! `k` — so the scan itself costs what it cost without interests.

mod apply;
mod approximate;
#[cfg(target_arch = "x86_64")]
mod approximate_avx2;
mod best_pairs;
mod block_bounds;
mod blocks;
mod build;
mod cache;
mod columns;
mod cross;
mod cross_order;
mod id_order;
mod kernel;
mod nibbles;
mod queue;
mod top_k;

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::fiche::{FicheId, Level};
use crate::reference::{CountryCode, ThemeCode};
use crate::scoring::{
    Breakdown, CorpusContext, Exclusion, InterestBonus, MatchFeatures, NoInterests, PairInterest,
    PairScore, PairVeto, Weights, exclusions, interest, score_pair,
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
    /// Only candidates whose fiche was updated on or after this day (a fiche that
    /// does not say when is left out too): stale fiches turned off.
    pub updated_since: Option<chrono::NaiveDate>,
}

impl CandidateFilters {
    /// Whether `candidate` passes the filters (what the kernel's columns test, read
    /// from the scoring view).
    pub fn accepts(&self, candidate: &MatchFeatures) -> bool {
        let themes = candidate.offer.bits() | candidate.request.bits() | candidate.profile.bits();
        let population = candidate.population.unwrap_or(0);
        self.country.is_none_or(|c| c == candidate.country)
            && self.level.is_none_or(|l| l == candidate.level)
            && self.theme.is_none_or(|t| themes & t.bit() != 0)
            && self.min_population.is_none_or(|min| population >= min)
            && self.max_population.is_none_or(|max| population <= max)
            && self
                .updated_since
                .is_none_or(|since| candidate.updated_on.is_some_and(|day| day >= since))
    }
}

/// A suggestion request.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestOptions {
    pub k: usize,
    pub filters: CandidateFilters,
    pub weights: Weights,
    /// Diversity: at most this many suggestions per country.
    pub max_per_country: Option<usize>,
    /// Added to a pair's total per side that declared an interest in the other
    /// ([`crate::scoring::interest`]).
    pub interest_bonus: f64,
    /// Candidates whose fiche was last updated before this day, or does not say, are
    /// flagged stale ([`Suggestion::stale`]: "à reconfirmer"); `None` flags nothing.
    pub stale_before: Option<chrono::NaiveDate>,
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions {
            k: 10,
            filters: CandidateFilters::default(),
            weights: Weights::default(),
            max_per_country: None,
            interest_bonus: interest::DEFAULT_INTEREST_BONUS,
            stale_before: None,
        }
    }
}

/// One suggested partner with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: FicheId,
    pub name: String,
    pub country: CountryCode,
    /// The weighted mean of the criteria, plus the interest bonus, capped at 1.
    pub total: f64,
    pub breakdown: crate::scoring::PerCriterion<Breakdown>,
    /// The interest declared between the two fiches, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest: Option<InterestBonus>,
    /// The day the candidate's fiche was last updated, when it says.
    pub updated_on: Option<chrono::NaiveDate>,
    /// The candidate's fiche is older than the freshness limit (or undated): to be
    /// reconfirmed with the collectivité.
    pub stale: bool,
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
        self.suggest_with(id, options, veto, &NoInterests)
    }

    /// [`Matcher::suggest`], with the interest declared between fiches: a candidate
    /// that said "interested" in `id` (or that `id` said it of) gains
    /// `options.interest_bonus` per side.
    pub fn suggest_with(
        &self,
        id: &FicheId,
        options: &SuggestOptions,
        veto: &dyn PairVeto,
        interests: &dyn PairInterest,
    ) -> Result<Vec<Suggestion>> {
        options.weights.validate()?;
        interest::validate_bonus(options.interest_bonus)?;
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
        // Candidates with an interest, not otherwise excluded: scored apart.
        let mut boosted: Vec<u32> = interests
            .interested_partners(id)
            .iter()
            .filter_map(|other| self.by_id.get(other).copied())
            .filter(|slot| !excluded.contains(slot))
            .collect();
        boosted.sort_unstable();
        boosted.dedup();
        excluded.extend_from_slice(&boosted);
        let plan = QueryPlan::new(self, fiche, &options.filters, options.weights, excluded);
        let boosted: Vec<(Scored, u16)> = boosted
            .into_iter()
            .filter_map(|slot| {
                let candidate = &self.fiches[slot as usize];
                // Of the other side, with an open call (in the columns), through the
                // filters.
                let i = self.column_of(slot)?;
                if candidate.side == fiche.side || !plan.passes_filters(i) {
                    return None;
                }
                let sides = self.interest_sides(fiche, candidate, interests);
                let scored = Scored {
                    total: interest::adjusted(plan.total(i), sides, options.interest_bonus),
                    position: plan.columns.order[i],
                };
                Some((scored, plan.columns.country[i]))
            })
            .collect();
        let chunks = (0..plan.columns.len())
            .step_by(CHUNK)
            .map(|start| start..(start + CHUNK).min(plan.columns.len()));
        let chunks: Vec<_> = chunks.collect();
        let kept = self.pool.install(|| match options.max_per_country {
            None => {
                let mut top = chunks
                    .into_par_iter()
                    .map(|range| plan.scan(range, k, self.cpu))
                    .reduce(|| TopK::new(k), TopK::merge);
                boosted.iter().for_each(|&(scored, _)| top.push(scored));
                top.into_sorted()
            }
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
                let mut best = chunks
                    .into_par_iter()
                    .map(|range| plan.scan_capped(range, cap.min(k), self.cpu))
                    .reduce(HashMap::new, merge);
                for &(scored, country) in &boosted {
                    best.entry(country)
                        .or_insert_with(|| TopK::new(cap.min(k)))
                        .push(scored);
                }
                let mut top = TopK::new(k);
                best.into_values()
                    .flat_map(TopK::into_sorted)
                    .for_each(|scored| top.push(scored));
                top.into_sorted()
            }
        });
        Ok(kept
            .into_iter()
            .map(|scored| self.explained(fiche, scored, options, interests))
            .collect())
    }

    /// `candidate` as a suggestion for `id` (scored and explained as a suggestion
    /// would be), whatever the filters and exclusions: for pairs staff look at
    /// directly (mutual interests).
    pub fn suggestion_for(
        &self,
        id: &FicheId,
        candidate: &FicheId,
        options: &SuggestOptions,
        interests: &dyn PairInterest,
    ) -> Result<Suggestion> {
        options.weights.validate()?;
        interest::validate_bonus(options.interest_bonus)?;
        let fiche = self.features(id)?;
        let slot = *self
            .by_id
            .get(candidate)
            .ok_or_else(|| Error::NotFound(candidate.clone()))?;
        let explained = self.score_with_interest(
            fiche,
            &self.fiches[slot as usize],
            &options.weights,
            interests,
            options.interest_bonus,
            Some(id),
        );
        let scored = Scored {
            total: explained.total,
            position: self.writes.order.key(slot),
        };
        Ok(self.explained(fiche, scored, options, interests))
    }

    /// The sides of the pair (`a`, `b`, in either order) that said "interested".
    fn interest_sides(
        &self,
        a: &MatchFeatures,
        b: &MatchFeatures,
        interests: &dyn PairInterest,
    ) -> crate::scoring::InterestSides {
        let (french, foreign) = if a.side == crate::fiche::Side::French {
            (a, b)
        } else {
            (b, a)
        };
        interests.sides(&french.id, &foreign.id)
    }

    /// `scored` comes from the kernel, which keeps order keys (see `kernel::scan`).
    fn explained(
        &self,
        fiche: &MatchFeatures,
        scored: Scored,
        options: &SuggestOptions,
        interests: &dyn PairInterest,
    ) -> Suggestion {
        let slot = self.writes.order.slot(scored.position);
        let candidate = &self.fiches[slot as usize];
        let explained = self.score_with_interest(
            fiche,
            candidate,
            &options.weights,
            interests,
            options.interest_bonus,
            Some(&fiche.id),
        );
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
            interest: explained.interest,
            updated_on: candidate.updated_on,
            stale: options
                .stale_before
                .is_some_and(|limit| candidate.updated_on.is_none_or(|day| day < limit)),
        }
    }

    /// [`score_pair`] with the interest adjustment: the total is
    /// [`interest::adjusted`] of the weighted mean, and the breakdown says why.
    fn score_with_interest(
        &self,
        a: &MatchFeatures,
        b: &MatchFeatures,
        weights: &Weights,
        interests: &dyn PairInterest,
        bonus: f64,
        viewer: Option<&FicheId>,
    ) -> PairScore {
        let mut score = score_pair(a, b, &self.context, weights);
        let sides = self.interest_sides(a, b, interests);
        let (french, foreign) = if a.side == crate::fiche::Side::French {
            (a, b)
        } else {
            (b, a)
        };
        score.interest = interest::explain(french, foreign, sides, bonus, viewer);
        score.total = interest::adjusted(score.total, sides, bonus);
        score
    }

    /// Scores and explains any pair, with the reason it would be excluded if it is.
    pub fn explain(
        &self,
        a: &FicheId,
        b: &FicheId,
        weights: &Weights,
        veto: &dyn PairVeto,
    ) -> Result<(PairScore, Option<Exclusion>)> {
        self.explain_with(a, b, weights, veto, &NoInterests, 0.0)
    }

    /// [`Matcher::explain`] with the interest declared between the two fiches and
    /// its bonus.
    pub fn explain_with(
        &self,
        a: &FicheId,
        b: &FicheId,
        weights: &Weights,
        veto: &dyn PairVeto,
        interests: &dyn PairInterest,
        bonus: f64,
    ) -> Result<(PairScore, Option<Exclusion>)> {
        weights.validate()?;
        interest::validate_bonus(bonus)?;
        let (a, b) = (self.features(a)?, self.features(b)?);
        let exclusion = exclusions::check(a, b, veto).err();
        let score = if a.side == b.side {
            score_pair(a, b, &self.context, weights)
        } else {
            self.score_with_interest(a, b, weights, interests, bonus, None)
        };
        Ok((score, exclusion))
    }
}

#[cfg(test)]
mod apply_tests;
#[cfg(test)]
mod cross_tests;
#[cfg(test)]
mod tests;
