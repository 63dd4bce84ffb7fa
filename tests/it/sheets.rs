//! Spreadsheets through the command line: a round trip of the sample through .xlsx,
//! a sheet of French collectivités completed from the embedded geography, identity-
//! only fiches end to end, and the result workbooks.

use calamine::{Data, Reader};
use passerelle_engine::store::Store;
use passerelle_tests::sample_path;

use crate::cli::passerelle;

const DATE: [&str; 2] = ["--date", "2026-11-22"];

fn sheets_of(path: &std::path::Path) -> Vec<String> {
    calamine::open_workbook_auto(path).unwrap().sheet_names()
}

#[test]
fn the_sample_round_trips_through_xlsx_and_completed_rows_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    passerelle(&a, &["import", sample_path().to_str().unwrap()]).unwrap();
    let xlsx = dir.path().join("fiches.xlsx");
    passerelle(&a, &["export", "--out", xlsx.to_str().unwrap()]).unwrap();
    passerelle(&b, &["import", xlsx.to_str().unwrap()]).unwrap();
    let back = dir.path().join("back.jsonl");
    passerelle(&b, &["export", "--out", back.to_str().unwrap()]).unwrap();
    assert_eq!(
        std::fs::read_to_string(&back).unwrap(),
        std::fs::read_to_string(sample_path()).unwrap()
    );

    // A sheet of the partners' own: codes, names, labels; completed from the
    // geography embedded in the binary.
    let mapping = dir.path().join("correspondance.toml");
    std::fs::write(
        &mapping,
        "[columns]\nname = \"Nom\"\ninsee = \"Code INSEE\"\nthemes = \"Thématiques\"\n\
         offer_text = \"Ce que nous proposons\"\n[defaults]\ncountry = \"FR\"\n",
    )
    .unwrap();
    let csv = dir.path().join("adhérents.csv");
    std::fs::write(
        &csv,
        "Nom,Code INSEE,Thématiques,Ce que nous proposons\n\
         ,33318,Eau et assainissement,Régie de l'eau\n\
         Saint-Étienne,,,\n",
    )
    .unwrap();
    let out = passerelle(
        &b,
        &[
            "import",
            "--mapping",
            mapping.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
    )
    .unwrap();
    assert!(out.contains("2 fiches importées"), "{out}");
    let store = Store::open(&b).unwrap();
    let get = |id: &str| {
        store
            .get(&passerelle_engine::fiche::FicheId::parse(id).unwrap())
            .unwrap()
            .unwrap()
    };
    let pessac = get("FR-COM-33318");
    assert_eq!(pessac.name, "Pessac");
    assert!(pessac.population > 50_000);
    assert!(pessac.provenance["completion"].contains("géographie embarquée"));
    let saint_etienne = get("FR-COM-42218");
    assert!(!saint_etienne.is_matchable(), "identity only, accepted");

    // A bad cell: named with its sheet, row and column; nothing written.
    let bad = dir.path().join("mauvais.csv");
    std::fs::write(
        &bad,
        "Nom,Code INSEE,Thématiques,Ce que nous proposons\n,33318,plomberie,\n",
    )
    .unwrap();
    let error = passerelle(
        &b,
        &[
            "import",
            "--mapping",
            mapping.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    )
    .unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("mauvais.csv, ligne 2, colonne C « Thématiques »"),
        "{message}"
    );
    assert!(message.contains("rien n'a été écrit"), "{message}");
}

#[test]
fn identity_only_fiches_are_stored_searched_exported_and_explained_never_paired() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sample = std::fs::read_to_string(sample_path()).unwrap();
    let identity = r#"{"id":"BJ-COM-ZZ-IDENT","country":"BJ","kind":"municipality","level":"local","name":"Identitéville","location":{"lat":6.5,"lon":2.6},"population":12000,"call":{"status":"open"}}"#;
    let file = dir.path().join("fiches.jsonl");
    std::fs::write(&file, format!("{sample}{identity}\n")).unwrap();
    passerelle(&data, &["import", file.to_str().unwrap()]).unwrap();

    let found = passerelle(&data, &["search", "Identitéville"]).unwrap();
    assert!(found.contains("BJ-COM-ZZ-IDENT"), "{found}");
    let exported = passerelle(&data, &["export"]);
    assert!(exported.is_ok());
    let error =
        passerelle(&data, &[&["suggest", "Identitéville"][..], &DATE].concat()).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("n'a ni offre ni demande"), "{message}");
    let out = passerelle(
        &data,
        &[&["explain", "Lyon", "BJ-COM-ZZ-IDENT"][..], &DATE].concat(),
    )
    .unwrap();
    assert!(out.contains("ni offre ni demande"), "{out}");
    let out = passerelle(
        &data,
        &[&["suggest", "Lyon", "-k", "1000"][..], &DATE].concat(),
    )
    .unwrap();
    assert!(!out.contains("BJ-COM-ZZ-IDENT"), "never suggested");

    // A batch run over Benin lists it without a partner, with the reason, in the
    // CSV file and in the workbook.
    let results = dir.path().join("resultats");
    passerelle(
        &data,
        &[
            &[
                "batch",
                "--fr",
                "ids:Lyon,Bordeaux",
                "--foreign",
                "country:BJ",
                "--xlsx",
                "--out",
                results.to_str().unwrap(),
            ][..],
            &DATE,
        ]
        .concat(),
    )
    .unwrap();
    let unassigned = std::fs::read_to_string(results.join("unassigned.csv")).unwrap();
    let line = unassigned
        .lines()
        .find(|l| l.contains("BJ-COM-ZZ-IDENT"))
        .unwrap();
    assert!(line.contains("ni offre ni demande"), "{line}");
    let workbook = results.join("resultats.xlsx");
    assert_eq!(
        sheets_of(&workbook),
        ["Paires retenues", "Appariement", "Sans partenaire"]
    );
    let mut book = calamine::open_workbook_auto(&workbook).unwrap();
    let pairs = book.worksheet_range("Paires retenues").unwrap();
    assert!(pairs.height() > 1);
    assert!(
        matches!(pairs.get((1, 4)), Some(Data::Float(_))),
        "scores are numbers"
    );
    let without = book.worksheet_range("Sans partenaire").unwrap();
    assert!(
        without
            .rows()
            .any(|r| r[0] == Data::String("BJ-COM-ZZ-IDENT".into()))
    );
}

#[test]
fn search_suggestions_and_decisions_export_as_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    let search = dir.path().join("recherche.xlsx");
    passerelle(
        &data,
        &["search", "eau potable", "--xlsx", search.to_str().unwrap()],
    )
    .unwrap();
    let mut book = calamine::open_workbook_auto(&search).unwrap();
    let range = book.worksheet_range("Recherche").unwrap();
    assert_eq!(range.get((0, 4)), Some(&Data::String("Pertinence".into())));
    assert!(matches!(range.get((1, 0)), Some(Data::Float(_))));

    let suggestions = dir.path().join("suggestions.xlsx");
    passerelle(
        &data,
        &[
            &[
                "suggest",
                "Lyon",
                "-k",
                "5",
                "--xlsx",
                suggestions.to_str().unwrap(),
            ][..],
            &DATE,
        ]
        .concat(),
    )
    .unwrap();
    let mut book = calamine::open_workbook_auto(&suggestions).unwrap();
    let range = book.worksheet_range("Suggestions Lyon").unwrap();
    assert_eq!(range.height(), 6);
    let reasons = range.get((1, 9)).unwrap().to_string();
    assert!(reasons.contains("thématique :"), "{reasons}");

    let decisions = dir.path().join("decisions.xlsx");
    passerelle(
        &data,
        &[
            "export",
            "--decisions",
            "--out",
            decisions.to_str().unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(sheets_of(&decisions), ["Décisions"]);
    let error = passerelle(
        &data,
        &[
            "export",
            "--decisions",
            "--out",
            dir.path().join("d.csv").to_str().unwrap(),
        ],
    )
    .unwrap_err();
    assert!(format!("{error:#}").contains(".xlsx"), "{error:#}");
}

#[test]
fn the_readme_spreadsheet_example_imports_as_written() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = passerelle(
        &data,
        &[
            "import",
            "--mapping",
            examples.join("adherents.toml").to_str().unwrap(),
            examples.join("adherents.xlsx").to_str().unwrap(),
        ],
    )
    .unwrap();
    assert!(out.contains("4 fiches importées"), "{out}");
    let store = Store::open(&data).unwrap();
    let figeac = store
        .get(&passerelle_engine::fiche::FicheId::parse("FR-COM-46102").unwrap())
        .unwrap()
        .expect("completed from its INSEE code");
    assert_eq!(figeac.name, "Figeac");
    assert_eq!(figeac.population, 9800, "the sheet's figure wins");
    assert!(figeac.provenance.contains_key("completion"));
    let out = passerelle(
        &data,
        &[&["suggest", "Figeac", "-k", "3"][..], &DATE].concat(),
    )
    .unwrap();
    assert!(out.contains("Suggestions pour Figeac"), "{out}");
}
