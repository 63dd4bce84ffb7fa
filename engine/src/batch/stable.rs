//! Stable pairing by deferred acceptance (Gale–Shapley, many-to-many with
//! capacities): French fiches propose to foreign ones in order of score; each foreign
//! fiche holds its best `c` proposals and rejects the rest; a rejected French fiche
//! proposes further down its list. The result is stable: no French and foreign fiche
//! both prefer each other to one of their assigned partners (or a free place).
//! Preferences are the pair scores, the same both ways; ties are broken by index
//! (the inputs are sorted by id).

use std::collections::VecDeque;

use super::assignment::Edge;

/// The chosen pairs (indices into `edges`), best first.
pub fn stable_assign(
    french: usize,
    foreign: usize,
    edges: &[Edge],
    french_capacity: usize,
    foreign_capacity: usize,
) -> Vec<usize> {
    let better = |a: usize, b: usize| edges[b].score.total_cmp(&edges[a].score).then(a.cmp(&b));
    // Each French fiche's candidate edges, best first.
    let mut lists: Vec<Vec<usize>> = vec![Vec::new(); french];
    for (i, edge) in edges.iter().enumerate() {
        lists[edge.french].push(i);
    }
    for list in &mut lists {
        list.sort_by(|&a, &b| better(a, b));
    }
    let mut next = vec![0usize; french];
    let mut held: Vec<Vec<usize>> = vec![Vec::new(); foreign];
    let mut engaged = vec![0usize; french];
    let mut proposing: VecDeque<usize> = (0..french).collect();
    while let Some(f) = proposing.pop_front() {
        while engaged[f] < french_capacity && next[f] < lists[f].len() {
            let edge = lists[f][next[f]];
            next[f] += 1;
            let x = edges[edge].foreign;
            held[x].push(edge);
            engaged[f] += 1;
            if held[x].len() > foreign_capacity {
                held[x].sort_by(|&a, &b| better(a, b));
                let rejected = held[x].pop().expect("over capacity, so not empty");
                let loser = edges[rejected].french;
                engaged[loser] -= 1;
                if loser != f {
                    proposing.push_back(loser);
                }
            }
        }
    }
    let mut chosen: Vec<usize> = held.into_iter().flatten().collect();
    chosen.sort_by(|&a, &b| better(a, b));
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pairing_is_stable_and_within_capacities() {
        let mut rng = super::super::lcg::Lcg(11);
        let mut next = || rng.unit();
        for case in 0..30 {
            let (french, foreign, cf, cx) =
                (3 + case % 4, 5 + case % 5, 1 + case % 3, 1 + case % 2);
            let mut edges = Vec::new();
            for f in 0..french {
                for x in 0..foreign {
                    if next() < 0.7 {
                        edges.push(Edge {
                            french: f,
                            foreign: x,
                            score: next(),
                        });
                    }
                }
            }
            let chosen = stable_assign(french, foreign, &edges, cf, cx);
            let partners = |f: usize| {
                chosen
                    .iter()
                    .filter(|&&i| edges[i].french == f)
                    .map(|&i| edges[i].score)
                    .collect::<Vec<_>>()
            };
            let held = |x: usize| {
                chosen
                    .iter()
                    .filter(|&&i| edges[i].foreign == x)
                    .map(|&i| edges[i].score)
                    .collect::<Vec<_>>()
            };
            for f in 0..french {
                assert!(partners(f).len() <= cf);
            }
            for x in 0..foreign {
                assert!(held(x).len() <= cx);
            }
            // No blocking pair: an unchosen edge both sides would rather have.
            for (i, edge) in edges.iter().enumerate() {
                if chosen.contains(&i) {
                    continue;
                }
                let french_wants = partners(edge.french).len() < cf
                    || partners(edge.french).iter().any(|&s| s < edge.score);
                let foreign_wants = held(edge.foreign).len() < cx
                    || held(edge.foreign).iter().any(|&s| s < edge.score);
                assert!(
                    !(french_wants && foreign_wants),
                    "case {case}: blocking pair {edge:?}"
                );
            }
        }
    }
}
