//! Criterion *thematic*: does what one offers answer what the other seeks, both ways?
//!
//! - Range: [0, 1].
//! - Symmetry: symmetric, bit for bit (`value(a, b) == value(b, a)`).
//! - Formula: with `s_ab` the share of B's request answered by A's offer and `s_ba` the
//!   share of A's request answered by B's offer,
//!   `reciprocal = ½·√(s_ab·s_ba) + ¼·(s_ab + s_ba)`: for the same coverage a two-sided
//!   match outranks a one-sided one (a perfect one-sided match gives ½, a perfect
//!   two-sided one 1). Text similarity (cosine of the distinctive stems of each offer
//!   text against the other's request text, both ways) and the overlap of the profiles
//!   (Jaccard) add to it: `score = 0.7·reciprocal + 0.15·text + 0.15·profiles`.
//! - Monotone: adding to one side's offer a theme the other seeks never lowers it.
//! - Missing data: a side with no request contributes 0 to its direction; no texts give
//!   0 text similarity; two fiches with no themes or texts score 0. Inferred themes
//!   (from texts, in any of the five languages) count like declared ones and are
//!   marked in the reasons.

use super::{Breakdown, Criterion, MatchFeatures, TextSignatures, ThemeSet};

/// The parts of the score (they sum to 1).
pub const RECIPROCAL_SHARE: f64 = 0.7;
pub const TEXT_SHARE: f64 = 0.15;
pub const PROFILE_SHARE: f64 = 0.15;

/// What the criterion reads of one fiche.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ThemeSide {
    pub offer: ThemeSet,
    pub request: ThemeSet,
    pub profile: ThemeSet,
    pub texts: TextSignatures,
}

impl ThemeSide {
    pub fn of(fiche: &MatchFeatures) -> ThemeSide {
        ThemeSide {
            offer: fiche.offer,
            request: fiche.request,
            profile: fiche.profile,
            texts: fiche.texts,
        }
    }
}

/// The criterion's score.
#[inline]
pub fn value(a: &ThemeSide, b: &ThemeSide) -> f64 {
    let text =
        0.5 * (a.texts.offer.cosine(b.texts.request) + b.texts.offer.cosine(a.texts.request));
    combine(reciprocal(a, b), text, jaccard(a.profile, b.profile))
}

/// A bound that [`value`] never exceeds, without the text similarity (taken as 1).
#[cfg(test)]
pub(super) fn upper_bound(a: &ThemeSide, b: &ThemeSide) -> f64 {
    combine(reciprocal(a, b), 1.0, jaccard(a.profile, b.profile))
}

/// Slack of [`bound_may_reach`] against rounding: far above the few ulps by which
/// two ways of computing a total in [0, 1] can differ, far below any gap between
/// scores that matters.
const BOUND_SLACK: f64 = 1e-12;

/// Whether `weight · upper_bound(a, b)` may reach `needed`, where `upper_bound` is
/// [`value`] with the text similarity taken as 1: false only when it certainly does
/// not (within [`BOUND_SLACK`]). Lets the ranking kernel skip the texts of candidates
/// that cannot enter a top k.
///
/// The bound is compared without its square root: with `c = weight · 0.7 · ½`, the
/// test `c·√(s_ab·s_ba) ≥ gap` is `c²·s_ab·s_ba ≥ gap²` when `gap > 0` (and true
/// otherwise). The kernel's scan is bound by the latency of the chain of operations
/// from a candidate's themes to this test, and the root was its longest link.
#[inline]
pub fn bound_may_reach(a: &ThemeSide, b: &ThemeSide, weight: f64, needed: f64) -> bool {
    let (s_ab, s_ba) = shares(a, b);
    // `combine`'s cap at 1 left out: a larger bound, still a bound.
    let linear = RECIPROCAL_SHARE * ONE_SIDED * (s_ab + s_ba)
        + TEXT_SHARE
        + PROFILE_SHARE * jaccard(a.profile, b.profile);
    let gap = needed - weight * linear - BOUND_SLACK;
    let c = weight * RECIPROCAL_SHARE * TWO_SIDED;
    // Written as "not certainly short", so that a NaN keeps the pair.
    !((gap > 0.0) & (c * c * (s_ab * s_ba) < gap * gap))
}

/// The parts of `reciprocal`: `½·√(s_ab·s_ba)` (both ways) and `¼·(s_ab + s_ba)`.
const TWO_SIDED: f64 = 0.5;
const ONE_SIDED: f64 = 0.25;

#[inline]
fn reciprocal(a: &ThemeSide, b: &ThemeSide) -> f64 {
    let (s_ab, s_ba) = shares(a, b);
    TWO_SIDED * (s_ab * s_ba).sqrt() + ONE_SIDED * (s_ab + s_ba)
}

/// `(s_ab, s_ba)`: the share of B's request that A's offer answers, and of A's
/// request that B's offer answers.
#[inline]
fn shares(a: &ThemeSide, b: &ThemeSide) -> (f64, f64) {
    (
        share(a.offer.intersection(b.request), b.request),
        share(b.offer.intersection(a.request), a.request),
    )
}

#[inline]
fn combine(reciprocal: f64, text: f64, profiles: f64) -> f64 {
    // Rounding could carry a perfect match past 1 by an ulp.
    (RECIPROCAL_SHARE * reciprocal + TEXT_SHARE * text + PROFILE_SHARE * profiles).min(1.0)
}

/// The score with its reasons, the French side first.
pub fn explain(french: &MatchFeatures, foreign: &MatchFeatures) -> Breakdown {
    let score = value(&ThemeSide::of(french), &ThemeSide::of(foreign));
    let answered_abroad = french.offer.intersection(foreign.request);
    let answered_in_france = foreign.offer.intersection(french.request);
    let inferred = french.inferred.union(foreign.inferred);
    let mut reasons = Vec::new();
    let shared = answered_abroad.union(answered_in_france);
    if !shared.is_empty() {
        let noun = if shared.len() > 1 {
            "thèmes"
        } else {
            "thème"
        };
        reasons.push(format!(
            "{} {noun} en commun : {}",
            shared.len(),
            labels(shared, inferred)
        ));
    }
    for (giver, taker, themes) in [
        (french, foreign, answered_abroad),
        (foreign, french, answered_in_france),
    ] {
        if !themes.is_empty() {
            reasons.push(format!(
                "L'offre de {} répond à la demande de {} : {}",
                giver.name,
                taker.name,
                labels(themes, inferred)
            ));
        }
    }
    let text = french.texts.offer.cosine(foreign.texts.request)
        + foreign.texts.offer.cosine(french.texts.request);
    if text >= 0.5 {
        reasons
            .push("Les textes de l'offre et de la demande emploient les mêmes termes".to_owned());
    }
    Breakdown::new(Criterion::Thematic, score, reasons)
}

/// `1/n` for the sizes of theme sets (at most 32): ratios of set sizes become a
/// multiplication in the ranking kernel's inner loop. `INVERSE[0]` is 0, so an empty
/// denominator gives 0.
const INVERSE: [f64; 33] = {
    let mut table = [0.0; 33];
    let mut n = 1;
    while n < 33 {
        table[n] = 1.0 / n as f64;
        n += 1;
    }
    table
};

#[inline]
fn share(answered: ThemeSet, sought: ThemeSet) -> f64 {
    f64::from(answered.len()) * INVERSE[sought.len() as usize]
}

#[inline]
fn jaccard(a: ThemeSet, b: ThemeSet) -> f64 {
    f64::from(a.intersection(b).len()) * INVERSE[a.union(b).len() as usize]
}

/// Short French labels (the label up to its first comma) in lower case, inferred ones
/// marked: "eau et assainissement, santé, jeunesse".
fn labels(themes: ThemeSet, inferred: ThemeSet) -> String {
    themes
        .iter()
        .map(|code| {
            let label = &code.info().short_label_fr;
            if inferred.contains(code) {
                format!("{label} (déduit du texte)")
            } else {
                label.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
