//! Search index build, search and name lookup on the full demo corpus.
//!
//! `cargo run --release -p passerelle-benches --bin bench-search`
//!
//! Stores the demo corpus in a temporary data directory, builds the tantivy index
//! (timed), runs a mix of full-text searches with and without filters, then fuzzy
//! name lookups, and reports their latency distributions.

use std::time::{Duration, Instant};

use passerelle_engine::fiche::Side;
use passerelle_engine::lookup::NameTable;
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::search::{SearchFilters, SearchIndex, SearchQuery};
use passerelle_engine::store::Store;

const TEXTS: &[&str] = &[
    "eau potable forages",
    "santé maternelle",
    "gestion des déchets",
    "agua potable y saneamiento",
    "school meals",
    "formação profissional",
    "jeunesse volontariat",
    "énergie solaire",
    "état civil",
    "patrimoine culturel tourisme",
];

const NAMES: &[&str] = &[
    "St-Etienne",
    "saint etienne",
    "Porto Novo",
    "Ouagadougou",
    "Lyon",
    "Bordeaux",
    "Cotonou",
    "Tanger",
    "Marseile",
    "abomey calavi",
];

fn main() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let mut store = Store::open(work.path())?;
    store.upsert(&passerelle_datasets::generate_demo_corpus(
        passerelle_datasets::DEFAULT_SEED,
    )?)?;

    let started = Instant::now();
    let index = SearchIndex::open_or_rebuild(&store)?;
    println!(
        "index build: {} fiches in {:.2} s",
        index.num_docs(),
        started.elapsed().as_secs_f64()
    );

    let mut queries = Vec::new();
    for (i, &text) in TEXTS.iter().enumerate() {
        queries.push(SearchQuery::new(text));
        let mut filtered = SearchQuery::new(text);
        filtered.filters = SearchFilters {
            country: CountryCode::parse(["SN", "BJ", "MA", "MX", "BR"][i % 5]),
            side: Some(Side::Foreign),
            open_on: Some(passerelle_datasets::demo_corpus_date()),
            ..SearchFilters::default()
        };
        queries.push(filtered);
        let mut themed = SearchQuery::new(text);
        themed.filters.theme = ThemeCode::from_index(i);
        queries.push(themed);
    }
    let search = measure(20, &queries, |query| {
        index.search(query).map(|page| page.hits.len())
    })?;
    report("search", &search);

    let started = Instant::now();
    let names = NameTable::from_store(&store)?;
    println!(
        "name table: {} names in {:.2} s",
        names.len(),
        started.elapsed().as_secs_f64()
    );
    let lookups = measure(20, NAMES, |name| {
        Ok::<_, anyhow::Error>(names.lookup(name, None, 10).len())
    })?;
    report("lookup", &lookups);
    Ok(())
}

fn measure<Q, E>(
    rounds: usize,
    queries: &[Q],
    mut run: impl FnMut(&Q) -> Result<usize, E>,
) -> anyhow::Result<Vec<Duration>>
where
    anyhow::Error: From<E>,
{
    for query in queries {
        run(query)?; // warm-up
    }
    let mut latencies = Vec::new();
    for _ in 0..rounds {
        for query in queries {
            let started = Instant::now();
            run(query)?;
            latencies.push(started.elapsed());
        }
    }
    latencies.sort();
    Ok(latencies)
}

fn report(what: &str, latencies: &[Duration]) {
    let at =
        |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{what}: {} calls; p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}
