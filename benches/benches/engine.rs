//! Criterion benchmarks of the engine on the full demo corpus (~199k fiches):
//! `cargo bench -p passerelle-benches --bench engine`.
//!
//! - `suggest/french` and `suggest/foreign`: one `suggest(k = 10)`, cycling over 200
//!   French (resp. foreign) fiches;
//! - `search/text+filters`: one full-text search with country and open-call filters;
//! - `lookup/fuzzy`: one fuzzy name lookup.

use criterion::{Criterion, criterion_group, criterion_main};
use passerelle_engine::fiche::{FicheId, Side};
use passerelle_engine::lookup::NameTable;
use passerelle_engine::ranking::{Matcher, SuggestOptions};
use passerelle_engine::reference::CountryCode;
use passerelle_engine::scoring::NoVetoes;
use passerelle_engine::search::{SearchFilters, SearchIndex, SearchQuery};
use passerelle_engine::store::Store;

fn engine(c: &mut Criterion) {
    let corpus =
        passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED).unwrap();
    let pick = |side: Side| -> Vec<FicheId> {
        let ids: Vec<&FicheId> = corpus
            .iter()
            .filter(|f| f.side() == side)
            .map(|f| &f.id)
            .collect();
        ids.iter()
            .step_by(ids.len() / 200)
            .take(200)
            .map(|id| (*id).clone())
            .collect()
    };
    let (french, foreign) = (pick(Side::French), pick(Side::Foreign));
    let work = tempfile::tempdir().unwrap();
    let mut store = Store::open(work.path()).unwrap();
    store.upsert(&corpus).unwrap();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let names = NameTable::from_fiches(&corpus);
    let matcher = Matcher::new(corpus, passerelle_datasets::demo_corpus_date(), 0).unwrap();
    let options = SuggestOptions::default();

    let mut group = c.benchmark_group("suggest");
    for (name, ids) in [("french", &french), ("foreign", &foreign)] {
        let mut next = ids.iter().cycle();
        group.bench_function(name, |b| {
            b.iter(|| {
                matcher
                    .suggest(next.next().unwrap(), &options, &NoVetoes)
                    .unwrap()
            })
        });
    }
    group.finish();

    let mut query = SearchQuery::new("eau potable forages");
    query.filters = SearchFilters {
        country: CountryCode::parse("SN"),
        open_on: Some(passerelle_datasets::demo_corpus_date()),
        ..SearchFilters::default()
    };
    c.bench_function("search/text+filters", |b| {
        b.iter(|| index.search(&query).unwrap())
    });
    c.bench_function("lookup/fuzzy", |b| {
        b.iter(|| names.lookup("saint etiene", None, 10).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = engine
}
criterion_main!(benches);
