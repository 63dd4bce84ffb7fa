//! What a start on a persisted data directory of the full demo corpus costs.
//!
//! `cargo run --release -p passerelle-benches --bin bench-start`
//!
//! Stores the demo corpus in a temporary data directory, then times each part of
//! loading it: decoding every fiche, building the matcher without and with its cache,
//! the name table, and opening the search index once built.

use std::time::Instant;

use passerelle_engine::lookup::NameTable;
use passerelle_engine::ranking::Matcher;
use passerelle_engine::search::SearchIndex;
use passerelle_engine::store::Store;

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

    let total = Instant::now();
    let started = Instant::now();
    let store = Store::open(work.path())?;
    let fiches = store.load_all()?;
    time("start: open the store and decode", started);
    let started = Instant::now();
    let names = NameTable::from_fiches(&fiches);
    time(
        &format!("start: name table ({} names)", names.len()),
        started,
    );
    let started = Instant::now();
    let matcher = Matcher::with_cache(
        fiches,
        today,
        0,
        &passerelle_engine::ranking::MatcherCache::for_store(&store)?,
    )?;
    time(
        &format!("start: matcher from its cache ({} fiches)", matcher.len()),
        started,
    );
    let started = Instant::now();
    SearchIndex::open_or_rebuild(&store)?;
    time("start: open the search index", started);
    time("start: total", total);
    Ok(())
}
