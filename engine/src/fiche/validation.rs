//! Rules of `fiche.md` that serde alone does not check: ranges, caps, and rules that
//! span fields (kind/level pairs, side and country, the id's country prefix).

use std::collections::HashSet;
use std::fmt;

use super::{Fiche, Intent, Kind};
use crate::reference::CountryCode;

/// Free texts (activities, offer and request texts) are capped at this many characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Names (and alternative names) have 1 to this many characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Short strings: contact fields, admin codes, partner and actor names, provenance.
const MAX_SHORT_CHARS: usize = 500;
/// Lists (alternative names, themes, partnerships, actors, languages).
const MAX_LIST_LEN: usize = 500;
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A field that breaks a rule: its path (`location.lat`, `partnerships[2].since`), the
/// offending value as written, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// Characters of a value quoted in an error: a 10 MB name is not echoed back.
pub const MAX_QUOTED_CHARS: usize = 64;

impl FieldError {
    /// An error about `field`, quoting at most [`MAX_QUOTED_CHARS`] characters of
    /// `value` (then `…` and the value's length).
    pub fn new(field: &str, value: &str, reason: impl Into<String>) -> FieldError {
        FieldError {
            field: quoted(field),
            value: quoted(value),
            reason: reason.into(),
        }
    }
}

/// `text`, cut after [`MAX_QUOTED_CHARS`] characters with its length said.
pub fn quoted(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…({} caractères)", &text[..cut], text.chars().count()),
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "champ `{}` = {} : {}",
            self.field, self.value, self.reason
        )
    }
}

impl std::error::Error for FieldError {}

fn fail(field: impl Into<String>, value: impl fmt::Debug, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        value: format!("{value:?}"),
        reason: reason.into(),
    }
}

fn check_chars(field: &str, text: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let chars = text.chars().count();
    if chars < min || chars > max || (min > 0 && text.trim().is_empty()) {
        let shown: String = text.chars().take(40).collect();
        return Err(fail(
            field,
            shown,
            format!("must have {min} to {max} characters (has {chars})"),
        ));
    }
    Ok(())
}

fn check_len<T>(field: &str, list: &[T]) -> Result<(), FieldError> {
    if list.len() > MAX_LIST_LEN {
        return Err(fail(
            field,
            list.len(),
            format!("at most {MAX_LIST_LEN} entries"),
        ));
    }
    Ok(())
}

fn check_optional(field: &str, text: Option<&String>, max: usize) -> Result<(), FieldError> {
    text.map_or(Ok(()), |t| check_chars(field, t, 0, max))
}

impl Fiche {
    /// Checks every rule serde does not; the first broken one is returned.
    pub fn validate(&self) -> Result<(), FieldError> {
        self.validate_identity()?;
        self.validate_geography()?;
        self.validate_profile()?;
        self.validate_links()
    }

    fn validate_identity(&self) -> Result<(), FieldError> {
        if self.id.country_prefix() != self.country.as_str() {
            return Err(fail(
                "id",
                self.id.as_str(),
                format!("must start with the fiche's country {}", self.country),
            ));
        }
        let french_kind = self.kind.side() == super::Side::French;
        if french_kind != (self.country == CountryCode::FRANCE) {
            let reason = if french_kind {
                "French kinds (commune, epci, departement, region) need country FR"
            } else {
                "foreign kinds (municipality, district, province, state, other) need a country other than FR"
            };
            return Err(fail("kind", self.kind.as_str(), reason));
        }
        if let Some(level) = self.kind.required_level()
            && level != self.level
        {
            return Err(fail(
                "level",
                self.level.as_str(),
                format!("kind {} has level {}", self.kind.as_str(), level.as_str()),
            ));
        }
        if self.kind == Kind::Other && self.country == CountryCode::FRANCE {
            return Err(fail("kind", "other", "not a French kind"));
        }
        check_chars("name", &self.name, 1, MAX_NAME_CHARS)?;
        check_len("alt_names", &self.alt_names)?;
        for (i, alt) in self.alt_names.iter().enumerate() {
            check_chars(&format!("alt_names[{i}]"), alt, 1, MAX_NAME_CHARS)?;
        }
        if let Some(contact) = &self.contact {
            for (name, value) in [
                ("name", &contact.name),
                ("role", &contact.role),
                ("email", &contact.email),
                ("phone", &contact.phone),
                ("address", &contact.address),
                ("website", &contact.website),
            ] {
                check_optional(&format!("contact.{name}"), value.as_ref(), MAX_SHORT_CHARS)?;
            }
            if let Some(email) = &contact.email
                && !email.contains('@')
            {
                return Err(fail("contact.email", "(hidden)", "not an e-mail address"));
            }
        }
        for (key, value) in &self.provenance {
            check_chars(&format!("provenance.{key}"), value, 0, MAX_SHORT_CHARS)?;
            check_chars("provenance", key, 1, MAX_SHORT_CHARS)?;
        }
        Ok(())
    }

    fn validate_geography(&self) -> Result<(), FieldError> {
        let location = &self.location;
        if !(-90.0..=90.0).contains(&location.lat) {
            return Err(fail("location.lat", location.lat, "must be in [-90, 90]"));
        }
        if !(-180.0..=180.0).contains(&location.lon) {
            return Err(fail("location.lon", location.lon, "must be in [-180, 180]"));
        }
        if let Some(area) = self.area_km2
            && !(area.is_finite() && area >= 0.0)
        {
            return Err(fail("area_km2", area, "must be >= 0"));
        }
        if let Some(admin) = &self.admin {
            for (name, value) in [
                ("region", &admin.region),
                ("departement", &admin.departement),
                ("admin1", &admin.admin1),
                ("admin1_name", &admin.admin1_name),
            ] {
                check_optional(&format!("admin.{name}"), value.as_ref(), MAX_SHORT_CHARS)?;
            }
        }
        check_len("languages", &self.languages)
    }

    fn validate_profile(&self) -> Result<(), FieldError> {
        check_optional("activities", self.activities.as_ref(), MAX_TEXT_CHARS)?;
        check_len("themes", &self.themes)?;
        let mut seen = HashSet::new();
        for (i, theme) in self.themes.iter().enumerate() {
            if !(theme.weight > 0.0 && theme.weight <= 1.0) {
                return Err(fail(
                    format!("themes[{i}].weight"),
                    theme.weight,
                    "must be in (0, 1]",
                ));
            }
            if !seen.insert(theme.code) {
                return Err(fail(
                    format!("themes[{i}].code"),
                    theme.code.as_str(),
                    "listed twice",
                ));
            }
        }
        for (name, intent) in [("offer", &self.offer), ("request", &self.request)] {
            if let Some(intent) = intent {
                check_optional(
                    &format!("{name}.text"),
                    intent.text.as_ref(),
                    MAX_TEXT_CHARS,
                )?;
                check_len(&format!("{name}.themes"), &intent.themes)?;
            }
        }
        let carries = |intent: &Option<Intent>| {
            intent.as_ref().is_some_and(|i| {
                !i.themes.is_empty() || i.text.as_ref().is_some_and(|t| !t.trim().is_empty())
            })
        };
        if !carries(&self.offer) && !carries(&self.request) {
            return Err(fail(
                "offer",
                "(none)",
                "at least one of offer/request must carry themes or text",
            ));
        }
        if let Some(call) = &self.call
            && let (Some(published), Some(expires)) = (call.published, call.expires)
            && expires < published
        {
            return Err(fail(
                "call.expires",
                expires.to_string(),
                "is before call.published",
            ));
        }
        Ok(())
    }

    fn validate_links(&self) -> Result<(), FieldError> {
        check_len("partnerships", &self.partnerships)?;
        for (i, partnership) in self.partnerships.iter().enumerate() {
            let field = |name: &str| format!("partnerships[{i}].{name}");
            match &partnership.partner_id {
                Some(id) if *id == self.id => {
                    return Err(fail(
                        field("partner_id"),
                        id.as_str(),
                        "a fiche cannot partner itself",
                    ));
                }
                Some(_) => {}
                None if partnership.partner_name.is_none() || partnership.country.is_none() => {
                    return Err(fail(
                        field("partner_id"),
                        "(none)",
                        "give partner_id, or partner_name and country",
                    ));
                }
                None => {}
            }
            check_optional(
                &field("partner_name"),
                partnership.partner_name.as_ref(),
                MAX_SHORT_CHARS,
            )?;
            if let Some(year) = partnership.since
                && !YEARS.contains(&year)
            {
                return Err(fail(
                    field("since"),
                    year,
                    "must be a year between 1900 and 2100",
                ));
            }
        }
        check_len("foreign_actors", &self.foreign_actors)?;
        for (i, actor) in self.foreign_actors.iter().enumerate() {
            check_optional(
                &format!("foreign_actors[{i}].name"),
                actor.name.as_ref(),
                MAX_SHORT_CHARS,
            )?;
        }
        Ok(())
    }
}
