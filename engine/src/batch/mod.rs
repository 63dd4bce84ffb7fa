//! Batch runs for Assises and campaigns: whole scopes scored at once, pairings under
//! capacity limits (exact maximum-score assignment, or stable matching), and a meeting
//! agenda.

pub mod agenda;
pub mod assignment;
pub mod export;
mod job;
#[cfg(test)]
mod lcg;
mod scope;
mod spec;
pub mod stable;

use std::collections::HashSet;

use serde::Serialize;

pub use job::{RunProgress, execute};
pub use scope::{Member, Scope};
pub use spec::{
    AgendaSpec, BatchSpec, ExcludedPair, MAX_BATCH_K, MAX_CAPACITY, MAX_EXCLUSIONS, MAX_SLOTS,
    MAX_TABLES, NameCorrection, Pairing, ResolvedSpec,
};

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId, FieldError, Side};
use crate::ranking::Matcher;
use crate::scoring::{EitherVeto, PairVeto};
use crate::store::RejectedPairs;
use assignment::Edge;

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

/// A fiche taking part in a run: its id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: FicheId,
    pub name: String,
}

/// Who takes part in a run, each side in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Participants {
    pub french: Vec<Participant>,
    pub foreign: Vec<Participant>,
}

impl Participants {
    /// The fiches of `fiches` in the spec's scopes, less the excluded ones. The spec
    /// must be resolved ([`BatchSpec::resolve`]): a name would match nothing.
    pub fn select(fiches: &[Fiche], spec: &BatchSpec) -> Result<Participants> {
        if !spec.is_resolved() {
            return Err(Error::InvalidSpec(FieldError {
                field: "spec".into(),
                value: "names".into(),
                reason: "resolve names to ids before a run".into(),
            }));
        }
        // Sets, not lists: a spec may name thousands of fiches over a large corpus.
        let excluded: HashSet<FicheId> = spec.excluded_ids().into_iter().collect();
        let select = |scope: &Scope, side: Side| -> Vec<Participant> {
            let listed: Option<HashSet<&FicheId>> = match scope {
                Scope::Ids(members) => Some(members.iter().filter_map(Member::id).collect()),
                _ => None,
            };
            let in_scope = |f: &Fiche| match &listed {
                Some(ids) => f.side() == side && ids.contains(&f.id),
                None => scope.contains(f, side),
            };
            let mut chosen: Vec<Participant> = fiches
                .iter()
                .filter(|f| in_scope(f) && !excluded.contains(&f.id))
                .map(|f| Participant {
                    id: f.id.clone(),
                    name: f.name.clone(),
                })
                .collect();
            chosen.sort_by(|a, b| a.id.cmp(&b.id));
            chosen
        };
        Ok(Participants {
            french: select(&spec.french, Side::French),
            foreign: select(&spec.foreign, Side::Foreign),
        })
    }

    /// Pairs the cross product scores.
    pub fn pairs(&self) -> u64 {
        self.french.len() as u64 * self.foreign.len() as u64
    }
}

/// Runs a batch over `participants` (fiches of the corpus the matcher was built
/// from). Pairs vetoed by `veto` (staff rejections) or excluded by the spec are never
/// kept. `progress` is called with `(pairs scored, pairs in all)`; answering `Break`
/// cancels the run ([`crate::Error::Cancelled`]). The matcher is dropped once the
/// pairs are scored: a national run then holds millions of pairs, not the corpus too.
pub fn run(
    matcher: Matcher,
    participants: &Participants,
    spec: &BatchSpec,
    veto: &dyn PairVeto,
    progress: &(dyn Fn(u64, u64) -> std::ops::ControlFlow<()> + Sync),
) -> Result<BatchResult> {
    spec.validate().map_err(Error::InvalidSpec)?;
    let (french, foreign) = (&participants.french, &participants.foreign);
    let mut excluded_pairs = RejectedPairs::default();
    for pair in &spec.exclude_pairs {
        if let (Some(a), Some(b)) = (pair.french.id(), pair.foreign.id()) {
            excluded_pairs.insert(a, b);
        }
    }
    let ids = |list: &[Participant]| list.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    let all_pairs = participants.pairs();
    let scored = matcher.cross_top_k(
        &ids(french),
        &ids(foreign),
        spec.k,
        &spec.weights,
        spec.min_score,
        &EitherVeto(veto, &excluded_pairs),
        &|done| progress(done, all_pairs),
    )?;
    drop(matcher);
    let edges: Vec<Edge> = scored
        .into_iter()
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
        Pairing::None => Vec::new(),
    };
    let pair = |edge: &Edge| BatchPair {
        french: french[edge.french].id.clone(),
        french_name: french[edge.french].name.clone(),
        foreign: foreign[edge.foreign].id.clone(),
        foreign_name: foreign[edge.foreign].name.clone(),
        total: edge.score,
    };
    let assigned: Vec<BatchPair> = chosen.iter().map(|&i| pair(&edges[i])).collect();
    let unassigned = if spec.pairing == Pairing::None {
        Vec::new()
    } else {
        unassigned(french, foreign, &edges, &chosen, spec)
    };
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
    french: &[Participant],
    foreign: &[Participant],
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
