//! Search index build, search, incremental writes and name lookup on the full demo
//! corpus.
//!
//! `cargo run --release -p passerelle-benches --bin bench-search`
//!
//! Stores the demo corpus in a temporary data directory, builds the tantivy index
//! (timed), runs a mix of full-text searches with and without filters (one after
//! the other, then from four threads at once), then 200
//! writes of one fiche each, back to back (the store's commit, then the index's
//! `apply`, each timed, and a search that must find the new text at once), then 50
//! writes each followed by a wait for its background commit (the commit lag), the
//! searches again, then fuzzy name lookups, and reports their latency distributions.

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
    concurrent(20, &index, &queries)?;

    let cpu = cpu_seconds();
    let (store_writes, index_writes) = writes(&mut store, &index, WRITES)?;
    let cpu = cpu_seconds().zip(cpu).map(|(after, before)| after - before);
    report("write: store commit (one fiche)", &store_writes);
    report("write: index apply (one fiche)", &index_writes);
    let total: Vec<Duration> = {
        let mut total: Vec<Duration> = (store_writes.iter().zip(&index_writes))
            .map(|(a, b)| *a + *b)
            .collect();
        total.sort();
        total
    };
    report("write: store + index (one fiche)", &total);
    if let Some(cpu) = cpu {
        println!(
            "write: CPU time of the process (every thread, background commits included) \
             per write and check: {:.2} ms",
            cpu * 1e3 / WRITES as f64
        );
    }
    report(
        "write: commit lag (apply to on disk)",
        &commit_lags(&mut store, &index, 50)?,
    );
    // The same searches once the large segment has deleted documents (the writes
    // above replaced 250 of its fiches): document frequencies then leave them out.
    let search = measure(20, &queries, |query| {
        index.search(query).map(|page| page.hits.len())
    })?;
    report("search after the writes", &search);

    let started = Instant::now();
    let names = NameTable::from_store(&store)?;
    println!(
        "name table: {} names in {:.2} s",
        names.len(),
        started.elapsed().as_secs_f64()
    );
    let lookups = measure(20, NAMES, |name| {
        Ok::<_, anyhow::Error>(names.lookup(name, None, 10)?.len())
    })?;
    report("lookup", &lookups);
    Ok(())
}

/// Rewrites the request of `count` fiches spread over the corpus, one write at a time:
/// the store's commit and the index's apply, timed apart; each new text must be found
/// by the next search. Latencies sorted.
fn writes(
    store: &mut Store,
    index: &SearchIndex,
    count: usize,
) -> anyhow::Result<(Vec<Duration>, Vec<Duration>)> {
    let fiches = store.load_all()?;
    let step = fiches.len() / count;
    let (mut store_times, mut index_times) = (Vec::new(), Vec::new());
    for i in 0..count {
        let mut fiche = fiches[i * step].clone();
        let word = format!("marqueur{i}");
        let request = fiche.request.get_or_insert_with(Default::default);
        request.text = Some(format!("Coopération sur le thème {word}."));
        let started = Instant::now();
        store.upsert(std::slice::from_ref(&fiche))?;
        let stored = Instant::now();
        index.apply(std::slice::from_ref(&fiche), &[], store.generation()?)?;
        index_times.push(stored.elapsed());
        store_times.push(stored - started);
        let page = index.search(&SearchQuery::new(&word))?;
        anyhow::ensure!(
            page.hits.first().map(|h| &h.id) == Some(&fiche.id),
            "{word} not found at once"
        );
    }
    index.flush()?;
    store_times.sort();
    index_times.sort();
    Ok((store_times, index_times))
}

/// Writes `count` fiches one at a time, each time waiting until the background
/// commit has the write on disk; the waits, sorted.
fn commit_lags(
    store: &mut Store,
    index: &SearchIndex,
    count: usize,
) -> anyhow::Result<Vec<Duration>> {
    let fiches = store.load_all()?;
    let step = fiches.len() / count;
    let mut lags = Vec::new();
    for i in 0..count {
        let mut fiche = fiches[i * step + 1].clone();
        fiche.population += 1;
        store.upsert(std::slice::from_ref(&fiche))?;
        let generation = store.generation()?;
        index.apply(std::slice::from_ref(&fiche), &[], generation)?;
        let applied = Instant::now();
        while index.committed_generation() < generation {
            anyhow::ensure!(
                applied.elapsed() < Duration::from_secs(60),
                "never committed"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        lags.push(applied.elapsed());
    }
    lags.sort();
    Ok(lags)
}

const WRITES: usize = 200;

/// Callers searching at once in [`concurrent`], as a server's handlers do.
const CALLERS: usize = 4;

/// `rounds` rounds of the queries by each of [`CALLERS`] threads at once: searches
/// per second over the whole run (wall clock).
fn concurrent(rounds: usize, index: &SearchIndex, queries: &[SearchQuery]) -> anyhow::Result<()> {
    let started = Instant::now();
    std::thread::scope(|scope| {
        let callers: Vec<_> = (0..CALLERS)
            .map(|_| {
                scope.spawn(|| {
                    for _ in 0..rounds {
                        for query in queries {
                            index.search(query)?;
                        }
                    }
                    Ok::<_, anyhow::Error>(())
                })
            })
            .collect();
        (callers.into_iter()).try_for_each(|caller| {
            caller
                .join()
                .map_err(|_| anyhow::anyhow!("a caller panicked"))?
        })
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let searches = CALLERS * rounds * queries.len();
    println!(
        "search, {CALLERS} callers at once: {searches} searches in {seconds:.2} s, {:.0} searches/s",
        searches as f64 / seconds
    );
    Ok(())
}

/// User and system CPU time of this process so far (Linux; `None` elsewhere): under
/// load, a figure that wall-clock latencies do not give.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces), from field 3 on.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime are fields 14 and 15 (11 and 12 here), in clock ticks of 1/100 s.
    Some((ticks(11)? + ticks(12)?) / 100.0)
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
