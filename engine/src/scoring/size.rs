//! Criterion *size*: comparable populations and compatible levels.
//!
//! - Range: [0, 1] = ½·population + ½·level.
//! - Symmetry: symmetric.
//! - Population: `1 / (1 + (ln(p_a/p_b) / ln 4)²)`: 1 for equal sizes, ½ for a factor 4,
//!   0.2 for a factor 16.
//! - Level: 1 for the same tier (commune ↔ municipality, département ↔ province,
//!   région ↔ state/region), ½ for adjacent tiers, 0 for local ↔ regional.
//! - Missing data: an unknown population (0 in the fiche) gives a neutral ½ for the
//!   population part and says so.

use super::{Breakdown, Criterion, MatchFeatures};
use crate::fiche::Level;

pub fn score(a: &MatchFeatures, b: &MatchFeatures) -> Breakdown {
    let mut reasons = Vec::new();
    let population = match (a.population, b.population) {
        (Some(pa), Some(pb)) => {
            let ratio = (pa as f64 / pb as f64).ln() / 4f64.ln();
            let score = 1.0 / (1.0 + ratio * ratio);
            if score >= 0.5 {
                reasons.push(format!(
                    "Populations comparables : {} et {} hab.",
                    grouped(pa),
                    grouped(pb)
                ));
            }
            score
        }
        _ => {
            reasons.push("Population inconnue pour l'une des deux collectivités".to_owned());
            0.5
        }
    };
    let level = match level_distance(a.level, b.level) {
        0 => {
            reasons.push(format!("Niveaux compatibles ({})", level_name(a.level)));
            1.0
        }
        1 => 0.5,
        _ => 0.0,
    };
    Breakdown::new(Criterion::Size, 0.5 * population + 0.5 * level, reasons)
}

fn level_distance(a: Level, b: Level) -> u8 {
    let rank = |level| match level {
        Level::Local => 0i8,
        Level::Intermediate => 1,
        Level::Regional => 2,
    };
    (rank(a) - rank(b)).unsigned_abs()
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Local => "échelon local",
        Level::Intermediate => "échelon intermédiaire",
        Level::Regional => "échelon régional",
    }
}

/// `12400` → `12 400`, as French readers write it.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}
