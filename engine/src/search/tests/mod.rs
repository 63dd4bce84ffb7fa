use chrono::NaiveDate;
use serde_json::json;

mod apply;
mod exact;
mod relevance;

use super::*;
use crate::fiche::{Level, Side};
use crate::reference::{CountryCode, ThemeCode};
use crate::text::fixtures::{corpus, fiche};

pub(super) fn store_with_corpus() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.upsert(&corpus()).unwrap();
    (dir, store)
}

pub(super) fn ids(index: &SearchIndex, query: &SearchQuery) -> Vec<String> {
    let page = index.search(query).unwrap();
    page.hits.iter().map(|h| h.id.to_string()).collect()
}

fn filtered(text: &str, set: impl FnOnce(&mut SearchFilters)) -> SearchQuery {
    let mut query = SearchQuery::new(text);
    set(&mut query.filters);
    query
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn french_stemming_finds_plural_and_singular() {
    let (_dir, store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    assert_eq!(index.rebuilt(), Some(RebuildReason::Missing));
    assert_eq!(index.num_docs(), 9);
    // The fiches whose texts have the word first (in any order of score), then those
    // that have it only as a theme keyword (eau-assainissement).
    let page = index.search(&SearchQuery::new("forage")).unwrap();
    let mut in_texts: Vec<&str> = page.hits[..3].iter().map(|h| h.id.as_str()).collect();
    in_texts.sort();
    assert_eq!(in_texts, ["BJ-COM-BJ-OU-PNO", "FR-COM-42218", "SN-COM-DKR"]);
    assert!(page.hits[..3].iter().all(|h| {
        let field = h.snippet.as_ref().unwrap().field;
        field != MatchedField::Themes && field != MatchedField::Name
    }));
    assert_eq!(page.total, page.hits.len());
    assert!(
        page.hits[3..]
            .iter()
            .all(|h| h.snippet.as_ref().unwrap().field == MatchedField::Themes)
    );
    let hits = index
        .search(&SearchQuery::new("eau potable forages"))
        .unwrap()
        .hits;
    assert!(hits[0].score > 0.0 && hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn queries_are_analysed_in_every_language() {
    let (_dir, store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    // First the fiche whose text has the word; then those with the word's theme.
    assert_eq!(
        ids(&index, &SearchQuery::new("saneamientos"))[0],
        "MX-COM-OAX"
    );
    assert_eq!(ids(&index, &SearchQuery::new("borehole"))[0], "GH-COM-ACC");
    assert_eq!(ids(&index, &SearchQuery::new("escola")), ["BR-COM-REC"]);
}

#[test]
fn names_match_folded_and_alt_names_count() {
    let (_dir, store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let hits = index
        .search(&SearchQuery::new("SAINT ETIENNE"))
        .unwrap()
        .hits;
    assert_eq!(hits[0].id.as_str(), "FR-COM-42218");
    assert_eq!(hits[0].name, "Saint-Étienne");
    assert_eq!(hits[0].country, CountryCode::FRANCE);
    assert_eq!(
        ids(&index, &SearchQuery::new("adjace")),
        ["BJ-COM-BJ-OU-PNO"]
    );
    let mut denis = ids(&index, &SearchQuery::new("denis"));
    denis.sort();
    assert_eq!(denis, ["FR-COM-93066", "FR-COM-97411"]);
}

#[test]
fn filters_select_without_text() {
    let (_dir, store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let sn = CountryCode::parse("SN");
    assert_eq!(
        ids(&index, &filtered("forage", |f| f.country = sn)),
        ["SN-COM-DKR"]
    );
    let level = |f: &mut SearchFilters| f.level = Some(Level::Intermediate);
    assert_eq!(ids(&index, &filtered("", level)), ["FR-DEP-42"]);
    let region = |f: &mut SearchFilters| f.admin1 = Some("84".into());
    assert_eq!(
        ids(&index, &filtered("", region)),
        ["FR-COM-42218", "FR-DEP-42"]
    );
    let admin1 = |f: &mut SearchFilters| f.admin1 = Some("OU".into());
    assert_eq!(ids(&index, &filtered("", admin1)), ["BJ-COM-BJ-OU-PNO"]);
    let water = ThemeCode::parse("eau-assainissement");
    let theme = |f: &mut SearchFilters| f.theme = water;
    assert_eq!(
        ids(&index, &filtered("", theme)),
        ["BJ-COM-BJ-OU-PNO", "FR-COM-42218"]
    );
    let side = |f: &mut SearchFilters| f.side = Some(Side::French);
    assert_eq!(ids(&index, &filtered("", side)).len(), 4);
    let open = |f: &mut SearchFilters| f.open_on = Some(date("2026-06-01"));
    assert_eq!(
        ids(&index, &filtered("", open)),
        ["BJ-COM-BJ-OU-PNO", "FR-COM-42218"]
    );
    let open_2024 = |f: &mut SearchFilters| f.open_on = Some(date("2024-06-01"));
    assert_eq!(ids(&index, &filtered("forages", open_2024)).len(), 3);
    let population = |f: &mut SearchFilters| {
        f.min_population = Some(150_000);
        f.max_population = Some(270_000);
    };
    let expected = [
        "BJ-COM-BJ-OU-PNO",
        "FR-COM-42218",
        "FR-COM-97411",
        "MX-COM-OAX",
    ];
    assert_eq!(ids(&index, &filtered("", population)), expected);
}

#[test]
fn pages_are_deterministic_and_bounded() {
    let (_dir, store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let mut all = SearchQuery::new("");
    all.limit = 100;
    let every = ids(&index, &all);
    let mut sorted = every.clone();
    sorted.sort();
    assert_eq!(every, sorted);
    all.limit = 3;
    all.offset = 3;
    assert_eq!(ids(&index, &all), every[3..6]);
    all.limit = MAX_LIMIT + 1;
    assert!(matches!(
        index.search(&all),
        Err(crate::Error::BadQuery { .. })
    ));
    all.limit = 0;
    let count = index.search(&all).unwrap();
    assert!(count.hits.is_empty());
    assert_eq!(count.total, every.len());
}

#[test]
fn odd_query_text_never_panics() {
    let (_dir, store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    for text in [
        "((eau",
        "eau AND OR NOT",
        "\"unbalanced",
        "*:*eau",
        "title:x^2",
        "é’ -- ü",
    ] {
        index.search(&SearchQuery::new(text)).unwrap();
    }
    let err = index.search(&SearchQuery::new("(((?!")).unwrap_err();
    assert!(matches!(err, crate::Error::BadQuery { .. }), "{err}");
    let mut q = filtered("", |f| {
        f.min_population = Some(10);
        f.max_population = Some(1);
    });
    q.limit = 5;
    assert!(index.search(&q).is_err());
}

#[test]
fn a_stale_index_is_rebuilt_after_a_store_write() {
    let (_dir, mut store) = store_with_corpus();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    assert!(ids(&index, &SearchQuery::new("Ouagadougou")).is_empty());
    let reopened = SearchIndex::open_or_rebuild(&store).unwrap();
    assert_eq!(reopened.rebuilt(), None);
    drop((index, reopened));
    store
        .upsert(&[fiche("BF-COM-OUA", "Ouagadougou", json!({}))])
        .unwrap();
    let mut index = SearchIndex::open_or_rebuild(&store).unwrap();
    assert_eq!(index.rebuilt(), Some(RebuildReason::Stale));
    assert_eq!(
        ids(&index, &SearchQuery::new("ouagadougou")),
        ["BF-COM-OUA"]
    );
    store.delete(&"BF-COM-OUA".parse_id()).unwrap();
    index.refresh(&store).unwrap();
    assert_eq!(index.rebuilt(), Some(RebuildReason::Stale));
    assert!(ids(&index, &SearchQuery::new("ouagadougou")).is_empty());
}

#[test]
fn a_corrupt_index_is_rebuilt() {
    let (_dir, store) = store_with_corpus();
    let dir = SearchIndex::open_or_rebuild(&store)
        .unwrap()
        .dir()
        .to_owned();
    std::fs::write(dir.join("meta.json"), b"{ not json").unwrap();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    assert_eq!(index.rebuilt(), Some(RebuildReason::Corrupt));
    assert_eq!(index.num_docs(), 9);
    drop(index);
    // Damage every segment file: the checksums fail.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.ends_with(".json") && !name.starts_with('.') {
            let mut bytes = std::fs::read(&path).unwrap();
            bytes[0] ^= 0xff;
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    assert_eq!(index.rebuilt(), Some(RebuildReason::Corrupt));
    assert_eq!(ids(&index, &SearchQuery::new("dakar")), ["SN-COM-DKR"]);
    // No temporary folder is left beside it.
    let siblings = std::fs::read_dir(dir.parent().unwrap()).unwrap();
    assert!(
        siblings
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().contains(".tmp-"))
    );
}

pub(super) trait ParseId {
    fn parse_id(&self) -> crate::fiche::FicheId;
}

impl ParseId for str {
    fn parse_id(&self) -> crate::fiche::FicheId {
        crate::fiche::FicheId::parse(self).unwrap()
    }
}
