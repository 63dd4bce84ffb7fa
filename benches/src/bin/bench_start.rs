//! What a start on a persisted data directory of the full demo corpus costs.
//!
//! `cargo run --release -p passerelle-benches --bin bench-start`
//!
//! Stores the demo corpus in a temporary data directory, then times each part of
//! loading it: decoding every fiche and building the matcher without its cache, then
//! a start as the server makes it (`Corpus::open`, then `Corpus::warm`: the fiches
//! read once, the matcher from its cache and the name table built side by side, the
//! search index opened), each part timed.

use std::time::Instant;

use passerelle_engine::ranking::Matcher;
use passerelle_engine::search::SearchIndex;
use passerelle_engine::store::Store;
use passerelle_engine::{Corpus, CorpusOptions};

fn main() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let today = passerelle_datasets::demo_corpus_date();
    {
        let mut store = Store::open(work.path())?;
        store.upsert(&passerelle_datasets::generate_demo_corpus(
            passerelle_datasets::DEFAULT_SEED,
        )?)?;
        SearchIndex::open_or_rebuild(&store)?;
    }
    let time =
        |what: &str, started: Instant| println!("{what}: {:.2} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    let store = Store::open(work.path())?;
    let fiches = store.load_all()?;
    time(
        &format!("open the store and decode {} fiches", fiches.len()),
        started,
    );

    let cache = passerelle_engine::ranking::MatcherCache::for_store(&store)?;
    let started = Instant::now();
    Matcher::with_cache(fiches.clone(), today, 0, &cache)?;
    time(
        "matcher, no cache (analyses every text, writes the cache)",
        started,
    );

    // A start as `passerelle serve` makes it: the corpus opened, then warmed (one
    // read of the fiches for the matcher, from its cache, and the name table, built
    // side by side; then the search index opened).
    drop(store);
    let total = Instant::now();
    let options = CorpusOptions {
        today: Some(today),
        ..CorpusOptions::default()
    };
    let corpus = Corpus::open(work.path(), &options)?;
    let warmed = corpus.warm()?;
    let ms = |d: std::time::Duration| d.as_secs_f64();
    println!("start: open the store and decode: {:.2} s", ms(warmed.read));
    println!(
        "start: matcher from its cache ({} fiches): {:.2} s",
        warmed.fiches,
        ms(warmed.matcher)
    );
    println!(
        "start: name table (beside the matcher): {:.2} s",
        ms(warmed.names)
    );
    println!("start: open the search index: {:.2} s", ms(warmed.index));
    time("start: total", total);
    Ok(())
}
