//! Pairing under capacities that maximises the total score, solved exactly as a
//! min-cost flow: source → French fiche (capacity c′) → foreign fiche (one meeting per
//! pair, cost −score) → sink (capacity c). Successive shortest paths augment while a
//! path still lowers the cost, i.e. adds score: the cost of a flow is convex in its
//! size, so stopping at the first non-negative path gives the maximum-score
//! assignment of any size. Paths are found by Dijkstra on reduced costs (Johnson
//! potentials; the first ones come from the layered graph in one pass, since it has
//! negative costs but no cycle).
//!
//! Scores are scaled to integers (micro-points) so that sums are exact and the result
//! does not depend on the order of floating-point additions; ties between equal-cost
//! paths are broken by edge order, which follows the input order (sorted by ids).

/// A candidate pair: indices into the French and foreign lists, and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub french: usize,
    pub foreign: usize,
    pub score: f64,
}

/// Micro-points per score point.
const SCALE: f64 = 1e6;

#[derive(Debug, Clone, Copy)]
struct Arc {
    to: usize,
    capacity: i64,
    cost: i64,
}

/// The chosen pairs (indices into `edges`), best first.
pub fn assign(
    french: usize,
    foreign: usize,
    edges: &[Edge],
    french_capacity: usize,
    foreign_capacity: usize,
) -> Vec<usize> {
    let (source, sink) = (french + foreign, french + foreign + 1);
    let nodes = french + foreign + 2;
    let mut arcs: Vec<Arc> = Vec::new();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    let mut add = |from: usize, to: usize, capacity: i64, cost: i64, arcs: &mut Vec<Arc>| {
        out[from].push(arcs.len());
        arcs.push(Arc { to, capacity, cost });
        out[to].push(arcs.len());
        arcs.push(Arc {
            to: from,
            capacity: 0,
            cost: -cost,
        });
    };
    for f in 0..french {
        add(source, f, french_capacity as i64, 0, &mut arcs);
    }
    let first_pair_arc = arcs.len();
    for edge in edges {
        add(
            edge.french,
            french + edge.foreign,
            1,
            -(edge.score * SCALE).round() as i64,
            &mut arcs,
        );
    }
    for x in 0..foreign {
        add(french + x, sink, foreign_capacity as i64, 0, &mut arcs);
    }
    let mut potential = initial_potentials(&arcs, &out, french, foreign, source);
    while let Some(path) = shortest_path(&arcs, &out, &mut potential, source, sink) {
        for &arc in &path {
            arcs[arc].capacity -= 1;
            arcs[arc ^ 1].capacity += 1;
        }
    }
    let mut chosen: Vec<usize> = (0..edges.len())
        .filter(|i| arcs[first_pair_arc + 2 * i].capacity == 0)
        .collect();
    chosen.sort_by(|&a, &b| edges[b].score.total_cmp(&edges[a].score).then(a.cmp(&b)));
    chosen
}

/// Shortest distances from the source in the initial graph, which is layered
/// (source → French → foreign → sink): one pass per layer.
fn initial_potentials(
    arcs: &[Arc],
    out: &[Vec<usize>],
    french: usize,
    foreign: usize,
    source: usize,
) -> Vec<i64> {
    let mut distance = vec![i64::MAX; out.len()];
    distance[source] = 0;
    let layers = [
        vec![source],
        (0..french).collect(),
        (french..french + foreign).collect(),
    ];
    for layer in layers {
        for node in layer {
            if distance[node] == i64::MAX {
                continue;
            }
            for &a in &out[node] {
                let arc = arcs[a];
                if arc.capacity > 0 && distance[node] + arc.cost < distance[arc.to] {
                    distance[arc.to] = distance[node] + arc.cost;
                }
            }
        }
    }
    // Unreachable nodes keep a potential of 0: they stay unreachable.
    distance
        .iter()
        .map(|&d| if d == i64::MAX { 0 } else { d })
        .collect()
}

/// The arcs of a shortest path from `source` to `sink` with spare capacity, if its
/// cost is negative; updates the potentials so reduced costs stay non-negative.
fn shortest_path(
    arcs: &[Arc],
    out: &[Vec<usize>],
    potential: &mut [i64],
    source: usize,
    sink: usize,
) -> Option<Vec<usize>> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let nodes = potential.len();
    let mut distance = vec![i64::MAX; nodes];
    let mut via: Vec<Option<usize>> = vec![None; nodes];
    let mut queue = BinaryHeap::new();
    distance[source] = 0;
    queue.push(Reverse((0i64, source)));
    while let Some(Reverse((d, node))) = queue.pop() {
        if d > distance[node] {
            continue;
        }
        for &a in &out[node] {
            let arc = arcs[a];
            if arc.capacity == 0 {
                continue;
            }
            let reduced = arc.cost + potential[node] - potential[arc.to];
            let next = d + reduced;
            if next < distance[arc.to] {
                distance[arc.to] = next;
                via[arc.to] = Some(a);
                queue.push(Reverse((next, arc.to)));
            }
        }
    }
    if distance[sink] == i64::MAX {
        return None;
    }
    // The real cost of the path: reduced distance plus the potentials' difference.
    let cost = distance[sink] + potential[sink] - potential[source];
    for node in 0..nodes {
        if distance[node] != i64::MAX {
            potential[node] += distance[node];
        }
    }
    if cost >= 0 {
        return None;
    }
    let mut path = Vec::new();
    let mut node = sink;
    while node != source {
        let a = via[node]?;
        path.push(a);
        node = arcs[a ^ 1].to;
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(edges: &[Edge], chosen: &[usize]) -> f64 {
        chosen.iter().map(|&i| edges[i].score).sum()
    }

    /// Every subset of edges that respects the capacities: the best total.
    fn brute_force(french: usize, foreign: usize, edges: &[Edge], cf: usize, cx: usize) -> f64 {
        let mut best = 0.0f64;
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

    #[test]
    fn the_assignment_is_optimal_on_small_cases() {
        let mut rng = super::super::lcg::Lcg(7);
        let mut next = || rng.unit();
        for case in 0..40 {
            let (french, foreign) = (2 + case % 3, 3 + case % 4);
            let mut edges = Vec::new();
            for f in 0..french {
                for x in 0..foreign {
                    if next() < 0.6 && edges.len() < 14 {
                        edges.push(Edge {
                            french: f,
                            foreign: x,
                            score: (next() * 1000.0).round() / 1000.0,
                        });
                    }
                }
            }
            let (cf, cx) = (1 + case % 2, 1 + case % 3);
            let chosen = assign(french, foreign, &edges, cf, cx);
            for f in 0..french {
                assert!(chosen.iter().filter(|&&i| edges[i].french == f).count() <= cf);
            }
            for x in 0..foreign {
                assert!(chosen.iter().filter(|&&i| edges[i].foreign == x).count() <= cx);
            }
            let best = brute_force(french, foreign, &edges, cf, cx);
            assert!(
                (total(&edges, &chosen) - best).abs() < 1e-9,
                "case {case}: {} vs {best}",
                total(&edges, &chosen)
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
        let chosen = assign(2, 2, &edges, 1, 1);
        assert_eq!(chosen.len(), 2);
        assert!((total(&edges, &chosen) - 1.6).abs() < 1e-12);
    }
}
