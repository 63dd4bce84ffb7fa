//! The national cross product: every French fiche × every foreign fiche of the demo
//! corpus, complete scoring, the best 10 pairs of every fiche on both sides.
//!
//! `cargo run --release -p passerelle-benches --bin bench-batch [-- [--baseline] FR_SCOPE FOREIGN_SCOPE K THREADS RUNS]`
//!
//! Scopes as in `passerelle batch` (default `all all 10`, threads: one per core, one
//! run). Reports the time of the cross product (wall clock and the process's CPU
//! time, user and system, which other work on a shared machine disturbs less; with
//! several runs, each run and the medians), pairs per second and the process's peak
//! memory. With `--baseline`, also runs the Python/numpy implementation of
//! `benches/baseline/` on the same scopes and data, checks that it keeps the same
//! totals for every fiche, and reports the ratio of the two times.

use std::time::Instant;

use passerelle_engine::batch::Scope;
use passerelle_engine::fiche::Side;
use passerelle_engine::ranking::Matcher;
use passerelle_engine::scoring::{NoVetoes, Weights};

mod baseline;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    let with_baseline = args.next_if(|a| a == "--baseline").is_some();
    let french_scope =
        Scope::parse(&args.next().unwrap_or_else(|| "all".into())).map_err(anyhow::Error::msg)?;
    let foreign_scope =
        Scope::parse(&args.next().unwrap_or_else(|| "all".into())).map_err(anyhow::Error::msg)?;
    let k: usize = args.next().map_or(Ok(10), |a| a.parse())?;
    let threads: usize = args.next().map_or(Ok(0), |a| a.parse())?;
    let runs: usize = args.next().map_or(Ok(1), |a| a.parse())?;
    anyhow::ensure!(runs > 0, "RUNS must be at least 1");
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
    let french = ids(&french_scope, Side::French);
    let foreign = ids(&foreign_scope, Side::Foreign);
    let started = Instant::now();
    let matcher = Matcher::new(corpus, today, threads)?;
    println!(
        "matcher build: {} fiches in {:.2} s",
        matcher.len(),
        started.elapsed().as_secs_f64()
    );
    let pairs = french.len() as u64 * foreign.len() as u64;
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    let mut kept = Vec::new();
    for run in 1..=runs {
        let cpu = passerelle_benches::process_cpu_seconds()?;
        let started = Instant::now();
        let this_run = matcher.cross_top_k(
            &french,
            &foreign,
            k,
            &Weights::default(),
            0.0,
            &NoVetoes,
            &|_| std::ops::ControlFlow::Continue(()),
        )?;
        let seconds = started.elapsed().as_secs_f64();
        let cpu = passerelle_benches::process_cpu_seconds()? - cpu;
        println!(
            "cross product, run {run}: {} French × {} foreign = {} pairs in {:.2} s ({:.1} M pairs/s; CPU {:.2} s), {} pairs kept (top {k} both ways)",
            french.len(),
            foreign.len(),
            pairs,
            seconds,
            pairs as f64 / seconds / 1e6,
            cpu,
            this_run.len()
        );
        anyhow::ensure!(
            run == 1 || this_run == kept,
            "run {run} kept other pairs than run 1"
        );
        kept = this_run;
        walls.push(seconds);
        cpus.push(cpu);
    }
    let seconds = passerelle_benches::median(walls);
    if runs > 1 {
        println!(
            "cross product, median of {runs}: {seconds:.2} s wall clock, {:.2} s CPU",
            passerelle_benches::median(cpus)
        );
    }
    println!(
        "peak memory (VmHWM): {} MiB",
        passerelle_benches::peak_memory_mib()?
    );
    if with_baseline {
        let dir = tempfile::tempdir()?;
        let run = baseline::run(&matcher, &french, &foreign, k, &kept, dir.path())?;
        println!(
            "python/numpy baseline: {:.2} s ({:.1} M pairs/s), the same best {k} totals for every fiche; engine {:.1}× faster",
            run.seconds,
            pairs as f64 / run.seconds / 1e6,
            run.seconds / seconds
        );
    }
    Ok(())
}
