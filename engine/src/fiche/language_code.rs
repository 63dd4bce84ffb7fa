//! ISO 639-1 language codes of a fiche's working languages.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::reference::Language;

/// A two-letter lowercase ISO 639-1 code (`fr`, `en`, `ar`, …). Only the shape is
/// checked: the engine analyses five languages and treats the others as opaque.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageCode([u8; 2]);

impl LanguageCode {
    pub fn parse(code: &str) -> Result<LanguageCode, String> {
        match code.as_bytes() {
            &[a, b] if a.is_ascii_lowercase() && b.is_ascii_lowercase() => Ok(LanguageCode([a, b])),
            _ => Err(format!(
                "{} n'est pas un code ISO 639-1 (deux lettres minuscules)",
                super::quote(code)
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The analysed language this code names, if any.
    pub fn language(self) -> Option<Language> {
        Language::from_iso639_1(self.as_str())
    }
}

impl From<Language> for LanguageCode {
    fn from(language: Language) -> Self {
        let code = language.code().as_bytes();
        LanguageCode([code[0], code[1]])
    }
}

impl fmt::Display for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LanguageCode({})", self.as_str())
    }
}

impl Serialize for LanguageCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LanguageCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        LanguageCode::parse(&code).map_err(serde::de::Error::custom)
    }
}
