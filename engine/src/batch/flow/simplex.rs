//! The primal network simplex for min-cost flow, with block-search pivoting.
//!
//! A basis is a spanning tree of the network (plus, for every arc off the tree, whether
//! it sits empty or full); its flow is the one those arcs force on the tree, its
//! potentials the ones that give every tree arc a reduced cost of 0. A pivot brings in
//! an arc whose reduced cost says that pushing flow around its cycle lowers the cost
//! (the most negative of a block of about √m arcs, blocks taken in turn), pushes as
//! much as the cycle allows, and takes out the arc that blocked the push.
//!
//! The tree is kept *strongly feasible* (every node can send a positive amount to the
//! root along its tree path): the blocking arc taken out is the last one met going
//! round the cycle from the apex, which keeps the property and rules out cycling in
//! degenerate pivots (Cunningham, 1976). The tree is stored as parent pointers plus a
//! preorder thread, subtree sizes and each subtree's last node, so that a pivot costs
//! the length of the cycle plus the size of the subtree that moves.
//!
//! The caller gives the first tree: one arc from every node to the root carrying that
//! node's supply (see [`NetworkSimplex::new`]); no artificial arcs, no big-M costs.
//! Arcs can be added between runs (they start empty): a run on part of the arcs can
//! be resumed after pricing the others.

use std::ops::ControlFlow;

use super::network::Network;

/// An arc off the tree, empty or full; or on it.
const LOWER: i8 = 1;
const TREE: i8 = 0;
const UPPER: i8 = -1;

/// A tree arc goes from the node up to its parent, or down from the parent.
const UP: i8 = 1;
const DOWN: i8 = -1;

const NONE: u32 = u32::MAX;

/// The candidate list holds up to `LIST_FACTOR × √arcs` arcs (at least `MIN_LIST`)
/// and is refilled when it falls below a `REFILL_BELOW`th of that. Measured on the
/// national pairing (0.9 million arcs in the solver): lists of √m arcs took 35 %
/// longer than √m / 4, and √m / 8 no better; LEMON's block search (one block of √m
/// arcs scanned per pivot, no list) took 3 to 4 times as long, most pivots near the
/// end scanning every arc to find one.
const LIST_FACTOR: f64 = 0.25;
const MIN_LIST: usize = 16;
const REFILL_BELOW: usize = 8;

/// Pivots between two calls of the caller's `stop` callback.
pub const PIVOTS_PER_REPORT: u64 = 1 << 12;

/// The solver's state: the network, the flow, the basis and the potentials.
#[derive(Debug)]
pub struct NetworkSimplex {
    network: Network,
    root: u32,
    flow: Vec<i64>,
    state: Vec<i8>,
    parent: Vec<u32>,
    /// The tree arc between a node and its parent.
    pred: Vec<u32>,
    pred_dir: Vec<i8>,
    /// The nodes in preorder, as a circular list (the root first).
    thread: Vec<u32>,
    rev_thread: Vec<u32>,
    /// The number of nodes in each node's subtree, and its last node in preorder.
    succ_num: Vec<u32>,
    last_succ: Vec<u32>,
    potential: Vec<i64>,
    /// Where the next search for an entering arc starts.
    next_arc: usize,
    pivots: u64,
    /// Scratch for the tree update: the path from the entering arc to the leaving one.
    path: Vec<PathNode>,
    /// Arcs found eligible by the last scans, and whether the last scan went round
    /// every arc without filling the list.
    candidates: Vec<u32>,
    exhausted: bool,
    /// What pricing an arc reads, together (one cache line per candidate).
    priced: Vec<PricedArc>,
}

#[derive(Debug, Clone, Copy)]
struct PricedArc {
    cost: i64,
    source: u32,
    target: u32,
}

/// A node of the path whose parent links get reversed, with what the update needs
/// of the old tree.
#[derive(Debug, Clone, Copy)]
struct PathNode {
    node: u32,
    rev_thread: u32,
    last_succ: u32,
    after_last: u32,
    succ_num: u32,
    pred: u32,
    pred_dir: i8,
}

impl NetworkSimplex {
    /// The solver on `network`, starting from the tree of the arcs `root_arcs`: for
    /// every node `v` but `root`, `root_arcs[v]` is an arc from `v` to `root` whose
    /// capacity exceeds `v`'s supply (≥ 0), which it carries at the start. That first
    /// flow is feasible and the tree strongly feasible (every tree arc points to the
    /// root and has room left).
    ///
    /// # Panics
    /// If the root arcs do not fit that description.
    pub fn new(network: Network, root: usize, root_arcs: &[u32]) -> NetworkSimplex {
        let mut flow = vec![0; network.arcs()];
        for (v, &a) in root_arcs.iter().enumerate().filter(|&(v, _)| v != root) {
            flow[a as usize] = network.supply[v];
        }
        NetworkSimplex::from_basis(network, root, root_arcs, flow)
            .unwrap_or_else(|e| panic!("root arcs: {e}"))
    }

    /// The solver on `network`, starting from a basis: `tree[v]` is the arc joining
    /// `v` to its parent for every node but `root` (they must form a spanning tree),
    /// `flow` a feasible flow in which every arc off the tree is empty or full, and
    /// the tree must be strongly feasible (every node can send more flow up to the
    /// root along its tree path). The error says which condition fails.
    pub fn from_basis(
        network: Network,
        root: usize,
        tree: &[u32],
        flow: Vec<i64>,
    ) -> Result<NetworkSimplex, String> {
        let n = network.nodes();
        if root >= n || tree.len() != n || flow.len() != network.arcs() {
            return Err("sizes do not match the network".into());
        }
        let mut state: Vec<i8> = flow
            .iter()
            .zip(&network.capacity)
            .map(|(&f, &c)| match f {
                0 => LOWER,
                f if f == c => UPPER,
                _ => TREE,
            })
            .collect();
        let mut between: Vec<bool> = state.iter().map(|&s| s == TREE).collect();
        let mut parent = vec![NONE; n];
        let mut pred = vec![NONE; n];
        let mut pred_dir = vec![UP; n];
        for v in (0..n).filter(|&v| v != root) {
            let a = tree[v] as usize;
            if a >= network.arcs() {
                return Err(format!("node {v} has no tree arc"));
            }
            let (s, t) = (network.source[a] as usize, network.target[a] as usize);
            (parent[v], pred_dir[v]) = match (s == v, t == v) {
                (true, false) => (t as u32, UP),
                (false, true) => (s as u32, DOWN),
                _ => return Err(format!("arc {a} does not join node {v} to another")),
            };
            pred[v] = a as u32;
            state[a] = TREE;
            between[a] = false;
            // Strongly feasible: room to send flow from v up to its parent.
            let room = if pred_dir[v] == UP {
                network.capacity[a] - flow[a]
            } else {
                flow[a]
            };
            if room <= 0 {
                return Err(format!("tree arc {a} blocks node {v}'s way to the root"));
            }
        }
        if let Some(a) = between.iter().position(|&b| b) {
            return Err(format!(
                "arc {a} is off the tree but neither empty nor full"
            ));
        }
        let mut balance = network.supply.clone();
        for (a, &f) in flow.iter().enumerate() {
            if !(0..=network.capacity[a]).contains(&f) {
                return Err(format!("arc {a}: flow {f} out of bounds"));
            }
            balance[network.source[a] as usize] -= f;
            balance[network.target[a] as usize] += f;
        }
        if let Some(v) = balance.iter().position(|&b| b != 0) {
            return Err(format!("node {v}: supply not met"));
        }
        // Preorder from the root, children in node order.
        let mut first_child = vec![0u32; n + 1];
        for v in (0..n).filter(|&v| v != root) {
            first_child[parent[v] as usize + 1] += 1;
        }
        for v in 0..n {
            first_child[v + 1] += first_child[v];
        }
        let mut children = vec![0u32; n.saturating_sub(1)];
        let mut next = first_child.clone();
        for v in (0..n).filter(|&v| v != root) {
            let p = parent[v] as usize;
            children[next[p] as usize] = v as u32;
            next[p] += 1;
        }
        let mut order = Vec::with_capacity(n);
        let mut stack = vec![root as u32];
        while let Some(v) = stack.pop() {
            if order.len() == n {
                return Err("the tree arcs make a cycle".into());
            }
            order.push(v);
            let v = v as usize;
            stack.extend(
                children[first_child[v] as usize..first_child[v + 1] as usize]
                    .iter()
                    .rev(),
            );
        }
        if order.len() != n {
            return Err("the tree arcs do not reach every node".into());
        }
        let mut thread = vec![NONE; n];
        let mut rev_thread = vec![NONE; n];
        for (i, &v) in order.iter().enumerate() {
            let next = order[(i + 1) % n];
            thread[v as usize] = next;
            rev_thread[next as usize] = v;
        }
        let mut succ_num = vec![1u32; n];
        for &v in order.iter().rev() {
            if parent[v as usize] != NONE {
                succ_num[parent[v as usize] as usize] += succ_num[v as usize];
            }
        }
        let mut last_succ = vec![NONE; n];
        let mut potential = vec![0i64; n];
        for (i, &v) in order.iter().enumerate() {
            let v = v as usize;
            last_succ[v] = order[i + succ_num[v] as usize - 1];
            if v != root {
                let (a, p) = (pred[v] as usize, parent[v] as usize);
                // The tree arc's reduced cost is 0.
                potential[v] = if pred_dir[v] == UP {
                    potential[p] - network.cost[a]
                } else {
                    potential[p] + network.cost[a]
                };
            }
        }
        Ok(NetworkSimplex {
            root: root as u32,
            flow,
            state,
            parent,
            pred,
            pred_dir,
            thread,
            rev_thread,
            succ_num,
            last_succ,
            potential,
            next_arc: 0,
            pivots: 0,
            path: Vec::new(),
            candidates: Vec::new(),
            exhausted: false,
            priced: (0..network.arcs())
                .map(|a| PricedArc {
                    cost: network.cost[a],
                    source: network.source[a],
                    target: network.target[a],
                })
                .collect(),
            network,
        })
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    pub fn flow(&self) -> &[i64] {
        &self.flow
    }

    pub fn potential(&self) -> &[i64] {
        &self.potential
    }

    pub fn pivots(&self) -> u64 {
        self.pivots
    }

    /// Adds an arc, empty and off the tree; returns its index.
    pub fn add_arc(&mut self, source: usize, target: usize, capacity: i64, cost: i64) -> usize {
        self.flow.push(0);
        self.state.push(LOWER);
        self.priced.push(PricedArc {
            cost,
            source: source as u32,
            target: target as u32,
        });
        self.network.add_arc(source, target, capacity, cost)
    }

    /// Pivots until no arc can lower the cost: the flow is then optimal and the
    /// potentials prove it. `stop` is called every [`PIVOTS_PER_REPORT`] pivots with
    /// the number of pivots so far; `Break` stops the run (the flow is then feasible,
    /// not optimal). It is called once before the first pivot too.
    pub fn run(&mut self, stop: &mut dyn FnMut(u64) -> ControlFlow<()>) -> ControlFlow<()> {
        stop(self.pivots)?;
        while self.step() {
            if self.pivots.is_multiple_of(PIVOTS_PER_REPORT) {
                stop(self.pivots)?;
            }
        }
        ControlFlow::Continue(())
    }

    /// One pivot; false when no arc can lower the cost.
    pub(super) fn step(&mut self) -> bool {
        let list = ((self.network.arcs() as f64).sqrt() * LIST_FACTOR).ceil() as usize;
        match self.find_entering(list.max(MIN_LIST)) {
            Some(entering) => {
                self.pivot(entering);
                self.pivots += 1;
                true
            }
            None => false,
        }
    }

    /// `state × reduced cost` of arc `a`: negative when bringing it in lowers the cost.
    #[inline(always)]
    fn gain(&self, a: usize) -> i64 {
        let arc = self.priced[a];
        i64::from(self.state[a])
            * (arc.cost + self.potential[arc.source as usize] - self.potential[arc.target as usize])
    }

    /// The entering arc: the best of a list of candidates (arcs found eligible by
    /// earlier scans, priced again), the list being refilled by scanning the arcs in
    /// turn from where the last scan stopped when it runs short. `None` when a scan
    /// of every arc finds none eligible.
    fn find_entering(&mut self, list: usize) -> Option<usize> {
        let mut best = 0i64;
        let mut entering = usize::MAX;
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.retain(|&a| {
            let gain = self.gain(a as usize);
            if gain < best {
                best = gain;
                entering = a as usize;
            }
            gain < 0
        });
        if candidates.is_empty() || (candidates.len() < list / REFILL_BELOW && !self.exhausted) {
            let m = self.network.arcs();
            let mut scanned = 0;
            let mut a = self.next_arc;
            while scanned < m && candidates.len() < list {
                let gain = self.gain(a);
                if gain < 0 {
                    candidates.push(a as u32);
                    if gain < best {
                        best = gain;
                        entering = a;
                    }
                }
                scanned += 1;
                a += 1;
                if a == m {
                    a = 0;
                }
            }
            self.next_arc = a;
            self.exhausted = candidates.len() < list;
        }
        self.candidates = candidates;
        (best < 0).then_some(entering)
    }

    /// The deepest common ancestor of `u` and `v`.
    fn join(&self, mut u: u32, mut v: u32) -> u32 {
        while u != v {
            if self.succ_num[u as usize] < self.succ_num[v as usize] {
                u = self.parent[u as usize];
            } else {
                v = self.parent[v as usize];
            }
        }
        u
    }

    fn pivot(&mut self, entering: usize) {
        let (source, target) = (self.network.source[entering], self.network.target[entering]);
        // Flow goes round the cycle from `first` through the entering arc to `second`.
        let (first, second) = if self.state[entering] == LOWER {
            (source, target)
        } else {
            (target, source)
        };
        let join = self.join(source, target);
        // The leaving arc: the last blocking arc going round from the apex (strict
        // on the way down to `first`, not strict on the way up from `second`).
        let mut delta = self.network.capacity[entering];
        let mut leaving_side = 0u8;
        let mut u_out = NONE;
        let mut u = first;
        while u != join {
            let a = self.pred[u as usize] as usize;
            let room = if self.pred_dir[u as usize] == UP {
                self.flow[a]
            } else {
                self.network.capacity[a] - self.flow[a]
            };
            if room < delta {
                delta = room;
                u_out = u;
                leaving_side = 1;
            }
            u = self.parent[u as usize];
        }
        let mut u = second;
        while u != join {
            let a = self.pred[u as usize] as usize;
            let room = if self.pred_dir[u as usize] == DOWN {
                self.flow[a]
            } else {
                self.network.capacity[a] - self.flow[a]
            };
            if room <= delta {
                delta = room;
                u_out = u;
                leaving_side = 2;
            }
            u = self.parent[u as usize];
        }
        if delta > 0 {
            let pushed = i64::from(self.state[entering]) * delta;
            self.flow[entering] += pushed;
            let mut u = source;
            while u != join {
                let a = self.pred[u as usize] as usize;
                self.flow[a] -= i64::from(self.pred_dir[u as usize]) * pushed;
                u = self.parent[u as usize];
            }
            let mut u = target;
            while u != join {
                let a = self.pred[u as usize] as usize;
                self.flow[a] += i64::from(self.pred_dir[u as usize]) * pushed;
                u = self.parent[u as usize];
            }
        }
        if leaving_side == 0 {
            // The entering arc blocks itself: it goes from empty to full or back.
            self.state[entering] = -self.state[entering];
            return;
        }
        let leaving = self.pred[u_out as usize] as usize;
        self.state[entering] = TREE;
        self.state[leaving] = if self.flow[leaving] == 0 {
            LOWER
        } else {
            UPPER
        };
        let (u_in, v_in) = if leaving_side == 1 {
            (first, second)
        } else {
            (second, first)
        };
        // The subtree of `u_out` moves to hang from `v_in` by the entering arc; its
        // potentials shift so that the entering arc's reduced cost becomes 0.
        let reduced = self.network.reduced_cost(entering, &self.potential);
        let shift = if u_in == source { -reduced } else { reduced };
        self.rehang(entering, u_in, v_in, u_out, join);
        let mut u = u_in;
        for _ in 0..self.succ_num[u_in as usize] {
            self.potential[u as usize] += shift;
            u = self.thread[u as usize];
        }
    }

    fn link(&mut self, before: u32, after: u32) {
        self.thread[before as usize] = after;
        self.rev_thread[after as usize] = before;
    }

    /// Moves the subtree of `u_out` to hang from `v_in` by the arc `entering`, whose
    /// end in that subtree is `u_in`: the parent links on the path from `u_in` up to
    /// `u_out` are reversed, and the subtree's preorder becomes, for each node `w_i`
    /// of that path in turn, `w_i`'s old subtree less `w_{i-1}`'s (each part keeps its
    /// old order), placed right after `v_in`.
    fn rehang(&mut self, entering: usize, u_in: u32, v_in: u32, u_out: u32, join: u32) {
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        let mut u = u_in;
        loop {
            let i = u as usize;
            path.push(PathNode {
                node: u,
                rev_thread: self.rev_thread[i],
                last_succ: self.last_succ[i],
                after_last: self.thread[self.last_succ[i] as usize],
                succ_num: self.succ_num[i],
                pred: self.pred[i],
                pred_dir: self.pred_dir[i],
            });
            if u == u_out {
                break;
            }
            u = self.parent[i];
        }
        let top = *path.last().expect("the path holds u_in");
        let old_parent = self.parent[u_out as usize];
        let moved = top.succ_num;

        // The new preorder of the moved nodes, from `u_in`'s old subtree on.
        let mut tail = path[0].last_succ;
        for i in 1..path.len() {
            let (below, here) = (path[i - 1], path[i]);
            self.link(tail, here.node);
            tail = below.rev_thread;
            if below.last_succ != here.last_succ {
                self.link(tail, below.after_last);
                tail = here.last_succ;
            }
        }
        // Out of its old place, in after `v_in`.
        self.link(top.rev_thread, top.after_last);
        let next = self.thread[v_in as usize];
        self.link(v_in, u_in);
        self.link(tail, next);

        // Parents, tree arcs and subtree sizes along the path.
        for i in (1..path.len()).rev() {
            let (below, here) = (path[i - 1], path[i]);
            let h = here.node as usize;
            self.parent[h] = below.node;
            self.pred[h] = below.pred;
            self.pred_dir[h] = -below.pred_dir;
            self.succ_num[h] = moved - below.succ_num;
            self.last_succ[h] = tail;
        }
        let i = u_in as usize;
        self.parent[i] = v_in;
        self.pred[i] = entering as u32;
        self.pred_dir[i] = if u_in == self.network.source[entering] {
            UP
        } else {
            DOWN
        };
        self.succ_num[i] = moved;
        self.last_succ[i] = tail;

        // The old ancestors lose the subtree, the new ones gain it (above the join,
        // nothing changes).
        let mut u = old_parent;
        while u != join {
            self.succ_num[u as usize] -= moved;
            u = self.parent[u as usize];
        }
        let mut u = v_in;
        while u != join {
            self.succ_num[u as usize] += moved;
            u = self.parent[u as usize];
        }
        // Subtrees that ended with the moved one now end just before it; subtrees
        // that ended at a childless `v_in` now end with the moved one.
        let mut u = old_parent;
        while u != NONE && self.last_succ[u as usize] == top.last_succ {
            self.last_succ[u as usize] = top.rev_thread;
            u = self.parent[u as usize];
        }
        if self.last_succ[v_in as usize] == v_in {
            let mut u = v_in;
            while u != NONE && self.last_succ[u as usize] == v_in {
                self.last_succ[u as usize] = tail;
                u = self.parent[u as usize];
            }
        }
        debug_assert_ne!(self.root, u_out);
        self.path = path;
    }
}

#[cfg(test)]
impl NetworkSimplex {
    /// Every invariant of the basis, checked from scratch (tests only).
    pub(super) fn check_basis(&self) -> Result<(), String> {
        let n = self.network.nodes();
        let root = self.root as usize;
        if self.parent[root] != NONE {
            return Err("the root has a parent".into());
        }
        let tree_arcs = self.state.iter().filter(|&&s| s == TREE).count();
        if tree_arcs != n - 1 {
            return Err(format!("{tree_arcs} tree arcs for {n} nodes"));
        }
        for v in (0..n).filter(|&v| v != root) {
            let (a, p) = (self.pred[v] as usize, self.parent[v]);
            let (s, t) = (self.network.source[a], self.network.target[a]);
            let dir_ok = match self.pred_dir[v] {
                UP => s == v as u32 && t == p,
                _ => s == p && t == v as u32,
            };
            if !dir_ok || self.state[a] != TREE {
                return Err(format!("node {v}: bad tree arc {a}"));
            }
            if self.network.reduced_cost(a, &self.potential) != 0 {
                return Err(format!("tree arc {a}: reduced cost not 0"));
            }
            // Strongly feasible: room to send flow from v up to the root.
            let room = if self.pred_dir[v] == UP {
                self.network.capacity[a] - self.flow[a]
            } else {
                self.flow[a]
            };
            if room <= 0 {
                return Err(format!("node {v}: tree arc {a} blocks the way to the root"));
            }
        }
        for a in 0..self.network.arcs() {
            let expected = match self.state[a] {
                LOWER => Some(0),
                UPPER => Some(self.network.capacity[a]),
                _ => None,
            };
            if expected.is_some_and(|f| f != self.flow[a]) {
                return Err(format!("arc {a}: off the tree with flow {}", self.flow[a]));
            }
        }
        // The thread: one cycle through every node, in preorder, with the right sizes.
        let mut order = Vec::with_capacity(n);
        let mut u = self.root;
        loop {
            order.push(u);
            let next = self.thread[u as usize];
            if self.rev_thread[next as usize] != u {
                return Err(format!("rev_thread of {next}"));
            }
            u = next;
            if u == self.root || order.len() > n {
                break;
            }
        }
        if order.len() != n {
            return Err(format!("the thread visits {} of {n} nodes", order.len()));
        }
        let mut position = vec![0usize; n];
        for (i, &v) in order.iter().enumerate() {
            position[v as usize] = i;
        }
        for (v, &start) in position.iter().enumerate() {
            let size = self.succ_num[v] as usize;
            if start + size > n || order[start + size - 1] != self.last_succ[v] {
                return Err(format!("node {v}: subtree size or last node"));
            }
            // Every node of the segment descends from v; the next one does not.
            let descends = |mut w: u32| loop {
                if w == v as u32 {
                    break true;
                }
                if w == NONE {
                    break false;
                }
                w = self.parent[w as usize];
            };
            if !order[start..start + size].iter().all(|&w| descends(w))
                || (start + size < n && descends(order[start + size]))
            {
                return Err(format!("node {v}: its subtree is not its thread segment"));
            }
        }
        Ok(())
    }
}
