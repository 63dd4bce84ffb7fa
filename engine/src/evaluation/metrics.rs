//! The evaluation's metrics.

use std::collections::HashSet;

use serde::Serialize;

use crate::fiche::FicheId;
use crate::ranking::{Matcher, Suggestion};

/// A country is "little covered" with at most this many French partnerships.
pub const FEW_LINKS: u32 = 10;

/// Metrics over a set of queries.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    pub queries: usize,
    /// Share of queries whose answer is in the top 10.
    pub recall_at_10: f64,
    /// Mean reciprocal rank of the answer (0 beyond the evaluation depth).
    pub mrr: f64,
    /// French queries: share of top-10 suggestions in countries with at most
    /// [`FEW_LINKS`] French partnerships.
    pub few_links_share: f64,
    /// French queries: share of top-10 suggestions in UN least-developed countries.
    pub ldc_share: f64,
    /// French queries: mean number of distinct countries in a top 10.
    pub distinct_countries: f64,
}

#[derive(Debug, Default)]
pub(super) struct Accumulator {
    queries: usize,
    found_in_10: usize,
    reciprocal_ranks: f64,
    french_queries: usize,
    top10_suggestions: usize,
    few_links: usize,
    ldc: usize,
    distinct_countries: usize,
}

impl Accumulator {
    pub(super) fn add(
        &mut self,
        matcher: &Matcher,
        ranking: &[Suggestion],
        answer: &FicheId,
        french_query: bool,
    ) {
        self.queries += 1;
        if let Some(rank) = ranking.iter().position(|s| &s.id == answer) {
            self.reciprocal_ranks += 1.0 / (rank + 1) as f64;
            if rank < 10 {
                self.found_in_10 += 1;
            }
        }
        if french_query {
            let top = &ranking[..ranking.len().min(10)];
            self.french_queries += 1;
            self.top10_suggestions += top.len();
            let context = matcher.context();
            self.few_links += top
                .iter()
                .filter(|s| context.french_links(s.country) <= FEW_LINKS)
                .count();
            self.ldc += top
                .iter()
                .filter(|s| s.country.info().ldc_status(context.today).is_ldc())
                .count();
            self.distinct_countries += top.iter().map(|s| s.country).collect::<HashSet<_>>().len();
        }
    }

    pub(super) fn finish(self) -> Metrics {
        let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
        Metrics {
            queries: self.queries,
            recall_at_10: ratio(self.found_in_10, self.queries),
            mrr: if self.queries == 0 {
                0.0
            } else {
                self.reciprocal_ranks / self.queries as f64
            },
            few_links_share: ratio(self.few_links, self.top10_suggestions),
            ldc_share: ratio(self.ldc, self.top10_suggestions),
            distinct_countries: ratio(self.distinct_countries, self.french_queries),
        }
    }
}

/// Shares of little-covered and LDC countries among the suggestible foreign fiches.
pub(super) fn base_shares(matcher: &Matcher) -> (f64, f64) {
    let context = matcher.context();
    let countries = matcher.suggestible_foreign_countries();
    let n = countries.len().max(1) as f64;
    let few = countries
        .iter()
        .filter(|c| context.french_links(**c) <= FEW_LINKS)
        .count() as f64;
    let ldc = countries
        .iter()
        .filter(|c| c.info().ldc_status(context.today).is_ldc())
        .count() as f64;
    (few / n, ldc / n)
}
