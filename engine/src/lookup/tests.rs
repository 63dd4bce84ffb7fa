use serde_json::json;

use super::*;
use crate::fiche::Fiche;
use crate::text::fixtures::{corpus, fiche};

fn table() -> NameTable {
    let mut fiches = corpus();
    fiches.push(fiche("FR-COM-06120", "Saint-Étienne-de-Tinée", json!({})));
    fiches.push(fiche("FR-COM-69202", "Sainte-Foy-lès-Lyon", json!({})));
    NameTable::from_fiches(&fiches)
}

fn top(table: &NameTable, query: &str) -> (String, f64) {
    let hit = table
        .lookup(query, None, 5)
        .unwrap()
        .into_iter()
        .next()
        .expect(query);
    (hit.id.to_string(), hit.score)
}

#[test]
fn spellings_find_the_same_place() {
    let table = table();
    for query in ["St-Etienne", "saint etienne", "SAINT-ÉTIENNE", "St Étienne"] {
        assert_eq!(top(&table, query), ("FR-COM-42218".into(), 1.0), "{query}");
    }
    assert_eq!(top(&table, "Porto Novo"), ("BJ-COM-BJ-OU-PNO".into(), 1.0));
    assert_eq!(top(&table, "Ste Foy les Lyon").0, "FR-COM-69202");
    assert_eq!(top(&table, "hogbonou").0, "BJ-COM-BJ-OU-PNO");
    let hits = table.lookup("Saint Etiene", None, 5).unwrap();
    assert_eq!(hits[0].id.as_str(), "FR-COM-42218");
    assert!(hits[0].score < 1.0 && hits[0].score > hits[1].score);
    assert!(hits.iter().all(|h| (0.0..=1.0).contains(&h.score)));
}

#[test]
fn lookup_within_a_country_and_ties_by_id() {
    let table = table();
    let benin = CountryCode::parse("BJ");
    assert!(table.lookup("Dakar", benin, 5).unwrap().is_empty());
    let denis = table.lookup("Saint-Denis", None, 5).unwrap();
    assert_eq!(denis[0].id.as_str(), "FR-COM-93066");
    assert_eq!(denis[1].id.as_str(), "FR-COM-97411");
    assert_eq!(denis[0].score, denis[1].score);
    assert!(table.lookup("", None, 5).unwrap().is_empty());
}

#[test]
fn resolve_accepts_ids_and_unique_names() {
    let table = table();
    assert_eq!(
        table.resolve("SN-COM-DKR", None).unwrap().as_str(),
        "SN-COM-DKR"
    );
    assert_eq!(
        table.resolve(" st-etienne ", None).unwrap().as_str(),
        "FR-COM-42218"
    );
    assert_eq!(
        table
            .resolve("Porto Novo", CountryCode::parse("BJ"))
            .unwrap()
            .as_str(),
        "BJ-COM-BJ-OU-PNO"
    );
    assert!(matches!(
        table.resolve("SN-COM-NOPE", None),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn ambiguous_and_unknown_names_are_errors_with_candidates() {
    let table = table();
    match table.resolve("Saint-Denis", None) {
        Err(Error::AmbiguousName { candidates, .. }) => {
            assert_eq!(candidates.len(), 2);
            assert_eq!(
                candidates[0],
                "FR-COM-93066  Saint-Denis (FR, dép. 93)  → « Saint-Denis (93) »"
            );
            assert_eq!(
                candidates[1],
                "FR-COM-97411  Saint-Denis (FR, dép. 974)  → « Saint-Denis (974) »"
            );
        }
        other => panic!("{other:?}"),
    }
    let err = table
        .resolve("Saint-Denis", CountryCode::parse("FR"))
        .unwrap_err();
    assert!(err.to_string().contains("FR-COM-97411"), "{err}");
    match table.resolve("Tombouctou", None) {
        Err(Error::NoSuchName { query, .. }) => assert_eq!(query, "Tombouctou"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn removed_and_renamed_fiches_are_found_by_their_current_names_only() {
    let mut table = table();
    let before = table.len();
    let id = table.resolve("Porto Novo", None).unwrap();
    assert!(table.remove(&id));
    assert!(!table.remove(&id));
    assert_eq!(table.len(), before - 1);
    assert!(
        table
            .lookup("Porto-Novo", None, 5)
            .unwrap()
            .iter()
            .all(|h| h.id != id)
    );
    assert!(matches!(
        table.resolve(id.as_str(), None),
        Err(crate::Error::NotFound(_))
    ));
}

#[test]
fn resolve_on_a_side_ignores_the_other_side() {
    let table = table();
    assert_eq!(
        table
            .resolve_on_side("Porto Novo", Side::Foreign)
            .unwrap()
            .as_str(),
        "BJ-COM-BJ-OU-PNO"
    );
    assert!(matches!(
        table.resolve_on_side("Porto Novo", Side::French),
        Err(Error::NoSuchName { .. })
    ));
    assert!(matches!(
        table.resolve_on_side("SN-COM-DKR", Side::French),
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        table
            .resolve_on_side("st-etienne", Side::French)
            .unwrap()
            .as_str(),
        "FR-COM-42218"
    );
}

/// Letters only, distinct for each `i`: `baaa`, `caaa`, …
fn word(mut i: usize) -> String {
    let mut out = String::from("b");
    for _ in 0..3 {
        out.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
    }
    out
}

/// 12,000 "Saint …" and 10,000 "A …" names: buckets larger than the candidates a
/// lookup may score.
fn crowded() -> NameTable {
    let base = fiche("FR-COM-00000", "x", json!({}));
    let saintes = fiche("FR-COM-97415", "Saintes", json!({}));
    let fiches: Vec<Fiche> = std::iter::once(saintes)
        .chain((0..22_000).map(|i| {
            let mut f = base.clone();
            f.id = FicheId::parse(&format!("FR-COM-{i:05}")).unwrap();
            f.name = if i < 12_000 {
                format!("Saint {}", word(i))
            } else {
                format!("A {}", word(i))
            };
            f
        }))
        .collect();
    NameTable::from_fiches(&fiches)
}

#[test]
fn pathological_queries_score_a_bounded_number_of_names() {
    let table = crowded();
    let max_name_tokens = 2;
    let per_name = 1 + 2 * MAX_QUERY_TOKENS * max_name_tokens;
    let one_letter_words = vec!["a"; 100].join(" ");
    let long_word = "a".repeat(200);
    let many_words: String = (0..40).map(|i| format!("{} ", word(i))).collect();
    for query in [
        "Saint",
        "Sainte",
        one_letter_words.as_str(),
        long_word.as_str(),
        &"sa ".repeat(66),
        &"é".repeat(200),
        many_words.as_str(),
    ] {
        assert!(query.chars().count() <= MAX_QUERY_CHARS, "{query}");
        let (hits, candidates, work) = table.lookup_where(query, 10, &|_| true);
        assert!(hits.len() <= 10);
        assert!(candidates.names.len() <= MAX_CANDIDATES, "{query}");
        assert!(work.names_scored <= MAX_CANDIDATES, "{query}");
        assert!(work.comparisons <= work.names_scored * per_name, "{query}");
    }
    let (_, candidates, work) = table.lookup_where(&one_letter_words, 10, &|_| true);
    assert!(candidates.truncated);
    assert_eq!(work.names_scored, MAX_CANDIDATES);
    // Folding drops words longer than 60 bytes: nothing to look for.
    assert_eq!(
        table.lookup_where(&long_word, 10, &|_| true).2.names_scored,
        0
    );
}

#[test]
fn a_truncated_lookup_resolves_exact_names_only() {
    let table = crowded();
    let (_, candidates, _) = table.lookup_where("Saint", 10, &|_| true);
    assert!(
        candidates.truncated,
        "12,000 names share the prefixes of Saint"
    );
    // "Saintes" scores high, but a name as close may be among those left out.
    let (hits, _, _) = table.lookup_where("Saintess", 10, &|_| true);
    assert_eq!(hits[0].name, "Saintes", "{hits:?}");
    assert!(hits[0].score >= MIN_RESOLVE_SCORE);
    assert!(matches!(
        table.resolve("Saintess", None),
        Err(Error::AmbiguousName { .. })
    ));
    assert_eq!(
        table.resolve("Saintes", None).unwrap().as_str(),
        "FR-COM-97415"
    );
    assert_eq!(
        table.resolve(&format!("saint {}", word(7)), None).unwrap(),
        FicheId::parse("FR-COM-00007").unwrap()
    );
    assert_eq!(
        table.resolve(&format!("A {}", word(12_345)), None).unwrap(),
        FicheId::parse("FR-COM-12345").unwrap()
    );
}

#[test]
fn a_name_longer_than_a_fiche_name_is_refused_naming_the_field() {
    let table = table();
    let limit = "é".repeat(MAX_QUERY_CHARS);
    assert!(table.lookup(&limit, None, 5).unwrap().is_empty());
    for long in ["é".repeat(MAX_QUERY_CHARS + 1), "x".repeat(20_000)] {
        for err in [
            table.lookup(&long, None, 5).unwrap_err(),
            table.resolve(&long, None).unwrap_err(),
            table.resolve_on_side(&long, Side::French).unwrap_err(),
        ] {
            match &err {
                Error::InvalidRequest(field) => assert_eq!(field.field, "name"),
                other => panic!("{other:?}"),
            }
            let message = err.to_string();
            assert!(message.chars().count() < 250, "{message}");
            assert!(
                message.contains(&format!("({} caractères)", long.chars().count())),
                "{message}"
            );
        }
    }
}

#[test]
fn unknown_names_are_quoted_bounded() {
    let table = table();
    let long = "Zzyzx ".repeat(30);
    let message = table.resolve(&long, None).unwrap_err().to_string();
    assert!(message.chars().count() < 200, "{message}");
}

#[test]
fn replaced_names_do_not_pile_up() {
    let mut table = table();
    let live = table.names.len();
    let mut lyon = fiche("FR-COM-69123", "Lyon", json!({}));
    for i in 0..20_000 {
        lyon.name = format!("Lyon {i}");
        table.add(&lyon);
    }
    assert!(table.names.len() <= 2 * (live + 1) + DEAD_NAMES_SLACK);
    assert_eq!(top(&table, "Lyon 19999").0, "FR-COM-69123");
    assert_eq!(top(&table, "Saint-Étienne"), ("FR-COM-42218".into(), 1.0));
}
