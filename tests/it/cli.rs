//! The `passerelle` command line, driven in-process.

use std::path::Path;

use clap::Parser;
use passerelle::cli::{Cli, run};
use passerelle_engine::store::Store;
use passerelle_tests::sample_path;

fn passerelle(data_dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let mut argv = vec!["passerelle", "--data-dir", data_dir.to_str().unwrap()];
    argv.extend_from_slice(args);
    run(Cli::try_parse_from(argv)?)
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
    assert!(message.contains("bad.jsonl:2: field `id`"), "{message}");
    assert!(message.contains("nothing was written"), "{message}");
    assert_eq!(Store::open(&data).unwrap().count().unwrap(), 0);
}

#[test]
fn an_export_that_fails_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
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
        format!("{unknown:#}").contains("no collectivité named"),
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
            // third-from-last fields.
            (fields[0].to_owned(), fields[fields.len() - 3].to_owned())
        })
        .collect()
}

#[test]
fn batch_records_its_runs_and_honours_names_and_exclusions() {
    use passerelle_engine::store::RunStatus;
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
        passerelle(&data, &args).map(|()| out)
    };
    let plain = batch("plain", &[]).unwrap();
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
    run(&[]).unwrap();
    let scored = pairs_of(&out.join("pairs.csv"));
    // Every foreign fiche of the sample keeps its best 3 French partners.
    let foreign: std::collections::HashSet<_> = scored.iter().map(|(_, x)| x).collect();
    assert!(foreign.len() > 100, "{}", foreign.len());
    assert!(pairs_of(&out.join("assignment.csv")).is_empty());
    let unassigned = std::fs::read_to_string(out.join("unassigned.csv")).unwrap();
    assert_eq!(unassigned.lines().count(), 1, "header only: {unassigned}");

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
