//! Imports are all or nothing, and every rejected line is reported with its number,
//! its field and its value.

use std::io::Write;

use passerelle_engine::Error;
use passerelle_engine::jsonl::LineProblem;
use passerelle_engine::store::{ImportSource, Store};
use passerelle_tests::sample_lines;

fn source(name: &str, bytes: Vec<u8>) -> ImportSource {
    ImportSource::json_lines(name.into(), Box::new(std::io::Cursor::new(bytes)), None)
}

fn rejected(result: passerelle_engine::Result<impl std::fmt::Debug>) -> Vec<LineProblem> {
    match result {
        Err(Error::ImportRejected { problems, .. }) => problems,
        other => panic!("expected a rejected import, got {other:?}"),
    }
}

/// Ten good lines, then the given bad lines at lines 11, 12, …
fn file_with(bad_lines: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for line in sample_lines().iter().take(10) {
        writeln!(bytes, "{line}").unwrap();
    }
    for line in bad_lines {
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    }
    bytes
}

#[test]
fn every_bad_line_is_reported_and_nothing_is_written() {
    let lines = sample_lines();
    let good = &lines[20];
    let bad = [
        b"{\"id\": \"FR-COM-1\",, }".to_vec(),
        good.replacen("\"population\"", "\"mayor\":\"X\",\"population\"", 1)
            .into_bytes(),
        good.replacen("\"lat\":", "\"lat\":95,\"x\":", 1)
            .into_bytes(),
        lines[3].clone().into_bytes(),
        b"{\"name\":\"Caf\xe9\"}".to_vec(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let problems = rejected(store.import(vec![source("bad.jsonl", file_with(&bad))], &mut |_| {}));
    assert_eq!(
        store.count().unwrap(),
        0,
        "nothing of a rejected import is written"
    );

    let at = |line: u64| {
        problems
            .iter()
            .find(|p| p.line == line)
            .unwrap_or_else(|| panic!("line {line} is reported: {problems:#?}"))
    };
    assert!(at(11).message.starts_with("JSON invalide"));
    assert_eq!(at(12).field.as_deref(), Some("mayor"));
    assert!(at(13).field.as_deref().unwrap().starts_with("location"));
    assert_eq!(at(14).field.as_deref(), Some("id"));
    assert!(at(14).message.contains("en double"), "{:?}", at(14));
    assert!(at(14).message.contains("ligne 4"), "{:?}", at(14));
    assert!(at(15).message.contains("UTF-8 invalide"));
    assert_eq!(problems.len(), 5);
    assert!(problems.iter().all(|p| p.source == "bad.jsonl"));
}

#[test]
fn a_latitude_of_95_is_named_with_its_value() {
    let good = &sample_lines()[20];
    let start = good.find("\"lat\":").unwrap() + 6;
    let end = start + good[start..].find(',').unwrap();
    let line = format!("{}95{}", &good[..start], &good[end..]);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let problems = rejected(store.import(vec![source("f", line.into_bytes())], &mut |_| {}));
    assert_eq!(problems[0].line, 1);
    assert_eq!(problems[0].field.as_deref(), Some("location.lat"));
    assert!(problems[0].to_string().contains("95"), "{}", problems[0]);
}

#[test]
fn a_bad_theme_code_is_named() {
    let good = sample_lines()
        .into_iter()
        .find(|l| l.contains("\"themes\":[{\"code\":\""))
        .unwrap();
    let start = good.find("\"themes\":[{\"code\":\"").unwrap() + 19;
    let end = start + good[start..].find('"').unwrap();
    let line = format!("{}plomberie{}", &good[..start], &good[end..]);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let problems = rejected(store.import(vec![source("f", line.into_bytes())], &mut |_| {}));
    assert_eq!(problems[0].field.as_deref(), Some("themes[0].code"));
    assert!(problems[0].message.contains("\"plomberie\""));
}

#[test]
fn a_rejected_import_leaves_the_previous_contents_untouched() {
    let lines = sample_lines();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let first: Vec<u8> = lines[..50].join("\n").into_bytes();
    store
        .import(vec![source("first", first)], &mut |_| {})
        .unwrap();
    let mut before = Vec::new();
    store.export(&mut before).unwrap();

    // A second import that would update 50 fiches and add 50, with one bad line last.
    let mut second = lines[..100].join("\n").into_bytes();
    second.extend_from_slice(b"\n{not json}\n");
    rejected(store.import(vec![source("second", second)], &mut |_| {}));
    let mut after = Vec::new();
    store.export(&mut after).unwrap();
    assert_eq!(before, after);
}

#[test]
fn duplicates_across_files_name_both_places() {
    let lines = sample_lines();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let a = source("a.jsonl", lines[..3].join("\n").into_bytes());
    let b = source("b.jsonl", lines[2..4].join("\n").into_bytes());
    let problems = rejected(store.import(vec![a, b], &mut |_| {}));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].source, "b.jsonl");
    assert_eq!(problems[0].line, 1);
    assert!(problems[0].message.contains("a.jsonl:3"), "{}", problems[0]);
    assert_eq!(store.count().unwrap(), 0);
}

#[test]
fn an_accepted_import_counts_new_and_updated_fiches() {
    let lines = sample_lines();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .import(
            vec![source("a", lines[..30].join("\n").into_bytes())],
            &mut |_| {},
        )
        .unwrap();
    let report = store
        .import(
            vec![source("b", lines[20..40].join("\n").into_bytes())],
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(
        (report.fiches, report.inserted, report.updated),
        (20, 10, 10)
    );
    assert_eq!(store.count().unwrap(), 40);
}
