//! A min-cost flow problem (arcs with capacities and integer costs, node supplies)
//! and the check of an optimality certificate for a flow on it.
//!
//! The certificate is the textbook one: a flow is optimal if it is feasible (every
//! arc within `[0, capacity]`, every node sending out its supply) and there are node
//! potentials `π` such that every arc's reduced cost `cost + π(source) − π(target)`
//! is `≥ 0` when the arc is empty, `≤ 0` when it is full and `= 0` in between
//! (complementary slackness; the potentials are then an optimal dual solution).
//! The check needs nothing from the solver but its flow and its potentials.

/// Arcs and supplies; all lower bounds are 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// Per node: what it sends out (negative: what it takes in). They sum to 0.
    pub supply: Vec<i64>,
    pub source: Vec<u32>,
    pub target: Vec<u32>,
    pub capacity: Vec<i64>,
    pub cost: Vec<i64>,
}

impl Network {
    /// A network of nodes with these supplies and no arcs yet.
    pub fn with_supplies(supply: Vec<i64>) -> Network {
        Network {
            supply,
            ..Network::default()
        }
    }

    pub fn nodes(&self) -> usize {
        self.supply.len()
    }

    pub fn arcs(&self) -> usize {
        self.source.len()
    }

    /// Adds an arc; returns its index.
    pub fn add_arc(&mut self, source: usize, target: usize, capacity: i64, cost: i64) -> usize {
        debug_assert!(source < self.nodes() && target < self.nodes() && capacity >= 0);
        self.source.push(source as u32);
        self.target.push(target as u32);
        self.capacity.push(capacity);
        self.cost.push(cost);
        self.source.len() - 1
    }

    /// The reduced cost of arc `a` under `potential`.
    #[inline(always)]
    pub fn reduced_cost(&self, a: usize, potential: &[i64]) -> i64 {
        self.cost[a] + potential[self.source[a] as usize] - potential[self.target[a] as usize]
    }

    /// The cost of `flow` (in `i128`: no sum can overflow).
    pub fn cost_of(&self, flow: &[i64]) -> i128 {
        flow.iter()
            .zip(&self.cost)
            .map(|(&f, &c)| i128::from(f) * i128::from(c))
            .sum()
    }

    /// Checks that `flow` is feasible and that `potential` proves it optimal; the
    /// error names the first arc or node that fails.
    pub fn check_optimal(&self, flow: &[i64], potential: &[i64]) -> Result<(), String> {
        if flow.len() != self.arcs() || potential.len() != self.nodes() {
            return Err(format!(
                "{} flows for {} arcs, {} potentials for {} nodes",
                flow.len(),
                self.arcs(),
                potential.len(),
                self.nodes()
            ));
        }
        let mut balance = self.supply.clone();
        for (a, &f) in flow.iter().enumerate() {
            let (s, t) = (self.source[a] as usize, self.target[a] as usize);
            if !(0..=self.capacity[a]).contains(&f) {
                return Err(format!(
                    "arc {a} ({s} → {t}): flow {f} outside [0, {}]",
                    self.capacity[a]
                ));
            }
            balance[s] -= f;
            balance[t] += f;
            let reduced = self.reduced_cost(a, potential);
            let slack_ok = if self.capacity[a] == 0 {
                true
            } else if f == 0 {
                reduced >= 0
            } else if f == self.capacity[a] {
                reduced <= 0
            } else {
                reduced == 0
            };
            if !slack_ok {
                return Err(format!(
                    "arc {a} ({s} → {t}): flow {f} of {}, reduced cost {reduced}",
                    self.capacity[a]
                ));
            }
        }
        if let Some(node) = balance.iter().position(|&b| b != 0) {
            return Err(format!(
                "node {node}: supply {} not conserved (off by {})",
                self.supply[node], balance[node]
            ));
        }
        Ok(())
    }
}
