//! Golden rankings on the committed sample: a change to scoring shows up here as a
//! diff to review. Regenerate with `UPDATE_SNAPSHOTS=1 cargo test --workspace golden`.

use std::fmt::Write;
use std::path::Path;

use chrono::NaiveDate;
use passerelle_engine::fiche::FicheId;
use passerelle_engine::jsonl::parse_fiche;
use passerelle_engine::ranking::{Matcher, SuggestOptions};
use passerelle_engine::scoring::{NoVetoes, Weights};
use passerelle_tests::sample_lines;

const SNAPSHOT: &str = "it/snapshots/ranking.txt";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn sample_matcher(threads: usize) -> Matcher {
    let fiches = passerelle_tests::sample_fiches();
    Matcher::new(fiches, today(), threads).unwrap()
}

/// A few French fiches of different levels, and a few Beninese communes.
fn queries() -> Vec<FicheId> {
    let lines = sample_lines();
    let ids: Vec<String> = lines
        .iter()
        .map(|l| parse_fiche(l).unwrap().id.as_str().to_owned())
        .collect();
    let pick = |prefix: &str, n: usize| {
        ids.iter()
            .filter(|id| id.starts_with(prefix))
            .take(n)
            .cloned()
            .collect::<Vec<_>>()
    };
    [
        pick("FR-COM-", 3),
        pick("FR-DEP-", 1),
        pick("FR-REG-", 1),
        pick("BJ-COM-", 3),
    ]
    .concat()
    .into_iter()
    .map(|id| FicheId::parse(&id).unwrap())
    .collect()
}

fn render(matcher: &Matcher) -> String {
    let mut out = String::new();
    let options = SuggestOptions {
        k: 5,
        ..SuggestOptions::default()
    };
    for query in queries() {
        writeln!(out, "{query}").unwrap();
        for suggestion in matcher.suggest(&query, &options, &NoVetoes).unwrap() {
            let parts: Vec<String> = suggestion
                .breakdown
                .iter()
                .map(|b| format!("{:.4}", b.score))
                .collect();
            writeln!(
                out,
                "  {:.4}  {}  [{}]",
                suggestion.total,
                suggestion.id,
                parts.join(" ")
            )
            .unwrap();
        }
    }
    out
}

#[test]
fn golden_rankings_on_the_sample() {
    let rendered = render(&sample_matcher(2));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &rendered).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).expect("snapshot committed (UPDATE_SNAPSHOTS=1 writes it)");
    assert_eq!(
        rendered, expected,
        "rankings changed: review, then UPDATE_SNAPSHOTS=1"
    );
}

#[test]
fn rankings_do_not_depend_on_the_number_of_threads() {
    assert_eq!(render(&sample_matcher(1)), render(&sample_matcher(3)));
}

#[test]
fn every_suggestion_total_is_its_breakdown_total() {
    let matcher = sample_matcher(2);
    let options = SuggestOptions {
        k: 50,
        ..SuggestOptions::default()
    };
    for query in queries() {
        for suggestion in matcher.suggest(&query, &options, &NoVetoes).unwrap() {
            let (explained, exclusion) = matcher
                .explain(&query, &suggestion.id, &Weights::default(), &NoVetoes)
                .unwrap();
            assert_eq!(exclusion, None);
            assert_eq!(explained.total.to_bits(), suggestion.total.to_bits());
            assert_eq!(explained.breakdown, suggestion.breakdown);
        }
    }
}
