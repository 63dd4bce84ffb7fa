//! Ranking: score one fiche against every candidate of the other side in parallel on
//! a dedicated rayon pool and keep the best `k`, deterministically (ties by id, the
//! same result for any number of threads), with an optional cap per country.

mod top_k;

use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId, Level};
use crate::reference::{CountryCode, ThemeCode};
use crate::scoring::{
    Breakdown, CorpusContext, Exclusion, InferredThemes, MatchFeatures, PairScore, PairVeto, Weights,
    exclusions, score_pair,
};
use top_k::{Scored, TopK};

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
    pub breakdown: Vec<Breakdown>,
}

/// The scoring view of a corpus, ready to rank.
#[derive(Debug)]
pub struct Matcher {
    fiches: Vec<MatchFeatures>,
    by_id: HashMap<FicheId, usize>,
    context: CorpusContext,
    pool: rayon::ThreadPool,
}

impl Matcher {
    /// Builds the matcher for `today` on a pool of `threads` threads (0: one per core).
    /// `infer` gives the themes found in a fiche's texts.
    pub fn new(
        fiches: impl IntoIterator<Item = Fiche>,
        today: NaiveDate,
        threads: usize,
        infer: &dyn Fn(&Fiche) -> InferredThemes,
    ) -> Result<Matcher> {
        let fiches: Vec<MatchFeatures> = fiches
            .into_iter()
            .map(|fiche| MatchFeatures::new(&fiche, today, infer(&fiche)))
            .collect();
        let by_id = fiches.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        let context = CorpusContext::build(today, &fiches);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("passerelle-rank-{i}"))
            .build()?;
        Ok(Matcher {
            fiches,
            by_id,
            context,
            pool,
        })
    }

    pub fn len(&self) -> usize {
        self.fiches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fiches.is_empty()
    }

    pub fn features(&self, id: &FicheId) -> Result<&MatchFeatures> {
        self.by_id
            .get(id)
            .map(|&i| &self.fiches[i])
            .ok_or_else(|| Error::NotFound(id.clone()))
    }

    /// The best `k` partners for `id` among the fiches of the other side.
    pub fn suggest(&self, id: &FicheId, options: &SuggestOptions, veto: &dyn PairVeto) -> Result<Vec<Suggestion>> {
        options.weights.validate()?;
        let fiche = self.features(id)?;
        let k = options.k.min(MAX_K);
        let eligible = |candidate: &MatchFeatures| {
            passes(&options.filters, candidate) && exclusions::check(fiche, candidate, veto).is_ok()
        };
        let score = |index: usize| {
            let candidate = &self.fiches[index];
            Scored {
                total: score_pair(fiche, candidate, &self.context, &options.weights).total,
                id: candidate.id.as_str(),
                index,
            }
        };
        let kept = self.pool.install(|| match options.max_per_country {
            None => self
                .fiches
                .par_iter()
                .enumerate()
                .filter(|(_, c)| eligible(c))
                .fold(|| TopK::new(k), |mut top, (i, _)| {
                    top.push(score(i));
                    top
                })
                .reduce(|| TopK::new(k), TopK::merge)
                .into_sorted(),
            Some(cap) => self.per_country_best(cap.min(k), &eligible, &score).into_iter().fold(
                TopK::new(k),
                |mut top, scored| {
                    top.push(scored);
                    top
                },
            )
            .into_sorted(),
        });
        Ok(kept
            .into_iter()
            .map(|scored| {
                let candidate = &self.fiches[scored.index];
                let explained = score_pair(fiche, candidate, &self.context, &options.weights);
                Suggestion {
                    id: candidate.id.clone(),
                    name: candidate.name.clone(),
                    country: candidate.country,
                    total: explained.total,
                    breakdown: explained.breakdown,
                }
            })
            .collect())
    }

    /// The best `cap` eligible candidates of each country.
    fn per_country_best<'a>(
        &'a self,
        cap: usize,
        eligible: &(dyn Fn(&MatchFeatures) -> bool + Sync),
        score: &(dyn Fn(usize) -> Scored<'a> + Sync),
    ) -> Vec<Scored<'a>> {
        type ByCountry<'a> = HashMap<CountryCode, TopK<'a>>;
        let merge = |mut a: ByCountry<'a>, b: ByCountry<'a>| {
            for (country, top) in b {
                let merged = match a.remove(&country) {
                    Some(existing) => existing.merge(top),
                    None => top,
                };
                a.insert(country, merged);
            }
            a
        };
        self.fiches
            .par_iter()
            .enumerate()
            .filter(|(_, c)| eligible(c))
            .fold(ByCountry::new, |mut by_country, (i, c): (usize, &MatchFeatures)| {
                by_country.entry(c.country).or_insert_with(|| TopK::new(cap)).push(score(i));
                by_country
            })
            .reduce(ByCountry::new, merge)
            .into_values()
            .flat_map(TopK::into_sorted)
            .collect()
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

fn passes(filters: &CandidateFilters, candidate: &MatchFeatures) -> bool {
    let population = candidate.population.unwrap_or(0);
    filters.country.is_none_or(|c| c == candidate.country)
        && filters.level.is_none_or(|l| l == candidate.level)
        && filters.theme.is_none_or(|t| {
            candidate.offer.union(candidate.request).union(candidate.profile).contains(t)
        })
        && filters.min_population.is_none_or(|min| population >= min)
        && filters.max_population.is_none_or(|max| population <= max)
}

#[cfg(test)]
mod tests;
