//! The exact pairing of a batch run, side by side with OR-Tools.
//!
//! `cargo run --release -p passerelle-benches --bin bench-pairing [-- [--instance FILE] FR_SCOPE FOREIGN_SCOPE K FRENCH_CAPACITY FOREIGN_CAPACITY [RUNS [THREADS]]]`
//!
//! Defaults: `all all 10 3 1 5` (the national campaign), threads one per core. Builds
//! the demo corpus's matcher, scores the cross product (timed once), then pairs the
//! pairs kept `RUNS` times with the engine's solver (the median is the figure), checks
//! the optimality certificate on every pair, runs stable matching for its total's
//! ratio to the optimum, and solves the same instance with OR-Tools'
//! `SimpleMinCostFlow` (`benches/baseline/min_cost_flow.py`, `RUNS` times): both
//! optima must be equal to the unit, and the ratio of the median times is printed.
//! With `--instance FILE`, the pairs kept are saved there, or read from there when
//! it exists (the pairing alone, without the corpus and the cross product; the
//! scores in it are the integer units, exactly what both solvers see).

use std::ops::ControlFlow;
use std::time::Instant;

use anyhow::ensure;
use passerelle_benches::median;
use passerelle_engine::batch::assignment::{self, units};
use passerelle_engine::batch::{Edge, Scope, stable};
use passerelle_engine::fiche::Side;
use passerelle_engine::ranking::Matcher;
use passerelle_engine::scoring::{NoVetoes, Weights};

mod ortools;

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let instance = match args.iter().position(|a| a == "--instance") {
        Some(i) => {
            let path = args.get(i + 1).cloned();
            args.drain(i..(i + 2).min(args.len()));
            Some(std::path::PathBuf::from(
                path.ok_or_else(|| anyhow::anyhow!("--instance FILE"))?,
            ))
        }
        None => None,
    };
    let mut args = args.into_iter();
    let mut next = |default: &str| args.next().unwrap_or_else(|| default.to_owned());
    let french_scope = Scope::parse(&next("all")).map_err(anyhow::Error::msg)?;
    let foreign_scope = Scope::parse(&next("all")).map_err(anyhow::Error::msg)?;
    let k: usize = next("10").parse()?;
    let french_capacity: usize = next("3").parse()?;
    let foreign_capacity: usize = next("1").parse()?;
    let runs: usize = next("5").parse()?;
    let threads: usize = next("0").parse()?;
    let (nf, nx, edges) = match &instance {
        Some(path) if path.exists() => {
            let (nf, nx, edges) = ortools::read(path)?;
            println!(
                "instance {}: {nf} French × {nx} foreign, {} pairs (scopes and k not used)",
                path.display(),
                edges.len()
            );
            (nf, nx, edges)
        }
        _ => {
            let (nf, nx, edges) = cross_product(&french_scope, &foreign_scope, k, threads)?;
            if let Some(path) = &instance {
                ortools::write(path, nf, nx, &edges, (french_capacity, foreign_capacity))?;
            }
            (nf, nx, edges)
        }
    };
    let (cf, cx) = (french_capacity, foreign_capacity);

    let mut times = Vec::new();
    let mut cpu_times = Vec::new();
    let mut found = None;
    for _ in 0..runs.max(1) {
        let (started, cpu) = (Instant::now(), passerelle_benches::thread_cpu_seconds()?);
        let assignment =
            assignment::assign(nf, nx, &edges, cf, cx, &mut |_| ControlFlow::Continue(()))?;
        times.push(started.elapsed().as_secs_f64());
        cpu_times.push(passerelle_benches::thread_cpu_seconds()? - cpu);
        ensure!(
            found.as_ref().is_none_or(|a| *a == assignment),
            "the pairing differs between runs"
        );
        found = Some(assignment);
    }
    let assignment = found.expect("one run at least");
    let engine = median(times.clone());
    println!(
        "engine pairing (capacities {cf} French, {cx} foreign): {} pairs, total {} units, {} pivots on {} of {} pairs; {} runs: {} s (median {engine:.3} s; CPU {} s)",
        assignment.chosen.len(),
        assignment.units,
        assignment.pivots,
        assignment.arcs,
        edges.len(),
        times.len(),
        seconds(&times),
        seconds(&cpu_times)
    );
    let started = Instant::now();
    assignment::certify(nf, nx, &edges, cf, cx, &assignment).map_err(anyhow::Error::msg)?;
    println!(
        "optimality certificate (flow, capacities, reduced costs on all {} pairs): checked in {:.3} s",
        edges.len(),
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let chosen = stable::stable_assign(nf, nx, &edges, cf, cx);
    let stable_seconds = started.elapsed().as_secs_f64();
    let stable_units: i64 = chosen.iter().map(|&e| units(edges[e].score)).sum();
    println!(
        "stable matching: {} pairs, total {} units = {:.4} of the optimum, in {stable_seconds:.3} s",
        chosen.len(),
        stable_units,
        stable_units as f64 / assignment.units as f64
    );

    let dir = tempfile::tempdir()?;
    let instance_file = dir.path().join("pairing.bin");
    ortools::write(&instance_file, nf, nx, &edges, (cf, cx))?;
    let or_tools = ortools::run(&instance_file, runs.max(1), dir.path())?;
    ensure!(
        or_tools.cost == -assignment.units,
        "OR-Tools finds cost {}, the engine {}",
        or_tools.cost,
        -assignment.units
    );
    let solve = median(or_tools.solve_seconds.clone());
    println!(
        "OR-Tools SimpleMinCostFlow: the same optimum ({} units, {} pairs); build {} s, solve {} s (median {solve:.3} s; CPU {} s); OR-Tools solve / engine = {:.2} (CPU {:.2})",
        -or_tools.cost,
        or_tools.chosen,
        seconds(&or_tools.build_seconds),
        seconds(&or_tools.solve_seconds),
        seconds(&or_tools.solve_cpu_seconds),
        solve / engine,
        median(or_tools.solve_cpu_seconds.clone()) / median(cpu_times.clone())
    );
    println!(
        "peak memory (VmHWM): {} MiB",
        passerelle_benches::peak_memory_mib()?
    );
    Ok(())
}

fn seconds(times: &[f64]) -> String {
    times
        .iter()
        .map(|t| format!("{t:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pairs kept by the cross product of two scopes of the demo corpus.
fn cross_product(
    french_scope: &Scope,
    foreign_scope: &Scope,
    k: usize,
    threads: usize,
) -> anyhow::Result<(usize, usize, Vec<Edge>)> {
    let today = passerelle_datasets::demo_corpus_date();
    let corpus = passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)?;
    let ids = |scope: &Scope, side: Side| {
        let mut ids: Vec<_> = corpus
            .iter()
            .filter(|f| scope.contains(f, side))
            .map(|f| f.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let french = ids(french_scope, Side::French);
    let foreign = ids(foreign_scope, Side::Foreign);
    let matcher = Matcher::new(corpus, today, threads)?;
    let started = Instant::now();
    let kept = matcher.cross_top_k(
        &french,
        &foreign,
        k,
        &Weights::default(),
        0.0,
        &NoVetoes,
        &|_| ControlFlow::Continue(()),
    )?;
    println!(
        "cross product: {} French × {} foreign, {} pairs kept (top {k} both ways) in {:.2} s",
        french.len(),
        foreign.len(),
        kept.len(),
        started.elapsed().as_secs_f64()
    );
    let edges = kept
        .iter()
        .map(|s| Edge {
            french: s.french,
            foreign: s.foreign,
            score: s.total,
        })
        .collect();
    Ok((french.len(), foreign.len(), edges))
}
