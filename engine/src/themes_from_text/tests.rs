use serde_json::json;

use super::*;
use crate::text::fixtures::fiche;

fn codes(text: &str, language: Language) -> Vec<String> {
    infer_themes(text, language)
        .iter()
        .map(|t| t.code.to_string())
        .collect()
}

#[test]
fn water_is_recognised_in_five_languages() {
    let water = "eau-assainissement";
    assert_eq!(
        codes("توفير الماءِ الصالحِ للشرب وحفر الآبار", Language::Ar),
        [water]
    );
    assert_eq!(codes("agua potable y saneamiento", Language::Es), [water]);
    assert_eq!(codes("Eau potable, assainissement", Language::Fr), [water]);
    assert_eq!(codes("Drinking water and boreholes", Language::En), [water]);
    assert_eq!(
        codes("Abastecimento de água, saneamento", Language::Pt),
        [water]
    );
}

#[test]
fn keywords_match_as_stemmed_token_sequences() {
    let found = infer_themes(
        "Les FORAGES et l'assainissement; écoles rurales.",
        Language::Fr,
    );
    let water = &found[0];
    assert_eq!(water.code.as_str(), "eau-assainissement");
    assert_eq!(water.matched, ["assainissement", "forage"]);
    assert_eq!(water.weight, 0.75);
    assert_eq!(found[1].code.as_str(), "education");
    assert_eq!(found[1].weight, 0.5);
    // "eau potable" needs both words, in order.
    assert!(codes("potable eau", Language::Fr).is_empty());
    assert!(codes("", Language::Fr).is_empty());
    // A keyword of another language is not recognised.
    assert!(codes("saneamiento", Language::Fr).is_empty());
}

#[test]
fn english_and_portuguese_multi_word_keywords() {
    assert_eq!(
        codes("vocational training centres", Language::En),
        ["education"]
    );
    assert_eq!(codes("Formação profissional", Language::Pt), ["education"]);
}

#[test]
fn effective_themes_keep_declared_ones_first() {
    let fiche = fiche(
        "MX-COM-OAX",
        "Oaxaca",
        json!({
            "request": {"themes": ["eau-assainissement"], "text": "Agua potable y saneamiento, escuelas."},
            "offer": {"text": "Formación profesional"}
        }),
    );
    let request = effective_request_themes(&fiche);
    assert_eq!(request.len(), 2);
    assert_eq!(
        (request[0].code.as_str(), request[0].inferred),
        ("eau-assainissement", false)
    );
    assert_eq!(
        (request[1].code.as_str(), request[1].inferred),
        ("education", true)
    );
    assert_eq!(request[1].matched, ["escuela"]);
    let offer = effective_offer_themes(&fiche);
    assert_eq!(offer.len(), 1);
    assert!(offer[0].inferred);
}

#[test]
fn arabic_texts_are_read_whatever_the_spelling() {
    // Vowel marks, tatweel, hamza forms, the article and a conjunction.
    let found = codes(
        "نَرغب في تعزيز الـصـحـة والتلقيح، وإعادة التدوير وجمع النفايات",
        Language::Ar,
    );
    assert_eq!(found, ["dechets", "sante"]);
    let bare = codes("نرغب في تعزيز الصحه والتلقيح واعاده التدوير", Language::Ar);
    assert!(bare.contains(&"sante".to_owned()), "{bare:?}");
}

/// Each Arabic keyword, alone, is recognised as its own theme and as no other: the
/// stemmer must not merge two themes' words.
#[test]
fn every_arabic_keyword_finds_its_own_theme_only() {
    let mut problems = Vec::new();
    for (code, info) in Themes::get().all() {
        for keyword in info.keywords(Language::Ar) {
            let found = infer_themes(keyword, Language::Ar);
            let codes: Vec<ThemeCode> = found.iter().map(|t| t.code).collect();
            if codes != [code] {
                problems.push(format!("{keyword} ({code}): {codes:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_bits_are_those_of_the_inferred_themes() {
    let mut texts: Vec<String> = crate::text::fixtures::corpus()
        .iter()
        .flat_map(|f| {
            [
                f.activities.clone(),
                f.request.as_ref().and_then(|r| r.text.clone()),
            ]
        })
        .flatten()
        .collect();
    // Every keyword of every language, alone and in runs of three themes' keywords.
    for language in Language::ALL {
        let keywords: Vec<&String> = (Themes::get().all())
            .flat_map(|(_, info)| info.keywords(language))
            .collect();
        texts.extend(keywords.iter().map(|k| k.to_string()));
        texts.extend(keywords.chunks(3).map(|run| {
            run.iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }));
    }
    assert!(texts.len() > 100, "{} texts", texts.len());
    let mut some = 0;
    for text in &texts {
        for language in Language::ALL {
            let tokens = crate::text::analyse(text, language);
            let themes = infer_from_tokens(&tokens, language);
            let expected = themes.iter().fold(0, |bits, t| bits | t.code.bit());
            assert_eq!(inferred_theme_bits(&tokens, language), expected, "{text:?}");
            some += usize::from(expected != 0);
        }
    }
    assert!(some > 100, "{some} texts with themes");
}
