//! Offline evaluation of the ranking against known answers: planted complementary
//! pairs (see `passerelle_datasets::plant_pairs`), each side of which should find the
//! other. Reports recall@10, MRR, how much of the top 10 goes to under-served
//! countries, how many distinct countries a top 10 covers, and the ablation of each
//! criterion (its weight set to 0) and each criterion alone. [`decisions`] replays
//! the decisions staff recorded.

pub mod decisions;
mod metrics;

use serde::Serialize;

pub use metrics::Metrics;

use crate::error::Result;
use crate::fiche::FicheId;
use crate::ranking::{Matcher, SuggestOptions};
use crate::scoring::{Criterion, NoVetoes, Weights};

/// How far down a ranking the answer is looked for (MRR is MRR@100).
pub const DEPTH: usize = 100;

/// A subset of the known answers reported apart: how one side's request was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subset {
    /// Only as free text in Spanish, Portuguese or English.
    TextOnly,
    /// Only as free text in Arabic.
    ArabicOnly,
}

/// A known answer: `a` should be suggested to `b` and `b` to `a`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    pub a: FicheId,
    pub b: FicheId,
    /// The subset it is also reported in, if any.
    pub subset: Option<Subset>,
}

/// The metrics of one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub name: String,
    pub all: Metrics,
    /// Only the queries of [`Subset::TextOnly`] truths.
    pub text_only: Metrics,
    /// Only the queries of [`Subset::ArabicOnly`] truths.
    pub arabic_only: Metrics,
}

/// Every configuration evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationReport {
    pub pairs: usize,
    pub runs: Vec<Run>,
    /// Shares among all suggestible foreign fiches, to read the under-served shares
    /// against.
    pub base_few_links_share: f64,
    pub base_ldc_share: f64,
}

/// Runs the default weights, the ablation of each criterion, each criterion alone, and
/// the default weights with at most 3 suggestions per country.
pub fn evaluate(matcher: &Matcher, truths: &[Truth], weights: Weights) -> Result<EvaluationReport> {
    let mut runs = vec![run(matcher, truths, "poids par défaut", weights, None)?];
    for criterion in Criterion::ALL {
        let mut without = weights;
        *without.get_mut(criterion) = 0.0;
        runs.push(run(
            matcher,
            truths,
            &format!("sans {}", criterion.label()),
            without,
            None,
        )?);
    }
    for criterion in Criterion::ALL {
        let alone = Weights::from_fn(|c| if c == criterion { 1.0 } else { 0.0 });
        runs.push(run(
            matcher,
            truths,
            &format!("{} seule", criterion.label()),
            alone,
            None,
        )?);
    }
    runs.push(run(
        matcher,
        truths,
        "par défaut, 3 au plus par pays",
        weights,
        Some(3),
    )?);
    let (base_few_links_share, base_ldc_share) = metrics::base_shares(matcher);
    Ok(EvaluationReport {
        pairs: truths.len(),
        runs,
        base_few_links_share,
        base_ldc_share,
    })
}

fn run(
    matcher: &Matcher,
    truths: &[Truth],
    name: &str,
    weights: Weights,
    cap: Option<usize>,
) -> Result<Run> {
    let options = SuggestOptions {
        k: DEPTH,
        weights,
        max_per_country: cap,
        ..SuggestOptions::default()
    };
    let mut all = metrics::Accumulator::default();
    let mut text_only = metrics::Accumulator::default();
    let mut arabic_only = metrics::Accumulator::default();
    for truth in truths {
        for (query, answer) in [(&truth.a, &truth.b), (&truth.b, &truth.a)] {
            let ranking = matcher.suggest(query, &options, &NoVetoes)?;
            let french_query = query.country_prefix() == "FR";
            all.add(matcher, &ranking, answer, french_query);
            match truth.subset {
                Some(Subset::TextOnly) => text_only.add(matcher, &ranking, answer, french_query),
                Some(Subset::ArabicOnly) => {
                    arabic_only.add(matcher, &ranking, answer, french_query)
                }
                None => {}
            }
        }
    }
    Ok(Run {
        name: name.to_owned(),
        all: all.finish(),
        text_only: text_only.finish(),
        arabic_only: arabic_only.finish(),
    })
}
