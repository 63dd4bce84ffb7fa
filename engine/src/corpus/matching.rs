//! Suggestions and explanations, with the staff vetoes always applied, and the
//! interest declared between fiches: a candidate the fiche said "not interested" in
//! is left out of its suggestions (not out of the candidate's), "interested" raises
//! the pair by the options' bonus and says so.

use super::Corpus;
use crate::error::{Error, Result};
use crate::fiche::{FicheId, FieldError, Side};
use crate::ranking::{MAX_K, SuggestOptions, Suggestion};
use crate::reference::CountryCode;
use crate::scoring::{EitherVeto, Exclusion, PairScore, PairVeto, Weights};
use crate::store::InterestKind;

/// A fiche's suggestions, with what identifies the fiche they are for.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestions {
    pub id: FicheId,
    pub name: String,
    pub country: CountryCode,
    pub side: Side,
    /// Best first, ties by id.
    pub items: Vec<Suggestion>,
}

/// A pair's score and breakdown, and why it is never suggested if it is not.
#[derive(Debug, Clone, PartialEq)]
pub struct PairExplanation {
    pub score: PairScore,
    pub exclusion: Option<Exclusion>,
}

impl Corpus {
    /// The best partners of `id` among the fiches of the other side; pairs rejected
    /// by staff, and candidates `id` said it is not interested in, are never among
    /// them. Start `options` from [`Corpus::suggest_options`]. `k` is 1 to
    /// [`MAX_K`] (the gRPC API maps its unset 0 to the default before); a fiche with
    /// neither offer nor request is [`Error::NothingToMatch`].
    pub fn suggest(&self, id: &FicheId, options: &SuggestOptions) -> Result<Suggestions> {
        if !(1..=MAX_K).contains(&options.k) {
            return Err(Error::InvalidRequest(FieldError::value(
                "k",
                options.k,
                format!("le nombre de suggestions va de 1 à {MAX_K}"),
            )));
        }
        self.with_matcher(|matcher| {
            let fiche = matcher.features(id)?;
            let vetoes = self.vetoes()?;
            let interests = self.interests()?;
            let declined = interests.declined();
            let veto = EitherVeto(&*vetoes, &declined);
            Ok(Suggestions {
                id: id.clone(),
                name: fiche.name.clone(),
                country: fiche.country,
                side: fiche.side,
                items: matcher.suggest_with(id, options, &veto, &*interests)?,
            })
        })?
    }

    /// Scores and explains a French × foreign pair (in either order), saying why it
    /// is excluded if it is (staff rejection included). Two fiches of the same side
    /// are [`Error::SameSide`]: such a pair is never scored.
    pub fn explain(&self, a: &FicheId, b: &FicheId, weights: &Weights) -> Result<PairExplanation> {
        self.with_matcher(|matcher| {
            let side = matcher.features(a)?.side;
            if matcher.features(b)?.side == side {
                return Err(Error::SameSide {
                    a: a.clone(),
                    b: b.clone(),
                    side,
                });
            }
            let vetoes = self.vetoes()?;
            let interests = self.interests()?;
            let bonus = self.policy.interest_bonus;
            let (score, exclusion) =
                matcher.explain_with(a, b, weights, &*vetoes, &*interests, bonus)?;
            let declined = |x: &FicheId, y: &FicheId| {
                matches!(
                    interests.latest(x, y),
                    Some((InterestKind::NotInterested, _))
                )
            };
            let exclusion = exclusion.or_else(|| {
                [(a, b), (b, a)]
                    .into_iter()
                    .find(|(x, y)| declined(x, y))
                    .map(|(x, _)| Exclusion::NotInterested(x.clone()))
            });
            debug_assert!(!interests.declined().is_vetoed(a, b) || exclusion.is_some());
            Ok(PairExplanation { score, exclusion })
        })?
    }
}
