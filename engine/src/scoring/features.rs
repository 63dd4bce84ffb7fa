//! What the criteria read of a fiche, computed once per fiche so that scoring a pair
//! touches no strings or JSON.

use chrono::NaiveDate;

use super::ThemeSet;
use crate::fiche::{ActorKind, Fiche, FicheId, Level, Side};
use crate::reference::{CountryCode, Language};

/// Themes found in a fiche's texts but not declared (filled by theme inference).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InferredThemes {
    pub offer: ThemeSet,
    pub request: ThemeSet,
}

/// The scoring view of one fiche.
#[derive(Debug, Clone)]
pub struct MatchFeatures {
    pub id: FicheId,
    pub name: String,
    pub side: Side,
    pub country: CountryCode,
    /// French région code (`admin.region`), for pooling with the région's collectivités.
    pub region: Option<String>,
    /// Foreign first-level division (`admin.admin1`).
    pub admin1: Option<String>,
    pub level: Level,
    /// `None` when the population is unknown (0 in the fiche).
    pub population: Option<u64>,
    pub profile: ThemeSet,
    /// Declared and inferred offered themes.
    pub offer: ThemeSet,
    /// Declared and inferred sought themes.
    pub request: ThemeSet,
    /// The part of `offer ∪ request` that only inference found.
    pub inferred: ThemeSet,
    pub languages: Vec<Language>,
    /// Partners in the corpus, either direction of the link as written in this fiche.
    pub partner_ids: Vec<FicheId>,
    /// Countries of active partnerships.
    pub partner_countries: Vec<CountryCode>,
    /// Countries of origin of diaspora associations on the territory.
    pub diaspora: Vec<CountryCode>,
    /// Countries of other foreign actors (NGOs, companies, universities).
    pub other_actors: Vec<CountryCode>,
    /// Has an open call on the scoring date.
    pub open_call: bool,
}

impl MatchFeatures {
    pub fn new(fiche: &Fiche, today: NaiveDate, inferred: InferredThemes) -> MatchFeatures {
        let declared_offer = ThemeSet::from_bits(fiche.offer_theme_bits());
        let declared_request = ThemeSet::from_bits(fiche.request_theme_bits());
        let offer = declared_offer.union(inferred.offer);
        let request = declared_request.union(inferred.request);
        let declared = declared_offer.union(declared_request);
        let actors = |diaspora: bool| {
            fiche
                .foreign_actors
                .iter()
                .filter(|a| (a.kind == ActorKind::Diaspora) == diaspora)
                .map(|a| a.country)
                .collect()
        };
        let mut languages: Vec<Language> =
            fiche.languages.iter().filter_map(|code| code.language()).collect();
        if languages.is_empty() {
            languages.extend(fiche.country.info().analysis_language());
        }
        let admin = fiche.admin.as_ref();
        MatchFeatures {
            id: fiche.id.clone(),
            name: fiche.name.clone(),
            side: fiche.side(),
            country: fiche.country,
            region: admin.and_then(|a| a.region.clone()),
            admin1: admin.and_then(|a| a.admin1.clone()),
            level: fiche.level,
            population: (fiche.population > 0).then_some(fiche.population),
            profile: ThemeSet::from_bits(fiche.profile_theme_bits()),
            offer,
            request,
            inferred: offer.union(request).intersection(ThemeSet::from_bits(!declared.bits())),
            languages,
            partner_ids: fiche.partnerships.iter().filter_map(|p| p.partner_id.clone()).collect(),
            partner_countries: fiche
                .partnerships
                .iter()
                .filter(|p| p.active)
                .filter_map(|p| p.country.or_else(|| p.partner_id.as_ref().and_then(|id| CountryCode::parse(id.country_prefix()))))
                .collect(),
            diaspora: actors(true),
            other_actors: actors(false),
            open_call: fiche.has_open_call(today),
        }
    }
}

impl InferredThemes {
    /// The themes a fiche's offer and request texts name without declaring them.
    pub fn from_texts(fiche: &Fiche) -> InferredThemes {
        use crate::themes_from_text::{effective_offer_themes, effective_request_themes};
        let inferred = |themes: Vec<crate::themes_from_text::EffectiveTheme>| {
            themes.into_iter().filter(|t| t.inferred).map(|t| t.code).collect()
        };
        InferredThemes {
            offer: inferred(effective_offer_themes(fiche)),
            request: inferred(effective_request_themes(fiche)),
        }
    }
}
