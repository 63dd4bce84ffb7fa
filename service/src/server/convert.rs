//! Conversions between the protobuf messages and the engine's types: request fields
//! (read by the engine's one parser of codes, `passerelle_engine::input`) and
//! responses. Fiches cross field by field in [`super::convert_fiche`].

use chrono::NaiveDate;
use passerelle_engine::fiche::{FicheId, FieldError, Level, Side};
use passerelle_engine::input;
use passerelle_engine::lookup::NameHit;
use passerelle_engine::ranking::{CandidateFilters, Suggestion};
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::scoring::{Breakdown, PerCriterion, Weights};
use passerelle_engine::search::{MatchedField, SearchFilters, SearchHit, SearchPage, Snippet};
use passerelle_engine::store::{Decision, DecisionKind, DecisionReason};
use passerelle_proto::v1 as pb;

/// A request field that is not acceptable: becomes INVALID_ARGUMENT naming the field.
pub fn invalid(field: &str, value: impl std::fmt::Display, reason: &str) -> FieldError {
    FieldError::new(field, &value.to_string(), reason)
}

// ---- fiches ----------------------------------------------------------------------

pub use super::convert_fiche::{fiche_from_proto, fiche_to_proto};

// ---- request fields ----------------------------------------------------------------

pub fn fiche_id(field: &str, id: &str) -> Result<FicheId, FieldError> {
    FicheId::parse(id.trim()).map_err(|reason| FieldError::new(field, id, reason))
}

/// An optional code of the request, read by the one parser of codes people type
/// (`passerelle_engine::input`): `bj` and `BJ` alike, on every interface.
fn optional<T>(
    field: &str,
    text: &Option<String>,
    parse: fn(&str, &str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    match text.as_deref() {
        Some(text) => input::optional(field, text, parse),
        None => Ok(None),
    }
}

pub fn country(field: &str, code: &Option<String>) -> Result<Option<CountryCode>, FieldError> {
    optional(field, code, input::country)
}

pub fn level(field: &str, level: &Option<String>) -> Result<Option<Level>, FieldError> {
    optional(field, level, input::level)
}

pub fn theme(field: &str, theme: &Option<String>) -> Result<Option<ThemeCode>, FieldError> {
    optional(field, theme, input::theme)
}

fn side(field: &str, side: &Option<String>) -> Result<Option<Side>, FieldError> {
    optional(field, side, input::side)
}

fn date(field: &str, date: &Option<String>) -> Result<Option<NaiveDate>, FieldError> {
    date.as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| invalid(field, d, "date ISO 8601 attendue (AAAA-MM-JJ)"))
        })
        .transpose()
}

pub fn search_filters(f: Option<&pb::SearchFilters>) -> Result<SearchFilters, FieldError> {
    let Some(f) = f else {
        return Ok(SearchFilters::default());
    };
    Ok(SearchFilters {
        country: country("filters.country", &f.country)?,
        admin1: f.admin1.clone(),
        level: level("filters.level", &f.level)?,
        theme: theme("filters.theme", &f.theme)?,
        side: side("filters.side", &f.side)?,
        open_on: date("filters.open_on", &f.open_on)?,
        min_population: f.min_population,
        max_population: f.max_population,
    })
}

pub fn candidate_filters(f: Option<&pb::CandidateFilters>) -> Result<CandidateFilters, FieldError> {
    let Some(f) = f else {
        return Ok(CandidateFilters::default());
    };
    Ok(CandidateFilters {
        country: country("filters.country", &f.country)?,
        level: level("filters.level", &f.level)?,
        theme: theme("filters.theme", &f.theme)?,
        min_population: f.min_population,
        max_population: f.max_population,
        ..CandidateFilters::default()
    })
}

/// Largest weight: a weight is relative to the others, and larger ones could add up
/// past the largest float, leaving every total 0.
pub const MAX_WEIGHT: f64 = 1e6;

/// The request's weights; those it does not give keep `defaults` (the configured
/// weights).
pub fn weights(w: Option<&pb::Weights>, defaults: Weights) -> Result<Weights, FieldError> {
    let weights = match w {
        None => defaults,
        Some(w) => {
            let given = PerCriterion {
                thematic: w.thematic,
                geography: w.geography,
                size: w.size,
                underserved: w.underserved,
            };
            given.map(|criterion, value| value.unwrap_or(*defaults.get(criterion)))
        }
    };
    weights.validate()?;
    for (criterion, &value) in weights.entries() {
        if value > MAX_WEIGHT {
            return Err(FieldError::value(
                format!("weights.{}", criterion.key()),
                value,
                "doit valoir au plus 1 000 000 (un poids est relatif aux autres)",
            ));
        }
    }
    Ok(weights)
}

pub fn decision_kind(kind: i32) -> Result<DecisionKind, FieldError> {
    match pb::DecisionKind::try_from(kind) {
        Ok(pb::DecisionKind::Accept) => Ok(DecisionKind::Accept),
        Ok(pb::DecisionKind::Reject) => Ok(DecisionKind::Reject),
        Ok(pb::DecisionKind::Shortlist) => Ok(DecisionKind::Shortlist),
        Ok(pb::DecisionKind::Contacted) => Ok(DecisionKind::Contacted),
        Ok(pb::DecisionKind::Unspecified) | Err(_) => Err(invalid(
            "kind",
            kind,
            "ACCEPT, REJECT, SHORTLIST ou CONTACTED attendu",
        )),
    }
}

// ---- responses ---------------------------------------------------------------------

pub fn breakdown(b: &Breakdown, weights: &Weights) -> pb::Breakdown {
    pb::Breakdown {
        criterion: b.criterion.key().to_owned(),
        score: b.score,
        weight: *weights.get(b.criterion),
        reasons: b.reasons.clone(),
    }
}

pub fn suggestion(s: &Suggestion, weights: &Weights) -> pb::Suggestion {
    pb::Suggestion {
        id: s.id.as_str().to_owned(),
        name: s.name.clone(),
        country: s.country.as_str().to_owned(),
        total: s.total,
        breakdown: s.breakdown.iter().map(|b| breakdown(b, weights)).collect(),
        interest: s.interest.as_ref().map(super::convert_interest::bonus),
        updated_on: s.updated_on.map(|day| day.to_string()),
        stale: s.stale,
    }
}

pub fn search_page(page: &SearchPage) -> pb::SearchFichesResponse {
    pb::SearchFichesResponse {
        hits: page.hits.iter().map(search_hit).collect(),
        total_hits: page.total as u64,
    }
}

pub fn search_hit(h: &SearchHit) -> pb::SearchHit {
    pb::SearchHit {
        id: h.id.as_str().to_owned(),
        name: h.name.clone(),
        country: h.country.as_str().to_owned(),
        score: h.score,
        snippet: h.snippet.as_ref().map(snippet),
        stale: h.stale,
    }
}

/// Highlights go from UTF-8 byte offsets (engine) to Unicode scalar offsets (proto).
fn snippet(s: &Snippet) -> pb::Snippet {
    let scalars = |byte: usize| s.text[..byte].chars().count() as u32;
    pb::Snippet {
        field: matched_field(s.field) as i32,
        text: s.text.clone(),
        highlights: s
            .highlights
            .iter()
            .map(|r| pb::TextRange {
                start: scalars(r.start),
                end: scalars(r.end),
            })
            .collect(),
    }
}

fn matched_field(field: MatchedField) -> pb::MatchedField {
    match field {
        MatchedField::Name => pb::MatchedField::Name,
        MatchedField::Request => pb::MatchedField::Request,
        MatchedField::Offer => pb::MatchedField::Offer,
        MatchedField::Activities => pb::MatchedField::Activities,
        MatchedField::Themes => pb::MatchedField::Themes,
    }
}

pub fn name_hit(h: &NameHit) -> pb::NameHit {
    pb::NameHit {
        id: h.id.as_str().to_owned(),
        name: h.name.clone(),
        matched: h.matched.clone(),
        country: h.country.as_str().to_owned(),
        admin: h.admin.clone(),
        score: h.score,
    }
}

pub fn decision(d: &Decision) -> pb::Decision {
    let kind = match d.kind {
        DecisionKind::Accept => pb::DecisionKind::Accept,
        DecisionKind::Reject => pb::DecisionKind::Reject,
        DecisionKind::Shortlist => pb::DecisionKind::Shortlist,
        DecisionKind::Contacted => pb::DecisionKind::Contacted,
    };
    pb::Decision {
        id: d.id,
        fiche_a: d.fiche_a.as_str().to_owned(),
        fiche_b: d.fiche_b.as_str().to_owned(),
        kind: kind as i32,
        note: d.note.clone(),
        reviewer: d.reviewer.clone(),
        at: d.at.clone(),
        reason: decision_reason_to_pb(d.reason) as i32,
    }
}

/// A decision's reason code; UNSPECIFIED is none.
pub fn decision_reason(reason: i32) -> Result<Option<DecisionReason>, FieldError> {
    match pb::DecisionReason::try_from(reason) {
        Ok(pb::DecisionReason::Unspecified) => Ok(None),
        Ok(pb::DecisionReason::Theme) => Ok(Some(DecisionReason::Theme)),
        Ok(pb::DecisionReason::Size) => Ok(Some(DecisionReason::Size)),
        Ok(pb::DecisionReason::Language) => Ok(Some(DecisionReason::Language)),
        Ok(pb::DecisionReason::AlreadyPartners) => Ok(Some(DecisionReason::AlreadyPartners)),
        Ok(pb::DecisionReason::PoliticalContext) => Ok(Some(DecisionReason::PoliticalContext)),
        Ok(pb::DecisionReason::Other) => Ok(Some(DecisionReason::Other)),
        Err(_) => Err(invalid(
            "reason",
            reason,
            "motif inconnu (THEME, SIZE, LANGUAGE, ALREADY_PARTNERS, POLITICAL_CONTEXT, OTHER)",
        )),
    }
}

fn decision_reason_to_pb(reason: Option<DecisionReason>) -> pb::DecisionReason {
    match reason {
        None => pb::DecisionReason::Unspecified,
        Some(DecisionReason::Theme) => pb::DecisionReason::Theme,
        Some(DecisionReason::Size) => pb::DecisionReason::Size,
        Some(DecisionReason::Language) => pb::DecisionReason::Language,
        Some(DecisionReason::AlreadyPartners) => pb::DecisionReason::AlreadyPartners,
        Some(DecisionReason::PoliticalContext) => pb::DecisionReason::PoliticalContext,
        Some(DecisionReason::Other) => pb::DecisionReason::Other,
    }
}
