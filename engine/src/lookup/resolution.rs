//! What a user's "name or id" was understood as, and the qualifier that settles an
//! ambiguous name: `Saint-Denis (93)`, `Porto Novo (CV)`, `Kolda (SN)`.
//!
//! A qualifier is the text between the last pair of parentheses at the end of a name:
//! a country code (any case) keeps the fiches of that country; anything else must be
//! the département code (French fiches) or the admin1 name or code (foreign fiches),
//! compared folded. Names never end in parentheses in the exchange format's data, so
//! the syntax is unambiguous.

use crate::fiche::FicheId;
use crate::reference::CountryCode;

/// How a name or an id was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub id: FicheId,
    /// The fiche's official name.
    pub name: String,
    /// The text as typed when it designates the fiche only through fuzzy matching
    /// (a spelling corrected: `Bordeuax` → Bordeaux). Every interface says so.
    pub corrected_from: Option<String>,
}

/// The part of a name after it that narrows the candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qualifier {
    Country(CountryCode),
    /// A département code or an admin1 name or code, folded.
    Area(String),
}

impl Qualifier {
    /// Whether a fiche of `country` in the area known by `area_keys` (folded
    /// département code, admin1 code and name) is kept.
    pub(super) fn accepts(&self, country: CountryCode, area_keys: &[String]) -> bool {
        match self {
            Qualifier::Country(code) => *code == country,
            Qualifier::Area(key) => area_keys.iter().any(|k| k == key),
        }
    }
}

/// Splits `Name (qualifier)` into the name and its qualifier; a text without a final
/// parenthesised part is a name alone.
pub fn split_qualifier(text: &str) -> (&str, Option<Qualifier>) {
    let text = text.trim();
    let Some(inner) = text.strip_suffix(')') else {
        return (text, None);
    };
    let Some(open) = inner.rfind('(') else {
        return (text, None);
    };
    let (name, qualifier) = (inner[..open].trim(), inner[open + 1..].trim());
    if name.is_empty() || qualifier.is_empty() {
        return (text, None);
    }
    let qualifier = match CountryCode::parse_user(qualifier) {
        Some(country) if qualifier.len() == 2 => Qualifier::Country(country),
        _ => Qualifier::Area(area_key(qualifier)),
    };
    (name, Some(qualifier))
}

/// The folded form areas are compared in (`Ouémé` → `oueme`, `2A` → `2a`).
pub(super) fn area_key(text: &str) -> String {
    crate::text::fold_tokens(text).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers_are_split_from_names() {
        assert_eq!(split_qualifier("Lyon"), ("Lyon", None));
        assert_eq!(
            split_qualifier(" Porto Novo (cv) "),
            (
                "Porto Novo",
                Some(Qualifier::Country(CountryCode::parse("CV").unwrap()))
            )
        );
        assert_eq!(
            split_qualifier("Saint-Denis (974)"),
            ("Saint-Denis", Some(Qualifier::Area("974".into())))
        );
        assert_eq!(
            split_qualifier("Adjarra (Ouémé)"),
            ("Adjarra", Some(Qualifier::Area("oueme".into())))
        );
        assert_eq!(split_qualifier("(BJ)"), ("(BJ)", None));
        assert_eq!(split_qualifier("Name ()"), ("Name ()", None));
    }
}
