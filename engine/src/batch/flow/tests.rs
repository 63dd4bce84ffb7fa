//! The network simplex on random networks: the basis stays valid after every pivot,
//! the final flow carries its certificate, and its cost is the one negative-cycle
//! cancelling finds.

use std::ops::ControlFlow;

use super::{Network, NetworkSimplex};
use crate::batch::lcg::Lcg;

/// A random network whose last node is the root: every other node has a supply ≥ 0
/// and an arc to the root with room to spare, plus random arcs anywhere (any cost
/// sign, small capacities, parallel arcs and arcs from the root included).
fn random_network(rng: &mut Lcg, nodes: usize, arcs: usize) -> (Network, Vec<u32>) {
    let mut int = |n: usize| (rng.unit() * n as f64) as i64;
    let root = nodes - 1;
    let mut supply: Vec<i64> = (0..root).map(|_| int(4)).collect();
    supply.push(-supply.iter().sum::<i64>());
    let mut network = Network::with_supplies(supply.clone());
    let mut root_arcs = Vec::new();
    for (v, &s) in supply.iter().enumerate().take(root) {
        root_arcs.push(network.add_arc(v, root, s + 1 + int(3), int(21) - 10) as u32);
    }
    root_arcs.push(u32::MAX);
    for _ in 0..arcs {
        let (s, t) = (int(nodes) as usize, int(nodes) as usize);
        if s != t {
            network.add_arc(s, t, 1 + int(3), int(41) - 30);
        }
    }
    (network, root_arcs)
}

/// The least cost, by cancelling negative cycles of the residual graph (found by
/// Bellman–Ford) from the feasible flow of the root arcs: slow, simple, independent.
fn cycle_cancelling(network: &Network, root_arcs: &[u32]) -> i128 {
    let mut flow = vec![0i64; network.arcs()];
    for (v, &a) in root_arcs.iter().enumerate() {
        if a != u32::MAX {
            flow[a as usize] = network.supply[v];
        }
    }
    let n = network.nodes();
    loop {
        // Residual arcs: (arc, forward?).
        let mut distance = vec![0i64; n];
        let mut via: Vec<Option<(usize, bool)>> = vec![None; n];
        let mut last = None;
        for _ in 0..n {
            last = None;
            for (a, &f) in flow.iter().enumerate() {
                let (s, t) = (network.source[a] as usize, network.target[a] as usize);
                if f < network.capacity[a] && distance[s] + network.cost[a] < distance[t] {
                    distance[t] = distance[s] + network.cost[a];
                    via[t] = Some((a, true));
                    last = Some(t);
                }
                if f > 0 && distance[t] - network.cost[a] < distance[s] {
                    distance[s] = distance[t] - network.cost[a];
                    via[s] = Some((a, false));
                    last = Some(s);
                }
            }
            if last.is_none() {
                return network.cost_of(&flow);
            }
        }
        // A node updated in the n-th round leads back to a negative cycle.
        let mut v = last.expect("updated");
        for _ in 0..n {
            let (a, forward) = via[v].expect("on a path");
            v = if forward {
                network.source[a] as usize
            } else {
                network.target[a] as usize
            };
        }
        let start = v;
        let mut cycle = Vec::new();
        loop {
            let (a, forward) = via[v].expect("on the cycle");
            cycle.push((a, forward));
            v = if forward {
                network.source[a] as usize
            } else {
                network.target[a] as usize
            };
            if v == start {
                break;
            }
        }
        let room = cycle
            .iter()
            .map(|&(a, forward)| {
                if forward {
                    network.capacity[a] - flow[a]
                } else {
                    flow[a]
                }
            })
            .min()
            .expect("a cycle has arcs");
        for (a, forward) in cycle {
            flow[a] += if forward { room } else { -room };
        }
    }
}

#[test]
fn random_networks_are_solved_optimally_with_a_valid_basis_at_every_pivot() {
    let mut rng = Lcg(5);
    for case in 0..200 {
        let nodes = 2 + case % 12;
        let (network, root_arcs) = random_network(&mut rng, nodes, 3 * nodes + case % 7);
        let expected = cycle_cancelling(&network, &root_arcs);
        let mut solver = NetworkSimplex::new(network.clone(), nodes - 1, &root_arcs);
        solver
            .check_basis()
            .unwrap_or_else(|e| panic!("case {case}, start: {e}"));
        while solver.step() {
            solver
                .check_basis()
                .unwrap_or_else(|e| panic!("case {case}, pivot {}: {e}", solver.pivots()));
        }
        network
            .check_optimal(solver.flow(), solver.potential())
            .unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert_eq!(network.cost_of(solver.flow()), expected, "case {case}");
    }
}

#[test]
fn arcs_added_between_runs_are_taken_into_account() {
    let mut rng = Lcg(23);
    for case in 0..50 {
        let nodes = 3 + case % 20;
        let (network, root_arcs) = random_network(&mut rng, nodes, 4 * nodes);
        let expected = cycle_cancelling(&network, &root_arcs);
        // Half the arcs first, the others after a first optimum.
        let first = nodes - 1 + (network.arcs() - (nodes - 1)) / 2;
        let mut part = Network::with_supplies(network.supply.clone());
        for a in 0..first {
            part.add_arc(
                network.source[a] as usize,
                network.target[a] as usize,
                network.capacity[a],
                network.cost[a],
            );
        }
        let mut solver = NetworkSimplex::new(part, nodes - 1, &root_arcs);
        let mut go = |_: u64| ControlFlow::Continue(());
        assert!(solver.run(&mut go).is_continue());
        for a in first..network.arcs() {
            solver.add_arc(
                network.source[a] as usize,
                network.target[a] as usize,
                network.capacity[a],
                network.cost[a],
            );
        }
        assert!(solver.run(&mut go).is_continue());
        solver.check_basis().unwrap();
        network
            .check_optimal(solver.flow(), solver.potential())
            .unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert_eq!(network.cost_of(solver.flow()), expected, "case {case}");
    }
}

#[test]
fn a_flow_that_is_not_optimal_fails_the_certificate() {
    let mut rng = Lcg(29);
    let mut checked = 0;
    for _ in 0..20 {
        let (network, root_arcs) = random_network(&mut rng, 12, 60);
        let mut solver = NetworkSimplex::new(network.clone(), 11, &root_arcs);
        let start = solver.flow().to_vec();
        assert!(solver.run(&mut |_| ControlFlow::Continue(())).is_continue());
        let (flow, potential) = (solver.flow().to_vec(), solver.potential().to_vec());
        network.check_optimal(&flow, &potential).unwrap();
        let mut unbalanced = flow.clone();
        unbalanced[0] += 1;
        assert!(network.check_optimal(&unbalanced, &potential).is_err());
        // The first flow, feasible but dearer: no potentials can prove it optimal,
        // certainly not the optimum's.
        if network.cost_of(&start) > network.cost_of(&flow) {
            assert!(network.check_optimal(&start, &potential).is_err());
            checked += 1;
        }
    }
    assert!(checked > 10);
}
