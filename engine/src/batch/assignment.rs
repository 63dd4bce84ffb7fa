//! Pairing under capacities that maximises the total score, solved exactly as a
//! min-cost flow ([`super::flow`]).
//!
//! The network: every French fiche sends out its capacity `c′`, either to foreign
//! fiches (one unit per kept pair, cost −score) or straight to a *dump* node (cost 0:
//! meetings left unused); every foreign fiche passes at most its capacity `c` on to
//! the dump. A flow of least cost is a pairing of greatest total score, of whatever
//! size; the dump is the root of the solver's first tree (every fiche hangs from it
//! by its own dump arc), so no artificial arc is needed.
//!
//! Scores are turned into integer *units* of 10⁻⁶ point ([`SCALE`], rounded to
//! nearest), so sums are exact and do not depend on the order of additions: the
//! optimum is the best total in units, and ties between equal totals are broken by the
//! solver's deterministic order (pairs in input order). OR-Tools is given the same
//! integer costs in the benchmark and must find the same optimum.
//!
//! Pricing: the solver first runs on the *core* — each fiche's best few pairs — then
//! every other pair is priced with the potentials found; those whose reduced cost is
//! negative (that could still add score) join the core and the solver resumes, until
//! none does. The result is optimal on all the pairs, not just the core: the final
//! potentials certify it for every pair ([`certify`]), which is why leaving pairs
//! out is exact here without a bound on how many each fiche needs. About two thirds
//! of the pairs of a national run never enter the solver.
//!
//! The solver starts from the greedy pairing of the core (best pairs first while
//! both fiches have room), not from an empty one: fewer pivots to the optimum.

use std::ops::ControlFlow;

use super::flow::{Network, NetworkSimplex};
use crate::error::{Error, Result};

/// A candidate pair: indices into the French and foreign lists, and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub french: usize,
    pub foreign: usize,
    pub score: f64,
}

/// Units per score point: a pair's cost in the flow is `−round(score × SCALE)`.
pub const SCALE: f64 = 1e6;

/// A score in integer units.
pub fn units(score: f64) -> i64 {
    (score * SCALE).round() as i64
}

/// Pairs of each French fiche in the first core beyond its capacity (a foreign
/// fiche brings as many as its capacity). Measured on the national pairing: the core
/// holds a third of the pairs and pricing brings in a sixth more; with 2 instead of
/// 10 the solver needed 30 to 50 % more time (more pairs priced in late), with every
/// pair from the start 4 to 5 times as much.
const CORE_FRENCH_EXTRA: usize = 10;

/// The pairing found, and what proves it optimal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The chosen pairs (indices into the edges), best first.
    pub chosen: Vec<usize>,
    /// Their total, in units.
    pub units: i64,
    /// The solver's node potentials ([`network`]'s node order: French fiches,
    /// foreign fiches, the dump).
    pub potentials: Vec<i64>,
    /// Pivots of the solver, and pairs it was given (the core and those that joined).
    pub pivots: u64,
    pub arcs: usize,
}

/// The whole pairing problem as a network: nodes are the French fiches, then the
/// foreign ones, then the dump; arcs are each French fiche's dump arc, each foreign
/// fiche's, then one per edge, in edge order.
pub fn network(
    french: usize,
    foreign: usize,
    edges: &[Edge],
    french_capacity: usize,
    foreign_capacity: usize,
) -> Network {
    let dump = french + foreign;
    let mut supply = vec![french_capacity as i64; french];
    supply.extend(std::iter::repeat_n(0, foreign));
    supply.push(-((french * french_capacity) as i64));
    let mut network = Network::with_supplies(supply);
    for f in 0..french {
        // Room beyond the supply: the first tree must be strongly feasible.
        network.add_arc(f, dump, french_capacity as i64 + 1, 0);
    }
    for x in 0..foreign {
        network.add_arc(french + x, dump, foreign_capacity as i64, 0);
    }
    for edge in edges {
        network.add_arc(edge.french, french + edge.foreign, 1, -units(edge.score));
    }
    network
}

/// The pairing of greatest total score: at most `french_capacity` pairs per French
/// fiche and `foreign_capacity` per foreign one, among `edges`. `stop` is called
/// every few thousand pivots with the pivots so far; `Break` ends the search with
/// [`Error::Cancelled`].
pub fn assign(
    french: usize,
    foreign: usize,
    edges: &[Edge],
    french_capacity: usize,
    foreign_capacity: usize,
    stop: &mut dyn FnMut(u64) -> ControlFlow<()>,
) -> Result<Assignment> {
    let dump = french + foreign;
    let mut network = network(french, foreign, &[], french_capacity, foreign_capacity);
    let order = best_first(edges);
    let in_core = core(
        french,
        foreign,
        edges,
        &order,
        french_capacity,
        foreign_capacity,
    );
    // The arc of each edge in the solver, once it is there.
    let mut arc_of = vec![u32::MAX; edges.len()];
    for (e, edge) in edges.iter().enumerate().filter(|&(e, _)| in_core[e]) {
        arc_of[e] =
            network.add_arc(edge.french, french + edge.foreign, 1, -units(edge.score)) as u32;
    }
    let (tree, flow) = greedy_basis(
        french,
        foreign,
        edges,
        &order,
        &arc_of,
        (french_capacity, foreign_capacity),
        network.arcs(),
    );
    let mut solver = NetworkSimplex::from_basis(network, dump, &tree, flow)
        .expect("the greedy basis is a strongly feasible tree");
    let potentials = loop {
        if solver.run(stop).is_break() {
            return Err(Error::Cancelled);
        }
        let potential = solver.potential();
        let priced: Vec<usize> = (0..edges.len())
            .filter(|&e| {
                arc_of[e] == u32::MAX && {
                    let edge = &edges[e];
                    -units(edge.score) + potential[edge.french] - potential[french + edge.foreign]
                        < 0
                }
            })
            .collect();
        if priced.is_empty() {
            break potential.to_vec();
        }
        for e in priced {
            let edge = &edges[e];
            arc_of[e] =
                solver.add_arc(edge.french, french + edge.foreign, 1, -units(edge.score)) as u32;
        }
    };
    let flow = solver.flow();
    let mut chosen: Vec<usize> = (0..edges.len())
        .filter(|&e| arc_of[e] != u32::MAX && flow[arc_of[e] as usize] == 1)
        .collect();
    chosen.sort_by(|&a, &b| edges[b].score.total_cmp(&edges[a].score).then(a.cmp(&b)));
    Ok(Assignment {
        units: chosen.iter().map(|&e| units(edges[e].score)).sum(),
        chosen,
        potentials,
        pivots: solver.pivots(),
        arcs: solver.network().arcs() - dump,
    })
}

/// The edges, best first: by score, then input order (the input is usually in that
/// order already).
fn best_first(edges: &[Edge]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..edges.len()).collect();
    if !edges.windows(2).all(|w| w[0].score >= w[1].score) {
        order.sort_by(|&a, &b| edges[b].score.total_cmp(&edges[a].score).then(a.cmp(&b)));
    }
    order
}

/// The first core: each French fiche's best `capacity + CORE_FRENCH_EXTRA` pairs,
/// each foreign fiche's best `capacity` pairs.
fn core(
    french: usize,
    foreign: usize,
    edges: &[Edge],
    order: &[usize],
    french_capacity: usize,
    foreign_capacity: usize,
) -> Vec<bool> {
    let (mut taken_french, mut taken_foreign) = (vec![0usize; french], vec![0usize; foreign]);
    let mut in_core = vec![false; edges.len()];
    for &e in order {
        let edge = &edges[e];
        let f = &mut taken_french[edge.french];
        let x = &mut taken_foreign[edge.foreign];
        if *f < french_capacity + CORE_FRENCH_EXTRA || *x < foreign_capacity {
            in_core[e] = true;
        }
        *f += 1;
        *x += 1;
    }
    in_core
}

/// The solver's first basis: the greedy pairing of the core (best pairs first, while
/// both fiches have room), as a strongly feasible tree rooted at the dump. Every
/// French fiche hangs from the dump by its dump arc (room left: its capacity is one
/// more than its supply); a foreign fiche with room left hangs from the dump by its
/// dump arc too, a full one from the French fiche of its best pair (that arc carries
/// one unit, which it can send back).
fn greedy_basis(
    french: usize,
    foreign: usize,
    edges: &[Edge],
    order: &[usize],
    arc_of: &[u32],
    (french_capacity, foreign_capacity): (usize, usize),
    arcs: usize,
) -> (Vec<u32>, Vec<i64>) {
    let dump = french + foreign;
    let mut flow = vec![0i64; arcs];
    let mut tree: Vec<u32> = (0..dump as u32).chain([u32::MAX]).collect();
    let (mut used_french, mut used_foreign) = (vec![0usize; french], vec![0usize; foreign]);
    let mut first_pair = vec![u32::MAX; foreign];
    for &e in order {
        let (edge, arc) = (&edges[e], arc_of[e]);
        if arc == u32::MAX
            || units(edge.score) <= 0
            || used_french[edge.french] == french_capacity
            || used_foreign[edge.foreign] == foreign_capacity
        {
            continue;
        }
        used_french[edge.french] += 1;
        used_foreign[edge.foreign] += 1;
        flow[arc as usize] = 1;
        if first_pair[edge.foreign] == u32::MAX {
            first_pair[edge.foreign] = arc;
        }
    }
    for f in 0..french {
        flow[f] = (french_capacity - used_french[f]) as i64;
    }
    for x in 0..foreign {
        flow[french + x] = used_foreign[x] as i64;
        if used_foreign[x] == foreign_capacity {
            tree[french + x] = first_pair[x];
        }
    }
    (tree, flow)
}

/// Checks that `assignment` is an optimal pairing of the whole problem (all the
/// edges, not only those the solver saw): its flow is feasible and the solver's
/// potentials satisfy complementary slackness on every arc
/// ([`Network::check_optimal`]). The flow is rebuilt from the chosen pairs alone.
pub fn certify(
    french: usize,
    foreign: usize,
    edges: &[Edge],
    french_capacity: usize,
    foreign_capacity: usize,
    assignment: &Assignment,
) -> std::result::Result<(), String> {
    let network = network(french, foreign, edges, french_capacity, foreign_capacity);
    let mut flow = vec![0i64; network.arcs()];
    let mut seen = vec![false; edges.len()];
    // The French fiches' dump arcs come first.
    flow[..french].fill(french_capacity as i64);
    for &e in &assignment.chosen {
        if e >= edges.len() || std::mem::replace(&mut seen[e], true) {
            return Err(format!("pair {e} chosen twice or unknown"));
        }
        let edge = &edges[e];
        flow[french + foreign + e] = 1;
        flow[edge.french] -= 1;
        flow[french + edge.foreign] += 1;
    }
    network.check_optimal(&flow, &assignment.potentials)?;
    let cost = network.cost_of(&flow);
    if cost != -i128::from(assignment.units) {
        return Err(format!(
            "the chosen pairs total {} units, not {}",
            -cost, assignment.units
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(_: u64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    fn total(edges: &[Edge], chosen: &[usize]) -> i64 {
        chosen.iter().map(|&i| units(edges[i].score)).sum()
    }

    /// Every subset of edges that respects the capacities: the best total, in units.
    fn brute_force(french: usize, foreign: usize, edges: &[Edge], cf: usize, cx: usize) -> i64 {
        let mut best = 0;
        for mask in 0u32..(1 << edges.len()) {
            let chosen: Vec<usize> = (0..edges.len()).filter(|i| mask & (1 << i) != 0).collect();
            let fits = (0..french)
                .all(|f| chosen.iter().filter(|&&i| edges[i].french == f).count() <= cf)
                && (0..foreign)
                    .all(|x| chosen.iter().filter(|&&i| edges[i].foreign == x).count() <= cx);
            if fits {
                best = best.max(total(edges, &chosen));
            }
        }
        best
    }

    fn random_edges(
        rng: &mut super::super::lcg::Lcg,
        french: usize,
        foreign: usize,
        density: f64,
        cap: usize,
    ) -> Vec<Edge> {
        let mut edges = Vec::new();
        for f in 0..french {
            for x in 0..foreign {
                if rng.unit() < density && edges.len() < cap {
                    // Coarse scores: many ties.
                    let score = (rng.unit() * 20.0).round() / 20.0;
                    edges.push(Edge {
                        french: f,
                        foreign: x,
                        score,
                    });
                }
            }
        }
        edges
    }

    #[test]
    fn the_assignment_is_optimal_on_small_cases_and_certified() {
        let mut rng = super::super::lcg::Lcg(7);
        for case in 0..300 {
            let (french, foreign) = (1 + case % 4, 1 + case % 5);
            let edges = random_edges(&mut rng, french, foreign, 0.7, 14);
            let (cf, cx) = (1 + case % 3, 1 + (case / 3) % 3);
            let assignment = assign(french, foreign, &edges, cf, cx, &mut go).unwrap();
            certify(french, foreign, &edges, cf, cx, &assignment)
                .unwrap_or_else(|e| panic!("case {case}: {e}"));
            assert_eq!(
                assignment.units,
                brute_force(french, foreign, &edges, cf, cx),
                "case {case}"
            );
        }
    }

    #[test]
    fn larger_random_cases_are_certified_and_deterministic() {
        let mut rng = super::super::lcg::Lcg(19);
        for case in 0..40 {
            let (french, foreign) = (5 + case * 3, 20 + case * 7);
            let edges = random_edges(&mut rng, french, foreign, 0.3, usize::MAX);
            let (cf, cx) = (1 + case % 4, 1 + case % 2);
            let assignment = assign(french, foreign, &edges, cf, cx, &mut go).unwrap();
            certify(french, foreign, &edges, cf, cx, &assignment)
                .unwrap_or_else(|e| panic!("case {case}: {e}"));
            assert_eq!(
                assign(french, foreign, &edges, cf, cx, &mut go).unwrap(),
                assignment
            );
        }
    }

    #[test]
    fn a_greedy_choice_is_not_always_best() {
        // Greedy takes 0.9 (A–X) and then nothing; the optimum is A–Y + B–X.
        let edges = [
            Edge {
                french: 0,
                foreign: 0,
                score: 0.9,
            },
            Edge {
                french: 0,
                foreign: 1,
                score: 0.8,
            },
            Edge {
                french: 1,
                foreign: 0,
                score: 0.8,
            },
        ];
        let assignment = assign(2, 2, &edges, 1, 1, &mut go).unwrap();
        assert_eq!(assignment.chosen, vec![1, 2]);
        assert_eq!(assignment.units, 1_600_000);
        certify(2, 2, &edges, 1, 1, &assignment).unwrap();
    }

    #[test]
    fn empty_sides_and_no_pairs_give_an_empty_pairing() {
        for (french, foreign) in [(0, 0), (3, 0), (0, 4), (2, 5)] {
            let assignment = assign(french, foreign, &[], 2, 1, &mut go).unwrap();
            assert!(assignment.chosen.is_empty() && assignment.units == 0);
            certify(french, foreign, &[], 2, 1, &assignment).unwrap();
        }
    }

    #[test]
    fn a_wrong_pairing_fails_the_certificate() {
        let edges = [
            Edge {
                french: 0,
                foreign: 0,
                score: 0.9,
            },
            Edge {
                french: 0,
                foreign: 1,
                score: 0.8,
            },
            Edge {
                french: 1,
                foreign: 0,
                score: 0.8,
            },
        ];
        let mut assignment = assign(2, 2, &edges, 1, 1, &mut go).unwrap();
        assignment.chosen = vec![0];
        assignment.units = 900_000;
        assert!(certify(2, 2, &edges, 1, 1, &assignment).is_err());
        // Over capacity.
        assignment.chosen = vec![0, 1];
        assignment.units = 1_700_000;
        assert!(certify(2, 2, &edges, 1, 1, &assignment).is_err());
    }

    #[test]
    fn the_search_stops_when_asked() {
        let mut rng = super::super::lcg::Lcg(3);
        let edges = random_edges(&mut rng, 300, 300, 0.5, usize::MAX);
        let mut stop = |_: u64| ControlFlow::Break(());
        assert!(matches!(
            assign(300, 300, &edges, 2, 2, &mut stop),
            Err(Error::Cancelled)
        ));
    }
}
