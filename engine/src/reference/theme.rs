//! The 30 theme codes of `themes.csv`, with labels and keywords in five languages.

use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{LANGUAGES, Language};

const THEMES_CSV: &str = include_str!("../../../datasets/reference/themes.csv");

/// Number of themes in the reference table; a theme set fits in a `u32` bitset.
pub const THEME_COUNT: usize = 30;

/// A theme code from `themes.csv` (`eau-assainissement`, `sante`, …), stored as its
/// index in the table so that theme sets are bitsets.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThemeCode(u8);

/// One row of the themes table.
#[derive(Debug)]
pub struct ThemeInfo {
    pub code: String,
    pub label_fr: String,
    /// The French label up to its first comma, in lower case, as reasons quote it
    /// (« eau et assainissement »).
    pub short_label_fr: String,
    pub label_en: String,
    pub sdgs: Vec<u8>,
    /// Keywords per language, in the order of [`Language::ALL`].
    keywords: [Vec<String>; LANGUAGES],
}

impl ThemeInfo {
    pub fn keywords(&self, language: Language) -> &[String] {
        &self.keywords[language.index()]
    }
}

/// The themes table.
#[derive(Debug)]
pub struct Themes {
    rows: Vec<ThemeInfo>,
}

static THEMES: LazyLock<Themes> = LazyLock::new(|| {
    Themes::parse(THEMES_CSV).expect("the embedded themes.csv is valid (checked by tests)")
});

impl Themes {
    /// The embedded table.
    pub fn get() -> &'static Themes {
        &THEMES
    }

    fn parse(csv_text: &str) -> Result<Themes, String> {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| e.to_string())?;
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
            let list = |i: usize| -> Vec<String> {
                field(i)
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            let sdgs = field(3)
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<u8>().map_err(|e| format!("sdg {s:?}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            let label_fr = field(1);
            let short_label_fr = label_fr
                .split(',')
                .next()
                .unwrap_or(&label_fr)
                .trim()
                .to_lowercase();
            rows.push(ThemeInfo {
                code: field(0),
                short_label_fr,
                label_fr,
                label_en: field(2),
                sdgs,
                keywords: std::array::from_fn(|i| list(4 + i)),
            });
        }
        if rows.len() != THEME_COUNT {
            return Err(format!(
                "expected {THEME_COUNT} themes, found {}",
                rows.len()
            ));
        }
        Ok(Themes { rows })
    }

    pub fn all(&self) -> impl Iterator<Item = (ThemeCode, &ThemeInfo)> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, info)| (ThemeCode(i as u8), info))
    }

    pub fn info(&self, code: ThemeCode) -> &ThemeInfo {
        &self.rows[code.index()]
    }

    pub fn find(&self, code: &str) -> Option<ThemeCode> {
        self.rows
            .iter()
            .position(|row| row.code == code)
            .map(|i| ThemeCode(i as u8))
    }
}

impl ThemeCode {
    /// Parses a code of the themes table; `None` for anything else.
    pub fn parse(code: &str) -> Option<ThemeCode> {
        Themes::get().find(code)
    }

    pub fn from_index(index: usize) -> Option<ThemeCode> {
        (index < THEME_COUNT).then_some(ThemeCode(index as u8))
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The bit of this theme in a theme bitset.
    pub fn bit(self) -> u32 {
        1 << self.0
    }

    pub fn as_str(self) -> &'static str {
        &Themes::get().info(self).code
    }

    pub fn info(self) -> &'static ThemeInfo {
        Themes::get().info(self)
    }
}

impl fmt::Display for ThemeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ThemeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ThemeCode({})", self.as_str())
    }
}

impl TryFrom<String> for ThemeCode {
    type Error = String;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        ThemeCode::parse(&code).ok_or_else(|| {
            format!(
                "code de thème inconnu {} (voir les 30 codes de themes.csv)",
                crate::quote::quote(&code)
            )
        })
    }
}

impl Serialize for ThemeCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ThemeCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        ThemeCode::try_from(code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_has_thirty_themes_with_keywords_in_five_languages() {
        let themes = Themes::get();
        assert_eq!(themes.all().count(), THEME_COUNT);
        for (code, info) in themes.all() {
            assert_eq!(ThemeCode::parse(&info.code), Some(code));
            for language in Language::ALL {
                assert!(
                    !info.keywords(language).is_empty(),
                    "{} {language:?}",
                    info.code
                );
            }
        }
        assert_eq!(
            ThemeCode::parse("eau-assainissement")
                .unwrap()
                .info()
                .label_fr,
            "Eau et assainissement"
        );
        assert!(ThemeCode::parse("eau").is_none());
    }
}
