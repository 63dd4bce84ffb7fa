//! Learning from staff decisions: replaying them against the configured weights
//! ([`Corpus::replay_decisions`], `passerelle eval --decisions`) and fitting the
//! weights to them ([`Corpus::tune`], `passerelle tune`).
//!
//! A pair's latest decision counts: accept and contacted are acceptances, reject a
//! rejection; shortlist says nothing yet and is left out.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Corpus;
use crate::error::Result;
use crate::evaluation::decisions::{Judged, ReplayMetrics, ReplaySummary, Replayed, replay};
use crate::fiche::{FicheId, Side};
use crate::scoring::{PerCriterion, Weights};
use crate::store::{Decision, DecisionKind, DecisionReason};
use crate::tuning::{self, Fitted, Sample};

/// Decisions replayed: the metrics, and the reasons recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionReplay {
    /// Decisions recorded, all kinds.
    pub decisions: usize,
    /// Pairs judged (latest decision accept, contacted or reject).
    pub judged: usize,
    pub weights: Weights,
    pub summary: ReplaySummary,
    /// Decisions by kind and reason code (`None`: no code), each latest decision
    /// once.
    pub reasons: Vec<(DecisionKind, Option<DecisionReason>, usize)>,
}

/// How to tune.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TuneOptions {
    /// Folds of the cross-validation.
    pub folds: usize,
    /// Depth of the held-out ranking metrics.
    pub k: usize,
}

impl Default for TuneOptions {
    fn default() -> Self {
        TuneOptions {
            folds: tuning::DEFAULT_FOLDS,
            k: 10,
        }
    }
}

/// What `tune` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TuneReport {
    pub judged: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub folds: usize,
    /// Each regularisation strength tried, with its held-out log loss.
    pub losses: Vec<(f64, f64)>,
    /// The model fitted on every decision with the chosen strength.
    pub model: Fitted,
    /// The configured weights, and the fitted ones.
    pub before: Weights,
    pub after: Weights,
    /// On held-out decisions (each fold's model judged on the fold it did not see):
    /// the configured weights, and the fitted ones.
    pub held_out_before: ReplayMetrics,
    pub held_out_after: ReplayMetrics,
}

/// The latest decision of each pair, oldest pair first.
fn latest(decisions: &[Decision]) -> Vec<&Decision> {
    let mut by_pair: HashMap<(&FicheId, &FicheId), &Decision> = HashMap::new();
    for decision in decisions {
        by_pair.insert((&decision.fiche_a, &decision.fiche_b), decision);
    }
    let mut latest: Vec<&Decision> = by_pair.into_values().collect();
    latest.sort_by_key(|d| d.id);
    latest
}

impl Corpus {
    /// The judged pairs, oriented (French, foreign), oldest first, and every
    /// decision's latest record.
    fn judged(&self) -> Result<(usize, Vec<Judged>, Vec<Decision>)> {
        let decisions = self.store()?.all_decisions()?;
        let count = decisions.len();
        let latest: Vec<Decision> = latest(&decisions).into_iter().cloned().collect();
        let judged = self.with_matcher(|matcher| {
            latest
                .iter()
                .filter_map(|d| {
                    let accepted = match d.kind {
                        DecisionKind::Accept | DecisionKind::Contacted => true,
                        DecisionKind::Reject => false,
                        DecisionKind::Shortlist => return None,
                    };
                    let a = matcher.features(&d.fiche_a).ok()?;
                    let (french, foreign) = if a.side == Side::French {
                        (d.fiche_a.clone(), d.fiche_b.clone())
                    } else {
                        (d.fiche_b.clone(), d.fiche_a.clone())
                    };
                    matcher.features(&foreign).ok()?;
                    Some(Judged {
                        french,
                        foreign,
                        accepted,
                    })
                })
                .collect::<Vec<_>>()
        })?;
        Ok((count, judged, latest))
    }

    fn replay_with(&self, judged: &[Judged], weights: Weights, k: usize) -> Result<Vec<Replayed>> {
        self.with_matcher(|matcher| replay(matcher, judged, weights, k))?
    }

    /// The recorded decisions replayed against the configured weights: acceptance
    /// rate at `k`, rejected pairs still in the top `k`, AUC, by country and theme,
    /// and the reasons recorded.
    pub fn replay_decisions(&self, k: usize) -> Result<DecisionReplay> {
        let (decisions, judged, latest) = self.judged()?;
        let weights = self.policy.weights;
        let replayed = self.replay_with(&judged, weights, k)?;
        let mut reasons: BTreeMap<(usize, Option<DecisionReason>), usize> = BTreeMap::new();
        for decision in &latest {
            let kind = DecisionKind::ALL
                .iter()
                .position(|&k| k == decision.kind)
                .expect("a kind");
            *reasons.entry((kind, decision.reason)).or_default() += 1;
        }
        Ok(DecisionReplay {
            decisions,
            judged: replayed.len(),
            weights,
            summary: ReplaySummary::of(&replayed, k),
            reasons: reasons
                .into_iter()
                .map(|((kind, reason), n)| (DecisionKind::ALL[kind], reason, n))
                .collect(),
        })
    }

    /// Fits the criterion weights to the recorded decisions (see
    /// [`crate::tuning`]): refuses too few decisions, chooses the regularisation by
    /// cross-validation, and measures the configured and the fitted weights on
    /// held-out decisions.
    pub fn tune(&self, options: &TuneOptions) -> Result<TuneReport> {
        let (_, judged, _) = self.judged()?;
        let before = self.policy.weights;
        // The criterion scores do not depend on the weights: one replay gives the
        // design matrix.
        let replayed = self.replay_with(&judged, before, options.k)?;
        let samples: Vec<Sample> = replayed
            .iter()
            .map(|r| Sample {
                scores: r.scores,
                accepted: r.judged.accepted,
            })
            .collect();
        tuning::check_enough(&samples)?;
        let folds = options.folds.clamp(2, tuning::MIN_EACH);
        let (alpha, losses) = tuning::cross_validate(&samples, folds)?;
        let model = tuning::fit(&samples, alpha)?;
        let after = model.weights()?;
        let (mut held_before, mut held_after) = (Vec::new(), Vec::new());
        for fold in 0..folds {
            let (held_out, training) = tuning::split(&samples, folds, fold);
            let fold_weights = tuning::fit(&training, alpha)?.weights()?;
            let held_judged: Vec<Judged> = replayed
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds == fold)
                .map(|(_, r)| r.judged.clone())
                .collect();
            debug_assert_eq!(held_judged.len(), held_out.len());
            held_before.push(ReplayMetrics::of(&self.replay_with(
                &held_judged,
                before,
                options.k,
            )?));
            held_after.push(ReplayMetrics::of(&self.replay_with(
                &held_judged,
                fold_weights,
                options.k,
            )?));
        }
        let accepted = samples.iter().filter(|s| s.accepted).count();
        Ok(TuneReport {
            judged: samples.len(),
            accepted,
            rejected: samples.len() - accepted,
            folds,
            losses,
            model,
            before,
            after,
            held_out_before: pooled(&held_before),
            held_out_after: pooled(&held_after),
        })
    }
}

/// Folds' metrics together: counts summed, AUC averaged by fold size.
fn pooled(folds: &[ReplayMetrics]) -> ReplayMetrics {
    let mut all = ReplayMetrics::default();
    let (mut auc_sum, mut auc_pairs) = (0.0, 0usize);
    for m in folds {
        all.accepted += m.accepted;
        all.rejected += m.rejected;
        all.accepted_in_top_k += m.accepted_in_top_k;
        all.rejected_in_top_k += m.rejected_in_top_k;
        if let Some(auc) = m.auc {
            auc_sum += auc * m.pairs() as f64;
            auc_pairs += m.pairs();
        }
    }
    all.auc = (auc_pairs > 0).then(|| auc_sum / auc_pairs as f64);
    all
}

/// Writes weights as a weights file (TOML, one key per criterion), which `suggest
/// --weights`, `batch --weights` and `serve` (`weights = "…"`) read.
pub fn weights_file(weights: &Weights, comment: &str) -> String {
    let mut text = String::new();
    for line in comment.lines() {
        text.push_str("# ");
        text.push_str(line);
        text.push('\n');
    }
    let rounded: PerCriterion<f64> = weights.map(|_, &w| (w * 1e4).round() / 1e4);
    for (criterion, w) in rounded.entries() {
        text.push_str(&format!("{} = {w}\n", criterion.key()));
    }
    text
}
