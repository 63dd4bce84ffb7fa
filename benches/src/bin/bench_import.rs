//! Import benchmark on the full demo corpus (~199k fiches).
//!
//! `cargo run --release -p passerelle-benches --bin bench-import`
//!
//! 1. generates the demo corpus (seed 42) and writes it as JSON Lines;
//! 2. imports it into an empty store in a child process, so that the peak memory
//!    measured (VmHWM) is the import's alone;
//! 3. exports the store and checks the output is byte-identical to the generated file
//!    (both are canonical and sorted by id): the round trip on the full corpus.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use passerelle_engine::store::{ImportSource, Store};

const SEED: u64 = 42;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("import-child") {
        return import_child(Path::new(&args[2]), Path::new(&args[3]));
    }
    let work = tempfile::tempdir()?;
    let corpus_path = work.path().join("corpus.jsonl");

    let started = Instant::now();
    let corpus = passerelle_datasets::generate_demo_corpus(SEED)?;
    let generated_in = started.elapsed();
    let mut out = BufWriter::new(std::fs::File::create(&corpus_path)?);
    passerelle_datasets::write_jsonl(&corpus, &mut out)?;
    out.flush()?;
    drop(out);
    let fiches = corpus.len();
    drop(corpus);
    let size = std::fs::metadata(&corpus_path)?.len();
    println!(
        "generate: {fiches} fiches in {:.2} s, {:.1} MB of JSON Lines",
        generated_in.as_secs_f64(),
        size as f64 / 1e6
    );

    let data_dir = work.path().join("data");
    let child = Command::new(std::env::current_exe()?)
        .args([
            "import-child",
            corpus_path.to_str().unwrap(),
            data_dir.to_str().unwrap(),
        ])
        .output()
        .context("cannot run the import child")?;
    print!("{}", String::from_utf8_lossy(&child.stdout));
    if !child.status.success() {
        bail!("import failed: {}", String::from_utf8_lossy(&child.stderr));
    }

    let store = Store::open(&data_dir)?;
    let export_path = work.path().join("export.jsonl");
    let started = Instant::now();
    let mut out = BufWriter::new(std::fs::File::create(&export_path)?);
    let exported = store.export(&mut out)?;
    drop(out);
    println!(
        "export: {exported} fiches in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    ensure!(
        exported as usize == fiches,
        "exported {exported} of {fiches} fiches"
    );
    ensure!(
        std::fs::read(&export_path)? == std::fs::read(&corpus_path)?,
        "the export differs from the generated corpus"
    );
    println!("round trip: the export is byte-identical to the generated corpus");
    Ok(())
}

/// Imports `corpus` into a fresh store in `data_dir`, then reports time and peak memory.
fn import_child(corpus: &Path, data_dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut store = Store::open(data_dir)?;
    let report = store.import(vec![ImportSource::open(corpus)?], &mut |_| {})?;
    let elapsed = started.elapsed();
    println!(
        "import: {} fiches in {:.2} s ({:.0} fiches/s), peak memory {:.0} MiB",
        report.fiches,
        elapsed.as_secs_f64(),
        report.fiches as f64 / elapsed.as_secs_f64(),
        peak_memory_kib()? as f64 / 1024.0
    );
    Ok(())
}

/// Peak resident set size of this process (VmHWM), in KiB.
fn peak_memory_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .context("no VmHWM in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .context("bad VmHWM line")?
        .parse()?)
}
