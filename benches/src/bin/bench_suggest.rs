//! Suggestion latency on the full demo corpus (~199k fiches).
//!
//! `cargo run --release -p passerelle-benches --bin bench-suggest [-- QUERIES THREADS]`
//!
//! Builds the matcher (timed), then asks `suggest(k = 10)` for QUERIES fiches (default
//! 2,000, an even spread over the id order, both sides), one at a time, and reports
//! the latency distribution. Also checks that the suggestions for the first 50
//! queries are the same on one thread.

use std::time::{Duration, Instant};

use passerelle_engine::ranking::{Matcher, SuggestOptions};
use passerelle_engine::scoring::NoVetoes;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let queries: usize = args.next().map_or(Ok(2000), |a| a.parse())?;
    let threads: usize = args.next().map_or(Ok(0), |a| a.parse())?;
    let today = passerelle_datasets::demo_corpus_date();
    let corpus = passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)?;
    let ids: Vec<_> = corpus.iter().map(|f| f.id.clone()).collect();

    let started = Instant::now();
    let matcher = Matcher::new(corpus, today, threads)?;
    println!(
        "matcher build: {} fiches in {:.2} s",
        matcher.len(),
        started.elapsed().as_secs_f64()
    );

    let step = (ids.len() / queries).max(1);
    let chosen: Vec<_> = ids.iter().step_by(step).take(queries).collect();
    let options = SuggestOptions::default();
    for id in chosen.iter().take(50) {
        matcher.suggest(id, &options, &NoVetoes)?; // warm-up
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(chosen.len());
    let mut suggested = 0;
    for id in &chosen {
        let started = Instant::now();
        suggested += matcher.suggest(id, &options, &NoVetoes)?.len();
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let at =
        |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!(
        "suggest k=10: {} queries, {} suggestions; p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        suggested,
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
    let single = Matcher::new(
        passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)?,
        today,
        1,
    )?;
    for id in chosen.iter().take(50) {
        anyhow::ensure!(
            single.suggest(id, &options, &NoVetoes)? == matcher.suggest(id, &options, &NoVetoes)?,
            "rankings differ between thread counts for {id}"
        );
    }
    println!("determinism: the first 50 rankings are identical on 1 thread");
    Ok(())
}
