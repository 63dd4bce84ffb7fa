use chrono::Utc;
use serde_json::json;

use super::*;
use crate::ranking::SuggestOptions;
use crate::scoring::Weights;
use crate::search::SearchQuery;
use crate::store::{DecisionKind, NewDecision};
use crate::text::fixtures::{corpus as fiches, fiche};

fn open_on(dir: &Path) -> Corpus {
    let options = CorpusOptions {
        today: Some("2026-09-01".parse().unwrap()),
        threads: 1,
        writer: None,
        policy: Default::default(),
    };
    Corpus::create_or_open(dir, &options).unwrap()
}

fn id(text: &str) -> FicheId {
    FicheId::parse(text).unwrap()
}

fn suggested(corpus: &Corpus, of: &str) -> Vec<String> {
    let options = SuggestOptions {
        k: 50,
        ..SuggestOptions::default()
    };
    corpus
        .suggest(&id(of), &options)
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.id.to_string())
        .collect()
}

fn searched(corpus: &Corpus, text: &str) -> Vec<String> {
    corpus
        .search(&SearchQuery::new(text))
        .unwrap()
        .hits
        .into_iter()
        .map(|hit| hit.id.to_string())
        .collect()
}

#[test]
fn a_directory_without_a_store_is_not_created_by_a_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let error = Corpus::open(&missing, &CorpusOptions::default()).unwrap_err();
    assert!(matches!(error, Error::NoStore { .. }), "{error:?}");
    assert!(!missing.exists());
}

#[test]
fn reads_build_only_what_they_need() {
    let dir = tempfile::tempdir().unwrap();
    open_on(dir.path()).upsert(&fiches()).unwrap();
    let corpus = open_on(dir.path());
    assert!(!searched(&corpus, "forages").is_empty());
    assert!(
        !corpus.matcher.is_loaded().unwrap(),
        "a search needs no matcher"
    );
    assert!(!corpus.names.is_loaded().unwrap());
    corpus.lookup("Loire", None, 3).unwrap();
    assert!(corpus.names.is_loaded().unwrap());
    assert!(!corpus.matcher.is_loaded().unwrap());
}

#[test]
fn every_structure_reflects_a_write_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_on(dir.path());
    corpus.upsert(&fiches()).unwrap();
    corpus.warm().unwrap();
    let before = suggested(&corpus, "FR-COM-42218");
    let newcomer = fiche(
        "BJ-COM-BJ-AQ-ABO",
        "Abomey-Calavi",
        json!({
            "request": {"themes": ["eau-assainissement"], "text": "Forages et eau potable."},
            "call": {"status": "open", "expires": "2027-06-30"}
        }),
    );
    corpus.upsert(std::slice::from_ref(&newcomer)).unwrap();
    assert!(!before.contains(&newcomer.id.to_string()));
    assert!(suggested(&corpus, "FR-COM-42218").contains(&newcomer.id.to_string()));
    assert_eq!(corpus.get(&newcomer.id).unwrap(), newcomer);
    assert_eq!(
        corpus.resolve("Abomey Calavi", None, None).unwrap().id,
        newcomer.id
    );
    assert!(searched(&corpus, "Abomey").contains(&newcomer.id.to_string()));

    corpus.delete(&newcomer.id).unwrap();
    assert!(!suggested(&corpus, "FR-COM-42218").contains(&newcomer.id.to_string()));
    assert!(matches!(corpus.get(&newcomer.id), Err(Error::NotFound(_))));
    assert!(corpus.resolve("Abomey-Calavi", None, None).is_err());
    assert!(!searched(&corpus, "Abomey").contains(&newcomer.id.to_string()));
}

#[test]
fn a_rejection_vetoes_the_pair_everywhere_and_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_on(dir.path());
    corpus.upsert(&fiches()).unwrap();
    let french = "FR-COM-42218";
    let partner = suggested(&corpus, french)[0].clone();
    let explained = corpus
        .explain(&id(french), &id(&partner), &Weights::default())
        .unwrap();
    assert_eq!(explained.exclusion, None);
    corpus
        .record_decision(&NewDecision {
            a: id(&partner),
            b: id(french),
            kind: DecisionKind::Reject,
            reason: Some(crate::store::DecisionReason::Theme),
            note: "hors sujet".into(),
            reviewer: "test".into(),
            at: Utc::now(),
        })
        .unwrap();
    for corpus in [&corpus, &open_on(dir.path())] {
        assert!(!suggested(corpus, french).contains(&partner));
        let explained = corpus
            .explain(&id(french), &id(&partner), &Weights::default())
            .unwrap();
        assert_eq!(explained.exclusion, Some(crate::scoring::Exclusion::Vetoed));
    }
}

#[test]
fn a_pair_of_one_side_is_never_scored() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_on(dir.path());
    corpus.upsert(&fiches()).unwrap();
    let error = corpus
        .explain(&id("FR-COM-42218"), &id("FR-DEP-42"), &Weights::default())
        .unwrap_err();
    assert!(matches!(error, Error::SameSide { .. }), "{error:?}");
}

#[test]
fn a_poisoned_lock_is_an_internal_error_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_on(dir.path());
    corpus.upsert(&fiches()).unwrap();
    corpus.warm().unwrap();
    let poison = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _store = corpus.store().unwrap();
        panic!("a bug while holding the store");
    }));
    assert!(poison.is_err());
    let poisoned = |result: Result<()>| {
        assert!(
            matches!(result, Err(Error::Poisoned { what: "store" })),
            "{result:?}"
        );
    };
    poisoned(corpus.get(&id("FR-COM-42218")).map(drop));
    poisoned(corpus.upsert(&fiches()).map(drop));
    poisoned(corpus.count().map(drop));
    poisoned(corpus.decisions(&id("FR-COM-42218"), None).map(drop));
    // Reads of a derived structure still answer, from a consistent state.
    assert!(!suggested(&corpus, "FR-COM-42218").is_empty());
}

#[test]
fn a_second_writer_is_refused_and_readers_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let writer = |command| CorpusOptions {
        writer: Some(command),
        ..CorpusOptions::default()
    };
    let serving = Corpus::create_or_open(dir.path(), &writer("passerelle serve")).unwrap();
    serving.upsert(&fiches()).unwrap();
    let error = Corpus::create_or_open(dir.path(), &writer("passerelle import")).unwrap_err();
    assert!(matches!(error, Error::DataDirInUse { .. }), "{error:?}");
    assert!(error.to_string().contains("passerelle serve"), "{error}");
    let reader = Corpus::open(dir.path(), &CorpusOptions::default()).unwrap();
    assert_eq!(reader.count().unwrap(), fiches().len() as u64);
    drop(serving);
    Corpus::create_or_open(dir.path(), &writer("passerelle import")).unwrap();
}

/// Every entry of every page of the queue.
fn whole_queue(corpus: &Corpus, query: &QueueQuery) -> usize {
    let mut query = QueueQuery {
        page_size: 2,
        offset: 0,
        ..query.clone()
    };
    let mut entries = 0;
    loop {
        let page = corpus.review_queue(&query).unwrap();
        entries += page.entries.len();
        if !page.more {
            return entries;
        }
        query.offset += query.page_size;
    }
}

#[test]
fn the_queue_size_is_what_its_pages_list() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_on(dir.path());
    corpus.upsert(&fiches()).unwrap();
    let queries = [
        QueueQuery {
            per_fiche: 1,
            ..QueueQuery::default()
        },
        QueueQuery {
            per_fiche: 3,
            ..QueueQuery::default()
        },
        QueueQuery {
            per_fiche: 50,
            region: Some("84".into()),
            ..QueueQuery::default()
        },
        QueueQuery {
            per_fiche: 2,
            filters: crate::ranking::CandidateFilters {
                country: crate::reference::CountryCode::parse("BJ"),
                ..Default::default()
            },
            ..QueueQuery::default()
        },
    ];
    let check = |corpus: &Corpus| {
        for query in &queries {
            let listed = whole_queue(corpus, query);
            assert_eq!(
                corpus.review_remaining(query).unwrap(),
                listed as u64,
                "{query:?}"
            );
        }
    };
    check(&corpus);
    let french: Vec<FicheId> = fiches()
        .into_iter()
        .filter(|f| f.side() == Side::French)
        .map(|f| f.id)
        .collect();
    let mut decided = 0;
    for (fiche, kind) in french.iter().zip(
        [DecisionKind::Reject, DecisionKind::Shortlist]
            .iter()
            .cycle(),
    ) {
        let Some(partner) = suggested(&corpus, fiche.as_str()).into_iter().next() else {
            continue;
        };
        corpus
            .record_decision(&NewDecision {
                a: fiche.clone(),
                b: id(&partner),
                kind: *kind,
                reason: None,
                note: String::new(),
                reviewer: "test".into(),
                at: Utc::now(),
            })
            .unwrap();
        decided += 1;
    }
    assert!(decided >= 2, "{decided}");
    check(&corpus);
}

#[test]
fn a_fiche_with_nothing_to_match_is_kept_but_never_suggested_nor_queued() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_on(dir.path());
    corpus.upsert(&fiches()).unwrap();
    let mut empty = fiche(
        "FR-COM-42999",
        "Videville",
        json!({"admin": {"region": "84"}, "call": {"status": "open"}}),
    );
    (empty.offer, empty.request) = (None, None);
    let mut empty_foreign = fiche(
        "BJ-COM-VIDE",
        "Videcité",
        json!({"call": {"status": "open"}}),
    );
    (empty_foreign.offer, empty_foreign.request) = (None, None);
    corpus
        .upsert(&[empty.clone(), empty_foreign.clone()])
        .unwrap();
    assert_eq!(corpus.get(&empty.id).unwrap(), empty);
    assert!(searched(&corpus, "Videville").contains(&empty.id.to_string()));
    let error = corpus
        .suggest(&empty.id, &SuggestOptions::default())
        .unwrap_err();
    assert!(matches!(error, Error::NothingToMatch { .. }), "{error:?}");
    assert!(!suggested(&corpus, "FR-COM-42218").contains(&"BJ-COM-VIDE".to_owned()));
    let explained = corpus
        .explain(&id("FR-COM-42218"), &empty_foreign.id, &Weights::default())
        .unwrap();
    assert_eq!(
        explained.exclusion,
        Some(crate::scoring::Exclusion::NothingToMatch(
            empty_foreign.id.clone()
        ))
    );
    let queue = corpus
        .review_queue(&QueueQuery {
            region: Some("84".into()),
            per_fiche: 3,
            page_size: 50,
            ..QueueQuery::default()
        })
        .unwrap();
    assert!(queue.entries.iter().all(|e| e.fiche_id != empty.id));
    assert!(!queue.entries.is_empty());
    let zero = SuggestOptions {
        k: 0,
        ..SuggestOptions::default()
    };
    let error = corpus.suggest(&id("FR-COM-42218"), &zero).unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
}
