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
