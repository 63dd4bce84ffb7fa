//! Pair scoring: one criterion per file, each documenting its range, symmetry and
//! behaviour on missing data, each returning its part of the breakdown.
//!
//! A pair is always read as (French, foreign): [`score_pair`] orders it, so every
//! criterion is symmetric by construction. The total is the weighted mean of the
//! criteria ([`Weights`]), in [0, 1] — plus, where the collectivités declared an
//! interest in each other, the adjustment of [`interest`] (not a criterion: a bonus
//! added after the mean, capped at 1).

mod area;
mod context;
mod criterion;
pub mod exclusions;
mod features;
pub mod geography;
pub mod interest;
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
pub use interest::{InterestBonus, InterestSides, NoInterests, PairInterest};
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
    /// Weighted mean of the criteria, plus the interest bonus if any (capped at 1),
    /// in [0, 1].
    pub total: f64,
    pub breakdown: PerCriterion<Breakdown>,
    /// The interest the collectivités declared in each other, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest: Option<InterestBonus>,
}

impl PairScore {
    /// The total its parts give: the weighted mean of the breakdown's scores with
    /// `weights`, plus the interest's amount, capped at 1 — bit for bit the total the
    /// ranking kernel computed.
    pub fn total_of(
        breakdown: &PerCriterion<Breakdown>,
        interest: Option<&InterestBonus>,
        weights: &Weights,
    ) -> f64 {
        let mean = weights.total(breakdown.map(|_, part| part.score).to_array());
        match interest {
            Some(interest) => interest::total_with(mean, interest.amount),
            None => mean,
        }
    }
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
        interest: None,
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
