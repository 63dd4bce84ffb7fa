//! The map's point set: every fiche as a handful of small numbers in columns, plus
//! the tables those numbers index (countries, régions/admin areas), so a browser can
//! filter and cluster the whole corpus (199,000 fiches) without reading a fiche.
//!
//! A pure function of the fiches and the date ([`Atlas::build`]); the under-served
//! flag reuses the scoring's [`CorpusContext`] (the same judgement as the
//! *under-served* criterion), calls are judged like the store's statistics. The
//! points keep the input's order (the store's: by id); ties in the tables are broken
//! by code.

mod call_state;

use std::collections::HashMap;

use chrono::NaiveDate;

pub use call_state::{CallState, EXPIRING_WITHIN_DAYS};

use crate::fiche::{Fiche, FicheId, Level, Side};
use crate::reference::CountryCode;
use crate::scoring::{CorpusContext, Derived, MatchFeatures};

/// Coordinates are kept in units of 1e-4 degree (about 11 m).
pub const COORDINATE_SCALE: f64 = 10_000.0;

/// A foreign country is *under-served* on the map when the under-served criterion
/// ([`crate::scoring::underserved::value`]) scores it at least this: no or very few French
/// partnerships (≤ 4), or a least-developed country with ≤ 25.
pub const UNDERSERVED_THRESHOLD: f64 = 0.5;

/// "No région/admin area" in [`Atlas::area`].
pub const NO_AREA: u16 = u16::MAX;

/// A country present in the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct AtlasCountry {
    pub code: CountryCode,
    pub name_fr: String,
    /// The under-served criterion's score on the atlas's date.
    pub underserved_score: f64,
    /// Foreign and scored at least [`UNDERSERVED_THRESHOLD`].
    pub underserved: bool,
}

/// A région (French fiches: `admin.region`) or first-level admin area (foreign
/// fiches: `admin.admin1`) present in the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtlasArea {
    /// Index in [`Atlas::countries`].
    pub country: u16,
    pub code: String,
    /// The first `admin.admin1_name` given for it (in the fiches' order), if any.
    pub name: Option<String>,
}

/// The columns, one entry per fiche, in the order of the fiches given.
#[derive(Debug, Clone)]
pub struct Atlas {
    /// The date calls and LDC status were judged on.
    pub today: NaiveDate,
    pub ids: Vec<FicheId>,
    /// Latitude, in 1e-4 degree.
    pub lat: Vec<i32>,
    /// Longitude, in 1e-4 degree.
    pub lon: Vec<i32>,
    pub side: Vec<Side>,
    pub level: Vec<Level>,
    pub call: Vec<CallState>,
    /// Index in `countries`.
    pub country: Vec<u16>,
    /// Index in `areas`, or [`NO_AREA`].
    pub area: Vec<u16>,
    /// Themes the fiche declares (profile, offer or request), as a bitset of
    /// `ThemeCode::bit`.
    pub themes: Vec<u32>,
    /// Sorted by code.
    pub countries: Vec<AtlasCountry>,
    /// Sorted by country, then code.
    pub areas: Vec<AtlasArea>,
}

impl Atlas {
    /// The atlas of `fiches` on `today`, the under-served judgement computed from
    /// `fiches` themselves.
    pub fn build(fiches: &[Fiche], today: NaiveDate) -> Atlas {
        let french: Vec<MatchFeatures> = fiches
            .iter()
            .filter(|f| f.side() == Side::French)
            .map(|f| MatchFeatures::new(f, today, Derived::default(), &|_| None))
            .collect();
        let context = CorpusContext::build(today, &french);
        Atlas::with_context(fiches, &context)
    }

    /// The atlas of `fiches` with an existing corpus context (a matcher's), on its date.
    pub fn with_context(fiches: &[Fiche], context: &CorpusContext) -> Atlas {
        let today = context.today;
        let countries = country_table(fiches, context);
        let country_index: HashMap<CountryCode, u16> = countries
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code, i as u16))
            .collect();
        let areas = area_table(fiches, &country_index);
        let area_index: HashMap<(u16, &str), u16> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| ((a.country, a.code.as_str()), i as u16))
            .collect();
        let n = fiches.len();
        let mut atlas = Atlas {
            today,
            ids: Vec::with_capacity(n),
            lat: Vec::with_capacity(n),
            lon: Vec::with_capacity(n),
            side: Vec::with_capacity(n),
            level: Vec::with_capacity(n),
            call: Vec::with_capacity(n),
            country: Vec::with_capacity(n),
            area: Vec::with_capacity(n),
            themes: Vec::with_capacity(n),
            countries: Vec::new(),
            areas: Vec::new(),
        };
        for fiche in fiches {
            let country = country_index[&fiche.country];
            atlas.ids.push(fiche.id.clone());
            atlas.lat.push(scaled(fiche.location.lat));
            atlas.lon.push(scaled(fiche.location.lon));
            atlas.side.push(fiche.side());
            atlas.level.push(fiche.level);
            atlas.call.push(CallState::of(fiche.call.as_ref(), today));
            atlas.country.push(country);
            atlas.area.push(
                area_code(fiche)
                    .and_then(|code| area_index.get(&(country, code)).copied())
                    .unwrap_or(NO_AREA),
            );
            atlas.themes.push(
                fiche.profile_theme_bits() | fiche.offer_theme_bits() | fiche.request_theme_bits(),
            );
        }
        atlas.countries = countries;
        atlas.areas = areas;
        atlas
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether the fiche at `index` is foreign and in an under-served country.
    pub fn is_underserved(&self, index: usize) -> bool {
        self.side[index] == Side::Foreign
            && self.countries[usize::from(self.country[index])].underserved
    }
}

/// The région of a French fiche, the first-level admin area of a foreign one (the
/// search filters' `admin1`).
pub fn area_code(fiche: &Fiche) -> Option<&str> {
    let admin = fiche.admin.as_ref()?;
    match fiche.side() {
        Side::French => admin.region.as_deref(),
        Side::Foreign => admin.admin1.as_deref(),
    }
}

fn scaled(degrees: f64) -> i32 {
    (degrees * COORDINATE_SCALE).round() as i32
}

fn country_table(fiches: &[Fiche], context: &CorpusContext) -> Vec<AtlasCountry> {
    let mut codes: Vec<CountryCode> = fiches.iter().map(|f| f.country).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
        .into_iter()
        .map(|code| {
            let score = context.underserved(code);
            AtlasCountry {
                code,
                name_fr: code.info().name_fr.clone(),
                underserved_score: score,
                underserved: code != CountryCode::FRANCE && score >= UNDERSERVED_THRESHOLD,
            }
        })
        .collect()
}

fn area_table(fiches: &[Fiche], country_index: &HashMap<CountryCode, u16>) -> Vec<AtlasArea> {
    let mut names: HashMap<(u16, &str), Option<&str>> = HashMap::new();
    for fiche in fiches {
        let Some(code) = area_code(fiche) else {
            continue;
        };
        let name = fiche
            .admin
            .as_ref()
            .and_then(|a| a.admin1_name.as_deref())
            .filter(|name| !name.trim().is_empty());
        let known = names
            .entry((country_index[&fiche.country], code))
            .or_default();
        // The first name given wins, even if an earlier fiche gave none.
        if known.is_none() {
            *known = name;
        }
    }
    let mut areas: Vec<AtlasArea> = names
        .into_iter()
        .map(|((country, code), name)| AtlasArea {
            country,
            code: code.to_owned(),
            name: name.map(str::to_owned),
        })
        .collect();
    areas.sort_by(|a, b| (a.country, &a.code).cmp(&(b.country, &b.code)));
    // The table is indexed by u16 with NO_AREA reserved: areas beyond it (none in any
    // real corpus: a few thousand exist) are left out rather than mislabelled.
    areas.truncate(usize::from(NO_AREA));
    areas
}

#[cfg(test)]
mod tests;
