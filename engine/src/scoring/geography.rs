//! Criterion *geography*: pooling, diaspora and a shared working language.
//!
//! - Range: [0, 1] = 0.4·pooling + 0.3·diaspora + 0.3·language.
//! - Symmetry: symmetric; the pair is always read as (French, foreign).
//! - Pooling: 1 when the French collectivité already works in the candidate's area
//!   (its first-level division), 0.8 when it works elsewhere in the country; else up to
//!   0.6 when other collectivités of its région work in the country (0.6·n/(n+2) for n
//!   partnerships), so a newcomer can join an existing effort.
//! - Diaspora: 1 when a diaspora association from the candidate's country is on the
//!   French territory; 0.5 for another actor (NGO, company, university) from there.
//! - Language: 1 when the two share an analysed working language (fr, en, es, pt).
//! - Missing data: no partnerships, actors, area or languages contribute 0.

use super::{Breakdown, CorpusContext, Criterion, MatchFeatures};

/// Pooling from what is known of the French side's ties with the candidate's place.
#[inline]
pub fn pooling(same_area: bool, same_country: bool, region_links: u32) -> f64 {
    if same_area {
        1.0
    } else if same_country {
        0.8
    } else {
        0.6 * f64::from(region_links) / (f64::from(region_links) + 2.0)
    }
}

#[inline]
pub fn diaspora(diaspora: bool, other_actor: bool) -> f64 {
    if diaspora {
        1.0
    } else if other_actor {
        0.5
    } else {
        0.0
    }
}

/// The criterion's score from its three parts.
#[inline]
pub fn value(pooling: f64, diaspora: f64, shared_language: bool) -> f64 {
    (0.4 * pooling + 0.3 * diaspora + 0.3 * if shared_language { 1.0 } else { 0.0 }).min(1.0)
}

/// The score with its reasons.
pub fn explain(
    french: &MatchFeatures,
    foreign: &MatchFeatures,
    context: &CorpusContext,
) -> Breakdown {
    let country = foreign.country;
    let country_name = &country.info().name_fr;
    let same_area = foreign
        .area
        .is_some_and(|area| french.partner_areas.contains(&area));
    let same_country = french.partner_countries.contains(&country);
    let region_links = french
        .region
        .as_deref()
        .map_or(0, |region| context.region_links(region, country));
    let mut reasons = Vec::new();
    if same_area {
        reasons.push(format!(
            "{} coopère déjà dans la même province ou région ({country_name})",
            french.name
        ));
    } else if same_country {
        reasons.push(format!(
            "{} coopère déjà avec le pays ({country_name})",
            french.name
        ));
    } else if region_links > 0 {
        reasons.push(format!(
            "Mutualisation possible : {region_links} partenariat(s) de collectivités de la même région avec le pays ({country_name})"
        ));
    }
    let has_diaspora = french.diaspora.contains(&country);
    let other_actor = french.other_actors.contains(&country);
    if has_diaspora {
        reasons.push(format!(
            "Diaspora originaire du pays ({country_name}) présente sur le territoire"
        ));
    } else if other_actor {
        reasons.push(format!(
            "Acteurs du pays ({country_name}) présents sur le territoire"
        ));
    }
    let language = french.shared_language(foreign);
    if let Some(language) = language {
        reasons.push(format!(
            "Langue de travail commune : {}",
            language_name(language.code())
        ));
    }
    let score = value(
        pooling(same_area, same_country, region_links),
        diaspora(has_diaspora, other_actor),
        language.is_some(),
    );
    Breakdown::new(Criterion::Geography, score, reasons)
}

fn language_name(code: &str) -> &'static str {
    match code {
        "fr" => "français",
        "en" => "anglais",
        "es" => "espagnol",
        _ => "portugais",
    }
}
