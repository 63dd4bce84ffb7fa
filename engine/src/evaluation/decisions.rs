//! Replaying staff decisions against a ranking: how the weights would have ranked
//! the pairs staff accepted and rejected.
//!
//! For each judged French × foreign pair the replay asks the French fiche's
//! suggestions (top `k`, no veto: a rejected pair is vetoed in real suggestions, the
//! question is whether the weights alone would still rank it) and scores the pair
//! itself. It reports:
//! - **acceptance rate at k**: among the judged pairs that the top `k` holds, the
//!   share staff accepted;
//! - the share of accepted pairs, and of rejected pairs, still in the top `k` (the
//!   second should be low);
//! - the **AUC** of accepted vs rejected pairs: the probability that an accepted
//!   pair scores above a rejected one (ties count one half), 0.5 being chance;
//!
//! overall, by country of the foreign fiche and by theme it seeks.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::error::Result;
use crate::fiche::FicheId;
use crate::ranking::{Matcher, SuggestOptions};
use crate::reference::{CountryCode, ThemeCode};
use crate::scoring::{NoVetoes, PerCriterion, Weights};

/// A pair staff decided on: accepted (accept or contacted) or rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub french: FicheId,
    pub foreign: FicheId,
    pub accepted: bool,
}

/// A judged pair as the current ranking sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    pub judged: Judged,
    /// The pair's total (weighted mean of the criteria) with the replay's weights.
    pub total: f64,
    /// Each criterion's score: the row of a design matrix.
    pub scores: PerCriterion<f64>,
    /// In the French fiche's top `k`.
    pub in_top_k: bool,
    pub country: CountryCode,
    /// The themes the foreign fiche seeks (declared and inferred).
    pub themes: Vec<ThemeCode>,
}

/// Counts over a set of judged pairs, and their AUC.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReplayMetrics {
    pub accepted: usize,
    pub rejected: usize,
    pub accepted_in_top_k: usize,
    pub rejected_in_top_k: usize,
    /// `None` without both accepted and rejected pairs.
    pub auc: Option<f64>,
}

impl ReplayMetrics {
    /// Metrics of `pairs`.
    pub fn of<'a>(pairs: impl IntoIterator<Item = &'a Replayed>) -> ReplayMetrics {
        let mut metrics = ReplayMetrics::default();
        let (mut accepted, mut rejected) = (Vec::new(), Vec::new());
        for pair in pairs {
            if pair.judged.accepted {
                metrics.accepted += 1;
                metrics.accepted_in_top_k += usize::from(pair.in_top_k);
                accepted.push(pair.total);
            } else {
                metrics.rejected += 1;
                metrics.rejected_in_top_k += usize::from(pair.in_top_k);
                rejected.push(pair.total);
            }
        }
        metrics.auc = auc(&accepted, &rejected);
        metrics
    }

    /// Among the judged pairs in the top `k`, the share accepted.
    pub fn acceptance_at_k(&self) -> Option<f64> {
        let in_top = self.accepted_in_top_k + self.rejected_in_top_k;
        (in_top > 0).then(|| self.accepted_in_top_k as f64 / in_top as f64)
    }

    /// The share of rejected pairs still in the top `k`.
    pub fn rejected_share_in_top_k(&self) -> Option<f64> {
        (self.rejected > 0).then(|| self.rejected_in_top_k as f64 / self.rejected as f64)
    }

    /// The share of accepted pairs in the top `k`.
    pub fn accepted_share_in_top_k(&self) -> Option<f64> {
        (self.accepted > 0).then(|| self.accepted_in_top_k as f64 / self.accepted as f64)
    }

    pub fn pairs(&self) -> usize {
        self.accepted + self.rejected
    }
}

/// The probability that a score of `positive` is above one of `negative` (ties one
/// half): the Mann–Whitney statistic, by sorting. `None` if either is empty.
pub fn auc(positive: &[f64], negative: &[f64]) -> Option<f64> {
    if positive.is_empty() || negative.is_empty() {
        return None;
    }
    let mut all: Vec<(f64, bool)> = positive
        .iter()
        .map(|&s| (s, true))
        .chain(negative.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of the (average, for ties) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let average = (i + 1 + j) as f64 / 2.0;
        rank_sum += average * all[i..j].iter().filter(|(_, p)| *p).count() as f64;
        i = j;
    }
    let (p, n) = (positive.len() as f64, negative.len() as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// The judged pairs as `weights` see them, in the order given. Pairs whose fiches
/// are no longer in the matcher are left out.
pub fn replay(
    matcher: &Matcher,
    judged: &[Judged],
    weights: Weights,
    k: usize,
) -> Result<Vec<Replayed>> {
    let options = SuggestOptions {
        k,
        weights,
        ..SuggestOptions::default()
    };
    let mut top: HashMap<&FicheId, HashSet<FicheId>> = HashMap::new();
    let mut out = Vec::with_capacity(judged.len());
    for pair in judged {
        let (Ok(_), Ok(foreign)) = (
            matcher.features(&pair.french),
            matcher.features(&pair.foreign),
        ) else {
            continue;
        };
        if !top.contains_key(&pair.french) {
            let kept = matcher.suggest(&pair.french, &options, &NoVetoes)?;
            top.insert(&pair.french, kept.into_iter().map(|s| s.id).collect());
        }
        let (score, _) = matcher.explain(&pair.french, &pair.foreign, &weights, &NoVetoes)?;
        out.push(Replayed {
            judged: pair.clone(),
            total: score.total,
            scores: score.breakdown.map(|_, part| part.score),
            in_top_k: top[&pair.french].contains(&pair.foreign),
            country: foreign.country,
            themes: crate::reference::Themes::get()
                .all()
                .map(|(code, _)| code)
                .filter(|code| foreign.request.bits() & code.bit() != 0)
                .collect(),
        });
    }
    Ok(out)
}

/// Metrics overall, by country and by theme.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReplaySummary {
    pub k: usize,
    pub all: ReplayMetrics,
    /// By country of the foreign fiche, most judged pairs first.
    pub by_country: Vec<(CountryCode, ReplayMetrics)>,
    /// By theme the foreign fiche seeks, most judged pairs first.
    pub by_theme: Vec<(ThemeCode, ReplayMetrics)>,
}

impl ReplaySummary {
    pub fn of(replayed: &[Replayed], k: usize) -> ReplaySummary {
        let mut countries: BTreeMap<CountryCode, Vec<&Replayed>> = BTreeMap::new();
        let mut themes: BTreeMap<ThemeCode, Vec<&Replayed>> = BTreeMap::new();
        for pair in replayed {
            countries.entry(pair.country).or_default().push(pair);
            for &theme in &pair.themes {
                themes.entry(theme).or_default().push(pair);
            }
        }
        ReplaySummary {
            k,
            all: ReplayMetrics::of(replayed),
            by_country: group(countries),
            by_theme: group(themes),
        }
    }
}

/// Metrics per group, most judged pairs first (ties in key order).
fn group<K: Ord>(groups: BTreeMap<K, Vec<&Replayed>>) -> Vec<(K, ReplayMetrics)> {
    let mut out: Vec<_> = groups
        .into_iter()
        .map(|(key, pairs)| (key, ReplayMetrics::of(pairs)))
        .collect();
    out.sort_by_key(|group| std::cmp::Reverse(group.1.pairs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ordered_pairs_and_ties() {
        assert_eq!(auc(&[0.9, 0.8], &[0.1, 0.2]), Some(1.0));
        assert_eq!(auc(&[0.1], &[0.9]), Some(0.0));
        assert_eq!(auc(&[0.5], &[0.5]), Some(0.5));
        assert_eq!(auc(&[0.3, 0.7], &[0.5]), Some(0.5));
        assert_eq!(auc(&[], &[0.5]), None);
    }
}
