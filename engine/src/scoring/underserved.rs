//! Criterion *under-served*: favour countries with few French partnerships, and the
//! UN least-developed countries.
//!
//! - Range: [0, 1] = 0.7·scarcity + 0.3·ldc.
//! - Symmetry: symmetric; it reads only the foreign side's country.
//! - Scarcity: `10 / (10 + n)` with `n` the active French partnerships recorded with the
//!   country in the corpus (derived from data, not a hand list): 1 for an uncovered
//!   country, ½ at 10 partnerships.
//! - LDC: 1 when the country is on the UN list on the scoring date (scheduled
//!   graduations apply, from the countries table).
//! - Missing data: none possible; every fiche has a country. Computed once per country
//!   in [`CorpusContext`].

use super::{Breakdown, CorpusContext, Criterion, MatchFeatures};

/// The score of a country with `french_links` partnerships and that LDC status.
pub fn value(french_links: u32, ldc: bool) -> f64 {
    (0.7 * 10.0 / (10.0 + f64::from(french_links)) + 0.3 * if ldc { 1.0 } else { 0.0 }).min(1.0)
}

/// The score with its reasons.
pub fn explain(foreign: &MatchFeatures, context: &CorpusContext) -> Breakdown {
    let country = foreign.country.info();
    let n = context.french_links(foreign.country);
    let mut reasons = Vec::new();
    if n < 20 {
        reasons.push(format!(
            "Pays peu couvert : {n} partenariat(s) français recensé(s) ({})",
            country.name_fr
        ));
    }
    if country.ldc_status(context.today).is_ldc() {
        reasons.push(format!(
            "{} figure parmi les pays les moins avancés (ONU)",
            country.name_fr
        ));
    }
    Breakdown::new(
        Criterion::Underserved,
        context.underserved(foreign.country),
        reasons,
    )
}
