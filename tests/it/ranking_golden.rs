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

/// The kernel skips the texts of a candidate whose thematic bound cannot reach the
/// floor of the top k: its best k are exactly the first k of the whole ranking (a k
/// above the number of candidates, so that nothing is ever skipped), for every fiche
/// of the sample, under weightings that lean on the bound differently.
#[test]
fn the_best_k_are_the_first_k_of_the_whole_ranking() {
    let matcher = sample_matcher(2);
    let ids: Vec<FicheId> = passerelle_tests::sample_fiches()
        .into_iter()
        .map(|f| f.id)
        .collect();
    let weightings = [
        Weights::default(),
        Weights {
            thematic: 1.0,
            geography: 0.0,
            size: 0.0,
            underserved: 0.0,
        },
        Weights {
            thematic: 0.1,
            geography: 0.5,
            size: 0.3,
            underserved: 0.1,
        },
        Weights {
            thematic: 0.0,
            geography: 1.0,
            size: 1.0,
            underserved: 1.0,
        },
    ];
    let mut compared = 0;
    for weights in weightings {
        for id in &ids {
            let ranked = |k: usize| {
                let options = SuggestOptions {
                    k,
                    weights,
                    ..SuggestOptions::default()
                };
                matcher.suggest(id, &options, &NoVetoes)
            };
            let Ok(whole) = ranked(passerelle_engine::ranking::MAX_K) else {
                continue; // nothing to match: no offer, no request
            };
            assert!(whole.len() < passerelle_engine::ranking::MAX_K);
            for k in [1, 3, 10] {
                let best = ranked(k).unwrap();
                let expected = &whole[..k.min(whole.len())];
                assert_eq!(best, expected, "{id}, k = {k}, {weights:?}");
                compared += 1;
            }
        }
    }
    assert!(compared > 3 * 4 * 300, "{compared} rankings compared");
}
