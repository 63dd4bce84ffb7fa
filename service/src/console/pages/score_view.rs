//! A scored pair as staff read it: the total, then each criterion with its score,
//! its weight's share and the engine's French reasons. Used by the Fiche page (its
//! suggestions), the review queue and the Paire page.

use passerelle_engine::french;
use passerelle_engine::ranking::Suggestion;
use passerelle_engine::scoring::{Breakdown, PerCriterion, Weights};

use super::super::labels;

/// One criterion of a breakdown.
#[derive(Debug, Clone)]
pub(crate) struct CriterionView {
    pub label: String,
    pub score: String,
    /// The weight's share of the total, `50 %`.
    pub weight: String,
    /// For a bar: the score in percent, rounded (0 to 100).
    pub percent: u32,
    pub reasons: Vec<String>,
}

pub(crate) fn breakdown(
    breakdown: &PerCriterion<Breakdown>,
    weights: &Weights,
) -> Vec<CriterionView> {
    breakdown
        .entries()
        .map(|(criterion, part)| CriterionView {
            label: labels::criterion_title(criterion),
            score: labels::score(part.score),
            weight: french::percent(weights.get(criterion) / weights.sum()),
            percent: (part.score.clamp(0.0, 1.0) * 100.0).round() as u32,
            reasons: part.reasons.clone(),
        })
        .collect()
}

/// A suggested partner of the fiche `subject`, with what a decision form needs.
#[derive(Debug, Clone)]
pub(crate) struct SuggestionView {
    pub rank: usize,
    /// The fiche the suggestion is for, and the partner.
    pub subject_id: String,
    pub subject_name: String,
    pub id: String,
    pub name: String,
    pub href: String,
    pub country: String,
    pub total: String,
    /// The Paire page of the two (French fiche first).
    pub pair_href: String,
    pub criteria: Vec<CriterionView>,
    /// Where a decision sends a browser without scripts back (`fiche`, `revue`).
    pub from: &'static str,
    /// An HTML id for the suggestion's block.
    pub dom_id: String,
    /// Both collectivités said "interested": a match.
    pub mutual: bool,
    /// The partner's fiche is « à reconfirmer ».
    pub stale: bool,
    /// Who said "interested", in French.
    pub interest: Vec<String>,
}

impl SuggestionView {
    /// `french_first`: whether the subject is the French fiche of the pair.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        rank: usize,
        subject_id: &str,
        subject_name: &str,
        french_first: bool,
        suggestion: &Suggestion,
        weights: &Weights,
        from: &'static str,
    ) -> SuggestionView {
        let (a, b) = if french_first {
            (subject_id, suggestion.id.as_str())
        } else {
            (suggestion.id.as_str(), subject_id)
        };
        let mut pair_href = format!("/console/paire?a={a}&b={b}");
        let weights_query = super::scoring_form::weights_query(weights);
        if !weights_query.is_empty() {
            pair_href.push('&');
            pair_href.push_str(&weights_query);
        }
        SuggestionView {
            rank,
            subject_id: subject_id.to_owned(),
            subject_name: subject_name.to_owned(),
            id: suggestion.id.to_string(),
            name: suggestion.name.clone(),
            href: format!("/console/fiches/{}", suggestion.id),
            country: labels::country_name(suggestion.country).to_owned(),
            total: labels::score(suggestion.total),
            pair_href,
            criteria: breakdown(&suggestion.breakdown, weights),
            from,
            dom_id: format!("s-{}-{}", subject_id, suggestion.id),
            mutual: suggestion
                .interest
                .as_ref()
                .is_some_and(|i| i.sides.mutual()),
            stale: suggestion.stale,
            interest: suggestion
                .interest
                .as_ref()
                .map(|i| i.reasons.clone())
                .unwrap_or_default(),
        }
    }
}
