//! Rules of `fiche.md` that serde alone does not check: ranges, caps, control
//! characters, and rules that span fields (kind/level pairs, side and country, the
//! id's country prefix).
//!
//! Control characters (C0 — CR, LF, NUL, ESC… —, DEL and C1) are refused in every
//! single-line field (names, alternative names, codes, contact and provenance fields):
//! a CR in a name would open a new line in a CSV export or a new property in an
//! iCalendar file. Free texts (activities, offer and request texts, a postal address)
//! keep line feeds and tabs, nothing else.

use std::collections::HashSet;
use std::fmt;

use super::{Fiche, Kind};
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
/// offending value as errors show it (bounded: see [`super::quote`]), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// Values longer than this are cut when a [`FieldError`] is displayed, whoever built it
/// (the constructors already keep them shorter).
const MAX_SHOWN_VALUE: usize = 2 * crate::quote::QUOTED_CHARS;

impl FieldError {
    /// An error about a text value, quoted and bounded ([`super::quote`]).
    pub fn new(field: impl Into<String>, value: &str, reason: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            value: super::quote(value),
            reason: reason.into(),
        }
    }

    /// An error about a value that is not text (a number, a count, a code), shown as
    /// written and bounded.
    pub fn value(
        field: impl Into<String>,
        value: impl fmt::Display,
        reason: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field: field.into(),
            value: crate::quote::shown(value),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.value.chars().nth(MAX_SHOWN_VALUE).is_some() {
            super::quote(&self.value)
        } else {
            self.value.clone()
        };
        write!(f, "champ `{}` = {} : {}", self.field, value, self.reason)
    }
}

impl std::error::Error for FieldError {}

fn fail(field: impl Into<String>, value: &str, reason: impl Into<String>) -> FieldError {
    FieldError::new(field, value, reason)
}

fn fail_value(
    field: impl Into<String>,
    value: impl fmt::Display,
    reason: impl Into<String>,
) -> FieldError {
    FieldError::value(field, value, reason)
}

/// Which control characters a text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lines {
    /// Names, ids, codes, contact fields: no control character at all.
    Single,
    /// Free texts: line feeds and tabs, nothing else (no CR, NUL, ESC, DEL, C1).
    Multi,
}

/// Whether `text` may hold a control character that `lines` does not admit: a
/// control character is C0 (bytes below 0x20), DEL (0x7F) or C1 (U+0080–U+009F,
/// in UTF-8 the byte 0xC2 followed by 0x80–0x9F). Read byte by byte without an early
/// exit, so that it runs in vectors: every stored fiche is checked again when it is
/// loaded, and searching by `char` was most of the check. `false` says there is
/// none; `true`, that the `char` search must say which.
fn may_hold_controls(text: &str, lines: Lines) -> bool {
    let bytes = text.as_bytes();
    let multi = lines == Lines::Multi;
    let c0_or_del = bytes.iter().fold(false, |found, &b| {
        found | ((b < 0x20 && !(multi && (b == b'\n' || b == b'\t'))) | (b == 0x7f))
    });
    let c1 = bytes
        .windows(2)
        .fold(false, |found, w| found | ((w[0] == 0xc2) & (w[1] < 0xa0)));
    c0_or_del || c1
}

fn check_controls(field: &str, text: &str, lines: Lines) -> Result<(), FieldError> {
    if !may_hold_controls(text, lines) {
        return Ok(());
    }
    let allowed = |c: char| lines == Lines::Multi && matches!(c, '\n' | '\t');
    match text
        .chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() && !allowed(c))
    {
        None => Ok(()),
        Some((at, c)) => {
            let rule = match lines {
                Lines::Single => "un champ d'une ligne n'en admet aucun",
                Lines::Multi => "seuls les sauts de ligne et les tabulations sont admis",
            };
            Err(fail(
                field,
                text,
                format!(
                    "contient le caractère de contrôle U+{:04X} au caractère {} : {rule}",
                    c as u32,
                    at + 1
                ),
            ))
        }
    }
}

fn check_chars(field: &str, text: &str, min: usize, max: usize) -> Result<(), FieldError> {
    check_text(field, text, min, max, Lines::Single)
}

fn check_text(
    field: &str,
    text: &str,
    min: usize,
    max: usize,
    lines: Lines,
) -> Result<(), FieldError> {
    let chars = text.chars().count();
    if chars < min || chars > max || (min > 0 && text.trim().is_empty()) {
        return Err(fail(
            field,
            text,
            format!("doit avoir de {min} à {max} caractères (en a {chars})"),
        ));
    }
    check_controls(field, text, lines)
}

fn check_len<T>(field: &str, list: &[T]) -> Result<(), FieldError> {
    if list.len() > MAX_LIST_LEN {
        return Err(fail_value(
            field,
            list.len(),
            format!("{MAX_LIST_LEN} entrées au plus"),
        ));
    }
    Ok(())
}

fn check_optional(field: &str, text: Option<&String>, max: usize) -> Result<(), FieldError> {
    text.map_or(Ok(()), |t| check_chars(field, t, 0, max))
}

fn check_optional_text(field: &str, text: Option<&String>, max: usize) -> Result<(), FieldError> {
    text.map_or(Ok(()), |t| check_text(field, t, 0, max, Lines::Multi))
}

/// What errors show instead of a contact field's value.
const HIDDEN: &str = "(hidden)";

/// The path of a provenance entry, its key bounded like a quoted value.
fn provenance_field(key: &str) -> String {
    match key.char_indices().nth(crate::quote::QUOTED_CHARS) {
        None => format!("provenance.{key}"),
        Some((end, _)) => format!("provenance.{}…", &key[..end]),
    }
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
                format!("doit commencer par le pays de la fiche, {}", self.country),
            ));
        }
        let french_kind = self.kind.side() == super::Side::French;
        if french_kind != (self.country == CountryCode::FRANCE) {
            let reason = if french_kind {
                "French kinds (commune, epci, departement, region) need country FR"
            } else {
                "les types étrangers (municipality, district, province, state, other) demandent un autre pays que FR"
            };
            return Err(fail("kind", self.kind.as_str(), reason));
        }
        if let Some(level) = self.kind.required_level()
            && level != self.level
        {
            return Err(fail(
                "level",
                self.level.as_str(),
                format!(
                    "le type {} a le niveau {}",
                    self.kind.as_str(),
                    level.as_str()
                ),
            ));
        }
        if self.kind == Kind::Other && self.country == CountryCode::FRANCE {
            return Err(fail("kind", "other", "n'est pas un type français"));
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
                // Contact data is personal: errors never quote it.
                let lines = if name == "address" {
                    Lines::Multi
                } else {
                    Lines::Single
                };
                let field = format!("contact.{name}");
                value
                    .as_ref()
                    .map_or(Ok(()), |v| check_text(&field, v, 0, MAX_SHORT_CHARS, lines))
                    .map_err(|e| FieldError {
                        value: HIDDEN.into(),
                        ..e
                    })?;
            }
            if let Some(email) = &contact.email
                && !email.contains('@')
            {
                return Err(fail_value(
                    "contact.email",
                    HIDDEN,
                    "n'est pas une adresse électronique",
                ));
            }
        }
        for (key, value) in &self.provenance {
            check_chars("provenance", key, 1, MAX_SHORT_CHARS)?;
            check_chars(&provenance_field(key), value, 0, MAX_SHORT_CHARS)?;
        }
        Ok(())
    }

    fn validate_geography(&self) -> Result<(), FieldError> {
        let location = &self.location;
        if !(-90.0..=90.0).contains(&location.lat) {
            return Err(fail_value(
                "location.lat",
                location.lat,
                "doit être entre -90 et 90",
            ));
        }
        if !(-180.0..=180.0).contains(&location.lon) {
            return Err(fail_value(
                "location.lon",
                location.lon,
                "doit être entre -180 et 180",
            ));
        }
        if let Some(area) = self.area_km2
            && !(area.is_finite() && area >= 0.0)
        {
            return Err(fail_value("area_km2", area, "doit être positive ou nulle"));
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
        check_optional_text("activities", self.activities.as_ref(), MAX_TEXT_CHARS)?;
        check_len("themes", &self.themes)?;
        let mut seen = HashSet::new();
        for (i, theme) in self.themes.iter().enumerate() {
            if !(theme.weight > 0.0 && theme.weight <= 1.0) {
                return Err(fail_value(
                    format!("themes[{i}].weight"),
                    theme.weight,
                    "doit être dans ]0, 1]",
                ));
            }
            if !seen.insert(theme.code) {
                return Err(fail(
                    format!("themes[{i}].code"),
                    theme.code.as_str(),
                    "cité deux fois",
                ));
            }
        }
        for (name, intent) in [("offer", &self.offer), ("request", &self.request)] {
            if let Some(intent) = intent {
                check_optional_text(
                    &format!("{name}.text"),
                    intent.text.as_ref(),
                    MAX_TEXT_CHARS,
                )?;
                check_len(&format!("{name}.themes"), &intent.themes)?;
            }
        }
        if let Some(call) = &self.call
            && let (Some(published), Some(expires)) = (call.published, call.expires)
            && expires < published
        {
            return Err(fail_value(
                "call.expires",
                expires,
                "est antérieure à call.published",
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
                        "une fiche ne peut pas être sa propre partenaire",
                    ));
                }
                Some(_) => {}
                None if partnership.partner_name.is_none() || partnership.country.is_none() => {
                    return Err(fail_value(
                        field("partner_id"),
                        "(none)",
                        "donnez partner_id, ou partner_name et country",
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
                return Err(fail_value(
                    field("since"),
                    year,
                    "doit être une année entre 1900 et 2100",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonl::parse_fiche;

    /// The bytes' check never misses a control character the `char`s' search finds
    /// (and finds none in texts without one: it is not a pass-through).
    #[test]
    fn the_byte_check_of_control_characters_agrees_with_the_char_search() {
        use proptest::prelude::*;
        let by_chars = |text: &str, lines: Lines| {
            text.chars()
                .any(|c| c.is_control() && !(lines == Lines::Multi && matches!(c, '\n' | '\t')))
        };
        for lines in [Lines::Single, Lines::Multi] {
            for text in [
                "",
                "Eau potable « forages » à 3 °C",
                "a\u{a0}b",
                "\u{bf}\u{c0}ÿ",
                "ligne\nsuivante\tpuis",
                "fin\r",
                "\u{7f}",
                "\u{80}",
                "x\u{9f}",
                "\u{0}",
                "\u{1b}[0m",
                "\u{85}ligne",
                "tiret\u{2028}",
            ] {
                let bytes = may_hold_controls(text, lines);
                assert_eq!(bytes, by_chars(text, lines), "{text:?} {lines:?}");
            }
            proptest!(|(text in "\\PC*|[\\x00-\\x{ff}]{0,40}|(\\PC|[\\x00-\\x20\\x7f-\\xa0])*")| {
                prop_assert_eq!(may_hold_controls(&text, lines), by_chars(&text, lines));
            });
        }
    }

    const LINE: &str = r#"{"id":"FR-COM-33063","country":"FR","kind":"commune","level":"local","name":"Bordeaux","alt_names":["Bordèu"],"admin":{"region":"75"},"location":{"lat":44.84,"lon":-0.58},"population":261804,"contact":{"name":"Service RI","email":"ri@example.fr"},"activities":"Port.","offer":{"text":"Eau."},"partnerships":[{"partner_name":"Oran","country":"DZ","kind":"jumelage"}],"foreign_actors":[{"country":"SN","kind":"diaspora","name":"Association"}],"provenance":{"source":"test"}}"#;

    fn fiche() -> Fiche {
        parse_fiche(LINE).unwrap()
    }

    /// Puts a value in one field of a fiche.
    type Setter = fn(&mut Fiche, String);

    #[test]
    fn control_characters_are_refused_in_single_line_fields() {
        for bad in ["\r", "\n", "\0", "\u{1b}", "\u{7f}", "\u{85}", "\t"] {
            let cases: [(&str, Setter); 7] = [
                ("name", |f, v| f.name = v),
                ("alt_names[0]", |f, v| f.alt_names[0] = v),
                ("admin.region", |f, v| {
                    f.admin.as_mut().unwrap().region = Some(v)
                }),
                ("contact.name", |f, v| {
                    f.contact.as_mut().unwrap().name = Some(v)
                }),
                ("partnerships[0].partner_name", |f, v| {
                    f.partnerships[0].partner_name = Some(v)
                }),
                ("foreign_actors[0].name", |f, v| {
                    f.foreign_actors[0].name = Some(v)
                }),
                ("provenance.source", |f, v| {
                    f.provenance.insert("source".into(), v);
                }),
            ];
            for (field, set) in cases {
                let mut fiche = fiche();
                set(&mut fiche, format!("Bor{bad}deaux"));
                let error = fiche.validate().unwrap_err();
                assert_eq!(error.field, field, "{bad:?}");
                assert!(
                    error
                        .reason
                        .contains(&format!("U+{:04X}", bad.chars().next().unwrap() as u32)),
                    "{error}"
                );
                assert!(error.reason.contains("au caractère 4"), "{error}");
                if field.starts_with("contact") {
                    assert_eq!(error.value, HIDDEN, "contact data is never quoted");
                }
            }
        }
        let mut fiche = fiche();
        fiche.provenance.insert("a\u{1b}b".into(), "x".into());
        assert_eq!(fiche.validate().unwrap_err().field, "provenance");
    }

    #[test]
    fn free_texts_keep_line_feeds_and_tabs_only() {
        let mut fiche = fiche();
        fiche.activities = Some("Port,\n\tvignes.".into());
        fiche.offer.as_mut().unwrap().text = Some("Eau.\nAssainissement.".into());
        fiche.contact.as_mut().unwrap().address = Some("1 place\n33000 Bordeaux".into());
        fiche.validate().unwrap();
        for bad in ["\r\n", "\0", "\u{1b}[31m", "\u{7f}", "\u{9b}"] {
            let mut with_bad = fiche.clone();
            with_bad.activities = Some(format!("Port{bad}"));
            let error = with_bad.validate().unwrap_err();
            assert_eq!(error.field, "activities");
            assert!(error.reason.contains("seuls les sauts de ligne"), "{error}");
            let mut with_bad = fiche.clone();
            with_bad.request = Some(super::super::Intent {
                themes: Vec::new(),
                text: Some(format!("Jeunesse{bad}")),
            });
            assert_eq!(with_bad.validate().unwrap_err().field, "request.text");
        }
    }

    #[test]
    fn errors_quote_a_bounded_prefix_of_a_long_value() {
        let mut fiche = fiche();
        fiche.name = "x".repeat(20_000);
        let error = fiche.validate().unwrap_err();
        assert_eq!(error.field, "name");
        let message = error.to_string();
        assert!(message.chars().count() < 200, "{message}");
        assert!(message.contains("…(20000 caractères)"), "{message}");
        assert!(message.contains("(en a 20000)"), "{message}");
        fiche.name = "x".repeat(MAX_NAME_CHARS);
        fiche.validate().unwrap();

        // Built by hand with a long value, an error still displays it bounded.
        let by_hand = FieldError {
            field: "scope".into(),
            value: "y".repeat(20_000),
            reason: "unknown".into(),
        };
        assert!(by_hand.to_string().chars().count() < 200);

        // serde's own messages (an unknown variant quoted whole) are bounded too.
        let line = LINE.replace(
            r#""kind":"commune""#,
            &format!(r#""kind":"{}""#, "k".repeat(20_000)),
        );
        let error = parse_fiche(&line).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("kind"));
        assert!(error.message.chars().count() < 400, "{}", error.message);
        let line = LINE.replace("FR-COM-33063", &format!("FR-COM-{}", "1".repeat(20_000)));
        let error = parse_fiche(&line).unwrap_err();
        assert!(
            error.message.contains("(20007 caractères)"),
            "{}",
            error.message
        );
        assert!(error.message.chars().count() < 200, "{}", error.message);
    }
}
