//! What the configuration sets for every suggestion of a corpus: the default weights
//! (a weights file, which `passerelle tune` writes), the interest bonus and the
//! freshness of fiches. The interfaces start from [`Corpus::suggest_options`] and
//! override what a request gives (k, filters, weights): nothing is applied behind
//! their back.

use chrono::{Months, NaiveDate};

use super::Corpus;
use crate::fiche::FieldError;
use crate::ranking::SuggestOptions;
use crate::scoring::{Weights, interest};

/// Default age after which a fiche is to be reconfirmed.
pub const DEFAULT_MAX_AGE_MONTHS: u32 = 12;
/// Longest age limit a configuration may set (ten years).
pub const MAX_AGE_MONTHS: u32 = 120;
/// Calls expiring within this many days are listed by the freshness report.
pub const EXPIRING_WITHIN_DAYS: u64 = 30;

/// When a fiche is to be reconfirmed, and whether such fiches are suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    /// A fiche last updated more than this many months ago (or undated) is flagged
    /// "à reconfirmer".
    pub max_age_months: u32,
    /// Whether stale fiches are suggested at all (flagged) or left out.
    pub suggest_stale: bool,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            max_age_months: DEFAULT_MAX_AGE_MONTHS,
            suggest_stale: true,
        }
    }
}

impl Freshness {
    /// Fiches last updated before this day are stale on `today`.
    pub fn stale_before(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_months(Months::new(self.max_age_months))
            .unwrap_or(NaiveDate::MIN)
    }

    /// Whether a fiche last updated on `updated_on` (`None`: it does not say) is stale
    /// on `today`.
    pub fn is_stale(&self, updated_on: Option<NaiveDate>, today: NaiveDate) -> bool {
        updated_on.is_none_or(|day| day < self.stale_before(today))
    }
}

/// The settings of a corpus's suggestions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub weights: Weights,
    /// Added to a pair's total per side that said "interested".
    pub interest_bonus: f64,
    pub freshness: Freshness,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            weights: Weights::default(),
            interest_bonus: interest::DEFAULT_INTEREST_BONUS,
            freshness: Freshness::default(),
        }
    }
}

impl Policy {
    /// Every setting in range; the error names the setting.
    pub fn validate(&self) -> Result<(), FieldError> {
        self.weights.validate()?;
        interest::validate_bonus(self.interest_bonus)?;
        let months = self.freshness.max_age_months;
        if !(1..=MAX_AGE_MONTHS).contains(&months) {
            return Err(FieldError::new(
                "max_age_months",
                &months.to_string(),
                format!("doit être compris entre 1 et {MAX_AGE_MONTHS}"),
            ));
        }
        Ok(())
    }
}

impl Corpus {
    /// The corpus's settings.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether `fiche` is « à reconfirmer » today: last updated longer ago than the
    /// configured age, or undated.
    pub fn is_stale(&self, fiche: &crate::fiche::Fiche) -> bool {
        let updated_on = fiche
            .updated_at
            .as_ref()
            .map(|t| t.to_datetime().naive_utc().date());
        self.policy.freshness.is_stale(updated_on, self.today)
    }

    /// The options a suggestion starts from: the configured weights and interest
    /// bonus, stale fiches flagged (and left out when the configuration says so),
    /// k = 10, no filter.
    pub fn suggest_options(&self) -> SuggestOptions {
        let freshness = self.policy.freshness;
        let stale_before = freshness.stale_before(self.today);
        let mut options = SuggestOptions {
            weights: self.policy.weights,
            interest_bonus: self.policy.interest_bonus,
            stale_before: Some(stale_before),
            ..SuggestOptions::default()
        };
        if !freshness.suggest_stale {
            options.filters.updated_since = Some(stale_before);
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_means_older_than_the_limit_or_undated() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let freshness = Freshness::default();
        assert_eq!(
            freshness.stale_before(today),
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()
        );
        assert!(freshness.is_stale(None, today));
        assert!(freshness.is_stale(NaiveDate::from_ymd_opt(2025, 2, 28), today));
        assert!(!freshness.is_stale(NaiveDate::from_ymd_opt(2025, 3, 1), today));
    }

    #[test]
    fn settings_are_checked() {
        assert!(Policy::default().validate().is_ok());
        let mut policy = Policy::default();
        policy.freshness.max_age_months = 0;
        assert!(policy.validate().is_err());
        policy = Policy {
            interest_bonus: 2.0,
            ..Policy::default()
        };
        assert!(policy.validate().is_err());
    }
}
