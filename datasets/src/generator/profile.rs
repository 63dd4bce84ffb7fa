//! The thematic profile of a fiche: its weighted themes, what it offers and what it
//! seeks (theme codes and text), its working languages and activities text.
//!
//! Every fiche comes out matchable. French fiches always offer and sometimes seek
//! (reciprocity); foreign fiches always seek and sometimes offer. One foreign request
//! in ten has a text but no theme codes, so that theme inference from text matters.

use chrono::NaiveDate;
use passerelle_engine::fiche::{Fiche, Intent, WeightedTheme};
use passerelle_engine::reference::{Language, THEME_COUNT, ThemeCode};

use super::languages::{fiche_text_language, working_languages};
use super::size::activity;
use super::texts::{self, Detail};
use super::theme_weights::{ThemeWeights, Weights};
use crate::random::Rng;

/// Share of foreign requests with text only.
const TEXT_ONLY_REQUESTS: f64 = 0.10;

/// Fills languages, activities, themes, offer and request.
pub fn fill(fiche: &mut Fiche, seed: u64, weights: &ThemeWeights, today: NaiveDate) {
    let mut rng = Rng::for_key(seed, "profile", fiche.id.as_str());
    let active = activity(fiche);
    let language = fiche_text_language(seed, fiche);
    let french = fiche.side() == passerelle_engine::fiche::Side::French;
    let ldc = !french && fiche.country.info().ldc_status(today).is_ldc();

    let profile_table = match (french, ldc) {
        (true, _) => &weights.french_profile,
        (false, true) => &weights.foreign_profile_ldc,
        (false, false) => &weights.foreign_profile,
    };
    let count = (1.0 + active * 4.0 + rng.unit() * 1.5)
        .floor()
        .clamp(1.0, 6.0) as usize;
    let profile = pick(&mut rng, profile_table, &[], count);
    fiche.themes = profile
        .iter()
        .enumerate()
        .map(|(rank, code)| WeightedTheme {
            code: *code,
            weight: rank_weight(rank, &mut rng),
        })
        .collect();
    fiche.languages = working_languages(fiche, language);
    fiche.activities = Some(texts::activities(
        language,
        &mut rng,
        name_in(fiche, language),
        fiche.population,
        &profile,
    ));

    let few = |rng: &mut Rng, most: f64| {
        (1.0 + rng.unit() * most * (0.4 + active)).floor().max(1.0) as usize
    };
    if french {
        let n = few(&mut rng, 2.5);
        let offered = pick(&mut rng, &weights.french_offer, &profile, n);
        fiche.offer = Some(intent(language, &mut rng, offered, active, Side::Offer));
        if rng.chance(0.25 + 0.45 * active) {
            let n = few(&mut rng, 1.5);
            let sought = pick(&mut rng, &weights.french_request, &[], n);
            fiche.request = Some(intent(language, &mut rng, sought, active, Side::Request));
        }
    } else {
        let table = if ldc {
            &weights.foreign_request_ldc
        } else {
            &weights.foreign_request
        };
        let n = few(&mut rng, 3.0);
        let sought = pick(&mut rng, table, &profile, n);
        let mut request = intent(language, &mut rng, sought, active, Side::Request);
        if rng.chance(TEXT_ONLY_REQUESTS) {
            request.themes.clear();
        }
        fiche.request = Some(request);
        if rng.chance(0.15 + 0.45 * active) {
            let n = few(&mut rng, 1.5);
            let offered = pick(&mut rng, &weights.foreign_offer, &profile, n);
            fiche.offer = Some(intent(language, &mut rng, offered, active, Side::Offer));
        }
    }
}

#[derive(Clone, Copy)]
enum Side {
    Offer,
    Request,
}

fn intent(
    language: Language,
    rng: &mut Rng,
    themes: Vec<ThemeCode>,
    active: f64,
    side: Side,
) -> Intent {
    let detail = Detail::for_activity(active, rng);
    let text = match side {
        Side::Offer => texts::offer(language, rng, &themes, detail),
        Side::Request => texts::request(language, rng, &themes, detail),
    };
    Intent {
        themes,
        text: Some(text),
    }
}

/// `count` distinct themes from a table; the themes of `favoured` (the profile) are
/// twice as likely, so that offers and requests relate to the territory.
fn pick(rng: &mut Rng, table: &Weights, favoured: &[ThemeCode], count: usize) -> Vec<ThemeCode> {
    let mut weights = *table;
    for code in favoured {
        weights[code.index()] *= 2.0;
    }
    rng.weighted_distinct(&weights, count.min(THEME_COUNT))
        .into_iter()
        .filter_map(ThemeCode::from_index)
        .collect()
}

/// Decreasing weights in (0, 1], two decimals: the first theme is the strongest.
fn rank_weight(rank: usize, rng: &mut Rng) -> f64 {
    let weight = 1.0 - 0.14 * rank as f64 - 0.08 * rng.unit();
    (weight.clamp(0.1, 1.0) * 100.0).round() / 100.0
}

/// The fiche's name as its texts write it: in an Arabic text, its Arabic name when
/// it has one (the Moroccan communes' alternative names), else its name.
fn name_in(fiche: &Fiche, language: Language) -> &str {
    let arabic = |name: &&String| name.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    match language {
        Language::Ar => fiche.alt_names.iter().find(arabic).unwrap_or(&fiche.name),
        _ => &fiche.name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_corpus_date;

    fn fiche(id: &str, country: &str, kind: &str, population: u64) -> Fiche {
        let level = if kind == "commune" || kind == "municipality" {
            "local"
        } else {
            "regional"
        };
        let line = format!(
            r#"{{"id":"{id}","country":"{country}","kind":"{kind}","level":"{level}","name":"X","location":{{"lat":0,"lon":0}},"population":{population},"offer":{{"text":"x"}}}}"#
        );
        let mut fiche = passerelle_engine::jsonl::parse_fiche(&line).unwrap();
        fiche.offer = None;
        fiche
    }

    fn filled(mut fiche: Fiche, seed: u64) -> Fiche {
        fill(
            &mut fiche,
            seed,
            &ThemeWeights::new().unwrap(),
            demo_corpus_date(),
        );
        fiche
    }

    #[test]
    fn a_seed_fixes_the_profile_and_another_changes_it() {
        let lyon = fiche("FR-COM-69123", "FR", "commune", 520_000);
        assert_eq!(filled(lyon.clone(), 1), filled(lyon.clone(), 1));
        let differing = (2..12)
            .filter(|seed| filled(lyon.clone(), *seed) != filled(lyon.clone(), 1))
            .count();
        assert_eq!(differing, 10);
    }

    #[test]
    fn french_fiches_offer_and_foreign_ones_seek() {
        for seed in 0..50 {
            let french = filled(fiche("FR-COM-01001", "FR", "commune", 800), seed);
            assert!(french.offer.as_ref().is_some_and(|o| !o.themes.is_empty()));
            assert_eq!(french.languages[0].as_str(), "fr");
            let foreign = filled(fiche("SN-GN-1", "SN", "municipality", 80_000), seed);
            assert!(foreign.request.as_ref().is_some_and(|r| r.text.is_some()));
            assert!(foreign.validate().is_ok() && french.validate().is_ok());
        }
    }

    #[test]
    fn bigger_places_have_more_themes() {
        let themes = |population| -> usize {
            (0..40)
                .map(|seed| {
                    filled(fiche("MX-GN-1", "MX", "municipality", population), seed)
                        .themes
                        .len()
                })
                .sum()
        };
        assert!(themes(2_000_000) > 2 * themes(1_000));
    }
}
