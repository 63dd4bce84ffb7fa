//! Fitting the criterion weights to staff decisions.
//!
//! Each judged pair (accepted: accept or contacted; rejected: reject) is a row of a
//! design matrix — an `ndarray` array, one column per criterion, holding the pair's
//! criterion scores — and a label. An L2-regularised logistic regression, solved by
//! `linfa-logistic` (L-BFGS), models `P(accepted) = σ(b + Σ β_c x_c)`. The ranking's
//! total is a weighted mean of the same scores, so the coefficients, once negatives
//! are set to 0 and the rest divided by their sum, are the weights whose ranking
//! best separates accepted from rejected pairs in that model ([`Fitted::weights`]).
//!
//! The regularisation strength is chosen by k-fold cross-validation (held-out log
//! loss, [`cross_validate`]); folds are fixed by the order of the samples (sample
//! `i` in fold `i mod k`), so the same decisions give the same fit. With fewer than
//! [`MIN_DECISIONS`] judged pairs, or fewer than [`MIN_EACH`] of either kind, there
//! is nothing reliable to fit: [`check_enough`] refuses and says how many are needed.

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::scoring::{CRITERIA, Criterion, PerCriterion, Weights};

/// Fewest judged pairs (accepted and rejected together) a fit needs.
pub const MIN_DECISIONS: usize = 50;
/// Fewest accepted, and fewest rejected, pairs a fit needs.
pub const MIN_EACH: usize = 10;
/// Folds of the cross-validation.
pub const DEFAULT_FOLDS: usize = 5;
/// The regularisation strengths tried (linfa's `alpha`: the weight of the squared
/// norm of the coefficients against the summed log loss).
pub const ALPHAS: [f64; 6] = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0];
/// Iterations of the solver at most.
const MAX_ITERATIONS: u64 = 1000;

/// One judged pair: its criterion scores and whether staff accepted it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub scores: PerCriterion<f64>,
    pub accepted: bool,
}

/// The design matrix of `samples`: one row per sample, one column per criterion in
/// the order of [`Criterion::ALL`].
pub fn design_matrix(samples: &[Sample]) -> Array2<f64> {
    Array2::from_shape_fn((samples.len(), CRITERIA), |(row, column)| {
        *samples[row].scores.get(Criterion::ALL[column])
    })
}

/// Refuses too few decisions, saying how many are needed.
pub fn check_enough(samples: &[Sample]) -> Result<()> {
    let accepted = samples.iter().filter(|s| s.accepted).count();
    let rejected = samples.len() - accepted;
    if samples.len() < MIN_DECISIONS || accepted < MIN_EACH || rejected < MIN_EACH {
        return Err(Error::TooFewDecisions {
            accepted,
            rejected,
            min_total: MIN_DECISIONS,
            min_each: MIN_EACH,
        });
    }
    Ok(())
}

/// A fitted model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fitted {
    /// `β_c`: how much each criterion's score moves the odds of acceptance.
    pub coefficients: PerCriterion<f64>,
    pub intercept: f64,
    /// The regularisation strength used.
    pub alpha: f64,
}

impl Fitted {
    /// The probability of acceptance the model gives a pair's scores.
    pub fn probability(&self, scores: &PerCriterion<f64>) -> f64 {
        let z = self.intercept
            + self
                .coefficients
                .entries()
                .map(|(c, beta)| beta * scores.get(c))
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }

    /// The ranking weights: negative coefficients set to 0 (a criterion may not count
    /// against a pair), the rest divided by their sum. `Err` when no criterion
    /// favours acceptance.
    pub fn weights(&self) -> Result<Weights> {
        let clamped = self.coefficients.map(|_, &beta| beta.max(0.0));
        let sum = clamped.sum();
        if !(sum > 0.0 && sum.is_finite()) {
            return Err(Error::Fit(
                "aucun critère ne favorise l'acceptation dans ces décisions : les poids ne peuvent pas en être tirés".into(),
            ));
        }
        Ok(clamped.map(|_, &w| w / sum))
    }
}

/// Fits the model on `samples` with regularisation `alpha`.
pub fn fit(samples: &[Sample], alpha: f64) -> Result<Fitted> {
    let records = design_matrix(samples);
    let targets: Array1<bool> = samples.iter().map(|s| s.accepted).collect();
    let dataset = Dataset::new(records, targets);
    let model = LogisticRegression::default()
        .alpha(alpha)
        .max_iterations(MAX_ITERATIONS)
        .with_intercept(true)
        .fit(&dataset)
        .map_err(|e| Error::Fit(format!("la régression logistique a échoué : {e}")))?;
    // linfa labels the more frequent class positive: turn the model into odds of
    // acceptance whichever it is.
    let sign = if model.labels().pos.class { 1.0 } else { -1.0 };
    let params = model.params();
    Ok(Fitted {
        coefficients: PerCriterion::from_fn(|c| {
            sign * params[Criterion::ALL
                .iter()
                .position(|&x| x == c)
                .expect("a criterion")]
        }),
        intercept: sign * model.intercept(),
        alpha,
    })
}

/// Mean log loss of `model` on `samples`.
pub fn log_loss(model: &Fitted, samples: &[Sample]) -> f64 {
    let eps = 1e-12;
    let total: f64 = samples
        .iter()
        .map(|s| {
            let p = model.probability(&s.scores).clamp(eps, 1.0 - eps);
            if s.accepted { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    total / samples.len().max(1) as f64
}

/// The samples of fold `fold` of `folds` (held out), and the others.
pub fn split(samples: &[Sample], folds: usize, fold: usize) -> (Vec<Sample>, Vec<Sample>) {
    let (mut held_out, mut training) = (Vec::new(), Vec::new());
    for (i, sample) in samples.iter().enumerate() {
        if i % folds == fold {
            held_out.push(*sample);
        } else {
            training.push(*sample);
        }
    }
    (held_out, training)
}

/// The regularisation strength of [`ALPHAS`] with the least mean held-out log loss
/// over `folds` folds (ties: the stronger), and each strength's loss.
pub fn cross_validate(samples: &[Sample], folds: usize) -> Result<(f64, Vec<(f64, f64)>)> {
    check_enough(samples)?;
    let folds = folds.clamp(2, MIN_EACH);
    let mut losses = Vec::with_capacity(ALPHAS.len());
    for alpha in ALPHAS {
        let mut loss = 0.0;
        for fold in 0..folds {
            let (held_out, training) = split(samples, folds, fold);
            let model = fit(&training, alpha)?;
            loss += log_loss(&model, &held_out) * held_out.len() as f64;
        }
        losses.push((alpha, loss / samples.len() as f64));
    }
    let best = losses
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1).then(b.0.total_cmp(&a.0)))
        .map(|&(alpha, _)| alpha)
        .expect("ALPHAS is not empty");
    Ok((best, losses))
}

#[cfg(test)]
mod tests;
