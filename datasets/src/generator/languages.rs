//! Which language a generated fiche is written in, and its working languages.

use passerelle_engine::fiche::{Fiche, LanguageCode};
use passerelle_engine::reference::{CountryCode, Language};

use crate::random::Rng;

/// Maghreb countries where French is not official but is the working language of
/// decentralised cooperation with French collectivités (and a common administrative
/// language): their texts are written in French.
const FRENCH_IN_PRACTICE: [&str; 4] = ["MA", "TN", "DZ", "MR"];

/// In a country where Arabic is official beside a language the country's texts are
/// written in (French in the Maghreb, Lebanon, Chad…), the share of fiches written in
/// Arabic instead.
pub const ARABIC_SHARE: f64 = 0.3;

/// The language of a country's texts: French for France and French-speaking
/// countries, else the country's analysis language (Spanish, Portuguese, English,
/// Arabic), else English.
pub fn text_language(country: CountryCode) -> Language {
    if country == CountryCode::FRANCE || FRENCH_IN_PRACTICE.contains(&country.as_str()) {
        return Language::Fr;
    }
    country.info().analysis_language().unwrap_or(Language::En)
}

/// Whether Arabic is an official language of `country`.
pub fn arabic_speaking(country: CountryCode) -> bool {
    country.info().languages.iter().any(|l| l == "ara")
}

/// The language of one fiche's texts: its country's ([`text_language`]), except that
/// [`ARABIC_SHARE`] of the fiches of an Arabic-speaking country written in another
/// language are written in Arabic (a draw of their own, keyed by the fiche id).
pub fn fiche_text_language(seed: u64, fiche: &Fiche) -> Language {
    let language = text_language(fiche.country);
    if language != Language::Ar
        && fiche.country != CountryCode::FRANCE
        && arabic_speaking(fiche.country)
        && Rng::for_key(seed, "text-language", fiche.id.as_str()).chance(ARABIC_SHARE)
    {
        return Language::Ar;
    }
    language
}

/// The working languages: the text language first, then the country's other official
/// languages that have an ISO 639-1 code (at most three in all).
pub fn working_languages(fiche: &Fiche, language: Language) -> Vec<LanguageCode> {
    let mut codes = vec![LanguageCode::from(language)];
    if fiche.country == CountryCode::FRANCE {
        return codes;
    }
    for iso3 in &fiche.country.info().languages {
        let Some(code) = iso639_1(iso3).and_then(|c| LanguageCode::parse(c).ok()) else {
            continue;
        };
        if codes.len() < 3 && !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// ISO 639-3 to ISO 639-1 for the official languages of the countries table that have one.
fn iso639_1(iso3: &str) -> Option<&'static str> {
    Some(match iso3 {
        "afr" => "af",
        "amh" => "am",
        "ara" => "ar",
        "aze" => "az",
        "bel" => "be",
        "ben" => "bn",
        "bos" => "bs",
        "bul" => "bg",
        "cat" => "ca",
        "ces" => "cs",
        "dan" => "da",
        "deu" => "de",
        "ell" => "el",
        "eng" => "en",
        "est" => "et",
        "fas" => "fa",
        "fin" => "fi",
        "fra" => "fr",
        "heb" => "he",
        "hin" => "hi",
        "hrv" => "hr",
        "hun" => "hu",
        "hye" => "hy",
        "ind" => "id",
        "isl" => "is",
        "ita" => "it",
        "jpn" => "ja",
        "kat" => "ka",
        "kaz" => "kk",
        "khm" => "km",
        "kin" => "rw",
        "kor" => "ko",
        "lao" => "lo",
        "lav" => "lv",
        "lit" => "lt",
        "mlg" => "mg",
        "msa" => "ms",
        "mya" => "my",
        "nep" => "ne",
        "nld" => "nl",
        "nor" => "no",
        "pol" => "pl",
        "por" => "pt",
        "pus" => "ps",
        "ron" => "ro",
        "rus" => "ru",
        "sin" => "si",
        "slk" => "sk",
        "slv" => "sl",
        "som" => "so",
        "spa" => "es",
        "sqi" => "sq",
        "srp" => "sr",
        "swa" => "sw",
        "swe" => "sv",
        "tam" => "ta",
        "tha" => "th",
        "tur" => "tr",
        "ukr" => "uk",
        "urd" => "ur",
        "uzb" => "uz",
        "vie" => "vi",
        "zho" => "zh",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn language(code: &str) -> Language {
        text_language(CountryCode::parse(code).unwrap())
    }

    #[test]
    fn texts_follow_the_country() {
        assert_eq!(language("FR"), Language::Fr);
        assert_eq!(language("BJ"), Language::Fr);
        assert_eq!(language("MA"), Language::Fr);
        assert_eq!(language("MX"), Language::Es);
        assert_eq!(language("BR"), Language::Pt);
        assert_eq!(language("GB"), Language::En);
        assert_eq!(language("VN"), Language::En);
        assert_eq!(language("DE"), Language::En);
        assert_eq!(language("EG"), Language::Ar);
        assert_eq!(language("SA"), Language::Ar);
        assert!(arabic_speaking(CountryCode::parse("MA").unwrap()));
        assert!(!arabic_speaking(CountryCode::parse("SN").unwrap()));
    }
}
