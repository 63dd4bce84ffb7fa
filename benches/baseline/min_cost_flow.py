"""The pairing of a batch run as OR-Tools solves it, for comparison with the engine.

    python benches/baseline/min_cost_flow.py INSTANCE.bin OUT.json RUNS

INSTANCE.bin is written by `bench-pairing`: five little-endian int64 (French fiches,
foreign fiches, French capacity, foreign capacity, pairs m), then m int32 French
indices, m int32 foreign indices and m int64 scores in integer units (the engine's
`assignment::SCALE`). The network is the engine's: each French fiche supplies its
capacity, to foreign fiches (capacity 1, cost -units) or straight to a dump node
(cost 0); each foreign fiche passes at most its capacity to the dump.
`SimpleMinCostFlow` (cost-scaling push-relabel) solves it RUNS times from scratch;
OUT.json gets the optimal cost, the pairs chosen and the times (building the
network, solving; wall clock, and the CPU time of the solve).
"""

import json
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow


def read(path):
    header = np.fromfile(path, dtype="<i8", count=5)
    french, foreign, french_capacity, foreign_capacity, m = (int(v) for v in header)
    offset = 5 * 8
    f = np.fromfile(path, dtype="<i4", count=m, offset=offset)
    offset += 4 * m
    x = np.fromfile(path, dtype="<i4", count=m, offset=offset)
    offset += 4 * m
    units = np.fromfile(path, dtype="<i8", count=m, offset=offset)
    return french, foreign, french_capacity, foreign_capacity, f, x, units


def solve(french, foreign, french_capacity, foreign_capacity, f, x, units):
    started = time.perf_counter()
    dump = french + foreign
    m = len(units)
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.arange(french), french + np.arange(foreign), f]).astype(np.int32)
    heads = np.concatenate(
        [np.full(french, dump), np.full(foreign, dump), french + x.astype(np.int64)]
    ).astype(np.int32)
    capacities = np.concatenate(
        [np.full(french, french_capacity), np.full(foreign, foreign_capacity), np.ones(m)]
    ).astype(np.int64)
    costs = np.concatenate([np.zeros(french + foreign), -units]).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supplies = np.concatenate(
        [np.full(french, french_capacity), np.zeros(foreign), [-french * french_capacity]]
    ).astype(np.int64)
    flow.set_nodes_supplies(np.arange(dump + 1, dtype=np.int32), supplies)
    built = time.perf_counter()
    cpu = time.thread_time()
    status = flow.solve()
    solved = time.perf_counter()
    cpu = time.thread_time() - cpu
    if status != flow.OPTIMAL:
        raise SystemExit(f"OR-Tools: status {status}")
    pairs = np.arange(french + foreign, french + foreign + m, dtype=np.int32)
    chosen = int((flow.flows(pairs) > 0).sum())
    return flow.optimal_cost(), chosen, built - started, solved - built, cpu


def main(instance, out, runs):
    problem = read(instance)
    results = [solve(*problem) for _ in range(runs)]
    costs = {r[0] for r in results}
    if len(costs) != 1:
        raise SystemExit(f"OR-Tools: different optima over runs: {costs}")
    with open(out, "w") as f:
        json.dump(
            {
                "cost": results[0][0],
                "chosen": results[0][1],
                "build_seconds": [r[2] for r in results],
                "solve_seconds": [r[3] for r in results],
                "solve_cpu_seconds": [r[4] for r in results],
            },
            f,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
