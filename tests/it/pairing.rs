//! The exact pairing on real scores: the sample corpus's cross product paired under
//! several capacities, each result proved optimal by its certificate (feasible flow,
//! reduced costs of the solver's own potentials on every pair kept), the same for
//! any number of threads, and never below stable matching.

use std::ops::ControlFlow;

use chrono::NaiveDate;
use passerelle_engine::batch::assignment::{self, units};
use passerelle_engine::batch::{Edge, stable};
use passerelle_engine::fiche::{FicheId, Side};
use passerelle_engine::ranking::Matcher;
use passerelle_engine::scoring::{NoVetoes, Weights};
use passerelle_tests::sample_fiches;

fn go(_: u64) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// The pairs the cross product keeps, best `k` of every fiche, with `threads`.
fn edges(threads: usize, k: usize) -> (usize, usize, Vec<Edge>) {
    let fiches = sample_fiches();
    let ids = |side: Side| {
        let mut ids: Vec<FicheId> = fiches
            .iter()
            .filter(|f| f.side() == side)
            .map(|f| f.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let (french, foreign) = (ids(Side::French), ids(Side::Foreign));
    let today = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let matcher = Matcher::new(fiches, today, threads).unwrap();
    let kept = matcher
        .cross_top_k(
            &french,
            &foreign,
            k,
            &Weights::default(),
            0.0,
            &NoVetoes,
            &|_| ControlFlow::Continue(()),
        )
        .unwrap();
    let edges = kept
        .iter()
        .map(|s| Edge {
            french: s.french,
            foreign: s.foreign,
            score: s.total,
        })
        .collect();
    (french.len(), foreign.len(), edges)
}

#[test]
fn the_pairing_of_real_scores_is_certified_optimal_and_the_same_for_any_threads() {
    let (french, foreign, one_thread) = edges(1, 10);
    let (_, _, two_threads) = edges(2, 10);
    assert_eq!(one_thread, two_threads);
    assert!(one_thread.len() > 500, "{} pairs", one_thread.len());
    for (cf, cx) in [(1, 1), (3, 1), (2, 2), (5, 1), (1, 4)] {
        let optimal = assignment::assign(french, foreign, &one_thread, cf, cx, &mut go).unwrap();
        assignment::certify(french, foreign, &one_thread, cf, cx, &optimal)
            .unwrap_or_else(|e| panic!("capacities {cf}/{cx}: {e}"));
        assert_eq!(
            assignment::assign(french, foreign, &two_threads, cf, cx, &mut go).unwrap(),
            optimal
        );
        let chosen = stable::stable_assign(french, foreign, &one_thread, cf, cx);
        let stable_units: i64 = chosen.iter().map(|&e| units(one_thread[e].score)).sum();
        assert!(stable_units <= optimal.units, "capacities {cf}/{cx}");
        assert!(!optimal.chosen.is_empty());
    }
}

#[test]
fn a_pairing_stopped_by_its_callback_is_cancelled() {
    let (french, foreign, edges) = edges(2, 10);
    let mut stop = |_: u64| ControlFlow::Break(());
    assert!(matches!(
        assignment::assign(french, foreign, &edges, 3, 1, &mut stop),
        Err(passerelle_engine::Error::Cancelled)
    ));
}
