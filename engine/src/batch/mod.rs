//! Batch runs for Assises and campaigns: whole scopes scored at once, pairings under
//! capacity limits (exact maximum-score assignment, or stable matching), and a meeting
//! agenda.

pub mod agenda;
pub mod assignment;
pub mod export;
pub mod flow;
mod job;
#[cfg(test)]
mod lcg;
pub mod runs;
mod scope;
mod spec;
pub mod stable;

use std::collections::HashSet;
use std::ops::ControlFlow;

use serde::Serialize;

pub use job::{Phase, ResultSink, RunProgress, execute, execute_streaming};
pub use scope::{Member, Scope};
pub use spec::{
    AgendaSpec, BatchSpec, ExcludedPair, MAX_BATCH_K, MAX_CAPACITY, MAX_EXCLUSIONS, MAX_SLOTS,
    MAX_TABLES, NameCorrection, Pairing, ResolvedSpec,
};

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId, FieldError, Side};
use crate::ranking::Matcher;
use crate::scoring::{EitherVeto, NoInterests, PairVeto};
use crate::store::{Interests, RejectedPairs};
pub use assignment::Edge;
pub use runs::{BatchRun, ResultItem, RunId, RunOutcome, RunResults, RunStatus, RunSummary};

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

/// The outcome of a run, as read back from the store (with names).
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
    /// Fiches of the scopes with neither offer nor request (either side, by id):
    /// not scored, listed among the fiches without a partner with that reason.
    pub skipped: Vec<(Side, Participant)>,
}

impl Participants {
    /// The fiches of `fiches` in the spec's scopes, less the excluded ones; those
    /// with neither offer nor request are `skipped`. The spec must be resolved
    /// ([`BatchSpec::resolve`]): a name would match nothing.
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
        let mut skipped = Vec::new();
        let mut select = |scope: &Scope, side: Side| -> Vec<Participant> {
            let listed: Option<HashSet<&FicheId>> = match scope {
                Scope::Ids(members) => Some(members.iter().filter_map(Member::id).collect()),
                _ => None,
            };
            let in_scope = |f: &Fiche| match &listed {
                Some(ids) => f.side() == side && ids.contains(&f.id),
                None => scope.contains(f, side),
            };
            let mut chosen = Vec::new();
            for fiche in fiches
                .iter()
                .filter(|f| in_scope(f) && !excluded.contains(&f.id))
            {
                let participant = Participant {
                    id: fiche.id.clone(),
                    name: fiche.name.clone(),
                };
                match fiche.is_matchable() {
                    true => chosen.push(participant),
                    false => skipped.push((side, participant)),
                }
            }
            chosen.sort_by(|a, b| a.id.cmp(&b.id));
            chosen
        };
        let french = select(&spec.french, Side::French);
        let foreign = select(&spec.foreign, Side::Foreign);
        skipped.sort_by(|a, b| a.1.id.cmp(&b.1.id));
        Ok(Participants {
            french,
            foreign,
            skipped,
        })
    }

    /// Pairs the cross product scores.
    pub fn pairs(&self) -> u64 {
        self.french.len() as u64 * self.foreign.len() as u64
    }
}

/// What a run found, compact: pairs are indices into the participants, names are
/// looked up when the results are written (a national run keeps two million pairs).
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    pub participants: Participants,
    /// The pairs kept (best `k` per fiche on either side), best first.
    pub scored: Vec<Edge>,
    /// The pairs chosen under capacities (indices into `scored`), best first.
    pub assigned: Vec<usize>,
    /// Sum of the assigned pairs' scores.
    pub total: f64,
    /// The fiches left without a partner, in the order French then foreign, by id.
    pub unassigned: Vec<Unpaired>,
    /// When the spec has an agenda.
    pub agenda: Option<agenda::AgendaPlan>,
    /// The pairs of mutual interest among the participants that could be scored
    /// (not excluded, at least the minimal score; indices into `scored`), and how
    /// many of them were assigned.
    pub mutual: Vec<usize>,
    pub mutual_assigned: usize,
}

impl RunOutput {
    /// A pair with its ids and names.
    pub fn pair(&self, edge: &Edge) -> BatchPair {
        let (french, foreign) = (
            &self.participants.french[edge.french],
            &self.participants.foreign[edge.foreign],
        );
        BatchPair {
            french: french.id.clone(),
            french_name: french.name.clone(),
            foreign: foreign.id.clone(),
            foreign_name: foreign.name.clone(),
            total: edge.score,
        }
    }

    /// The assigned pairs with ids and names, best first.
    pub fn assigned_pairs(&self) -> Vec<BatchPair> {
        self.assigned
            .iter()
            .map(|&i| self.pair(&self.scored[i]))
            .collect()
    }

    /// Every result, in the order the store gives them back
    /// ([`crate::store::ResultItem`]), until `visit` answers `Break`.
    pub fn for_each_item(&self, visit: &mut dyn FnMut(ResultItem) -> ControlFlow<()>) {
        let pairs = self.scored.iter().map(|e| ResultItem::Scored(self.pair(e)));
        let assigned = self
            .assigned
            .iter()
            .map(|&i| ResultItem::Assigned(self.pair(&self.scored[i])));
        let unassigned = self
            .unassigned
            .iter()
            .map(|u| ResultItem::Unassigned(self.unassigned(u)));
        let (rows, unplaced) = match &self.agenda {
            Some(plan) => (&plan.rows[..], &plan.unplaced[..]),
            None => (&[][..], &[][..]),
        };
        let agenda = rows.iter().cloned().map(ResultItem::Agenda);
        let unplaced = unplaced.iter().cloned().map(ResultItem::Unplaced);
        for item in pairs
            .chain(assigned)
            .chain(unassigned)
            .chain(agenda)
            .chain(unplaced)
        {
            if visit(item).is_break() {
                return;
            }
        }
    }

    /// A fiche left without a partner, with its id, name and reason in French.
    pub fn unassigned(&self, unpaired: &Unpaired) -> Unassigned {
        let participant = match (&unpaired.why, unpaired.side) {
            (Why::NothingToMatch, _) => &self.participants.skipped[unpaired.index].1,
            (_, Side::French) => &self.participants.french[unpaired.index],
            (_, Side::Foreign) => &self.participants.foreign[unpaired.index],
        };
        Unassigned {
            id: participant.id.clone(),
            name: participant.name.clone(),
            reason: unpaired.why.to_french(),
        }
    }
}

/// A fiche of the run without a partner, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Unpaired {
    pub side: Side,
    /// Index into its side's participants ([`Why::NothingToMatch`]: into the
    /// skipped ones).
    pub index: usize,
    pub why: Why,
}

/// Why a fiche has no partner.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// It has neither offer nor request: it was not scored.
    NothingToMatch,
    /// No pair of the fiche reaches the minimal score (once exclusions, staff
    /// rejections and existing partnerships are left out): it has no pair to choose.
    NoPair { min_score: f64 },
    /// It had pairs, but every partner they offer is taken: `full` of its
    /// `partners` are at their capacity of `capacity` meetings, the others' pairs
    /// score 0 (adding them adds nothing). `best` names its best pair's partner.
    PartnersTaken {
        pairing: Pairing,
        partners: usize,
        full: usize,
        capacity: usize,
        best_partner: String,
        best_score: f64,
    },
}

impl Why {
    /// The reason as staff read it.
    pub fn to_french(&self) -> String {
        match self {
            Why::NothingToMatch => {
                "ni offre ni demande : la fiche n'est pas appariée tant qu'elle n'en a pas"
                    .to_owned()
            }
            Why::NoPair { min_score } => format!(
                "aucune paire possible : aucun partenaire n'atteint le score minimal ({min_score:.2}), hors exclusions, refus et partenariats existants"
            ),
            Why::PartnersTaken {
                pairing,
                partners,
                full,
                capacity,
                best_partner,
                best_score,
            } => {
                let taken = match pairing {
                    Pairing::Stable => {
                        "avec des paires de score au moins égal (appariement stable)"
                    }
                    _ => "dans l'appariement au score total maximal",
                };
                let meetings = match capacity {
                    1 => "1 rencontre".to_owned(),
                    n => format!("{n} rencontres"),
                };
                let mut reason = format!(
                    "{partners} partenaire(s) possible(s) (le meilleur : {best_partner}, score {best_score:.3}) ; "
                );
                if full == partners {
                    reason.push_str(&format!(
                        "tous ont atteint leur capacité ({meetings}) {taken}"
                    ));
                } else {
                    reason.push_str(&format!(
                        "{full} ont atteint leur capacité ({meetings}) {taken}, les paires avec les {} autres ont un score nul",
                        partners - full
                    ));
                }
                reason
            }
        }
    }
}

/// Runs a batch over `participants` (fiches of the corpus the matcher was built
/// from). Pairs vetoed by `veto` (staff rejections), excluded by the spec or declined
/// by either side (`interests`: "not interested") are never kept. Pairs of mutual
/// interest are scored even beyond the best `k`, and with
/// [`BatchSpec::require_mutual`] assigned first as far as capacities allow. `progress` is called with the phase ([`Phase::Scoring`], then
/// [`Phase::Pairing`]), the work done in it and its size (pairs; pivots of the
/// solver, size unknown: 0); answering `Break` cancels the run
/// ([`crate::Error::Cancelled`]). The matcher is dropped once the pairs are scored: a
/// national run then holds millions of pairs, not the corpus too.
pub fn run(
    matcher: Matcher,
    participants: Participants,
    spec: &BatchSpec,
    veto: &dyn PairVeto,
    interests: &Interests,
    progress: &(dyn Fn(Phase, u64, u64) -> std::ops::ControlFlow<()> + Sync),
) -> Result<RunOutput> {
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
    let declined = interests.declined_either_way();
    let staff_and_sides = EitherVeto(veto, &declined);
    let veto = EitherVeto(&staff_and_sides, &excluded_pairs);
    let scored = matcher.cross_top_k(
        &ids(french),
        &ids(foreign),
        spec.k,
        &spec.weights,
        spec.min_score,
        &veto,
        &|done| progress(Phase::Scoring, done, all_pairs),
    )?;
    let mut edges: Vec<Edge> = scored
        .into_iter()
        .map(|s| Edge {
            french: s.french,
            foreign: s.foreign,
            score: s.total,
        })
        .collect();
    let mutual = mutual_edges(&matcher, &participants, interests, &veto, spec, &mut edges)?;
    drop(matcher);
    let mut report = |pivots: u64| progress(Phase::Pairing, pivots, 0);
    let (cf, cx) = (spec.french_capacity, spec.foreign_capacity);
    // Required mutual pairs weigh more than any set of other pairs can: each adds
    // more than the number of pairs (scores are at most 1), so the pairing assigns
    // as many of them as capacities allow, then maximises the total. Reported
    // scores are the true ones.
    let preferred: Vec<Edge>;
    let pairing_edges = if spec.require_mutual && !mutual.is_empty() {
        let lift = (edges.len() + 1) as f64;
        let mut lifted = edges.clone();
        for &i in &mutual {
            lifted[i].score += lift;
        }
        preferred = lifted;
        &preferred
    } else {
        &edges
    };
    let assigned = match spec.pairing {
        Pairing::Optimal => {
            assignment::assign(
                french.len(),
                foreign.len(),
                pairing_edges,
                cf,
                cx,
                &mut report,
            )?
            .chosen
        }
        Pairing::Stable => {
            if report(0).is_break() {
                return Err(Error::Cancelled);
            }
            stable::stable_assign(french.len(), foreign.len(), pairing_edges, cf, cx)
        }
        Pairing::None => Vec::new(),
    };
    let mut assigned = assigned;
    // Best first by true score (the lifted scores ordered mutual pairs first).
    assigned.sort_by(|&a, &b| {
        edges[b]
            .score
            .total_cmp(&edges[a].score)
            .then_with(|| a.cmp(&b))
    });
    let mutual_assigned = mutual.iter().filter(|i| assigned.contains(i)).count();
    let mut unassigned = match spec.pairing {
        Pairing::None => Vec::new(),
        pairing => unassigned(&participants, &edges, &assigned, spec, pairing),
    };
    // Whatever the pairing, a fiche left out for having nothing to match is said.
    unassigned.extend(
        participants
            .skipped
            .iter()
            .enumerate()
            .map(|(index, (side, _))| Unpaired {
                side: *side,
                index,
                why: Why::NothingToMatch,
            }),
    );
    let mut output = RunOutput {
        // `+ 0.0`: an empty float sum is -0.0, which would print as "-0.000".
        total: assigned.iter().map(|&i| edges[i].score).sum::<f64>() + 0.0,
        participants,
        scored: edges,
        assigned,
        unassigned,
        agenda: None,
        mutual,
        mutual_assigned,
    };
    output.agenda = spec
        .agenda
        .as_ref()
        .map(|a| agenda::plan(&output.assigned_pairs(), &a.slots, a.tables));
    Ok(output)
}

/// Adds to `edges` the pairs of mutual interest among the participants that the
/// cross product did not keep (beyond the best `k`), when they are not excluded and
/// reach the minimal score; returns the indices of every mutual pair in `edges`.
fn mutual_edges(
    matcher: &Matcher,
    participants: &Participants,
    interests: &Interests,
    veto: &dyn PairVeto,
    spec: &BatchSpec,
    edges: &mut Vec<Edge>,
) -> Result<Vec<usize>> {
    let pairs = interests.mutual();
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let index = |list: &[Participant]| -> std::collections::HashMap<FicheId, usize> {
        list.iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect()
    };
    let (french, foreign) = (index(&participants.french), index(&participants.foreign));
    let kept: std::collections::HashMap<(usize, usize), usize> = edges
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.french, e.foreign), i))
        .collect();
    let mut mutual = std::collections::HashSet::new();
    let mut added = false;
    for pair in pairs {
        let (f, x) = match (french.get(&pair.a), foreign.get(&pair.b)) {
            (Some(&f), Some(&x)) => (f, x),
            _ => match (french.get(&pair.b), foreign.get(&pair.a)) {
                (Some(&f), Some(&x)) => (f, x),
                _ => continue,
            },
        };
        if kept.contains_key(&(f, x)) {
            mutual.insert((f, x));
            continue;
        }
        let (a, b) = (&participants.french[f].id, &participants.foreign[x].id);
        let (score, exclusion) =
            matcher.explain_with(a, b, &spec.weights, veto, &NoInterests, 0.0)?;
        // A run's scopes say who takes part, calls or not (as in the cross product).
        let excluded =
            exclusion.is_some_and(|e| !matches!(e, crate::scoring::Exclusion::NoOpenCall(_)));
        if !excluded && score.total >= spec.min_score {
            mutual.insert((f, x));
            edges.push(Edge {
                french: f,
                foreign: x,
                score: score.total,
            });
            added = true;
        }
    }
    if added {
        // Best first, as the cross product gives them: total, then ids.
        edges.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.french.cmp(&b.french))
                .then(a.foreign.cmp(&b.foreign))
        });
    }
    Ok(edges
        .iter()
        .enumerate()
        .filter(|(_, e)| mutual.contains(&(e.french, e.foreign)))
        .map(|(i, _)| i)
        .collect())
}

/// The fiches left without a partner, and why (one pass over the pairs).
fn unassigned(
    participants: &Participants,
    edges: &[Edge],
    chosen: &[usize],
    spec: &BatchSpec,
    pairing: Pairing,
) -> Vec<Unpaired> {
    let (french, foreign) = (participants.french.len(), participants.foreign.len());
    let mut used = (vec![0usize; french], vec![0usize; foreign]);
    for &i in chosen {
        used.0[edges[i].french] += 1;
        used.1[edges[i].foreign] += 1;
    }
    // Per fiche: partners, partners at capacity, best pair (edges are best first,
    // so the first seen is the best).
    #[derive(Clone, Default)]
    struct Seen {
        partners: usize,
        full: usize,
        best: Option<usize>,
    }
    let mut seen = (
        vec![Seen::default(); french],
        vec![Seen::default(); foreign],
    );
    let (cf, cx) = (spec.french_capacity, spec.foreign_capacity);
    for (i, edge) in edges.iter().enumerate() {
        if used.0[edge.french] == 0 {
            let s = &mut seen.0[edge.french];
            s.partners += 1;
            s.full += usize::from(used.1[edge.foreign] >= cx);
            s.best.get_or_insert(i);
        }
        if used.1[edge.foreign] == 0 {
            let s = &mut seen.1[edge.foreign];
            s.partners += 1;
            s.full += usize::from(used.0[edge.french] >= cf);
            s.best.get_or_insert(i);
        }
    }
    let mut out = Vec::new();
    for (side, used, seen, capacity) in [
        (Side::French, &used.0, &seen.0, cx),
        (Side::Foreign, &used.1, &seen.1, cf),
    ] {
        for (index, s) in seen.iter().enumerate().filter(|(i, _)| used[*i] == 0) {
            let why = match s.best {
                None => Why::NoPair {
                    min_score: spec.min_score,
                },
                Some(best) => {
                    let edge = &edges[best];
                    let partner = match side {
                        Side::French => &participants.foreign[edge.foreign],
                        Side::Foreign => &participants.french[edge.french],
                    };
                    Why::PartnersTaken {
                        pairing,
                        partners: s.partners,
                        full: s.full,
                        capacity,
                        best_partner: partner.name.clone(),
                        best_score: edge.score,
                    }
                }
            };
            out.push(Unpaired { side, index, why });
        }
    }
    out
}
