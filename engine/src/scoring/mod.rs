//! Pair scoring: one criterion per file, each documenting its range, symmetry and
//! behaviour on missing data, each returning its part of the breakdown.
//!
//! A pair is always read as (French, foreign): [`score_pair`] orders it, so every
//! criterion is symmetric by construction. The total is the weighted mean of the
//! criteria ([`Weights`]), in [0, 1].

mod area;
mod context;
mod criterion;
pub mod exclusions;
mod features;
pub mod geography;
pub mod size;
mod text_signature;
pub mod thematic;
mod theme_set;
pub mod underserved;
mod weights;

use serde::Serialize;

pub use area::AreaId;
pub use context::CorpusContext;
pub use criterion::{CRITERIA, Criterion, PerCriterion};
pub use exclusions::{EitherVeto, Exclusion, NoVetoes, PairVeto};
pub use features::{Derived, InferredThemes, MatchFeatures, TextSignatures};
pub use text_signature::{TextSignature, Vocabulary};
pub use theme_set::ThemeSet;
pub use weights::Weights;

use crate::fiche::Side;

/// One criterion's part of a pair's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub criterion: Criterion,
    /// In [0, 1].
    pub score: f64,
    /// Readable reasons, in French.
    pub reasons: Vec<String>,
}

impl Breakdown {
    fn new(criterion: Criterion, score: f64, reasons: Vec<String>) -> Breakdown {
        debug_assert!(
            (0.0..=1.0).contains(&score),
            "{criterion:?} out of range: {score}"
        );
        Breakdown {
            criterion,
            score,
            reasons,
        }
    }
}

/// A pair's total and how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairScore {
    /// Weighted mean of the criteria, in [0, 1].
    pub total: f64,
    pub breakdown: PerCriterion<Breakdown>,
}

/// Scores a pair (in either order) with every criterion.
pub fn score_pair(
    a: &MatchFeatures,
    b: &MatchFeatures,
    context: &CorpusContext,
    weights: &Weights,
) -> PairScore {
    let (french, foreign) = if a.side == Side::French {
        (a, b)
    } else {
        (b, a)
    };
    let breakdown = PerCriterion {
        thematic: thematic::explain(french, foreign),
        geography: geography::explain(french, foreign, context),
        size: size::explain(french, foreign),
        underserved: underserved::explain(foreign, context),
    };
    let scores = breakdown.map(|_, part| part.score).to_array();
    PairScore {
        total: weights.total(scores),
        breakdown,
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
