//! Pairs that are never suggested, whatever their score.
//!
//! A pair is excluded when both fiches are on the same side (or are the same fiche),
//! when they are already partners (a link in either fiche), when either has neither
//! offer nor request, when the candidate has no open call on the scoring date
//! (closed, expired or none), or when a staff decision
//! vetoes it ([`PairVeto`], which the review store implements).

use std::fmt;

use super::MatchFeatures;
use crate::fiche::FicheId;

/// Why a pair is excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    SameFiche,
    SameSide,
    AlreadyPartners,
    /// The candidate has no open call on the scoring date.
    NoOpenCall(FicheId),
    /// One of the fiches has neither offer nor request: nothing to match.
    NothingToMatch(FicheId),
    /// A staff decision rejected the pair.
    Vetoed,
    /// This collectivité said it is not interested in the other: the pair is no
    /// longer suggested to it (it still is to the other side).
    NotInterested(FicheId),
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exclusion::SameFiche => f.write_str("une fiche ne peut pas être son propre partenaire"),
            Exclusion::SameSide => f.write_str("les deux fiches sont du même côté"),
            Exclusion::AlreadyPartners => f.write_str("déjà partenaires"),
            Exclusion::NoOpenCall(id) => write!(f, "{id} n'a pas d'appel à partenariat ouvert"),
            Exclusion::NothingToMatch(id) => write!(
                f,
                "{id} n'a ni offre ni demande : elle n'est pas suggérée et ne reçoit pas de suggestions"
            ),
            Exclusion::Vetoed => f.write_str(
                "paire rejetée par une décision de l'équipe : elle ne sera plus suggérée",
            ),
            Exclusion::NotInterested(by) => write!(
                f,
                "{by} s'est déclarée pas intéressée : la paire ne lui est plus suggérée"
            ),
        }
    }
}

/// Staff decisions that veto pairs; the order of a pair does not matter.
pub trait PairVeto: Sync {
    /// Every fiche whose pairing with `id` is vetoed.
    fn vetoed_partners(&self, id: &FicheId) -> Vec<FicheId>;

    fn is_vetoed(&self, a: &FicheId, b: &FicheId) -> bool {
        self.vetoed_partners(a).contains(b)
    }
}

/// No decision vetoes anything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVetoes;

impl PairVeto for NoVetoes {
    fn vetoed_partners(&self, _: &FicheId) -> Vec<FicheId> {
        Vec::new()
    }
}

/// Two veto sets as one: a pair is vetoed when either vetoes it (a batch run's
/// excluded pairs beside the staff rejections).
#[derive(Clone, Copy)]
pub struct EitherVeto<'a>(pub &'a dyn PairVeto, pub &'a dyn PairVeto);

impl fmt::Debug for EitherVeto<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EitherVeto")
    }
}

impl PairVeto for EitherVeto<'_> {
    fn vetoed_partners(&self, id: &FicheId) -> Vec<FicheId> {
        let mut partners = self.0.vetoed_partners(id);
        for partner in self.1.vetoed_partners(id) {
            if !partners.contains(&partner) {
                partners.push(partner);
            }
        }
        partners
    }

    fn is_vetoed(&self, a: &FicheId, b: &FicheId) -> bool {
        self.0.is_vetoed(a, b) || self.1.is_vetoed(a, b)
    }
}

/// Checks whether `candidate` may be suggested to `fiche`.
pub fn check(
    fiche: &MatchFeatures,
    candidate: &MatchFeatures,
    veto: &dyn PairVeto,
) -> Result<(), Exclusion> {
    if fiche.id == candidate.id {
        return Err(Exclusion::SameFiche);
    }
    if fiche.side == candidate.side {
        return Err(Exclusion::SameSide);
    }
    if fiche.partner_ids.contains(&candidate.id) || candidate.partner_ids.contains(&fiche.id) {
        return Err(Exclusion::AlreadyPartners);
    }
    if let Some(empty) = [fiche, candidate].into_iter().find(|f| !f.matchable) {
        return Err(Exclusion::NothingToMatch(empty.id.clone()));
    }
    if !candidate.open_call {
        return Err(Exclusion::NoOpenCall(candidate.id.clone()));
    }
    if veto.is_vetoed(&fiche.id, &candidate.id) {
        return Err(Exclusion::Vetoed);
    }
    Ok(())
}
