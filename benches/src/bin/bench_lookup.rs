//! Fuzzy name lookup on the full demo corpus (~199k fiches), ordinary and
//! pathological queries: the lookup's cost is bounded by construction (at most 200
//! characters, 16 words, 8,000 names scored), whatever the query.
//!
//! `cargo run --release -p passerelle-benches --bin bench-lookup [-- ROUNDS]`
//!
//! Builds the name table (timed), then runs each query ROUNDS times (default 20) and
//! reports its median and worst latency; a query above 200 characters is refused at
//! once, which is timed too.

use std::time::{Duration, Instant};

use passerelle_engine::lookup::NameTable;

fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args().nth(1).map_or(Ok(20), |a| a.parse())?;
    let corpus = passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)?;
    let started = Instant::now();
    let table = NameTable::from_fiches(&corpus);
    println!(
        "name table: {} fiches in {:.2} s",
        table.len(),
        started.elapsed().as_secs_f64()
    );
    let queries: Vec<(&str, String)> = vec![
        ("typo", "Saint Etiene".into()),
        ("exact", "Porto-Novo".into()),
        ("frequent prefix", "Saint".into()),
        ("200 × one letter", "a".repeat(200)),
        ("100 one-letter words", vec!["a"; 100].join(" ")),
        ("66 × \"sa\"", "sa ".repeat(66)),
        (
            "40 words",
            (0..40).map(|i| format!("mot{i} ")).collect::<String>()[..200].to_owned(),
        ),
        ("refused: 100 KB", "a".repeat(100_000)),
    ];
    for (label, query) in &queries {
        let mut latencies: Vec<Duration> = Vec::with_capacity(rounds);
        let mut outcome = String::new();
        for _ in 0..rounds {
            let started = Instant::now();
            let result = table.lookup(query, None, 10);
            latencies.push(started.elapsed());
            outcome = match result {
                Ok(hits) => format!("{} hits", hits.len()),
                Err(error) => format!(
                    "refused ({} characters of message)",
                    error.to_string().chars().count()
                ),
            };
        }
        latencies.sort();
        println!(
            "lookup {label:>22}: median {:.3} ms, max {:.3} ms; {outcome}",
            latencies[latencies.len() / 2].as_secs_f64() * 1e3,
            latencies[latencies.len() - 1].as_secs_f64() * 1e3,
        );
    }
    Ok(())
}
