//! The countries table (ISO 3166-1) with the UN least-developed-country status as
//! time-aware data: a country is an LDC on a date unless its scheduled graduation has
//! passed.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Language;

const COUNTRIES_CSV: &str = include_str!("../../../datasets/reference/countries.csv");

/// An ISO 3166-1 alpha-2 code present in the countries table (`FR`, `BJ`, …).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

/// One row of the countries table.
#[derive(Debug, Clone)]
pub struct Country {
    pub code: CountryCode,
    pub iso3: String,
    pub name_en: String,
    pub name_fr: String,
    pub region: String,
    pub subregion: String,
    pub population: u64,
    /// ISO 639-3 codes of the official languages.
    pub languages: Vec<String>,
    pub french_official: bool,
    /// On the UN LDC list as of the table's date (December 2024).
    pub un_ldc: bool,
    /// Scheduled graduation from the LDC list, where one is set.
    pub ldc_graduation: Option<NaiveDate>,
    /// On the 2018 list of priority countries of French aid (ended in 2023).
    pub fr_aid_priority_2018: bool,
    pub lat: f64,
    pub lon: f64,
}

/// A country's LDC status on a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LdcStatus {
    /// Not on the list.
    NotLdc,
    /// On the list; `graduates_on` where a graduation is scheduled later.
    Ldc { graduates_on: Option<NaiveDate> },
    /// Was on the list and graduated on that date.
    Graduated { on: NaiveDate },
}

impl LdcStatus {
    pub fn is_ldc(self) -> bool {
        matches!(self, LdcStatus::Ldc { .. })
    }
}

impl Country {
    pub fn ldc_status(&self, on: NaiveDate) -> LdcStatus {
        match (self.un_ldc, self.ldc_graduation) {
            (false, _) => LdcStatus::NotLdc,
            (true, Some(graduation)) if on >= graduation => LdcStatus::Graduated { on: graduation },
            (true, graduates_on) => LdcStatus::Ldc { graduates_on },
        }
    }

    /// The working language used for generated and analysed texts: French, Spanish,
    /// Portuguese, English or Arabic when official (in that order of preference), else
    /// `None`.
    pub fn analysis_language(&self) -> Option<Language> {
        [
            Language::Fr,
            Language::Es,
            Language::Pt,
            Language::En,
            Language::Ar,
        ]
        .into_iter()
        .find(|l| {
            self.languages
                .iter()
                .any(|c| Language::from_iso639_3(c) == Some(*l))
        })
    }
}

/// The countries table.
#[derive(Debug)]
pub struct Countries {
    rows: Vec<Country>,
    by_code: HashMap<[u8; 2], usize>,
}

static COUNTRIES: LazyLock<Countries> = LazyLock::new(|| {
    Countries::parse(COUNTRIES_CSV).expect("the embedded countries.csv is valid (checked by tests)")
});

impl Countries {
    pub fn get() -> &'static Countries {
        &COUNTRIES
    }

    fn parse(csv_text: &str) -> Result<Countries, String> {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let mut rows = Vec::new();
        let mut by_code = HashMap::new();
        for (line, record) in reader.records().enumerate() {
            let record = record.map_err(|e| e.to_string())?;
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            let at = |what: &str| format!("countries.csv row {}: {what}", line + 2);
            let code = code_bytes(field(0)).ok_or_else(|| at("bad iso2"))?;
            let flag = |i: usize| field(i) == "1";
            let number = |i: usize| field(i).parse::<f64>().map_err(|_| at("bad number"));
            let ldc_graduation = match field(11) {
                "" => None,
                date => {
                    Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| at("bad date"))?)
                }
            };
            by_code.insert(code, rows.len());
            rows.push(Country {
                code: CountryCode(code),
                iso3: field(1).to_owned(),
                name_en: field(2).to_owned(),
                name_fr: field(3).to_owned(),
                region: field(4).to_owned(),
                subregion: field(5).to_owned(),
                population: field(6).parse().unwrap_or(0),
                languages: field(8).split_whitespace().map(str::to_owned).collect(),
                french_official: flag(9),
                un_ldc: flag(10),
                ldc_graduation,
                fr_aid_priority_2018: flag(12),
                lat: number(13)?,
                lon: number(14)?,
            });
        }
        Ok(Countries { rows, by_code })
    }

    pub fn all(&self) -> &[Country] {
        &self.rows
    }

    pub fn find(&self, code: &str) -> Option<&Country> {
        code_bytes(code).and_then(|c| self.by_code.get(&c).map(|&i| &self.rows[i]))
    }

    pub fn info(&self, code: CountryCode) -> &Country {
        &self.rows[self.by_code[&code.0]]
    }
}

fn code_bytes(code: &str) -> Option<[u8; 2]> {
    match code.as_bytes() {
        &[a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Some([a, b]),
        _ => None,
    }
}

impl CountryCode {
    pub const FRANCE: CountryCode = CountryCode(*b"FR");

    /// Parses an ISO 3166-1 alpha-2 code of the countries table.
    pub fn parse(code: &str) -> Option<CountryCode> {
        Countries::get().find(code).map(|c| c.code)
    }

    /// A code as a person types it: surrounding spaces and case do not matter
    /// (`bj`, ` BJ `). The one parser of country codes typed by users, on every
    /// interface; the exchange format itself takes upper case only ([`parse`]).
    ///
    /// [`parse`]: CountryCode::parse
    pub fn parse_user(text: &str) -> Option<CountryCode> {
        let text = text.trim();
        if text.len() != 2 {
            return None;
        }
        CountryCode::parse(&text.to_ascii_uppercase())
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII uppercase letters (checked on construction).
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub fn info(self) -> &'static Country {
        Countries::get().info(self)
    }

    /// Position in the countries table, in `0..Countries::get().all().len()`: lets
    /// per-country data live in plain arrays.
    pub fn index(self) -> usize {
        Countries::get().by_code[&self.0]
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        CountryCode::parse(&code).ok_or_else(|| {
            format!(
                "{} n'est pas un code pays ISO 3166-1 alpha-2",
                crate::quote::quote(&code)
            )
        })
    }
}

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        CountryCode::try_from(code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn table_has_the_countries_and_the_ldc_list() {
        let countries = Countries::get();
        assert_eq!(countries.all().len(), 250);
        let ldcs = countries.all().iter().filter(|c| c.un_ldc).count();
        assert_eq!(ldcs, 44);
        assert_eq!(CountryCode::parse("BJ").unwrap().info().name_fr, "Bénin");
        assert!(CountryCode::parse("ZZ").is_none());
        assert!(CountryCode::parse("bj").is_none());
    }

    #[test]
    fn ldc_status_follows_scheduled_graduations() {
        let bangladesh = CountryCode::parse("BD").unwrap().info();
        assert!(bangladesh.ldc_status(date("2026-11-23")).is_ldc());
        assert_eq!(
            bangladesh.ldc_status(date("2026-11-24")),
            LdcStatus::Graduated {
                on: date("2026-11-24")
            }
        );
        let benin = CountryCode::parse("BJ").unwrap().info();
        assert_eq!(
            benin.ldc_status(date("2030-01-01")),
            LdcStatus::Ldc { graduates_on: None }
        );
        let france = CountryCode::FRANCE.info();
        assert_eq!(france.ldc_status(date("2026-01-01")), LdcStatus::NotLdc);
    }

    #[test]
    fn analysis_language_prefers_french_then_spanish_portuguese_english_arabic() {
        let lang = |c: &str| CountryCode::parse(c).unwrap().info().analysis_language();
        assert_eq!(lang("BJ"), Some(Language::Fr));
        assert_eq!(lang("MX"), Some(Language::Es));
        assert_eq!(lang("BR"), Some(Language::Pt));
        assert_eq!(lang("GB"), Some(Language::En));
        assert_eq!(lang("EG"), Some(Language::Ar));
        assert_eq!(lang("LB"), Some(Language::Fr));
        assert_eq!(lang("CN"), None);
    }
}
