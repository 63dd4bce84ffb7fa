//! Min-cost flow, for the exact pairing under capacities ([`super::assignment`]): the
//! problem and its optimality certificate ([`Network`]), and the solver
//! ([`NetworkSimplex`], primal network simplex with block-search pivoting).
//!
//! Why this algorithm: the pairing of a national campaign is a transportation problem
//! on a sparse bipartite graph (about 200,000 nodes and 2 million arcs). Successive
//! shortest paths need one Dijkstra over the whole graph per unit of flow (hundreds
//! of thousands of them); the network simplex moves flow round one cycle per pivot at
//! the cost of that cycle and of the subtree that moves, and its potentials are the
//! optimal dual solution, so every result comes with its own proof of optimality
//! ([`Network::check_optimal`]). Written here rather than taken from a crate: `mcmf`
//! (last release 2018) builds LEMON's C++ with `gcc` and returns no potentials;
//! `rs-graph`'s network simplex is GPL-3.0 (this workspace is MIT). This one is
//! checked against the certificate on every test instance and against brute force
//! on small ones.

mod network;
mod simplex;
#[cfg(test)]
mod tests;

pub use network::Network;
pub use simplex::{NetworkSimplex, PIVOTS_PER_REPORT};
