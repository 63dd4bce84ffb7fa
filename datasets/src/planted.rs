//! An evaluation corpus: the demo corpus with planted complementary pairs whose
//! answer is known, for `passerelle eval`.
//!
//! Each planted pair joins a French commune and a foreign municipality: three themes
//! the French side offers and the foreign side seeks, two the other way round,
//! populations within a factor 1.25, a diaspora association from the foreign country
//! on the French territory, and open calls on both sides. In one pair out of three the
//! foreign request is given only as free text, in the foreign fiche's own language
//! (Spanish, Portuguese or English), and in another third only as Arabic text, from a
//! municipality of an Arabic-speaking country whose offer and request are written in
//! Arabic (Arabic leading its languages): theme inference must find them.

use chrono::Days;
use passerelle_engine::fiche::{
    ActorKind, Call, CallStatus, Fiche, FicheId, ForeignActor, Intent, Kind,
};
use passerelle_engine::reference::{Language, THEME_COUNT, ThemeCode};

use crate::generator::texts::{self, Detail};
use crate::random::Rng;
use crate::{arabic_speaking, demo_corpus_date, text_language, working_languages};

/// A planted pair: each side should find the other among its best suggestions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantedPair {
    pub french: FicheId,
    pub foreign: FicheId,
    /// The foreign request is only free text, in Spanish, Portuguese or English.
    pub text_only: bool,
    /// The foreign request is only free text, in Arabic.
    pub arabic_only: bool,
}

/// The corpus (sorted by id) and its planted pairs.
#[derive(Debug)]
pub struct EvaluationCorpus {
    pub fiches: Vec<Fiche>,
    pub pairs: Vec<PlantedPair>,
}

/// Plants `count` pairs in `fiches` (a demo corpus, sorted by id), deterministically
/// for a seed.
pub fn plant_pairs(mut fiches: Vec<Fiche>, seed: u64, count: usize) -> EvaluationCorpus {
    let eligible = |fiche: &Fiche, kind: Kind| fiche.kind == kind && fiche.population >= 2_000;
    let french: Vec<usize> = (0..fiches.len())
        .filter(|&i| eligible(&fiches[i], Kind::Commune))
        .collect();
    let foreign: Vec<usize> = (0..fiches.len())
        .filter(|&i| eligible(&fiches[i], Kind::Municipality))
        .collect();
    let other_language: Vec<usize> = foreign
        .iter()
        .copied()
        .filter(|&i| {
            matches!(
                text_language(fiches[i].country),
                Language::En | Language::Es | Language::Pt
            )
        })
        .collect();
    let arabic: Vec<usize> = foreign
        .iter()
        .copied()
        .filter(|&i| arabic_speaking(fiches[i].country))
        .collect();
    let mut used = std::collections::HashSet::new();
    let mut pairs = Vec::with_capacity(count);
    for n in 0..count {
        let mut rng = Rng::for_key(seed, "planted-pair", &n.to_string());
        let (text_only, arabic_only) = (n % 3 == 0, n % 3 == 1);
        let f = draw_unused(&mut rng, &french, &mut used);
        let pool = match (text_only, arabic_only) {
            (true, _) => &other_language,
            (_, true) => &arabic,
            _ => &foreign,
        };
        let x = draw_unused(&mut rng, pool, &mut used);
        let themes = distinct_themes(&mut rng, 5);
        let (to_foreign, to_french) = themes.split_at(3);
        let request = match (text_only, arabic_only) {
            (true, _) => Request::TextOnly(text_language(fiches[x].country)),
            (_, true) => Request::TextOnly(Language::Ar),
            _ => Request::Codes,
        };
        plant(&mut fiches, f, x, to_foreign, to_french, request, &mut rng);
        pairs.push(PlantedPair {
            french: fiches[f].id.clone(),
            foreign: fiches[x].id.clone(),
            text_only,
            arabic_only,
        });
    }
    EvaluationCorpus { fiches, pairs }
}

fn draw_unused(
    rng: &mut Rng,
    pool: &[usize],
    used: &mut std::collections::HashSet<usize>,
) -> usize {
    loop {
        let candidate = pool[rng.below(pool.len())];
        if used.insert(candidate) {
            return candidate;
        }
    }
}

fn distinct_themes(rng: &mut Rng, count: usize) -> Vec<ThemeCode> {
    let picked = rng.weighted_distinct(&[1.0; THEME_COUNT], count);
    picked
        .into_iter()
        .filter_map(ThemeCode::from_index)
        .collect()
}

/// How the foreign side's request is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    /// Codes and text, in the country's language.
    Codes,
    /// Only text, in this language (the foreign fiche is written in it).
    TextOnly(Language),
}

fn plant(
    fiches: &mut [Fiche],
    f: usize,
    x: usize,
    to_foreign: &[ThemeCode],
    to_french: &[ThemeCode],
    request: Request,
    rng: &mut Rng,
) {
    let detail = Detail {
        keywords_per_theme: 2,
        extra_sentences: 0,
    };
    let (foreign_language, text_only) = match request {
        Request::Codes => (text_language(fiches[x].country), false),
        Request::TextOnly(language) => (language, true),
    };
    let foreign_country = fiches[x].country;
    let foreign_id = fiches[x].id.clone();
    let population = fiches[f].population as f64 * (0.8 + 0.45 * rng.unit());
    let call = open_call();

    let french = &mut fiches[f];
    french.offer = Some(intent(
        to_foreign,
        texts::offer(Language::Fr, rng, to_foreign, detail),
        false,
    ));
    french.request = Some(intent(
        to_french,
        texts::request(Language::Fr, rng, to_french, detail),
        false,
    ));
    french.foreign_actors.push(ForeignActor {
        country: foreign_country,
        kind: ActorKind::Diaspora,
        name: Some(format!(
            "Association des ressortissants — {}",
            foreign_country.info().name_fr
        )),
    });
    french
        .partnerships
        .retain(|p| p.partner_id.as_ref() != Some(&foreign_id));
    french.call = Some(call);
    french.provenance.insert(
        "evaluation".into(),
        format!("planted pair with {foreign_id}"),
    );
    let french_id = french.id.clone();

    let foreign = &mut fiches[x];
    foreign.population = population.round() as u64;
    // The fiche is written in the language of its texts: it leads its languages.
    foreign.languages = working_languages(foreign, foreign_language);
    foreign.offer = Some(intent(
        to_french,
        texts::offer(foreign_language, rng, to_french, detail),
        false,
    ));
    let request_text = texts::request(foreign_language, rng, to_foreign, detail);
    foreign.request = Some(intent(to_foreign, request_text, text_only));
    foreign
        .partnerships
        .retain(|p| p.partner_id.as_ref() != Some(&french_id));
    foreign.call = Some(call);
    foreign.provenance.insert(
        "evaluation".into(),
        format!("planted pair with {french_id}"),
    );
}

fn intent(themes: &[ThemeCode], text: String, text_only: bool) -> Intent {
    Intent {
        themes: if text_only {
            Vec::new()
        } else {
            themes.to_vec()
        },
        text: Some(text),
    }
}

fn open_call() -> Call {
    let date = demo_corpus_date();
    Call {
        status: CallStatus::Open,
        published: date.checked_sub_days(Days::new(30)),
        expires: date.checked_add_days(Days::new(365)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_corpus() -> Vec<Fiche> {
        let corpus = crate::generate_demo_corpus(7).unwrap();
        crate::sample_of(&corpus)
    }

    #[test]
    fn planted_pairs_are_complementary_valid_and_deterministic() {
        let planted = plant_pairs(small_corpus(), 1, 6);
        assert_eq!(planted.pairs, plant_pairs(small_corpus(), 1, 6).pairs);
        assert_eq!(planted.pairs.iter().filter(|p| p.arabic_only).count(), 2);
        for pair in &planted.pairs {
            let get = |id: &FicheId| planted.fiches.iter().find(|f| &f.id == id).unwrap();
            let (f, x) = (get(&pair.french), get(&pair.foreign));
            f.validate().unwrap();
            x.validate().unwrap();
            assert_eq!(f.offer_theme_bits().count_ones(), 3);
            assert_eq!(f.request_theme_bits(), x.offer_theme_bits());
            if pair.text_only || pair.arabic_only {
                assert_eq!(x.request_theme_bits(), 0);
                assert!(pair.arabic_only || text_language(x.country) != Language::Fr);
            } else {
                assert_eq!(f.offer_theme_bits(), x.request_theme_bits());
            }
            assert!(f.foreign_actors.iter().any(|a| a.country == x.country));
            if pair.arabic_only {
                assert!(arabic_speaking(x.country));
                assert_eq!(x.languages[0].as_str(), "ar");
                let text = x.request.as_ref().unwrap().text.as_deref().unwrap();
                assert!(text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)));
            }
            assert!(f.has_open_call(demo_corpus_date()) && x.has_open_call(demo_corpus_date()));
        }
    }
}
