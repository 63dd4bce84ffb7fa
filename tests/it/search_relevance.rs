//! Relevance of search on the demo corpus: queries in French, English, Spanish and
//! Portuguese with the fiches they must find near the top.
//!
//! Indexing the whole corpus (199,000 fiches) takes minutes in a debug build, so the
//! index holds a part of it that keeps every fiche that could compete for the top of
//! each query: every fiche whose texts contain all of a query's expressions (the
//! fiches it is about) and every fiche whose name has one of its words (the fiches
//! that only look like it), plus one fiche in ten of the others, so that words keep
//! the rarity they have in the whole corpus.

use std::collections::HashSet;

use passerelle_engine::fiche::Fiche;
use passerelle_engine::reference::CountryCode;
use passerelle_engine::search::{MatchedField, SearchHit, SearchIndex, SearchQuery};
use passerelle_engine::store::Store;
use passerelle_engine::text;

/// One query of the relevance set.
struct Case {
    query: &'static str,
    country: Option<&'static str>,
    /// Expressions (lowercase, as the generator writes them) that all occur in the
    /// texts of the fiches the query is about.
    about: &'static [&'static str],
    /// Folded words whose presence in a name makes a fiche look like an answer.
    name_words: &'static [&'static str],
    /// Fiches that must be in the top 10 (the first one first, when `first`).
    expected: &'static [&'static str],
    first: bool,
}

const CASES: &[Case] = &[
    // The README's example: Kolda asks for "eau potable et forage".
    Case {
        query: "eau potable forages",
        country: None,
        about: &["eau potable", "forage"],
        name_words: &["eau"],
        expected: &["SN-GN-2249782", "FR-COM-29019"],
        first: false,
    },
    Case {
        query: "eau potable forages",
        country: Some("SN"),
        about: &["eau potable", "forage"],
        name_words: &["eau"],
        expected: &["SN-GN-2249782"],
        first: true,
    },
    Case {
        query: "drinking water boreholes",
        country: None,
        about: &["drinking water", "borehole"],
        name_words: &["water"],
        expected: &["CN-GN-1793724", "AF-GN-1139715"],
        first: false,
    },
    Case {
        query: "agua potable y saneamiento",
        country: None,
        about: &["agua potable", "saneamiento"],
        name_words: &["agua"],
        expected: &["PE-GN-3691674", "ES-GN-3114965"],
        first: false,
    },
    Case {
        query: "água potável, poços",
        country: None,
        about: &["água potável", "poço"],
        name_words: &["agua", "poco", "pocos"],
        expected: &["MZ-GN-1028434", "BR-GN-3402591"],
        first: false,
    },
    // Names: the place named comes first.
    Case {
        query: "Bordeaux",
        country: None,
        about: &[],
        name_words: &["bordeaux"],
        expected: &["FR-COM-33063"],
        first: true,
    },
    Case {
        query: "Porto-Novo",
        country: None,
        about: &[],
        name_words: &["porto", "novo"],
        expected: &["BJ-COM-BJ-OU-POR"],
        first: true,
    },
    Case {
        query: "Saint-Étienne",
        country: None,
        about: &[],
        name_words: &["etienne"],
        expected: &["FR-COM-42218"],
        first: true,
    },
    Case {
        query: "Sao Paulo",
        country: None,
        about: &[],
        name_words: &["sao", "paulo"],
        expected: &["BR-GN-3448439"],
        first: true,
    },
];

fn texts(fiche: &Fiche) -> String {
    let intents = [fiche.offer.as_ref(), fiche.request.as_ref()];
    let texts = intents
        .into_iter()
        .flatten()
        .filter_map(|i| i.text.as_deref());
    let all: Vec<&str> = fiche
        .activities
        .as_deref()
        .into_iter()
        .chain(texts)
        .collect();
    all.join("\n").to_lowercase()
}

/// The part of the corpus the index holds (see the module's documentation).
fn relevant_part(corpus: Vec<Fiche>) -> Vec<Fiche> {
    let name_words: HashSet<&str> = CASES.iter().flat_map(|c| c.name_words).copied().collect();
    corpus
        .into_iter()
        .enumerate()
        .filter(|(i, fiche)| {
            if i % 10 == 0 {
                return true;
            }
            let folded = text::fold_tokens(&fiche.name);
            if folded.iter().any(|w| name_words.contains(w.as_str())) {
                return true;
            }
            let texts = texts(fiche);
            CASES
                .iter()
                .any(|c| !c.about.is_empty() && c.about.iter().all(|e| texts.contains(e)))
        })
        .map(|(_, fiche)| fiche)
        .collect()
}

fn describe(hits: &[SearchHit]) -> String {
    let lines: Vec<String> = hits
        .iter()
        .map(|h| {
            let why = h.snippet.as_ref().map_or(String::new(), |s| {
                format!("{}: {}", s.field.label(), s.text)
            });
            format!("  {:.4} {} {} — {why}", h.score, h.id, h.name)
        })
        .collect();
    lines.join("\n")
}

/// What is wrong with the top 10 of `case`, if anything.
fn check(index: &SearchIndex, case: &Case) -> Option<String> {
    let mut query = SearchQuery::new(case.query);
    query.limit = 10;
    query.filters.country = case.country.and_then(CountryCode::parse);
    let page = index.search(&query).unwrap();
    let top: Vec<&str> = page.hits.iter().map(|h| h.id.as_str()).collect();
    let mut problems = Vec::new();
    for expected in case.expected {
        if !top.contains(expected) {
            problems.push(format!("{expected} is not in the top 10"));
        }
    }
    if case.first && top.first() != case.expected.first() {
        problems.push(format!("{} is not first", case.expected[0]));
    }
    if !case.about.is_empty() && case.country.is_none() {
        // A query about something is answered by texts that have several of its
        // words, not by names that contain one of them (the corpus has more than ten
        // such texts for each query).
        for hit in &page.hits {
            let snippet = hit.snippet.as_ref();
            let answered = snippet
                .is_some_and(|s| s.field != MatchedField::Name && s.field != MatchedField::Themes);
            if !answered || snippet.is_some_and(|s| s.highlights.len() < 2) {
                problems.push(format!("{} ({}) does not answer it", hit.id, hit.name));
            }
        }
    }
    if page.total < page.hits.len() {
        problems.push(format!("total {} below the page", page.total));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{:?}{}: {}\n{}",
            case.query,
            case.country.map_or(String::new(), |c| format!(" in {c}")),
            problems.join("; "),
            describe(&page.hits)
        )
    })
}

#[test]
fn queries_in_four_languages_find_the_fiches_they_are_about() {
    let corpus = passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)
        .expect("the corpus generates");
    let part = relevant_part(corpus);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.upsert(&part).unwrap();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let failures: Vec<String> = CASES.iter().filter_map(|c| check(&index, c)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} queries failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
