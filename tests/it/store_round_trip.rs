//! The store gives back what it was given.

use passerelle_engine::fiche::FicheId;
use passerelle_engine::jsonl;
use passerelle_engine::store::{ImportSource, Store};
use passerelle_tests::{sample_lines, sample_path};

#[test]
fn importing_then_exporting_the_sample_gives_back_the_same_fiches() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let source = ImportSource::open(&sample_path()).unwrap();
    let report = store.import(vec![source], &mut |_| {}).unwrap();
    let lines = sample_lines();
    assert_eq!(report.fiches, lines.len() as u64);
    assert_eq!(report.inserted, lines.len() as u64);
    assert!(
        lines.iter().any(|l| l.contains("\"BJ-COM-")),
        "Benin is in the sample"
    );

    let mut exported = Vec::new();
    assert_eq!(store.export(&mut exported).unwrap(), lines.len() as u64);
    let exported: Vec<String> = String::from_utf8(exported)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    // The sample is written in canonical form and sorted by id: byte-identical.
    assert_eq!(exported, lines);

    // And field by field, through the model.
    for (a, b) in exported.iter().zip(&lines) {
        assert_eq!(
            jsonl::parse_fiche(a).unwrap(),
            jsonl::parse_fiche(b).unwrap()
        );
    }
}

#[test]
fn the_store_survives_a_reopen_and_upserts_replace() {
    let dir = tempfile::tempdir().unwrap();
    let lines = sample_lines();
    let first = jsonl::parse_fiche(&lines[0]).unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        store.upsert(std::slice::from_ref(&first)).unwrap();
    }
    let mut store = Store::open(dir.path()).unwrap();
    assert_eq!(store.get(&first.id).unwrap().as_ref(), Some(&first));
    let mut renamed = first.clone();
    renamed.name = "Nouveau nom".into();
    store.upsert(std::slice::from_ref(&renamed)).unwrap();
    assert_eq!(store.count().unwrap(), 1);
    assert_eq!(store.get(&first.id).unwrap().unwrap().name, "Nouveau nom");
    store.delete(&first.id).unwrap();
    assert!(store.get(&first.id).unwrap().is_none());
    let missing = FicheId::parse("FR-COM-00000").unwrap();
    assert!(matches!(
        store.delete(&missing),
        Err(passerelle_engine::Error::NotFound(_))
    ));
}

#[test]
fn an_invalid_fiche_is_not_upserted() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let lines = sample_lines();
    let good = jsonl::parse_fiche(&lines[0]).unwrap();
    let mut bad = jsonl::parse_fiche(&lines[1]).unwrap();
    bad.location.lat = 95.0;
    let error = store.upsert(&[good, bad]).unwrap_err();
    assert!(error.to_string().contains("location.lat"), "{error}");
    assert_eq!(
        store.count().unwrap(),
        0,
        "nothing of a rejected batch is written"
    );
}
