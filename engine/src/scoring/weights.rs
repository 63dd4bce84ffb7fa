//! How much each criterion counts. The total is the weighted mean of the criteria, so
//! it stays in [0, 1] whatever the weights.

use super::criterion::{CRITERIA, PerCriterion};
use crate::fiche::FieldError;

/// Weights per criterion; any missing one takes its default. Defaults: thematic 0.5,
/// geography 0.2, size 0.1, under-served 0.15 — what the partnership is about first,
/// then where it can lean on existing ties and where it is most needed. The
/// under-served weight was set with `passerelle eval` (docs/evaluation.md): 0.2 sent
/// 91 % of suggestions to little-covered countries but lost planted pairs (recall@10
/// 0.84); 0.15 keeps 75 % there (base rate 41 %) with recall@10 0.94.
pub type Weights = PerCriterion<f64>;

impl Default for Weights {
    fn default() -> Self {
        PerCriterion {
            thematic: 0.5,
            geography: 0.2,
            size: 0.1,
            underserved: 0.15,
        }
    }
}

impl PerCriterion<f64> {
    /// Every weight finite and ≥ 0, at least one > 0.
    pub fn validate(&self) -> Result<(), FieldError> {
        for (criterion, &value) in self.entries() {
            if !(value.is_finite() && value >= 0.0) {
                return Err(FieldError::new(
                    format!("weights.{}", criterion.key()),
                    &value.to_string(),
                    "doit être un nombre positif ou nul",
                ));
            }
        }
        if self.sum() <= 0.0 {
            return Err(FieldError::new(
                "weights",
                "0",
                "au moins un poids doit être strictement positif",
            ));
        }
        Ok(())
    }

    /// The weighted mean of the criteria's scores, in the order of `Criterion::ALL`;
    /// the one formula both the ranking kernel and explanations use.
    #[inline]
    pub fn total(&self, scores: [f64; CRITERIA]) -> f64 {
        Weights::total_normalized(&self.normalized(), scores)
    }

    /// The weights divided by their sum, in the order of `Criterion::ALL`: the kernel
    /// computes them once per query.
    #[inline]
    pub fn normalized(&self) -> [f64; CRITERIA] {
        let inverse = 1.0 / self.sum();
        self.to_array().map(|w| w * inverse)
    }

    /// [`Weights::total`] with weights already normalized.
    #[inline]
    pub fn total_normalized(normalized: &[f64; CRITERIA], scores: [f64; CRITERIA]) -> f64 {
        (normalized[0] * scores[0]
            + normalized[1] * scores[1]
            + normalized[2] * scores[2]
            + normalized[3] * scores[3])
            .min(1.0)
    }

    pub fn sum(&self) -> f64 {
        self.iter().sum()
    }
}
