//! The `passerelle` command line, driven in-process.

use std::path::Path;

use clap::Parser;
use passerelle::cli::{Cli, run_to};
use passerelle_engine::store::Store;
use passerelle_tests::sample_path;

/// What a command printed: its answer and its notes (standard error's words).
pub fn passerelle_notes(data_dir: &Path, args: &[&str]) -> anyhow::Result<(String, String)> {
    let mut argv = vec!["passerelle", "--data-dir", data_dir.to_str().unwrap()];
    argv.extend_from_slice(args);
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_to(Cli::try_parse_from(argv)?, &mut out, &mut notes)?;
    Ok((String::from_utf8(out)?, String::from_utf8(notes)?))
}

/// What a command printed on standard output.
pub fn passerelle(data_dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    passerelle_notes(data_dir, args).map(|(out, _)| out)
}

#[test]
fn import_export_and_stats_on_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    let out = dir.path().join("export.jsonl");
    passerelle(&data, &["export", "--out", out.to_str().unwrap()]).unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(sample_path()).unwrap()
    );
    passerelle(
        &data,
        &["stats", "--format", "json", "--date", "2026-11-22"],
    )
    .unwrap();
    passerelle(&data, &["stats", "--countries", "0"]).unwrap();

    let store = Store::open(&data).unwrap();
    let stats = store.stats("2026-11-22".parse().unwrap()).unwrap();
    let benin = stats.by_country.iter().find(|(c, _)| c == "BJ").unwrap();
    assert_eq!(benin.1, 77);
    assert_eq!(stats.french + stats.foreign, stats.total);
    let calls = &stats.calls;
    assert_eq!(
        calls.open + calls.expired + calls.closed + calls.none,
        stats.total
    );
    assert!(calls.open > 0 && calls.closed > 0);
    assert!(stats.by_theme.iter().any(|t| t.offer > 0 && t.request > 0));
}

#[test]
fn a_rejected_import_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    let sample = std::fs::read_to_string(sample_path()).unwrap();
    let first = sample.lines().next().unwrap();
    std::fs::write(&bad, format!("{first}\n{{\"id\": 3}}\n")).unwrap();
    let data = dir.path().join("data");
    let error = passerelle(&data, &["import", bad.to_str().unwrap()]).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("bad.jsonl:2: champ `id`"), "{message}");
    assert!(message.contains("rien n'a été écrit"), "{message}");
    assert_eq!(Store::open(&data).unwrap().count().unwrap(), 0);
}

#[test]
fn an_export_that_fails_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    let out = dir.path().join("missing-dir/export.jsonl");
    assert!(passerelle(&data, &["export", "--out", out.to_str().unwrap()]).is_err());
    assert!(!out.exists());
}

#[test]
fn search_lookup_suggest_and_explain_take_names() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    passerelle(
        &data,
        &[
            "search",
            "eau potable",
            "--country",
            "BJ",
            "--format",
            "json",
        ],
    )
    .unwrap();
    passerelle(&data, &["lookup", "porto novo", "--country", "BJ"]).unwrap();
    let date = ["--date", "2026-11-22"];
    passerelle(
        &data,
        &[
            &["suggest", "Porto Novo", "-k", "5", "--explain"][..],
            &date,
        ]
        .concat(),
    )
    .unwrap();
    passerelle(
        &data,
        &[
            &[
                "suggest",
                "FR-COM-69123",
                "--format",
                "json",
                "--max-per-country",
                "2",
            ][..],
            &date,
        ]
        .concat(),
    )
    .unwrap();
    passerelle(
        &data,
        &[&["explain", "Lyon", "Cotonou"][..], &date].concat(),
    )
    .unwrap();
    let unknown = passerelle(&data, &["suggest", "Xyzzyville"]).unwrap_err();
    assert!(
        format!("{unknown:#}").contains("aucune collectivité ne s'appelle"),
        "{unknown:#}"
    );
    let bad_weights = dir.path().join("w.toml");
    std::fs::write(&bad_weights, "thematic = -1\n").unwrap();
    let error = passerelle(
        &data,
        &[
            "suggest",
            "Lyon",
            "--weights",
            bad_weights.to_str().unwrap(),
        ],
    )
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("weights.thematic"),
        "{error:#}"
    );
}

/// The `(french, foreign)` ids of a pairs CSV written by `passerelle batch`.
fn pairs_of(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            // Names are quoted and may hold commas: ids are the first and the
            // fifth-from-last fields (score and the two « à reconfirmer » flags last).
            (fields[0].to_owned(), fields[fields.len() - 5].to_owned())
        })
        .collect()
}

#[test]
fn batch_records_its_runs_and_honours_names_and_exclusions() {
    use passerelle_engine::batch::RunStatus;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    let batch = |out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        let mut args = vec![
            "batch",
            "--fr",
            "ids:Marseille,Toulouse",
            "--foreign",
            "country:BJ",
            "--assign-french",
            "2",
            "--date",
            "2026-09-01",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        passerelle(&data, &args).map(|_| out)
    };
    let plain = batch("plain", &[]).unwrap();
    // The workbook only with --xlsx (a large run keeps more pairs than a sheet holds).
    assert!(!plain.join("resultats.xlsx").exists());
    let assigned = pairs_of(&plain.join("assignment.csv"));
    let (french, foreign) = assigned[0].clone();
    let pair = format!("{french}:{foreign}");
    let excluded = batch(
        "excluded",
        &["--exclude", "Porto-Novo", "--exclude-pair", &pair],
    )
    .unwrap();
    let scored = pairs_of(&excluded.join("pairs.csv"));
    assert!(!scored.is_empty());
    assert!(!scored.contains(&(french.clone(), foreign.clone())));
    assert!(scored.iter().all(|(_, x)| x != "BJ-COM-BJ-OU-POR"));
    assert!(
        scored
            .iter()
            .all(|(f, _)| f == "FR-COM-13055" || f == "FR-COM-31555")
    );

    let error = batch("bad", &["--exclude", "Nowhere-sur-Rien"]).unwrap_err();
    assert!(error.to_string().contains("--exclude"), "{error:#}");
    let error = batch("bad", &["--exclude-pair", "FR-COM-13055"]).unwrap_err();
    assert!(format!("{error:#}").contains("--exclude-pair"), "{error:#}");

    // Both runs are recorded in the store, names resolved, like the server's.
    let store = Store::open(&data).unwrap();
    let runs = store.batch_runs(10).unwrap();
    assert_eq!(runs.len(), 2, "refused runs are not recorded");
    let last = &runs[0];
    assert_eq!(last.status, RunStatus::Done);
    assert_eq!(last.origin, "cli");
    assert_eq!(last.generation, Some(store.generation().unwrap()));
    assert_eq!(
        last.spec.french.to_string(),
        "ids:FR-COM-13055,FR-COM-31555"
    );
    assert_eq!(last.spec.exclude[0].to_string(), "BJ-COM-BJ-OU-POR");
    let results = store.batch_results(last.id).unwrap();
    assert_eq!(results.result.scored.len(), scored.len());
}

#[test]
fn batch_without_pairing_keeps_the_best_pairs_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    let out = dir.path().join("campaign");
    let out_arg = out.to_str().unwrap().to_owned();
    let args = |extra: &[String]| -> Vec<String> {
        let mut args: Vec<String> = [
            "batch",
            "--fr",
            "all",
            "--foreign",
            "all",
            "-k",
            "3",
            "--no-pairing",
            "--date",
            "2026-09-01",
            "--out",
            &out_arg,
        ]
        .map(str::to_owned)
        .to_vec();
        args.extend_from_slice(extra);
        args
    };
    let run = |extra: &[String]| {
        let args = args(extra);
        passerelle(&data, &args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let said = run(&[]).unwrap();
    let scored = pairs_of(&out.join("pairs.csv"));
    // Every foreign fiche of the sample keeps its best 3 French partners.
    let foreign: std::collections::HashSet<_> = scored.iter().map(|(_, x)| x).collect();
    assert!(foreign.len() > 100, "{}", foreign.len());
    // Without a pairing there is no assignment to show, in files or in figures.
    assert!(!out.join("assignment.csv").exists());
    assert!(!out.join("unassigned.csv").exists());
    assert!(said.contains("paires retenues"), "{said}");
    assert!(
        !said.contains("appari") && !said.contains("sans partenaire"),
        "{said}"
    );

    // The folder holds this run's results: another run does not mix its files in.
    let again = run(&[]).unwrap_err();
    assert!(format!("{again:#}").contains("--force"), "{again:#}");
    run(&["--force".to_owned()]).unwrap();

    // An agenda needs assigned pairs.
    let slots = dir.path().join("slots.csv");
    std::fs::write(
        &slots,
        "label,start,end\nmatin,2026-12-01T09:00,2026-12-01T09:30\n",
    )
    .unwrap();
    let error = run(&["--slots".to_owned(), slots.to_str().unwrap().to_owned()]).unwrap_err();
    assert!(format!("{error:#}").contains("agenda"), "{error:#}");
}

/// The sample, with look-alike names added: a Senegalese Saint-Louis beside the one
/// of La Réunion, and Cape Verde's Porto Novo beside Benin's Porto-Novo.
fn sample_with_look_alikes(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    let sample = std::fs::read_to_string(sample_path()).unwrap();
    let dakar = sample
        .lines()
        .find(|l| l.contains("\"id\":\"SN-GN-2253354\""))
        .unwrap();
    let renamed = |id: &str, name: &str, country: &str| {
        dakar
            .replace("SN-GN-2253354", id)
            .replace("\"name\":\"Dakar\"", &format!("\"name\":\"{name}\""))
            .replace("\"country\":\"SN\"", &format!("\"country\":\"{country}\""))
    };
    let extra = dir.join("extra.jsonl");
    std::fs::write(
        &extra,
        format!(
            "{}\n{}\n",
            renamed("SN-GN-2246452", "Saint-Louis", "SN"),
            renamed("CV-GN-3374333", "Porto Novo", "CV")
        ),
    )
    .unwrap();
    passerelle(&data, &["import", extra.to_str().unwrap()]).unwrap();
    data
}

#[test]
fn read_commands_refuse_a_data_directory_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    for args in [
        &["search", "eau"][..],
        &["lookup", "Lyon"],
        &["suggest", "Lyon"],
        &["explain", "Lyon", "Dakar"],
        &["stats"],
        &["export"],
        &[
            "batch",
            "--fr",
            "all",
            "--foreign",
            "all",
            "--out",
            "/tmp/never-written",
        ],
    ] {
        let error = passerelle(&missing, args).unwrap_err();
        assert!(
            format!("{error:#}").contains("ne contient pas de base Passerelle"),
            "{args:?}: {error:#}"
        );
        assert!(!missing.exists(), "{args:?} created the data directory");
    }
}

#[test]
fn names_corrected_by_fuzzy_matching_are_said_and_ambiguous_ones_are_qualified() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with_look_alikes(dir.path());
    let date = ["--date", "2026-09-01"];
    let (out, notes) = passerelle_notes(
        &data,
        &[&["suggest", "Bordeuax", "-k", "1"][..], &date].concat(),
    )
    .unwrap();
    assert!(out.contains("Suggestions pour Bordeaux"), "{out}");
    assert!(
        notes.contains("« Bordeuax » compris comme Bordeaux (FR-COM-33063)"),
        "{notes}"
    );
    let (_, notes) = passerelle_notes(
        &data,
        &[&["suggest", "Bordeaux", "-k", "1"][..], &date].concat(),
    )
    .unwrap();
    assert!(notes.is_empty(), "an exact name needs no note: {notes}");

    // Two Saint-Louis: the error says how to name each, and the qualifier works.
    let error = passerelle(&data, &["suggest", "Saint-Louis"]).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("« Saint-Louis (SN) »"), "{message}");
    assert!(message.contains("« Saint-Louis (FR) »"), "{message}");
    for (qualified, id) in [
        ("Saint-Louis (SN)", "SN-GN-2246452"),
        ("Saint-Louis (fr)", "FR-COM-97414"),
        ("Saint-Louis (974)", "FR-COM-97414"),
    ] {
        let out = passerelle(
            &data,
            &[&["suggest", qualified, "-k", "1"][..], &date].concat(),
        )
        .unwrap();
        assert!(out.contains(id), "{qualified}: {out}");
    }
    // The same qualifier works in a batch spec.
    let out = dir.path().join("out");
    passerelle(
        &data,
        &[
            &[
                "batch",
                "--fr",
                "ids:Saint-Louis (974)",
                "--foreign",
                "country:BJ",
                "--out",
                out.to_str().unwrap(),
            ][..],
            &date,
        ]
        .concat(),
    )
    .unwrap();
    // Two fiches with one name in one area: only their ids tell them apart.
    let error = passerelle(&data, &["suggest", "Hanoi"]).unwrap_err();
    assert!(
        format!("{error:#}").contains("→ « VN-GN-1581130 »"),
        "{error:#}"
    );

    // An exact spelling picks its fiche among folded look-alikes.
    let out = passerelle(
        &data,
        &[&["suggest", "Porto-Novo", "-k", "1"][..], &date].concat(),
    )
    .unwrap();
    assert!(out.contains("BJ-COM-BJ-OU-POR"), "{out}");
    let out = passerelle(
        &data,
        &[&["suggest", "Porto Novo", "-k", "1"][..], &date].concat(),
    )
    .unwrap();
    assert!(out.contains("CV-GN-3374333"), "{out}");
    let error = passerelle(&data, &["suggest", "portonovo"]).unwrap_err();
    assert!(
        format!("{error:#}").contains("Porto-Novo (BJ)"),
        "{error:#}"
    );
}

#[test]
fn explain_refuses_two_fiches_of_the_same_side() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    let error = passerelle(&data, &["explain", "Lyon", "Marseille"]).unwrap_err();
    assert!(
        format!("{error:#}").contains("sont toutes deux françaises"),
        "{error:#}"
    );
    let out = passerelle(&data, &["explain", "Lyon", "Dakar"]).unwrap();
    assert!(out.contains("thématique"), "{out}");
}

#[test]
fn batch_scopes_that_match_nothing_are_refused_with_what_exists() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    passerelle(&data, &["import", sample_path().to_str().unwrap()]).unwrap();
    let out = dir.path().join("out");
    let batch = |french: &str, foreign: &str, extra: &[&str]| {
        let mut args = vec![
            "batch",
            "--fr",
            french,
            "--foreign",
            foreign,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        format!("{:#}", passerelle(&data, &args).unwrap_err())
    };
    // Several problems are reported together, each naming its flag.
    let message = batch("departement:333", "admin1:BJ/ZZ", &["-k", "0"]);
    assert!(message.contains("3 problème(s)"), "{message}");
    assert!(message.contains("--fr : departement:333"), "{message}");
    assert!(message.contains("départements proches : 33"), "{message}");
    assert!(message.contains("--foreign : admin1:BJ/ZZ"), "{message}");
    assert!(message.contains("zones de BJ : BJ/"), "{message}");
    assert!(message.contains("-k : 0"), "{message}");
    let message = batch("region:99", "country:BJ", &[]);
    assert!(
        message.contains("aucune fiche française de la région \"99\""),
        "{message}"
    );
    let message = batch("all", "country:FR", &[]);
    assert!(
        message.contains("aucune fiche étrangère pour FR"),
        "{message}"
    );
    let message = batch("ids:Lyon,Nowhere-sur-Rien", "country:BJ", &[]);
    assert!(message.contains("--fr : \"Nowhere-sur-Rien\""), "{message}");
    assert!(!out.exists(), "nothing was written");
}
