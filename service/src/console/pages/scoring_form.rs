//! The scoring settings a page takes from its query: the weight of each criterion
//! (Fiche and Paire pages), and for suggestions how many and which candidates.
//! Values are checked here, against the engine's bounds, before any work.

use passerelle_engine::french;
use passerelle_engine::ranking::{CandidateFilters, SuggestOptions};
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::scoring::{Criterion, Weights};

use super::super::error::ConsoleError;
use super::super::labels;
use super::super::params::Params;

/// The query field of each criterion's weight.
pub(crate) const WEIGHT_FIELDS: [(Criterion, &str); 4] = [
    (Criterion::Thematic, "p_thematique"),
    (Criterion::Geography, "p_geographie"),
    (Criterion::Size, "p_taille"),
    (Criterion::Underserved, "p_pays_peu_couverts"),
];

/// Largest weight the form takes (only their ratios matter).
pub(crate) const MAX_WEIGHT: f64 = 10.0;
/// Most suggestions a page shows.
pub(crate) const MAX_SUGGESTIONS: usize = 50;
pub(crate) const DEFAULT_SUGGESTIONS: usize = 10;

/// The fields of the suggestion settings.
pub(crate) const SUGGESTION_FIELDS: [&str; 7] = [
    "p_thematique",
    "p_geographie",
    "p_taille",
    "p_pays_peu_couverts",
    "nombre",
    "pays",
    "theme",
];

/// Reads the weights; a missing one keeps its default. All zero is refused.
pub(crate) fn weights(params: &Params) -> Result<Weights, ConsoleError> {
    let mut weights = Weights::default();
    for (criterion, field) in WEIGHT_FIELDS {
        if let Some(value) = params.decimal(field, 0.0, MAX_WEIGHT)? {
            *weights.get_mut(criterion) = value;
        }
    }
    if weights.sum() <= 0.0 {
        return Err(ConsoleError::field(
            "p_thematique",
            "au moins un poids doit être strictement positif.",
        ));
    }
    Ok(weights)
}

/// One weight as the form shows it.
#[derive(Debug, Clone)]
pub(crate) struct WeightInput {
    pub field: &'static str,
    pub label: String,
    /// `0.5` (an `<input type=number>` value).
    pub value: String,
    /// The default, `0,5`.
    pub default: String,
    /// Share of the total, `50 %`.
    pub share: String,
}

pub(crate) fn weight_inputs(weights: &Weights) -> Vec<WeightInput> {
    let defaults = Weights::default();
    WEIGHT_FIELDS
        .iter()
        .map(|&(criterion, field)| WeightInput {
            field,
            label: labels::criterion_title(criterion),
            value: format_number(*weights.get(criterion)),
            default: french::decimal(*defaults.get(criterion), 2),
            share: french::percent(weights.get(criterion) / weights.sum()),
        })
        .collect()
}

/// A weight as an `<input type=number>` value: `0.5`, `0.15`, `2`.
fn format_number(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The weights as query fields, for links that keep them (empty when default).
pub(crate) fn weights_query(weights: &Weights) -> String {
    if *weights == Weights::default() {
        return String::new();
    }
    WEIGHT_FIELDS
        .iter()
        .map(|&(criterion, field)| format!("{field}={}", format_number(*weights.get(criterion))))
        .collect::<Vec<_>>()
        .join("&")
}

/// What the suggestions of a fiche are asked with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SuggestionSettings {
    pub weights: Weights,
    pub k: usize,
    pub country: Option<CountryCode>,
    pub theme: Option<ThemeCode>,
}

impl SuggestionSettings {
    pub fn parse(params: &Params) -> Result<SuggestionSettings, ConsoleError> {
        let country = match params.get("pays") {
            None => None,
            Some(code) => Some(CountryCode::parse_user(code).ok_or_else(|| {
                ConsoleError::field(
                    "pays",
                    format!("« {code} » n'est pas un code pays ISO 3166-1 à deux lettres connu."),
                )
            })?),
        };
        let theme = match params.get("theme") {
            None => None,
            Some(code) => Some(ThemeCode::parse(code).ok_or_else(|| {
                ConsoleError::field(
                    "theme",
                    format!("« {code} » n'est pas un des 30 codes de thème."),
                )
            })?),
        };
        Ok(SuggestionSettings {
            weights: weights(params)?,
            k: params
                .integer("nombre", 1, MAX_SUGGESTIONS)?
                .unwrap_or(DEFAULT_SUGGESTIONS),
            country,
            theme,
        })
    }

    /// The settings over `base` (the corpus's options: interest bonus, freshness).
    pub fn options(&self, base: SuggestOptions) -> SuggestOptions {
        SuggestOptions {
            k: self.k,
            filters: CandidateFilters {
                country: self.country,
                theme: self.theme,
                ..CandidateFilters::default()
            },
            weights: self.weights,
            max_per_country: None,
            ..base
        }
    }

    /// The settings as a query string (defaults left out).
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        let weights = weights_query(&self.weights);
        if !weights.is_empty() {
            parts.push(weights);
        }
        if self.k != DEFAULT_SUGGESTIONS {
            parts.push(format!("nombre={}", self.k));
        }
        if let Some(country) = self.country {
            parts.push(format!("pays={}", country.as_str()));
        }
        if let Some(theme) = self.theme {
            parts.push(format!("theme={}", theme.as_str()));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_default_and_refuse_all_zero() {
        let p = Params::parse("p_taille=0%2C3", &SUGGESTION_FIELDS).unwrap();
        let w = weights(&p).unwrap();
        assert_eq!(w.size, 0.3);
        assert_eq!(w.thematic, Weights::default().thematic);
        let zero = "p_thematique=0&p_geographie=0&p_taille=0&p_pays_peu_couverts=0";
        let p = Params::parse(zero, &SUGGESTION_FIELDS).unwrap();
        assert!(
            weights(&p)
                .unwrap_err()
                .message
                .contains("strictement positif")
        );
        let p = Params::parse("p_taille=11", &SUGGESTION_FIELDS).unwrap();
        assert!(weights(&p).is_err());
    }

    #[test]
    fn settings_round_trip_through_their_query() {
        let query = "p_thematique=0.8&p_geographie=0.2&p_taille=0.1&p_pays_peu_couverts=0.15&nombre=5&pays=BJ&theme=sante";
        let p = Params::parse(query, &SUGGESTION_FIELDS).unwrap();
        let settings = SuggestionSettings::parse(&p).unwrap();
        assert_eq!(settings.query(), query);
        let again = Params::parse(&settings.query(), &SUGGESTION_FIELDS).unwrap();
        assert_eq!(SuggestionSettings::parse(&again).unwrap(), settings);
        let defaults = SuggestionSettings::parse(&Params::default()).unwrap();
        assert_eq!(defaults.query(), "");
    }
}
