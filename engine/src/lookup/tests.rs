use serde_json::json;

use super::*;
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
    let hits = table.lookup("Saint Etiene", None, 5);
    assert_eq!(hits[0].id.as_str(), "FR-COM-42218");
    assert!(hits[0].score < 1.0 && hits[0].score > hits[1].score);
    assert!(hits.iter().all(|h| (0.0..=1.0).contains(&h.score)));
}

#[test]
fn lookup_within_a_country_and_ties_by_id() {
    let table = table();
    let benin = CountryCode::parse("BJ");
    assert!(table.lookup("Dakar", benin, 5).is_empty());
    let denis = table.lookup("Saint-Denis", None, 5);
    assert_eq!(denis[0].id.as_str(), "FR-COM-93066");
    assert_eq!(denis[1].id.as_str(), "FR-COM-97411");
    assert_eq!(denis[0].score, denis[1].score);
    assert!(table.lookup("", None, 5).is_empty());
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
