//! A batch run of a data directory, phase by phase: what `passerelle batch` spends
//! in each phase of a run (the snapshot, scoring, pairing, recording the results),
//! then reading the results back as the CLI does to write its files.
//!
//! `cargo run --release -p passerelle-benches --bin bench-campaign -- DATA_DIR [FR_SCOPE FOREIGN_SCOPE K FRENCH_CAPACITY FOREIGN_CAPACITY [optimal|stable|none]]`
//!
//! Defaults: `all all 10 3 1 optimal` (the national campaign). The data directory
//! must hold a corpus (`passerelle --data-dir DIR demo`); the run is recorded in its
//! store like any other. Times are wall clock from the start of the run, with the
//! CPU time of the process in each phase (all threads: what a busy machine
//! disturbs less); the peak memory is the process's.

use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Instant;

use passerelle_engine::batch::{self, BatchSpec, Pairing, Phase, RunProgress, Scope};
use passerelle_engine::lookup::NameTable;
use passerelle_engine::store::{RunStatus, Store};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let data_dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: bench-campaign DATA_DIR [...]"))?;
    let mut next = |default: &str| args.next().unwrap_or_else(|| default.to_owned());
    let french = Scope::parse(&next("all")).map_err(anyhow::Error::msg)?;
    let foreign = Scope::parse(&next("all")).map_err(anyhow::Error::msg)?;
    let mut spec = BatchSpec::new(french, foreign);
    spec.k = next("10").parse()?;
    spec.french_capacity = next("3").parse()?;
    spec.foreign_capacity = next("1").parse()?;
    spec.pairing = match next("optimal").as_str() {
        "optimal" => Pairing::Optimal,
        "stable" => Pairing::Stable,
        "none" => Pairing::None,
        other => anyhow::bail!("pairing: optimal, stable or none, not {other}"),
    };
    let started = Instant::now();
    let mut store = Store::open(std::path::Path::new(&data_dir))?;
    let spec = spec.resolve(&NameTable::from_store(&store)?)?.spec;
    let run = store.create_batch_run(
        &spec,
        passerelle_datasets::demo_corpus_date(),
        "bench",
        chrono::Utc::now(),
    )?;
    let cpu = || passerelle_benches::process_cpu_seconds().unwrap_or(f64::NAN);
    let phases: Mutex<Vec<(Phase, f64, f64)>> = Mutex::new(Vec::new());
    let run = batch::execute(&mut store, run.id, 0, &|p: RunProgress| {
        let mut phases = phases.lock().expect("no panic");
        if phases.last().is_none_or(|(phase, _, _)| *phase != p.phase) {
            phases.push((p.phase, started.elapsed().as_secs_f64(), cpu()));
        }
        ControlFlow::Continue(())
    })?;
    let (finished, finished_cpu) = (started.elapsed().as_secs_f64(), cpu());
    anyhow::ensure!(
        run.status == RunStatus::Done,
        "run {}: {}",
        run.id,
        run.status
    );
    let phases = phases.into_inner().expect("no panic");
    for (i, (phase, at, cpu_at)) in phases.iter().enumerate() {
        let (end, cpu_end) = phases
            .get(i + 1)
            .map_or((finished, finished_cpu), |next| (next.1, next.2));
        println!(
            "{:>9}: {:.2} s (CPU {:.2} s)",
            phase.as_str(),
            end - at,
            cpu_end - cpu_at
        );
    }
    let summary = run.summary.expect("done");
    println!(
        "run {}: {} French × {} foreign, {} pairs kept, {} assigned (total {:.3}), {} without a partner; {:.2} s",
        run.id,
        summary.french_count,
        summary.foreign_count,
        summary.scored,
        summary.assigned,
        summary.total,
        summary.unassigned,
        finished
    );
    let reading = Instant::now();
    let mut items = 0u64;
    store.visit_batch_results(run.id, &mut |_| {
        items += 1;
        ControlFlow::Continue(())
    })?;
    println!(
        "reading the {items} results back: {:.2} s",
        reading.elapsed().as_secs_f64()
    );
    println!(
        "peak memory (VmHWM): {} MiB",
        passerelle_benches::peak_memory_mib()?
    );
    Ok(())
}
