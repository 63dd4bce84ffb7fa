//! Batch runs for Assises and campaigns: whole scopes scored at once, pairings under
//! capacity limits (exact maximum-score assignment, or stable matching), and a meeting
//! agenda.

pub mod agenda;
pub mod assignment;
pub mod export;
#[cfg(test)]
mod lcg;
mod scope;
pub mod stable;

use serde::Serialize;

pub use scope::Scope;

use crate::error::Result;
use crate::fiche::{Fiche, FicheId, Side};
use crate::ranking::Matcher;
use crate::scoring::{PairVeto, Weights};
use assignment::Edge;

/// How pairs are chosen among the scored ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pairing {
    /// Maximum total score (min-cost flow).
    Optimal,
    /// Deferred acceptance, French fiches proposing.
    Stable,
}

/// What a batch run does.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSpec {
    pub french: Scope,
    pub foreign: Scope,
    /// Pairs kept per fiche, on each side.
    pub k: usize,
    pub weights: Weights,
    pub min_score: f64,
    /// Meetings per French fiche and per foreign fiche.
    pub french_capacity: usize,
    pub foreign_capacity: usize,
    pub pairing: Pairing,
}

/// A pair of the run, with names for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchPair {
    pub french: FicheId,
    pub french_name: String,
    pub foreign: FicheId,
    pub foreign_name: String,
    pub total: f64,
}

/// Why a fiche of the run has no partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unassigned {
    pub id: FicheId,
    pub name: String,
    pub reason: String,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchResult {
    /// The fiches in each scope.
    pub french_count: usize,
    pub foreign_count: usize,
    /// The pairs kept (best `k` per fiche on either side), best first.
    pub scored: Vec<BatchPair>,
    /// The pairs chosen under capacities, best first.
    pub assigned: Vec<BatchPair>,
    pub total: f64,
    pub unassigned: Vec<Unassigned>,
}

/// Runs a batch over `fiches` (the corpus the matcher was built from).
pub fn run(
    matcher: &Matcher,
    fiches: &[Fiche],
    spec: &BatchSpec,
    veto: &dyn PairVeto,
) -> Result<BatchResult> {
    let select = |scope: &Scope, side: Side| -> Vec<&Fiche> {
        let mut chosen: Vec<&Fiche> = fiches.iter().filter(|f| scope.contains(f, side)).collect();
        chosen.sort_by(|a, b| a.id.cmp(&b.id));
        chosen
    };
    let french = select(&spec.french, Side::French);
    let foreign = select(&spec.foreign, Side::Foreign);
    let ids = |list: &[&Fiche]| list.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    let scored = matcher.cross_top_k(
        &ids(&french),
        &ids(&foreign),
        spec.k,
        &spec.weights,
        spec.min_score,
        veto,
    )?;
    let edges: Vec<Edge> = scored
        .iter()
        .map(|s| Edge {
            french: s.french,
            foreign: s.foreign,
            score: s.total,
        })
        .collect();
    let chosen = match spec.pairing {
        Pairing::Optimal => assignment::assign(
            french.len(),
            foreign.len(),
            &edges,
            spec.french_capacity,
            spec.foreign_capacity,
        ),
        Pairing::Stable => stable::stable_assign(
            french.len(),
            foreign.len(),
            &edges,
            spec.french_capacity,
            spec.foreign_capacity,
        ),
    };
    let pair = |edge: &Edge| BatchPair {
        french: french[edge.french].id.clone(),
        french_name: french[edge.french].name.clone(),
        foreign: foreign[edge.foreign].id.clone(),
        foreign_name: foreign[edge.foreign].name.clone(),
        total: edge.score,
    };
    let assigned: Vec<BatchPair> = chosen.iter().map(|&i| pair(&edges[i])).collect();
    let unassigned = unassigned(&french, &foreign, &edges, &chosen, spec);
    Ok(BatchResult {
        french_count: french.len(),
        foreign_count: foreign.len(),
        scored: edges.iter().map(pair).collect(),
        total: chosen.iter().map(|&i| edges[i].score).sum(),
        assigned,
        unassigned,
    })
}

/// The fiches left without a partner, and why.
fn unassigned(
    french: &[&Fiche],
    foreign: &[&Fiche],
    edges: &[Edge],
    chosen: &[usize],
    spec: &BatchSpec,
) -> Vec<Unassigned> {
    let mut out = Vec::new();
    let sides = [(french, true), (foreign, false)];
    for (fiches, is_french) in sides {
        for (index, fiche) in fiches.iter().enumerate() {
            let of = |e: &Edge| {
                if is_french {
                    e.french == index
                } else {
                    e.foreign == index
                }
            };
            if chosen.iter().any(|&i| of(&edges[i])) {
                continue;
            }
            let candidates = edges.iter().filter(|e| of(e)).count();
            let reason = if candidates == 0 {
                format!(
                    "aucune paire au-dessus du score minimal ({:.2}) ou hors exclusions",
                    spec.min_score
                )
            } else {
                format!(
                    "{candidates} paire(s) possible(s), toutes écartées : les partenaires concernés ont atteint leur capacité avec de meilleures paires"
                )
            };
            out.push(Unassigned {
                id: fiche.id.clone(),
                name: fiche.name.clone(),
                reason,
            });
        }
    }
    out
}
