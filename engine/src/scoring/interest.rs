//! Interest the collectivités declared in each other (through the portal, or staff on
//! their behalf): **not a criterion** but a documented adjustment made after the
//! weighted mean of the criteria.
//!
//! Contract:
//! - each side of a French × foreign pair whose latest word about the other is
//!   "interested" adds `bonus` to the pair's total — the weighted mean of the
//!   criteria — so a mutual interest adds twice the bonus; the result is capped at 1
//!   ([`adjusted`]). The bonus is a setting ([`DEFAULT_INTEREST_BONUS`], configurable
//!   per request and in the server's configuration, at most [`MAX_INTEREST_BONUS`]);
//! - it is symmetric: the pair gains the same in either fiche's suggestions;
//! - "not interested" is not an adjustment: it removes the candidate from the
//!   suggestions of the fiche that said it (a veto in one direction, see
//!   `store::Interests`), not from the other side's;
//! - a suggestion's total is [`adjusted`] of the kernel's weighted mean, and its
//!   explanation's total is [`total_with`] of the same breakdown and
//!   [`InterestBonus::amount`]: the same operations in the same order, so they agree
//!   bit for bit.

use serde::Serialize;

use super::MatchFeatures;
use crate::fiche::FicheId;
use crate::french;

/// What "interested" adds to a pair's total, per side that said it. A twentieth of
/// the scale: it lifts a pair a few ranks among close candidates (in the demo corpus
/// the 10th suggestion of a French fiche is typically 0.03 below the first) without
/// bringing up a pair the criteria find poor.
pub const DEFAULT_INTEREST_BONUS: f64 = 0.05;

/// The largest bonus a setting may give.
pub const MAX_INTEREST_BONUS: f64 = 0.5;

/// Which sides of a French × foreign pair said "interested" in the other (each
/// side's latest word).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InterestSides {
    pub french: bool,
    pub foreign: bool,
}

impl InterestSides {
    /// Sides that said "interested": 0, 1 or 2.
    pub fn count(self) -> u32 {
        u32::from(self.french) + u32::from(self.foreign)
    }

    /// Both sides said "interested": a match.
    pub fn mutual(self) -> bool {
        self.french && self.foreign
    }
}

/// The interest declared between fiches, as the ranking reads it (implemented by the
/// store's `Interests`).
pub trait PairInterest: Sync {
    /// Every fiche whose latest word about `id` is "interested", and every fiche
    /// `id`'s latest word is "interested" in.
    fn interested_partners(&self, id: &FicheId) -> Vec<FicheId>;

    /// Whether `by`'s latest word about `candidate` is "interested".
    fn is_interested(&self, by: &FicheId, candidate: &FicheId) -> bool;

    /// The sides of the pair (`french`, `foreign`) that said "interested".
    fn sides(&self, french: &FicheId, foreign: &FicheId) -> InterestSides {
        InterestSides {
            french: self.is_interested(french, foreign),
            foreign: self.is_interested(foreign, french),
        }
    }
}

/// No interest declared anywhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoInterests;

impl PairInterest for NoInterests {
    fn interested_partners(&self, _: &FicheId) -> Vec<FicheId> {
        Vec::new()
    }

    fn is_interested(&self, _: &FicheId, _: &FicheId) -> bool {
        false
    }
}

/// Checks a bonus setting: finite, in [0, [`MAX_INTEREST_BONUS`]].
pub fn validate_bonus(bonus: f64) -> Result<(), crate::fiche::FieldError> {
    if bonus.is_finite() && (0.0..=MAX_INTEREST_BONUS).contains(&bonus) {
        Ok(())
    } else {
        Err(crate::fiche::FieldError::new(
            "interest_bonus",
            &bonus.to_string(),
            format!("doit être compris entre 0 et {MAX_INTEREST_BONUS}"),
        ))
    }
}

/// What the interest adds to a pair: `bonus` per side that said "interested".
#[inline]
pub fn amount(sides: InterestSides, bonus: f64) -> f64 {
    bonus * f64::from(sides.count())
}

/// A pair's total once the interest is added: `weighted_mean + amount`, capped at 1.
/// The one formula of the kernel and the explanations.
#[inline]
pub fn adjusted(weighted_mean: f64, sides: InterestSides, bonus: f64) -> f64 {
    total_with(weighted_mean, amount(sides, bonus))
}

/// `weighted_mean + amount`, capped at 1.
#[inline]
pub fn total_with(weighted_mean: f64, amount: f64) -> f64 {
    (weighted_mean + amount).min(1.0)
}

/// The interest part of a pair's explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterestBonus {
    pub sides: InterestSides,
    /// Added to the weighted mean of the criteria (before the cap at 1).
    pub amount: f64,
    /// Readable reasons, in French.
    pub reasons: Vec<String>,
}

/// Explains the interest of a pair, `None` when neither side said "interested".
/// `viewer` is the fiche whose suggestions these are (reasons then say "vous"), or
/// `None` for a pair looked at from outside.
pub fn explain(
    french: &MatchFeatures,
    foreign: &MatchFeatures,
    sides: InterestSides,
    bonus: f64,
    viewer: Option<&FicheId>,
) -> Option<InterestBonus> {
    if sides.count() == 0 {
        return None;
    }
    let mut reasons = Vec::new();
    for (said, by, other) in [
        (sides.french, french, foreign),
        (sides.foreign, foreign, french),
    ] {
        if !said {
            continue;
        }
        reasons.push(match viewer {
            Some(v) if v == &other.id => format!(
                "{} s'est déclarée intéressée par un partenariat avec vous",
                by.name
            ),
            Some(v) if v == &by.id => format!(
                "vous vous êtes déclarée intéressée par un partenariat avec {}",
                other.name
            ),
            _ => format!(
                "{} s'est déclarée intéressée par un partenariat avec {}",
                by.name, other.name
            ),
        });
    }
    let amount = amount(sides, bonus);
    if sides.mutual() {
        reasons
            .push("intérêt réciproque : les deux collectivités souhaitent ce partenariat".into());
    }
    reasons.push(format!(
        "bonus d'intérêt : +{} au score",
        french::decimal(amount, 3)
    ));
    Some(InterestBonus {
        sides,
        amount,
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bonus_counts_sides_and_is_capped() {
        let one = InterestSides {
            french: true,
            foreign: false,
        };
        let both = InterestSides {
            french: true,
            foreign: true,
        };
        assert_eq!(adjusted(0.5, InterestSides::default(), 0.05), 0.5);
        assert_eq!(adjusted(0.5, one, 0.05), 0.55);
        assert_eq!(adjusted(0.5, both, 0.05), 0.6);
        assert_eq!(adjusted(0.98, both, 0.05), 1.0);
        assert!(both.mutual() && !one.mutual());
        assert_eq!(
            adjusted(0.4321, both, 0.07).to_bits(),
            total_with(0.4321, amount(both, 0.07)).to_bits()
        );
    }

    #[test]
    fn bonus_settings_are_bounded() {
        assert!(validate_bonus(0.0).is_ok());
        assert!(validate_bonus(DEFAULT_INTEREST_BONUS).is_ok());
        assert!(validate_bonus(-0.1).is_err());
        assert!(validate_bonus(0.6).is_err());
        assert!(validate_bonus(f64::NAN).is_err());
    }
}
