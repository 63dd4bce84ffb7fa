//! A small, deterministic sample of the corpus (a few hundred fiches) for tests, demos
//! and the committed `sample/sample.jsonl`: all of Benin, about 120 French fiches of
//! every level (all régions, big and small communes, those partnering with Benin) and
//! about 165 foreign places from varied countries, big and small.
//!
//! The choice depends only on the corpus: the largest places by population, and
//! "random" ones by a fixed hash of their id.

use std::collections::BTreeSet;

use passerelle_engine::fiche::{Fiche, Kind};
use passerelle_engine::reference::CountryCode;

use crate::random::fnv1a;

/// Foreign countries of the sample and how many places each.
const FOREIGN_QUOTAS: &[(&str, usize)] = &[
    ("MA", 15),
    ("SN", 10),
    ("ES", 10),
    ("BR", 10),
    ("MX", 10),
    ("GB", 10),
    ("DE", 10),
    ("MG", 8),
    ("VN", 8),
    ("IT", 6),
    ("TN", 6),
    ("BF", 6),
    ("ML", 6),
    ("CM", 5),
    ("HT", 5),
    ("US", 5),
    ("CN", 5),
    ("CA", 4),
    ("PL", 4),
    ("PT", 4),
    ("TG", 4),
    ("NE", 4),
    ("IN", 4),
    ("LB", 3),
    ("JP", 3),
];

/// The sample of a corpus, sorted by id.
pub fn sample_of(corpus: &[Fiche]) -> Vec<Fiche> {
    let mut chosen = BTreeSet::new();
    let all: Vec<usize> = (0..corpus.len()).collect();
    let of = |keep: &dyn Fn(&Fiche) -> bool| -> Vec<usize> {
        all.iter().copied().filter(|&i| keep(&corpus[i])).collect()
    };
    let benin = CountryCode::parse("BJ");

    chosen.extend(of(&|f| f.id.as_str().starts_with("BJ-COM-")));
    chosen.extend(of(&|f| f.kind == Kind::Region));
    chosen.extend(by_hash(corpus, of(&|f| f.kind == Kind::Departement), 12));
    let epci = of(&|f| f.kind == Kind::Epci);
    chosen.extend(largest(corpus, &epci, 4));
    chosen.extend(by_hash(corpus, epci, 6));
    let communes = of(&|f| f.kind == Kind::Commune);
    chosen.extend(largest(corpus, &communes, 15));
    let with_benin =
        of(&|f| f.kind == Kind::Commune && f.partnerships.iter().any(|p| p.country == benin));
    chosen.extend(largest(corpus, &with_benin, 20));
    chosen.extend(by_hash(
        corpus,
        of(&|f| f.kind == Kind::Commune && f.population < 2_000),
        12,
    ));
    let towns = of(&|f| f.kind == Kind::Commune && (2_000..50_000).contains(&f.population));
    chosen.extend(by_hash(corpus, towns, 12));

    for (code, quota) in FOREIGN_QUOTAS {
        let Some(country) = CountryCode::parse(code) else {
            continue;
        };
        let places = of(&|f| f.country == country);
        let big = largest(corpus, &places, quota.div_ceil(2));
        let rest: Vec<usize> = places.into_iter().filter(|i| !big.contains(i)).collect();
        chosen.extend(by_hash(corpus, rest, quota - big.len()));
        chosen.extend(big);
    }
    // `corpus` is sorted by id, and so are indices in a BTreeSet.
    let mut sample: Vec<Fiche> = chosen.into_iter().map(|i| corpus[i].clone()).collect();
    sample.sort_by(|a, b| a.id.cmp(&b.id));
    sample
}

/// The `n` most populous, ties broken by id.
fn largest(corpus: &[Fiche], indices: &[usize], n: usize) -> Vec<usize> {
    let mut sorted = indices.to_vec();
    sorted.sort_by(|&a, &b| {
        corpus[b]
            .population
            .cmp(&corpus[a].population)
            .then_with(|| corpus[a].id.cmp(&corpus[b].id))
    });
    sorted.truncate(n);
    sorted
}

/// `n` chosen by a fixed hash of their id: arbitrary but stable.
fn by_hash(corpus: &[Fiche], mut indices: Vec<usize>, n: usize) -> Vec<usize> {
    indices.sort_by_key(|&i| (fnv1a(corpus[i].id.as_str().as_bytes()), i));
    indices.truncate(n);
    indices
}
