//! What decides where a search runs (see `threads.rs`): its estimate of the
//! postings it reads (`scorer::postings_to_read`), against the index's own
//! document frequencies.

use super::super::query;
use super::super::relevance::Plan;
use super::exact::sample;
use super::*;

/// `query`'s plan and estimate in `index`.
fn estimate(index: &SearchIndex, query: &SearchQuery) -> (Plan, u64) {
    let view = index.shared.view().unwrap();
    let shared = &index.shared;
    query::postings_to_read(
        &view,
        &shared.fields,
        &shared.key_sets,
        &shared.columns,
        query,
    )
    .unwrap()
}

#[test]
fn a_search_reads_its_words_postings_or_seeks_its_few_admitted_fiches() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let fiches = sample();
    store.upsert(&fiches).unwrap();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let searcher = index.shared.view().unwrap().searcher.clone();

    // Unfiltered: every place's list (tantivy's document frequencies), a theme's set
    // a word of 64 documents at a time.
    let words = SearchQuery::new("de la commune eau");
    let (plan, postings) = estimate(&index, &words);
    let mut listed = 0;
    for reader in searcher.segment_readers() {
        for place in plan.clauses().flat_map(|(places, _)| places) {
            listed += match place.theme {
                true => u64::from(reader.max_doc()) / 64,
                false => {
                    let inverted = reader.inverted_index(place.term.field()).unwrap();
                    u64::from(inverted.doc_freq(&place.term).unwrap())
                }
            };
        }
    }
    assert_eq!(postings, listed);

    // One country's fiches, few: at most one seek per place and fiche.
    let mut senegal = words.clone();
    senegal.filters.country = CountryCode::parse("SN");
    let admitted = fiches.iter().filter(|f| f.country.as_str() == "SN").count() as u64;
    let places = plan.clauses().flat_map(|(places, _)| places).count() as u64;
    let (_, sought) = estimate(&index, &senegal);
    assert!(admitted > 0 && sought <= admitted * places, "{sought}");
    assert!(sought < postings / 4, "{sought} of {postings}");
}
