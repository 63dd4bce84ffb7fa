//! Criterion *thematic*: does what one offers answer what the other seeks, both ways?
//!
//! - Range: [0, 1].
//! - Symmetry: symmetric (`score(a, b) == score(b, a)`).
//! - Formula: with `s_fe` the share of the foreign request answered by the French offer
//!   and `s_ef` the share of the French request answered by the foreign offer,
//!   `reciprocal = ½·√(s_fe·s_ef) + ¼·(s_fe + s_ef)`: for the same total coverage a
//!   two-sided match outranks a one-sided one (a perfect one-sided match gives 0.5, a
//!   perfect two-sided one 1). The profiles' Jaccard overlap adds a little:
//!   `score = 0.85·reciprocal + 0.15·jaccard(profiles)`.
//! - Monotone: adding a theme to one side's offer that the other seeks never lowers it.
//! - Missing data: a side with no request contributes 0 to its direction; two fiches
//!   with no themes at all score 0. Inferred themes (from text) count like declared
//!   ones and are marked in the reasons.

use super::{Breakdown, Criterion, MatchFeatures, ThemeSet};

pub fn score(french: &MatchFeatures, foreign: &MatchFeatures) -> Breakdown {
    let answered_abroad = french.offer.intersection(foreign.request);
    let answered_in_france = foreign.offer.intersection(french.request);
    let s_fe = share(answered_abroad, foreign.request);
    let s_ef = share(answered_in_france, french.request);
    let reciprocal = 0.5 * (s_fe * s_ef).sqrt() + 0.25 * (s_fe + s_ef);
    let profiles = jaccard(french.profile, foreign.profile);
    let score = (0.85 * reciprocal + 0.15 * profiles).clamp(0.0, 1.0);

    let inferred = french.inferred.union(foreign.inferred);
    let mut reasons = Vec::new();
    let shared = answered_abroad.union(answered_in_france);
    if !shared.is_empty() {
        reasons.push(format!(
            "{} en commun : {}",
            plural(shared.len(), "thème", "thèmes"),
            labels(shared, inferred)
        ));
    }
    if !answered_abroad.is_empty() {
        reasons.push(format!(
            "L'offre de {} répond à la demande de {} : {}",
            french.name,
            foreign.name,
            labels(answered_abroad, inferred)
        ));
    }
    if !answered_in_france.is_empty() {
        reasons.push(format!(
            "L'offre de {} répond à la demande de {} : {}",
            foreign.name,
            french.name,
            labels(answered_in_france, inferred)
        ));
    }
    Breakdown::new(Criterion::Thematic, score, reasons)
}

fn share(answered: ThemeSet, sought: ThemeSet) -> f64 {
    if sought.is_empty() {
        0.0
    } else {
        f64::from(answered.len()) / f64::from(sought.len())
    }
}

fn jaccard(a: ThemeSet, b: ThemeSet) -> f64 {
    let union = a.union(b).len();
    if union == 0 {
        0.0
    } else {
        f64::from(a.intersection(b).len()) / f64::from(union)
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

/// Short French labels (the label up to its first comma) in lower case, inferred ones
/// marked: "eau et assainissement, santé, jeunesse".
fn labels(themes: ThemeSet, inferred: ThemeSet) -> String {
    themes
        .iter()
        .map(|code| {
            let full = &code.info().label_fr;
            let label = full.split(',').next().unwrap_or(full).trim().to_lowercase();
            if inferred.contains(code) {
                format!("{label} (déduit du texte)")
            } else {
                label
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
