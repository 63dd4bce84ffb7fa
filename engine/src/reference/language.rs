//! The five languages that Passerelle analyses texts in.

use serde::{Deserialize, Serialize};

/// A language with its own text analysis and keyword lists (French, English, Spanish,
/// Portuguese, Arabic). Texts in other languages are analysed as French, the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Fr,
    En,
    Es,
    Pt,
    Ar,
}

/// Number of analysed languages.
pub const LANGUAGES: usize = 5;

impl Language {
    pub const ALL: [Language; LANGUAGES] = [
        Language::Fr,
        Language::En,
        Language::Es,
        Language::Pt,
        Language::Ar,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
            Language::Es => "es",
            Language::Pt => "pt",
            Language::Ar => "ar",
        }
    }

    pub fn from_iso639_1(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// From an ISO 639-3 code as used in the countries table (`fra`, `eng`, …).
    pub fn from_iso639_3(code: &str) -> Option<Language> {
        match code {
            "fra" => Some(Language::Fr),
            "eng" => Some(Language::En),
            "spa" => Some(Language::Es),
            "por" => Some(Language::Pt),
            "ara" => Some(Language::Ar),
            _ => None,
        }
    }
}
