//! The fiche de présentation: the exchange format of `fiche.md` (version 1), every
//! field, with its validation.
//!
//! Deserialisation rejects unknown fields and checks every code (ids, countries,
//! themes, languages, dates) as it reads; [`Fiche::validate`] then checks the rules
//! that span several fields or need ranges. A `Fiche` that passed both is *valid*,
//! and only valid fiches enter the store.

mod id;
mod kind;
mod language_code;
mod timestamp;
mod validation;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::quote::{QUOTED_CHARS, quote};
pub use id::{FicheId, MAX_ID_LEN};
pub use kind::{Kind, Level, Side};
pub use language_code::LanguageCode;
pub use timestamp::Timestamp;
pub use validation::{FieldError, MAX_NAME_CHARS, MAX_TEXT_CHARS};

use crate::reference::{CountryCode, ThemeCode};

/// One collectivité, French or foreign, offering or seeking a partnership.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fiche {
    pub id: FicheId,
    pub country: CountryCode,
    pub kind: Kind,
    pub level: Level,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alt_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<Admin>,
    pub location: Location,
    pub population: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_km2: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<LanguageCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activities: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<WeightedTheme>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Intent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Intent>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partnerships: Vec<Partnership>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_actors: Vec<ForeignActor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<Call>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub provenance: BTreeMap<String, String>,
}

/// Whatever administrative parents are known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin1_name: Option<String>,
}

/// WGS84 position; `approximate` where the point is the centroid of a larger area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

/// Contact data: personal, never logged, shown only to roles allowed to see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// A theme of the territory's profile, weighted in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedTheme {
    pub code: ThemeCode,
    pub weight: f64,
}

/// What a collectivité offers, or what it seeks: theme codes and free text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intent {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<ThemeCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Intent {
    /// Has themes, or a text that is not blank.
    pub fn carries(&self) -> bool {
        !self.themes.is_empty() || self.text.as_ref().is_some_and(|t| !t.trim().is_empty())
    }
}

/// An existing cooperation or twinning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partnership {
    /// Where the partner is in the corpus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<FicheId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    pub kind: PartnershipKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<ThemeCode>,
    /// A partnership is active unless it says otherwise.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartnershipKind {
    Jumelage,
    Cooperation,
    Other,
}

/// A foreign actor present on the territory (a diaspora association, an NGO, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignActor {
    pub country: CountryCode,
    pub kind: ActorKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    Diaspora,
    Ngo,
    Company,
    University,
    Other,
}

/// The partnership call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub status: CallStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallStatus {
    Open,
    Closed,
}

impl Call {
    /// Open on `today`: status open and not past its expiry date.
    pub fn is_open_on(&self, today: NaiveDate) -> bool {
        self.status == CallStatus::Open && self.expires.is_none_or(|expires| expires >= today)
    }
}

impl Fiche {
    pub fn side(&self) -> Side {
        self.kind.side()
    }

    /// Has an open call on `today`: only such fiches are suggested as partners.
    pub fn has_open_call(&self, today: NaiveDate) -> bool {
        self.call.is_some_and(|call| call.is_open_on(today))
    }

    /// Carries an offer or a request (themes or text): what `fiche.md` asks of a
    /// fiche to be matchable. A fiche without (only its identity, or whose offer and
    /// request were withdrawn) is valid — stored, searched, shown and exported — but
    /// it is never suggested and gets no suggestions.
    pub fn is_matchable(&self) -> bool {
        [&self.offer, &self.request]
            .into_iter()
            .any(|intent| intent.as_ref().is_some_and(Intent::carries))
    }

    /// Bitset of the themes of the territory's profile.
    pub fn profile_theme_bits(&self) -> u32 {
        self.themes.iter().fold(0, |bits, t| bits | t.code.bit())
    }

    /// Bitset of the themes offered.
    pub fn offer_theme_bits(&self) -> u32 {
        intent_bits(self.offer.as_ref())
    }

    /// Bitset of the themes sought.
    pub fn request_theme_bits(&self) -> u32 {
        intent_bits(self.request.as_ref())
    }
}

fn intent_bits(intent: Option<&Intent>) -> u32 {
    intent.map_or(0, |i| i.themes.iter().fold(0, |bits, t| bits | t.bit()))
}
