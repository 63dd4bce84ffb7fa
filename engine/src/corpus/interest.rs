//! The interest collectivités declare in each other: recorded durably, then visible
//! at once to every suggestion (a "not interested" removes the candidate from the
//! fiche's own suggestions, an "interested" raises the pair and says so); mutual
//! interests listed for staff; the history of a fiche or a pair.

use super::Corpus;
use crate::error::{Error, Result};
use crate::fiche::{FicheId, Side};
use crate::scoring::NoVetoes;
use crate::store::{Decision, Interest, InterestKind, NewInterest, Reconfirmation};

/// A pair where both collectivités said "interested": a match.
#[derive(Debug, Clone, PartialEq)]
pub struct MutualInterest {
    pub french: FicheId,
    pub french_name: String,
    pub foreign: FicheId,
    pub foreign_name: String,
    /// When the second of the two said it (RFC 3339, UTC).
    pub since: String,
    /// The pair's total with the configured weights and interest bonus.
    pub total: f64,
    /// Staff already recorded a decision on the pair.
    pub decided: bool,
}

/// Everything recorded about a fiche, or a pair: staff decisions, interests,
/// reconfirmations (a pair has none), each oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub decisions: Vec<Decision>,
    pub interests: Vec<Interest>,
    pub reconfirmations: Vec<Reconfirmation>,
}

impl Corpus {
    /// Records what a collectivité says about a candidate of the other side, durably;
    /// every later suggestion, explanation and batch run takes it into account.
    pub fn record_interest(&self, interest: &NewInterest) -> Result<Interest> {
        let mut store = self.store()?;
        let recorded = store.record_interest(interest)?;
        self.interests
            .write()
            .map_err(|_| Error::Poisoned { what: "interests" })?
            .insert(&recorded);
        Ok(recorded)
    }

    /// Whether both fiches' latest word about the other is "interested": a match.
    pub fn is_mutual(&self, a: &FicheId, b: &FicheId) -> Result<bool> {
        let interests = self.interests()?;
        let said = |by, to| {
            matches!(
                interests.latest(by, to),
                Some((InterestKind::Interested, _))
            )
        };
        Ok(said(a, b) && said(b, a))
    }

    /// The mutual interests of one fiche (`NotFound` when there is no such fiche), or
    /// every one, the most recent match first.
    pub fn mutual_interests_of(&self, id: Option<&FicheId>) -> Result<Vec<MutualInterest>> {
        if let Some(id) = id
            && self.store()?.get(id)?.is_none()
        {
            return Err(Error::NotFound(id.clone()));
        }
        let mut all = self.mutual_interests()?;
        if let Some(id) = id {
            all.retain(|m| &m.french == id || &m.foreign == id);
        }
        Ok(all)
    }

    /// The decisions, interests and reconfirmations of a fiche, or of the pair
    /// (`id`, `partner`).
    pub fn history(&self, id: &FicheId, partner: Option<&FicheId>) -> Result<History> {
        let store = self.store()?;
        if store.get(id)?.is_none() {
            return Err(Error::NotFound(id.clone()));
        }
        Ok(match partner {
            Some(partner) => History {
                decisions: store.decisions_for_pair(id, partner)?,
                interests: store.interests_for_pair(id, partner)?,
                reconfirmations: Vec::new(),
            },
            None => History {
                decisions: store.decisions_for_fiche(id)?,
                interests: store.interests_for_fiche(id)?,
                reconfirmations: store.reconfirmations(id)?,
            },
        })
    }

    /// Every pair where both sides' latest word is "interested", the most recent
    /// match first.
    pub fn mutual_interests(&self) -> Result<Vec<MutualInterest>> {
        let pairs = self.interests()?.mutual();
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let (times, decided) = {
            let store = self.store()?;
            let mut times = Vec::with_capacity(pairs.len());
            let mut decided = Vec::with_capacity(pairs.len());
            for pair in &pairs {
                times.push(store.interest_time(pair.since)?);
                decided.push(!store.decisions_for_pair(&pair.a, &pair.b)?.is_empty());
            }
            (times, decided)
        };
        let weights = self.policy.weights;
        let bonus = self.policy.interest_bonus;
        self.with_matcher(|matcher| {
            let interests = self.interests()?;
            let mut out = Vec::with_capacity(pairs.len());
            for ((pair, since), decided) in pairs.iter().zip(times).zip(decided) {
                // A fiche deleted since: the pair is no longer a match to show.
                let (Ok(a), Ok(b)) = (matcher.features(&pair.a), matcher.features(&pair.b)) else {
                    continue;
                };
                let (french, foreign) = if a.side == Side::French {
                    (a, b)
                } else {
                    (b, a)
                };
                let (score, _) = matcher.explain_with(
                    &french.id,
                    &foreign.id,
                    &weights,
                    &NoVetoes,
                    &*interests,
                    bonus,
                )?;
                out.push(MutualInterest {
                    french: french.id.clone(),
                    french_name: french.name.clone(),
                    foreign: foreign.id.clone(),
                    foreign_name: foreign.name.clone(),
                    since,
                    total: score.total,
                    decided,
                });
            }
            Ok(out)
        })?
    }
}
