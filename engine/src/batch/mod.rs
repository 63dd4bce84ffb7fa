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

/// Runs a batch over `fiches` (the corpus the matcher was built from). `progress`
/// is called with `(pairs scored, pairs in all)`; answering `Break` cancels the run
/// ([`crate::Error::Cancelled`]).
pub fn run(
    matcher: &Matcher,
    fiches: &[Fiche],
    spec: &BatchSpec,
    veto: &dyn PairVeto,
    progress: &(dyn Fn(u64, u64) -> std::ops::ControlFlow<()> + Sync),
) -> Result<BatchResult> {
    let select = |scope: &Scope, side: Side| -> Vec<&Fiche> {
        let mut chosen: Vec<&Fiche> = fiches.iter().filter(|f| scope.contains(f, side)).collect();
        chosen.sort_by(|a, b| a.id.cmp(&b.id));
        chosen
    };
    let french = select(&spec.french, Side::French);
    let foreign = select(&spec.foreign, Side::Foreign);
    let ids = |list: &[&Fiche]| list.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    let all_pairs = (french.len() * foreign.len()) as u64;
    let scored = matcher.cross_top_k(
        &ids(&french),
        &ids(&foreign),
        spec.k,
        &spec.weights,
        spec.min_score,
        veto,
        &|done| progress(done, all_pairs),
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
        // `+ 0.0`: an empty float sum is -0.0, which would print as "-0.000".
        total: chosen.iter().map(|&i| edges[i].score).sum::<f64>() + 0.0,
        assigned,
        unassigned,
    })
}

/// The fiches left without a partner, and why (one pass over the pairs).
fn unassigned(
    french: &[&Fiche],
    foreign: &[&Fiche],
    edges: &[Edge],
    chosen: &[usize],
    spec: &BatchSpec,
) -> Vec<Unassigned> {
    let mut candidates = (vec![0usize; french.len()], vec![0usize; foreign.len()]);
    for edge in edges {
        candidates.0[edge.french] += 1;
        candidates.1[edge.foreign] += 1;
    }
    let mut assigned = (vec![false; french.len()], vec![false; foreign.len()]);
    for &i in chosen {
        assigned.0[edges[i].french] = true;
        assigned.1[edges[i].foreign] = true;
    }
    let mut out = Vec::new();
    for (fiches, candidates, assigned) in [
        (french, &candidates.0, &assigned.0),
        (foreign, &candidates.1, &assigned.1),
    ] {
        for (index, fiche) in fiches.iter().enumerate().filter(|(i, _)| !assigned[*i]) {
            let reason = match candidates[index] {
                0 => format!(
                    "aucune paire au-dessus du score minimal ({:.2}) ou hors exclusions",
                    spec.min_score
                ),
                n => format!(
                    "{n} paire(s) possible(s), toutes écartées : les partenaires concernés ont atteint leur capacité avec de meilleures paires"
                ),
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
