//! Scoring, totals and snippets on small corpora (the relevance set over the demo
//! corpus is in the integration tests: `tests/it/search_relevance.rs`).

use serde_json::json;

use super::{ids, store_with_corpus};
use crate::search::{MAX_QUERY_BYTES, MatchedField, SearchIndex, SearchQuery, Snippet};
use crate::store::Store;
use crate::text::fixtures::fiche;

/// The highlighted parts of a snippet.
fn marked(snippet: &Snippet) -> Vec<&str> {
    snippet
        .highlights
        .iter()
        .map(|r| &snippet.text[r.clone()])
        .collect()
}

fn store_with(fiches: &[crate::fiche::Fiche]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.upsert(fiches).unwrap();
    (dir, store)
}

#[test]
fn words_found_together_in_texts_outweigh_one_word_in_a_name() {
    let (_dir, mut store) = store_with_corpus();
    let eau_claire = fiche(
        "US-COM-EAU",
        "Eau Claire",
        json!({"languages": ["en"], "request": {"text": "Tourism and culture."}}),
    );
    store.upsert(&[eau_claire]).unwrap();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let page = index
        .search(&SearchQuery::new("eau potable forages"))
        .unwrap();
    let found: Vec<&str> = page.hits.iter().map(|h| h.id.as_str()).collect();
    let rank = |id: &str| found.iter().position(|f| *f == id).unwrap();
    assert!(rank("SN-COM-DKR") < rank("US-COM-EAU"), "{found:?}");
    assert!(rank("FR-COM-42218") < rank("US-COM-EAU"), "{found:?}");
    let dakar = page.hits[rank("SN-COM-DKR")].snippet.clone().unwrap();
    assert_eq!(dakar.field, MatchedField::Request);
    assert_eq!(dakar.text, "Eau potable, forages ruraux.");
    assert_eq!(marked(&dakar), ["Eau", "potable", "forages"]);
    let saint_etienne = page.hits[rank("FR-COM-42218")].snippet.clone().unwrap();
    assert_eq!(saint_etienne.field, MatchedField::Offer);
    assert_eq!(marked(&saint_etienne), ["forages", "eau", "potable"]);
    let eau = page.hits[rank("US-COM-EAU")].snippet.clone().unwrap();
    assert_eq!((eau.field, marked(&eau)), (MatchedField::Name, vec!["Eau"]));
}

#[test]
fn a_query_naming_a_place_puts_it_first() {
    let (_dir, mut store) = store_with_corpus();
    let others = [
        fiche("PT-COM-POR", "Porto", json!({"languages": ["pt"]})),
        fiche("CV-COM-PNV", "Porto Novo", json!({"languages": ["pt"]})),
        fiche("BG-COM-NOV", "Novo Selo", json!({})),
        fiche(
            "FR-COM-42999",
            "Saint-Genest",
            json!({"request": {"text": "Jumelage avec Saint-Étienne et Porto-Novo."}}),
        ),
    ];
    store.upsert(&others).unwrap();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    // Two places have the name in full: the larger one first (264,000 against 1,000).
    let porto_novo = ids(&index, &SearchQuery::new("Porto-Novo"));
    assert_eq!(porto_novo[..2], ["BJ-COM-BJ-OU-PNO", "CV-COM-PNV"]);
    let mention = porto_novo
        .iter()
        .position(|id| id == "FR-COM-42999")
        .unwrap();
    let porto = porto_novo.iter().position(|id| id == "PT-COM-POR").unwrap();
    assert!(porto > 1 && mention > 1);
    let saint_etienne = index.search(&SearchQuery::new("saint etienne")).unwrap();
    assert_eq!(saint_etienne.hits[0].id.as_str(), "FR-COM-42218");
    let snippet = saint_etienne.hits[0].snippet.clone().unwrap();
    assert_eq!(snippet.field, MatchedField::Name);
    assert_eq!(marked(&snippet), ["Saint", "Étienne"]);
    // An alternative name shows beside the name.
    let page = index.search(&SearchQuery::new("Hogbonou")).unwrap();
    let snippet = page.hits[0].snippet.clone().unwrap();
    assert_eq!(snippet.text, "Porto-Novo · Hogbonou");
    assert_eq!(marked(&snippet), ["Hogbonou"]);
}

#[test]
fn theme_keywords_find_fiches_of_that_theme_across_languages() {
    let (_dir, store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    // An English keyword of eau-assainissement: Accra's text has no "sanitation",
    // Porto-Novo declares the theme, and their texts are in French and English.
    let page = index.search(&SearchQuery::new("sanitation")).unwrap();
    let porto_novo = page
        .hits
        .iter()
        .find(|h| h.id.as_str() == "BJ-COM-BJ-OU-PNO")
        .expect("the theme finds Porto-Novo");
    let snippet = porto_novo.snippet.clone().unwrap();
    assert_eq!(snippet.field, MatchedField::Themes);
    assert_eq!(snippet.text, "Eau et assainissement");
    assert_eq!(marked(&snippet), ["Eau et assainissement"]);
    // Saint-Denis (culture, jeunesse) has nothing to do with water.
    assert!(page.hits.iter().all(|h| h.id.as_str() != "FR-COM-93066"));
}

#[test]
fn common_words_select_nothing_on_their_own() {
    let mut fiches: Vec<_> = (0..5)
        .map(|i| {
            fiche(
                &format!("FR-COM-0100{i}"),
                &format!("Commune {i}"),
                json!({}),
            )
        })
        .collect();
    fiches.push(fiche(
        "SN-COM-KLD",
        "Kolda",
        json!({"request": {"text": "Forage et coopération."}}),
    ));
    let (_dir, store) = store_with(&fiches);
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    // Every fiche has "coopération" (the fixtures' default request): it adds to the
    // score but selects nothing while another word does.
    let page = index
        .search(&SearchQuery::new("coopération forage"))
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.hits[0].id.as_str(), "SN-COM-KLD");
    let alone = index.search(&SearchQuery::new("forage")).unwrap();
    assert!(page.hits[0].score > alone.hits[0].score);
    assert_eq!(
        index
            .search(&SearchQuery::new("coopération"))
            .unwrap()
            .total,
        6
    );
}

#[test]
fn equal_scores_are_ordered_by_id_and_totals_count_every_page() {
    let fiches: Vec<_> = ["FR-COM-01003", "FR-COM-01001", "FR-COM-01002"]
        .iter()
        .map(|id| fiche(id, "Pareil", json!({})))
        .collect();
    let (_dir, store) = store_with(&fiches);
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let mut query = SearchQuery::new("pareil");
    assert_eq!(
        ids(&index, &query),
        ["FR-COM-01001", "FR-COM-01002", "FR-COM-01003"]
    );
    query.limit = 1;
    query.offset = 1;
    let page = index.search(&query).unwrap();
    assert_eq!((page.total, page.hits.len()), (3, 1));
    assert_eq!(page.hits[0].id.as_str(), "FR-COM-01002");
}

#[test]
fn long_texts_are_cut_around_the_words_found() {
    let filler = "Le territoire conduit des politiques locales variées. ".repeat(8);
    let text = format!(
        "{filler}Nous cherchons un appui pour l'électrification et l'éclairage public. {filler}"
    );
    let (_dir, store) = store_with(&[fiche(
        "SN-COM-LNG",
        "Longue",
        json!({"request": {"text": text}}),
    )]);
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let page = index
        .search(&SearchQuery::new("eclairage electrification"))
        .unwrap();
    let snippet = page.hits[0].snippet.clone().unwrap();
    assert!(snippet.text.starts_with('…') && snippet.text.ends_with('…'));
    assert!(snippet.text.len() <= crate::search::MAX_SNIPPET_BYTES + 2 * '…'.len_utf8());
    assert_eq!(marked(&snippet), ["électrification", "éclairage"]);
    // Cut at words: after the opening ellipsis comes a whole word.
    let first_word = snippet.text['…'.len_utf8()..].split(' ').next().unwrap();
    assert!(text.split(' ').any(|w| w == first_word), "{first_word:?}");
}

#[test]
fn queries_are_bounded_and_filter_only_searches_have_no_snippet() {
    let (_dir, store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let long = "eau ".repeat(MAX_QUERY_BYTES / 4 + 1);
    let err = index.search(&SearchQuery::new(long)).unwrap_err();
    assert!(matches!(err, crate::Error::BadQuery { .. }), "{err}");
    let page = index.search(&SearchQuery::new("")).unwrap();
    assert_eq!(page.total, 9);
    assert!(page.hits.iter().all(|h| h.snippet.is_none()));
}
