//! The cross product's first pass on both instruction sets: the AVX2 pass (approximate
//! reciprocals, nibble planes) and the portable one keep exactly the pairs that
//! scoring every pair one by one keeps. The integration test `cross_product` checks
//! the pass the machine runs on a larger sample; this one checks both here.

use super::kernel::Cpu;
use super::*;
use crate::fiche::Fiche;
use crate::jsonl::parse_fiche;
use crate::scoring::NoVetoes;
use chrono::NaiveDate;

const THEMES: [&str; 8] = [
    "sante",
    "eau-assainissement",
    "education",
    "jeunesse",
    "energie",
    "dechets",
    "culture-patrimoine",
    "gouvernance-locale",
];
const WORDS: [&str; 10] = [
    "forage",
    "latrine",
    "festival",
    "musique",
    "compost",
    "solaire",
    "bibliothèque",
    "dispensaire",
    "volontariat",
    "cadastre",
];

const SYLLABLES: [&str; 10] = ["ba", "co", "di", "fu", "ga", "hi", "jo", "ku", "lu", "mi"];

/// A fiche with themes, texts, population and level drawn from `i` (some without
/// texts, some with one text of the two).
fn fiche(i: usize, french: bool) -> Fiche {
    let pick = |n: usize, salt: usize| -> Vec<String> {
        (0..n)
            .map(|k| format!("\"{}\"", THEMES[(i * 7 + salt + k * 3) % THEMES.len()]))
            .collect()
    };
    let words = |n: usize, salt: usize| -> String {
        (0..n)
            .map(|k| {
                // 100 words, each in about one text in a hundred: distinctive enough
                // to stay in the signatures.
                let word = (i * 3 + salt + k * 7) % 100;
                format!("{}{}", WORDS[word % 10], SYLLABLES[word / 10])
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = |n: usize, salt: usize| {
        if n == 0 {
            String::new()
        } else {
            format!(r#","text":"{}""#, words(n, salt))
        }
    };
    let population = format!(r#","population":{}"#, 2_000 + i * 7_919 % 400_000);
    let level = ["local", "intermediate", "regional"][i % 3];
    let (id, country, kind, admin) = if french {
        (
            format!("FR-COM-{:05}", 10_000 + i),
            "FR",
            ["commune", "departement", "region"][i % 3],
            format!(r#","admin":{{"region":"{}"}}"#, ["53", "84", "75"][i % 3]),
        )
    } else {
        let country = ["BJ", "SN", "MA", "ES", "BR", "VN"][i % 6];
        (
            format!("{country}-GN-{i:05}"),
            country,
            ["municipality", "province", "state"][i % 3],
            String::new(),
        )
    };
    let line = format!(
        r#"{{"id":"{id}","country":"{country}","kind":"{kind}","level":"{level}","name":"Ville {i}"{admin},"location":{{"lat":0,"lon":0}}{population},"languages":["{}"],"offer":{{"themes":[{}]{}}},"request":{{"themes":[{}]{}}},"call":{{"status":"open"}}}}"#,
        ["fr", "en", "es"][i % 3],
        pick(1 + i % 4, 0).join(","),
        text(i % 4, 1),
        pick(1 + i % 3, 5).join(","),
        text((i / 2) % 3, 2),
    );
    parse_fiche(&line).unwrap()
}

/// `french` French fiches, then `foreign` foreign ones.
fn fiches(french: usize, foreign: usize) -> Vec<Fiche> {
    let mut fiches: Vec<Fiche> = (0..french).map(|i| fiche(i, true)).collect();
    fiches.extend((0..foreign).map(|i| fiche(i, false)));
    fiches
}

/// The matcher of [`fiches`], on a pool of `threads`.
fn matcher(french: usize, foreign: usize, threads: usize) -> Matcher {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    Matcher::new(fiches(french, foreign), today, threads).unwrap()
}

/// The positions in the matcher of the fiches of `side`.
fn positions(matcher: &Matcher, side: crate::fiche::Side) -> Vec<usize> {
    (0..matcher.fiches.len())
        .filter(|&p| matcher.fiches[p].side == side)
        .collect()
}

#[test]
fn both_first_passes_keep_exactly_the_best_pairs() {
    let fiches = fiches(60, 400);
    let ids = |french: bool| -> Vec<FicheId> {
        let mut ids: Vec<FicheId> = fiches
            .iter()
            .filter(|f| f.id.as_str().starts_with("FR-") == french)
            .map(|f| f.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let (french, foreign) = (ids(true), ids(false));
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut matcher = Matcher::new(fiches, today, 2).unwrap();
    let weights = Weights::default();
    for k in [1, 3, 10] {
        let mut totals = Vec::new();
        for (f, a) in french.iter().enumerate() {
            for (x, b) in foreign.iter().enumerate() {
                let total = matcher.explain(a, b, &weights, &NoVetoes).unwrap().0.total;
                totals.push(CrossScore {
                    french: f,
                    foreign: x,
                    total,
                });
            }
        }
        totals.sort_by(|a, b| {
            b.total
                .total_cmp(&a.total)
                .then(a.french.cmp(&b.french))
                .then(a.foreign.cmp(&b.foreign))
        });
        let (mut per_french, mut per_foreign) = (vec![0; french.len()], vec![0; foreign.len()]);
        let expected: Vec<CrossScore> = totals
            .into_iter()
            .filter(|pair| {
                let keep = per_french[pair.french] < k || per_foreign[pair.foreign] < k;
                per_french[pair.french] += 1;
                per_foreign[pair.foreign] += 1;
                keep
            })
            .collect();
        for cpu in [Cpu::Baseline, Cpu::detect()] {
            matcher.cpu = cpu;
            let kept = matcher
                .cross_top_k(&french, &foreign, k, &weights, 0.0, &NoVetoes, &|_| {
                    std::ops::ControlFlow::Continue(())
                })
                .unwrap();
            assert_eq!(kept.len(), expected.len(), "k = {k}, {cpu:?}");
            for (got, want) in kept.iter().zip(&expected) {
                assert_eq!(
                    (got.french, got.foreign),
                    (want.french, want.foreign),
                    "{cpu:?}"
                );
                assert_eq!(got.total.to_bits(), want.total.to_bits(), "{cpu:?}");
            }
        }
    }
}

/// Every block's bound is at least the exact total of each of its candidates, under
/// weights that put each criterion first in turn (so that each term of the bound
/// matters); and it is not vacuous: on average it is within a third of the scale of
/// totals of the block's best total. (The signatures' words are rare enough to stay
/// distinctive, so that the texts' term is in play: without it, the first
/// assertion fails.)
#[test]
fn block_bounds_are_at_least_every_total_of_their_block() {
    use super::approximate::{ApproximateQuery, ERROR};
    use super::block_bounds::GROUP;
    use super::cross::ForeignSide;
    use crate::fiche::Side;

    let matcher = matcher(40, 900, 1);
    let positions = |side: Side| positions(&matcher, side);
    let ForeignSide {
        columns,
        blocks,
        summaries,
        ..
    } = ForeignSide::of(&matcher, &positions(Side::Foreign));
    assert!(blocks.len() > 2 * GROUP, "{} blocks", blocks.len());
    let weights = [
        Weights::default(),
        Weights {
            thematic: 1.0,
            geography: 0.0,
            size: 0.0,
            underserved: 0.0,
        },
        Weights {
            thematic: 0.1,
            geography: 0.1,
            size: 1.0,
            underserved: 0.1,
        },
        Weights {
            thematic: 0.2,
            geography: 1.0,
            size: 0.0,
            underserved: 0.5,
        },
    ];
    for weights in weights {
        let (mut bounded, mut slack) = (0, 0.0f64);
        for &p in &positions(Side::French) {
            let plan = QueryPlan::over(
                &matcher,
                &columns,
                &matcher.fiches[p],
                &CandidateFilters::default(),
                weights,
                Vec::new(),
            );
            let query = ApproximateQuery::new(&plan, &blocks);
            for g in 0..summaries.groups() {
                let bounds = summaries.bounds(&query, g);
                for (j, b) in (g * GROUP..((g + 1) * GROUP).min(blocks.len())).enumerate() {
                    let best = blocks
                        .range(b)
                        .map(|i| plan.total(i))
                        .fold(f64::NEG_INFINITY, f64::max);
                    assert!(
                        f64::from(bounds[j]) >= best - f64::from(ERROR) / 10.0,
                        "{weights:?}: block {b}: bound {} < best total {best}",
                        bounds[j]
                    );
                    bounded += 1;
                    slack += f64::from(bounds[j]) - best;
                }
            }
        }
        // Not vacuous: the bounds follow the blocks' best totals (on average within
        // a third of the scale of totals).
        assert!(
            slack / f64::from(bounded) < 0.35,
            "{weights:?}: mean slack {}",
            slack / f64::from(bounded)
        );
    }
}

/// The order of the French fiches is a permutation, by the number of foreign fiches
/// (all sampled here) that put each among their best (totals from `explain`, not
/// from the kernel the order uses).
#[test]
fn french_fiches_most_foreign_fiches_rank_high_come_first() {
    use super::cross_order::likeliest_first;
    use crate::fiche::Side;

    let matcher = matcher(60, 90, 2);
    let (french, foreign) = (
        positions(&matcher, Side::French),
        positions(&matcher, Side::Foreign),
    );
    let weights = Weights::default();
    let k = 1;
    let order = likeliest_first(&matcher, &french, &foreign, k, weights);
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..french.len() as u32).collect::<Vec<_>>());

    // Fewer foreign fiches than the sample: every one votes for its best 5k.
    let mut votes = vec![0u32; french.len()];
    for &x in &foreign {
        let mut totals: Vec<(f64, usize)> = french
            .iter()
            .enumerate()
            .map(|(f, &p)| {
                let (a, b) = (&matcher.fiches[p].id, &matcher.fiches[x].id);
                let total = matcher.explain(a, b, &weights, &NoVetoes).unwrap().0.total;
                (total, f)
            })
            .collect();
        totals.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, f) in totals.iter().take(5 * k) {
            votes[f] += 1;
        }
    }
    // Taken by votes: the fiches' votes never rise along the order, and they are not
    // all equal (the test would say nothing).
    let along: Vec<u32> = order.iter().map(|&f| votes[f as usize]).collect();
    assert!(along.windows(2).all(|w| w[0] >= w[1]), "{along:?}");
    assert!(along[0] > along[along.len() - 1] + 10, "{along:?}");
}
