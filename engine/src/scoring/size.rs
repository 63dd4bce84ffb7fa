//! Criterion *size*: comparable populations and compatible levels.
//!
//! - Range: [0, 1] = ½·population + ½·level.
//! - Symmetry: symmetric, bit for bit.
//! - Population: `1 / (1 + ((ln p_a − ln p_b) / ln 4)²)`: 1 for equal sizes, ½ for a
//!   factor 4, 0.2 for a factor 16.
//! - Level: 1 for the same tier (commune ↔ municipality, département ↔ province,
//!   région ↔ state/region), ½ for adjacent tiers, 0 for local ↔ regional.
//! - Missing data: an unknown population (0 in the fiche) gives a neutral ½ for the
//!   population part and says so.

use super::{Breakdown, Criterion, MatchFeatures};
use crate::fiche::Level;

/// `1 / ln 4`: a multiplication in the kernel's inner loop rather than a division.
const INV_LN_4: f64 = 1.0 / (2.0 * std::f64::consts::LN_2);

/// The criterion's score from `ln(population)` (`None`: unknown) and levels.
#[inline]
pub fn value(ln_a: Option<f64>, ln_b: Option<f64>, level_a: Level, level_b: Level) -> f64 {
    0.5 * population(ln_a, ln_b) + 0.5 * level(level_a, level_b)
}

#[inline]
fn population(ln_a: Option<f64>, ln_b: Option<f64>) -> f64 {
    match (ln_a, ln_b) {
        (Some(a), Some(b)) => {
            let ratio = (a - b) * INV_LN_4;
            1.0 / (1.0 + ratio * ratio)
        }
        _ => 0.5,
    }
}

#[inline]
fn level(a: Level, b: Level) -> f64 {
    match (a as i8 - b as i8).unsigned_abs() {
        0 => 1.0,
        1 => 0.5,
        _ => 0.0,
    }
}

/// The score with its reasons.
pub fn explain(a: &MatchFeatures, b: &MatchFeatures) -> Breakdown {
    let mut reasons = Vec::new();
    match (a.population, b.population) {
        (Some(pa), Some(pb)) if population(a.ln_population, b.ln_population) >= 0.5 => {
            reasons.push(format!(
                "Populations comparables : {} et {} hab.",
                crate::french::integer(pa),
                crate::french::integer(pb)
            ));
        }
        (Some(_), Some(_)) => {}
        _ => reasons.push("Population inconnue pour l'une des deux collectivités".to_owned()),
    }
    if a.level == b.level {
        reasons.push(format!("Niveaux compatibles ({})", a.level.label()));
    }
    Breakdown::new(
        Criterion::Size,
        value(a.ln_population, b.ln_population, a.level, b.level),
        reasons,
    )
}
