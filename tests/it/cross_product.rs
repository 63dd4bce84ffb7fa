//! The batch cross product keeps exactly what scoring every pair one by one keeps:
//! its pruning (an approximate first pass, shared floors between threads) only ever
//! drops pairs that cannot be among the best `k` of either fiche.

use std::collections::HashSet;

use chrono::NaiveDate;
use passerelle_engine::fiche::{Fiche, FicheId, Side};
use passerelle_engine::ranking::{CrossScore, Matcher};
use passerelle_engine::scoring::{NoVetoes, PairVeto, Weights};
use passerelle_tests::sample_fiches;

fn sides(fiches: &[Fiche]) -> (Vec<FicheId>, Vec<FicheId>) {
    let ids = |side: Side| {
        let mut ids: Vec<FicheId> = fiches
            .iter()
            .filter(|f| f.side() == side)
            .map(|f| f.id.clone())
            .collect();
        ids.sort();
        ids
    };
    (ids(Side::French), ids(Side::Foreign))
}

/// Vetoes every pair whose ids' lengths sum to an even number: a deterministic,
/// sizeable set of pairs to leave out.
struct EvenVeto<'a>(&'a [FicheId]);

impl PairVeto for EvenVeto<'_> {
    fn vetoed_partners(&self, id: &FicheId) -> Vec<FicheId> {
        self.0
            .iter()
            .filter(|other| (id.as_str().len() + other.as_str().len()).is_multiple_of(2))
            .filter(|other| other.as_str().starts_with("FR-") != id.as_str().starts_with("FR-"))
            .cloned()
            .collect()
    }
}

/// Scores every pair with the explanation path and keeps the best `k` of each fiche.
fn brute_force(
    matcher: &Matcher,
    fiches: &[Fiche],
    french: &[FicheId],
    foreign: &[FicheId],
    k: usize,
    min_score: f64,
    veto: &dyn PairVeto,
) -> Vec<CrossScore> {
    let partners: HashSet<(FicheId, FicheId)> = fiches
        .iter()
        .flat_map(|f| {
            f.partnerships
                .iter()
                .filter_map(|p| p.partner_id.clone())
                .flat_map(|p| [(f.id.clone(), p.clone()), (p, f.id.clone())])
        })
        .collect();
    let mut all = Vec::new();
    for (fi, a) in french.iter().enumerate() {
        for (xi, b) in foreign.iter().enumerate() {
            if partners.contains(&(a.clone(), b.clone())) || veto.is_vetoed(a, b) {
                continue;
            }
            let (score, _) = matcher
                .explain(a, b, &Weights::default(), &NoVetoes)
                .unwrap();
            if score.total >= min_score {
                all.push(CrossScore {
                    french: fi,
                    foreign: xi,
                    total: score.total,
                });
            }
        }
    }
    let rank = |a: &CrossScore, b: &CrossScore| {
        b.total
            .total_cmp(&a.total)
            .then(a.french.cmp(&b.french))
            .then(a.foreign.cmp(&b.foreign))
    };
    all.sort_by(rank);
    let (mut per_french, mut per_foreign) = (vec![0; french.len()], vec![0; foreign.len()]);
    let mut kept = Vec::new();
    for pair in all {
        let keep = per_french[pair.french] < k || per_foreign[pair.foreign] < k;
        per_french[pair.french] += 1;
        per_foreign[pair.foreign] += 1;
        if keep {
            kept.push(pair);
        }
    }
    kept
}

#[test]
fn the_cross_product_keeps_exactly_the_best_pairs_of_every_fiche() {
    let fiches = sample_fiches();
    let (french, foreign) = sides(&fiches);
    assert!(
        french.len() > 50 && foreign.len() > 50,
        "{} × {}",
        french.len(),
        foreign.len()
    );
    let today = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let matchers = [1, 2].map(|threads| Matcher::new(fiches.clone(), today, threads).unwrap());
    let all_ids: Vec<FicheId> = french.iter().chain(&foreign).cloned().collect();
    let even = EvenVeto(&all_ids);
    let vetoes: [&dyn PairVeto; 2] = [&NoVetoes, &even];
    for veto in vetoes {
        for (k, min_score) in [(1, 0.0), (3, 0.0), (10, 0.0), (3, 0.45)] {
            let expected =
                brute_force(&matchers[0], &fiches, &french, &foreign, k, min_score, veto);
            assert!(!expected.is_empty());
            for matcher in &matchers {
                let kept = matcher
                    .cross_top_k(
                        &french,
                        &foreign,
                        k,
                        &Weights::default(),
                        min_score,
                        veto,
                        &|_| std::ops::ControlFlow::Continue(()),
                    )
                    .unwrap();
                assert_eq!(
                    kept.len(),
                    expected.len(),
                    "k = {k}, min_score = {min_score}"
                );
                for (got, want) in kept.iter().zip(&expected) {
                    assert_eq!((got.french, got.foreign), (want.french, want.foreign));
                    assert_eq!(got.total.to_bits(), want.total.to_bits());
                }
            }
        }
    }
}

#[test]
fn a_cancelled_cross_product_stops_with_an_error() {
    let fiches = sample_fiches();
    let (french, foreign) = sides(&fiches);
    let matcher = Matcher::new(fiches, NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(), 2).unwrap();
    let result = matcher.cross_top_k(
        &french,
        &foreign,
        10,
        &Weights::default(),
        0.0,
        &NoVetoes,
        &|_| std::ops::ControlFlow::Break(()),
    );
    assert!(matches!(result, Err(passerelle_engine::Error::Cancelled)));
}
