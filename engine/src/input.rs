//! What people type: the one parser of the codes a user gives — countries, themes,
//! levels, sides — shared by the command line, the gRPC API and the console, so that
//! `--country bj` works everywhere or nowhere. Each parser takes the name of the field
//! (or flag) it reads, bounds the text before any work, and refuses with a
//! [`FieldError`] naming that field and saying, in French, what is accepted.
//!
//! The exchange format keeps its own strict rules (`fiche::validation`); these are
//! for requests.

use crate::fiche::{FieldError, Level, Side};
use crate::reference::{CountryCode, ThemeCode, Themes};

/// Longest code accepted (longer texts are refused before any lookup).
const MAX_CODE_CHARS: usize = 64;

fn refuse(field: &str, value: &str, reason: impl Into<String>) -> FieldError {
    FieldError::new(field, value, reason)
}

fn bounded<'a>(field: &str, text: &'a str) -> Result<&'a str, FieldError> {
    let text = text.trim();
    if text.chars().count() > MAX_CODE_CHARS {
        return Err(refuse(
            field,
            text,
            format!("{MAX_CODE_CHARS} caractères au plus"),
        ));
    }
    Ok(text)
}

/// An ISO 3166-1 alpha-2 country code, any case (`bj`, `BJ`).
pub fn country(field: &str, text: &str) -> Result<CountryCode, FieldError> {
    let text = bounded(field, text)?;
    CountryCode::parse_user(text).ok_or_else(|| {
        refuse(
            field,
            text,
            "code pays inconnu (ISO 3166-1 alpha-2, par exemple BJ, SN, MA)",
        )
    })
}

/// A theme code of `themes.csv` (`eau-assainissement`), any case, `_` for `-`, or its French
/// label (`Eau et assainissement`), accents and case ignored.
pub fn theme(field: &str, text: &str) -> Result<ThemeCode, FieldError> {
    let text = bounded(field, text)?;
    let code = text.to_lowercase().replace('_', "-");
    if let Some(code) = ThemeCode::parse(&code) {
        return Ok(code);
    }
    let folded = crate::text::fold_tokens(text).join(" ");
    Themes::get()
        .all()
        .find(|(_, info)| crate::text::fold_tokens(&info.label_fr).join(" ") == folded)
        .map(|(code, _)| code)
        .ok_or_else(|| {
            refuse(
                field,
                text,
                "thème inconnu (un des 30 codes de themes.csv, ou son libellé)",
            )
        })
}

/// A level: `local`, `intermediate`, `regional`, or in French `locale`,
/// `intermédiaire`, `régionale`.
pub fn level(field: &str, text: &str) -> Result<Level, FieldError> {
    let text = bounded(field, text)?;
    let folded = crate::text::fold_tokens(text).join(" ");
    let level = match folded.as_str() {
        "local" | "locale" => Level::Local,
        "intermediate" | "intermediaire" => Level::Intermediate,
        "regional" | "regionale" => Level::Regional,
        _ => {
            return Err(refuse(
                field,
                text,
                "niveau inconnu (local, intermediate ou regional)",
            ));
        }
    };
    Ok(level)
}

/// A side: `french` / `foreign`, or in French `française` / `étrangère`.
pub fn side(field: &str, text: &str) -> Result<Side, FieldError> {
    let text = bounded(field, text)?;
    let folded = crate::text::fold_tokens(text).join(" ");
    match folded.as_str() {
        "french" | "francaise" | "francais" | "fr" => Ok(Side::French),
        "foreign" | "etrangere" | "etranger" => Ok(Side::Foreign),
        _ => Err(refuse(field, text, "côté inconnu (french ou foreign)")),
    }
}

/// `parse` applied to a text that may be empty (empty: no value).
pub fn optional<T>(
    field: &str,
    text: &str,
    parse: fn(&str, &str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        given => parse(field, given).map(Some),
    }
}

/// Refuses a text longer than `max` characters before any work is done on it.
pub fn text_at_most<'a>(field: &str, text: &'a str, max: usize) -> Result<&'a str, FieldError> {
    // Counting stops one past the bound: a 10 MB text costs no more than a short one.
    if text.chars().nth(max).is_some() {
        return Err(refuse(field, text, format!("{max} caractères au plus")));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_in_any_case_and_in_french() {
        assert_eq!(country("--country", " bj ").unwrap().as_str(), "BJ");
        assert_eq!(country("country", "BJ").unwrap().as_str(), "BJ");
        let error = country("filters.country", "xx").unwrap_err();
        assert_eq!(error.field, "filters.country");
        assert!(error.to_string().contains("code pays inconnu"), "{error}");
        let water = theme("theme", "EAU-ASSAINISSEMENT").unwrap();
        assert_eq!(water.as_str(), "eau-assainissement");
        assert_eq!(theme("theme", "eau_assainissement").unwrap(), water);
        let label = water.info().label_fr.clone();
        assert_eq!(theme("theme", &label.to_uppercase()).unwrap(), water);
        assert!(theme("theme", "plomberie").is_err());
        assert_eq!(level("level", "Régionale").unwrap(), Level::Regional);
        assert_eq!(level("level", "local").unwrap(), Level::Local);
        assert_eq!(side("side", "étrangère").unwrap(), Side::Foreign);
        assert_eq!(optional("country", "  ", country).unwrap(), None);
    }

    #[test]
    fn long_texts_are_refused_before_any_work() {
        let long = "b".repeat(10_000_000);
        let error = country("country", &long).unwrap_err();
        assert!(error.to_string().len() < 400, "the value is quoted bounded");
        assert!(text_at_most("name", &long, 200).is_err());
        assert!(text_at_most("name", "Lyon", 200).is_ok());
        assert!(text_at_most("name", &"é".repeat(200), 200).is_ok());
    }
}
