//! What the criteria read of a fiche, computed once per fiche so that scoring a pair
//! touches no strings or JSON.

use chrono::NaiveDate;

use super::{AreaId, TextSignature, ThemeSet};
use crate::fiche::{ActorKind, Fiche, FicheId, Level, Side};
use crate::reference::{CountryCode, Language};

/// Themes found in a fiche's texts but not declared (filled by theme inference).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InferredThemes {
    pub offer: ThemeSet,
    pub request: ThemeSet,
}

impl InferredThemes {
    /// The themes a fiche's offer and request texts name without declaring them.
    pub fn from_texts(fiche: &Fiche) -> InferredThemes {
        use crate::themes_from_text::{
            EffectiveTheme, effective_offer_themes, effective_request_themes,
        };
        let inferred = |themes: Vec<EffectiveTheme>| {
            themes
                .into_iter()
                .filter(|t| t.inferred)
                .map(|t| t.code)
                .collect()
        };
        InferredThemes {
            offer: inferred(effective_offer_themes(fiche)),
            request: inferred(effective_request_themes(fiche)),
        }
    }
}

/// Signatures of a fiche's offer and request texts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextSignatures {
    pub offer: TextSignature,
    pub request: TextSignature,
}

/// What is derived from the rest of the corpus for one fiche.
#[derive(Debug, Clone, Copy, Default)]
pub struct Derived {
    pub inferred: InferredThemes,
    pub texts: TextSignatures,
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
    /// Foreign first-level division, for pooling at the scale of an area.
    pub area: Option<AreaId>,
    pub level: Level,
    pub population: Option<u64>,
    /// `ln(population)`, `None` when the population is unknown (0 in the fiche).
    pub ln_population: Option<f64>,
    pub profile: ThemeSet,
    /// Declared and inferred offered themes.
    pub offer: ThemeSet,
    /// Declared and inferred sought themes.
    pub request: ThemeSet,
    /// The part of `offer ∪ request` that only inference found.
    pub inferred: ThemeSet,
    pub texts: TextSignatures,
    /// Analysed working languages (fr, en, es, pt, ar) as a bitset of `Language::index`.
    pub languages: u8,
    /// Partners in the corpus, as written in this fiche.
    pub partner_ids: Vec<FicheId>,
    /// Countries of active partnerships.
    pub partner_countries: Vec<CountryCode>,
    /// Areas of active partnerships with fiches of the corpus.
    pub partner_areas: Vec<AreaId>,
    /// Countries of origin of diaspora associations on the territory.
    pub diaspora: Vec<CountryCode>,
    /// Countries of other foreign actors (NGOs, companies, universities).
    pub other_actors: Vec<CountryCode>,
    /// Has an open call on the scoring date.
    pub open_call: bool,
    /// The day of the fiche's last update (`updated_at`, UTC), when it says.
    pub updated_on: Option<NaiveDate>,
    /// Carries an offer or a request ([`Fiche::is_matchable`]): a fiche that does not
    /// is never suggested and gets no suggestions.
    pub matchable: bool,
}

impl MatchFeatures {
    /// `area_of` gives the area of a partner in the corpus.
    pub fn new(
        fiche: &Fiche,
        today: NaiveDate,
        derived: Derived,
        area_of: &dyn Fn(&FicheId) -> Option<AreaId>,
    ) -> MatchFeatures {
        let declared_offer = ThemeSet::from_bits(fiche.offer_theme_bits());
        let declared_request = ThemeSet::from_bits(fiche.request_theme_bits());
        let offer = declared_offer.union(derived.inferred.offer);
        let request = declared_request.union(derived.inferred.request);
        let declared = declared_offer.union(declared_request);
        let actors = |diaspora: bool| {
            fiche
                .foreign_actors
                .iter()
                .filter(|a| (a.kind == ActorKind::Diaspora) == diaspora)
                .map(|a| a.country)
                .collect()
        };
        let mut languages: Vec<Language> = fiche
            .languages
            .iter()
            .filter_map(|code| code.language())
            .collect();
        if languages.is_empty() {
            languages.extend(fiche.country.info().analysis_language());
        }
        let active = || fiche.partnerships.iter().filter(|p| p.active);
        let admin = fiche.admin.as_ref();
        let population = (fiche.population > 0).then_some(fiche.population);
        MatchFeatures {
            id: fiche.id.clone(),
            name: fiche.name.clone(),
            side: fiche.side(),
            country: fiche.country,
            region: admin.and_then(|a| a.region.clone()),
            area: AreaId::of_fiche(fiche),
            level: fiche.level,
            population,
            ln_population: population.map(|p| (p as f64).ln()),
            profile: ThemeSet::from_bits(fiche.profile_theme_bits()),
            offer,
            request,
            inferred: offer
                .union(request)
                .intersection(ThemeSet::from_bits(!declared.bits())),
            texts: derived.texts,
            languages: languages.iter().fold(0, |bits, l| bits | 1 << l.index()),
            partner_ids: fiche
                .partnerships
                .iter()
                .filter_map(|p| p.partner_id.clone())
                .collect(),
            partner_countries: active()
                .filter_map(|p| {
                    p.country.or_else(|| {
                        p.partner_id
                            .as_ref()
                            .and_then(|id| CountryCode::parse(id.country_prefix()))
                    })
                })
                .collect(),
            partner_areas: active()
                .filter_map(|p| p.partner_id.as_ref().and_then(area_of))
                .collect(),
            diaspora: actors(true),
            other_actors: actors(false),
            open_call: fiche.has_open_call(today),
            updated_on: fiche
                .updated_at
                .as_ref()
                .map(|t| t.to_datetime().naive_utc().date()),
            matchable: fiche.is_matchable(),
        }
    }

    /// Can be suggested as a partner: an open call on the scoring date, and an offer
    /// or a request to match.
    pub fn suggestible(&self) -> bool {
        self.open_call && self.matchable
    }

    /// The first analysed language both fiches work in.
    pub fn shared_language(&self, other: &MatchFeatures) -> Option<Language> {
        let shared = self.languages & other.languages;
        Language::ALL
            .into_iter()
            .find(|l| shared & (1 << l.index()) != 0)
    }
}
