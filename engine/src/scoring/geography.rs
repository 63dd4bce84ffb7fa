//! Criterion *geography*: pooling, diaspora and a shared working language.
//!
//! - Range: [0, 1] = 0.4·pooling + 0.3·diaspora + 0.3·language.
//! - Symmetry: symmetric; the pair is always read as (French, foreign).
//! - Pooling: 1 when the French collectivité already works in the candidate's country;
//!   else up to 0.6 when other collectivités of its région do (0.6·n/(n+2) for n
//!   partnerships), so a newcomer can join an existing effort.
//! - Diaspora: 1 when a diaspora association from the candidate's country is on the
//!   French territory; 0.5 for another actor (NGO, company, university) from there.
//! - Language: 1 when the two share an analysed working language (fr, en, es, pt).
//! - Missing data: no partnerships, actors or languages contribute 0, never an error.

use super::{Breakdown, CorpusContext, Criterion, MatchFeatures};

pub fn score(french: &MatchFeatures, foreign: &MatchFeatures, context: &CorpusContext) -> Breakdown {
    let country = foreign.country;
    let country_name = &country.info().name_fr;
    let mut reasons = Vec::new();

    let pooling = if french.partner_countries.contains(&country) {
        reasons.push(format!("{} coopère déjà avec le pays ({country_name})", french.name));
        1.0
    } else {
        let n = french
            .region
            .as_deref()
            .map_or(0, |region| context.region_links(region, country));
        if n > 0 {
            reasons.push(format!(
                "Mutualisation possible : {n} partenariat(s) de collectivités de la même région avec ce pays ({country_name})"
            ));
        }
        0.6 * f64::from(n) / (f64::from(n) + 2.0)
    };

    let diaspora = if french.diaspora.contains(&country) {
        reasons.push(format!("Diaspora originaire du pays ({country_name}) présente sur le territoire"));
        1.0
    } else if french.other_actors.contains(&country) {
        reasons.push(format!("Acteurs du pays ({country_name}) présents sur le territoire"));
        0.5
    } else {
        0.0
    };

    let shared_language = french
        .languages
        .iter()
        .find(|language| foreign.languages.contains(language));
    let language = match shared_language {
        Some(language) => {
            reasons.push(format!("Langue de travail commune : {}", language_name(language.code())));
            1.0
        }
        None => 0.0,
    };

    Breakdown::new(
        Criterion::Geography,
        0.4 * pooling + 0.3 * diaspora + 0.3 * language,
        reasons,
    )
}

fn language_name(code: &str) -> &'static str {
    match code {
        "fr" => "français",
        "en" => "anglais",
        "es" => "espagnol",
        _ => "portugais",
    }
}
