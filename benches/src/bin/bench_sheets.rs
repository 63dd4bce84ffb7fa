//! Spreadsheet benchmark on the full demo corpus (~199k fiches).
//!
//! `cargo run --release -p passerelle-benches --bin bench-sheets [-- RUNS]`
//!
//! 1. generates the demo corpus (seed 42) and writes it as JSON Lines and as an
//!    .xlsx workbook with the engine's fiche export (timed);
//! 2. imports the workbook into an empty store in a child process with the built-in
//!    mapping, RUNS times (default 3), each child reporting its time and peak memory
//!    (VmHWM, the import's alone); prints the medians;
//! 3. exports the last store as JSON Lines and checks it is byte-identical to the
//!    generated corpus: the round trip through .xlsx on the full corpus.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use passerelle_benches::{median, peak_memory_mib};
use passerelle_engine::sheets::{Mapping, import_source, write_fiches};
use passerelle_engine::store::Store;

const SEED: u64 = 42;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("import-child") {
        return import_child(Path::new(&args[2]), Path::new(&args[3]));
    }
    let runs: usize = args.get(1).map_or(Ok(3), |n| n.parse())?;
    let work = tempfile::tempdir()?;
    let corpus_path = work.path().join("corpus.jsonl");
    let xlsx_path = work.path().join("corpus.xlsx");

    let corpus = passerelle_datasets::generate_demo_corpus(SEED)?;
    let mut out = BufWriter::new(std::fs::File::create(&corpus_path)?);
    passerelle_datasets::write_jsonl(&corpus, &mut out)?;
    out.flush()?;
    drop(out);
    let started = Instant::now();
    let file = BufWriter::with_capacity(1 << 20, std::fs::File::create(&xlsx_path)?);
    // The « à reconfirmer » flag is one cell per fiche: not what this measures.
    let written = write_fiches(&corpus, |_| false, file)?;
    println!(
        "write xlsx: {written} fiches in {:.2} s, {:.1} MB",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&xlsx_path)?.len() as f64 / 1e6
    );
    let fiches = corpus.len();
    drop(corpus);

    let mut times = Vec::new();
    let mut peaks = Vec::new();
    let mut data_dir = work.path().join("data-0");
    for run in 0..runs {
        data_dir = work.path().join(format!("data-{run}"));
        let child = Command::new(std::env::current_exe()?)
            .args([
                "import-child",
                xlsx_path.to_str().unwrap(),
                data_dir.to_str().unwrap(),
            ])
            .output()
            .context("cannot run the import child")?;
        let report = String::from_utf8_lossy(&child.stdout).into_owned();
        print!("{report}");
        if !child.status.success() {
            bail!("import failed: {}", String::from_utf8_lossy(&child.stderr));
        }
        let numbers: Vec<f64> = report
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        times.push(numbers[1]);
        peaks.push(numbers[2]);
        if run + 1 < runs {
            std::fs::remove_dir_all(&data_dir)?;
        }
    }
    println!(
        "import xlsx, median of {runs}: {:.2} s, peak memory {:.0} MiB",
        median(times),
        median(peaks)
    );

    let store = Store::open(&data_dir)?;
    let export_path = work.path().join("export.jsonl");
    let mut out = BufWriter::new(std::fs::File::create(&export_path)?);
    let exported = store.export(&mut out)?;
    drop(out);
    ensure!(
        exported as usize == fiches,
        "exported {exported} of {fiches} fiches"
    );
    ensure!(
        std::fs::read(&export_path)? == std::fs::read(&corpus_path)?,
        "the export differs from the generated corpus"
    );
    println!("round trip: JSON Lines → xlsx → import → JSON Lines is byte-identical");
    Ok(())
}

/// Imports the workbook `xlsx` into a fresh store in `data_dir` with the built-in
/// mapping, then prints `import: N S PEAK` (fiches, seconds, MiB) and a sentence.
fn import_child(xlsx: &Path, data_dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut store = Store::open(data_dir)?;
    let source = import_source(xlsx, &Mapping::passerelle(), None)?;
    let report = store.import(vec![source], &mut |_| {})?;
    let elapsed = started.elapsed();
    println!(
        "import: {} {:.2} {:.0} (fiches, seconds, peak MiB; {:.0} fiches/s)",
        report.fiches,
        elapsed.as_secs_f64(),
        peak_memory_mib()?,
        report.fiches as f64 / elapsed.as_secs_f64(),
    );
    Ok(())
}
