//! Generates the whole demo corpus and reports its size and timings; with a path, also
//! writes it as JSON Lines:
//! `cargo run -p passerelle-datasets --example generate --release -- [SEED] [OUT]`.

use std::io::{BufWriter, Write};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seed = match args.next() {
        Some(seed) => seed.parse()?,
        None => passerelle_datasets::DEFAULT_SEED,
    };
    let start = Instant::now();
    let corpus = passerelle_datasets::generate(seed)?;
    let generated = start.elapsed();
    let partnerships: usize = corpus.fiches.iter().map(|f| f.partnerships.len()).sum();
    println!(
        "seed {seed}: {} fiches ({} places skipped), {partnerships} partnership entries, generated in {generated:.2?}",
        corpus.fiches.len(),
        corpus.skipped_places
    );
    if let Some(path) = args.next() {
        let start = Instant::now();
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        passerelle_datasets::write_jsonl(&corpus.fiches, &mut out)?;
        out.flush()?;
        println!("wrote {path} in {:.2?}", start.elapsed());
    }
    Ok(())
}
