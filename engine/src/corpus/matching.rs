//! Suggestions and explanations, with the staff vetoes always applied.

use super::Corpus;
use crate::error::{Error, Result};
use crate::fiche::{FicheId, FieldError, Side};
use crate::ranking::{MAX_K, SuggestOptions, Suggestion};
use crate::reference::CountryCode;
use crate::scoring::{Exclusion, PairScore, Weights};

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
    /// by staff are never among them. `k` is 1 to [`MAX_K`] (the gRPC API maps its
    /// unset 0 to the default before); a fiche with neither offer nor request is
    /// [`Error::NothingToMatch`].
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
            Ok(Suggestions {
                id: id.clone(),
                name: fiche.name.clone(),
                country: fiche.country,
                side: fiche.side,
                items: matcher.suggest(id, options, &*vetoes)?,
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
            let (score, exclusion) = matcher.explain(a, b, weights, &*vetoes)?;
            Ok(PairExplanation { score, exclusion })
        })?
    }
}
