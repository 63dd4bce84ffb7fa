//! Regenerates the committed `datasets/sample/sample.jsonl` (seed 42):
//! `cargo run -p passerelle-datasets --example write_sample --release`.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let corpus = passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)?;
    let generated = start.elapsed();
    let sample = passerelle_datasets::sample_of(&corpus);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample/sample.jsonl");
    let mut out = BufWriter::new(std::fs::File::create(&path)?);
    passerelle_datasets::write_jsonl(&sample, &mut out)?;
    out.flush()?;
    println!(
        "corpus of {} fiches generated in {:.2?}; wrote {} fiches to {}",
        corpus.len(),
        generated,
        sample.len(),
        path.display()
    );
    Ok(())
}
