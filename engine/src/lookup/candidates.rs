//! Which names a lookup scores: at most [`MAX_CANDIDATES`], chosen without looking at
//! any name's text beyond the query's own prefixes.

use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::MAX_CANDIDATES;
use super::score::{Query, compact, prefix2, prefix3};

/// The names to score for one query.
#[derive(Debug, Default)]
pub struct Candidates {
    /// Name indices, sorted, without duplicates; at most [`MAX_CANDIDATES`].
    pub names: Vec<u32>,
    /// Some names sharing a prefix with the query were left out.
    pub truncated: bool,
    /// Every name whose compact form equals the query's is among `names`.
    pub all_exact: bool,
}

/// Indices of names by the hash of their compact form and by the two- and
/// three-letter prefixes of their words.
#[derive(Debug, Default)]
pub struct Buckets {
    exact: FxHashMap<u64, Vec<u32>>,
    two: FxHashMap<[char; 2], Vec<u32>>,
    three: FxHashMap<[char; 3], Vec<u32>>,
}

/// A fixed hasher (no random keys): the same name always lands in the same bucket.
/// Names come from fiches, and a collision only adds a name to check: a fast hash
/// (the table is built at every start) rather than one that resists flooding.
fn hash(compact: &str) -> u64 {
    FxBuildHasher.hash_one(compact)
}

fn tokens(key: &str) -> impl Iterator<Item = &str> {
    key.split(' ').filter(|t| !t.is_empty())
}

fn distinct<T: Ord>(mut keys: Vec<T>) -> Vec<T> {
    keys.sort();
    keys.dedup();
    keys
}

impl Buckets {
    /// Files name `index`, of normalised form `key`.
    pub fn insert(&mut self, index: u32, key: &str) {
        self.exact
            .entry(hash(&compact(key)))
            .or_default()
            .push(index);
        for k in distinct(tokens(key).map(prefix2).collect()) {
            self.two.entry(k).or_default().push(index);
        }
        for k in distinct(tokens(key).filter_map(prefix3).collect()) {
            self.three.entry(k).or_default().push(index);
        }
    }

    /// The names to score for `query`: those equal to it, then whole buckets of the
    /// query's two-letter prefixes, rarest first, while they fit in
    /// [`MAX_CANDIDATES`]; if none fits, the same with three-letter prefixes; if none
    /// fits either, the first names of the smallest bucket (truncated). `key_of` gives
    /// a name's normalised form (to confirm an exact match found by its hash).
    pub fn candidates<'t>(&self, query: &Query, key_of: &dyn Fn(u32) -> &'t str) -> Candidates {
        let mut names: Vec<u32> = self
            .exact
            .get(&hash(&query.compact))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&n| compact(key_of(n)) == query.compact)
            .collect();
        let all_exact = names.len() <= MAX_CANDIDATES;
        names.truncate(MAX_CANDIDATES);
        let two: Vec<&Vec<u32>> = distinct(query.tokens.iter().map(|t| prefix2(t)).collect())
            .iter()
            .filter_map(|k| self.two.get(k))
            .collect();
        let three: Vec<&Vec<u32>> =
            distinct(query.tokens.iter().filter_map(|t| prefix3(t)).collect())
                .iter()
                .filter_map(|k| self.three.get(k))
                .collect();
        let mut truncated = !all_exact;
        let room = MAX_CANDIDATES - names.len();
        let taken = whole_buckets(two.clone(), room)
            .or_else(|| whole_buckets(three.clone(), room))
            .unwrap_or_else(|| {
                let smallest = three.into_iter().chain(two).min_by_key(|b| b.len());
                truncated |= smallest.is_some();
                smallest.map_or_else(Vec::new, |b| b[..room.min(b.len())].to_vec())
            });
        names.extend(taken);
        names.sort_unstable();
        names.dedup();
        Candidates {
            names,
            truncated,
            all_exact,
        }
    }
}

/// The names of the smallest buckets, as many whole buckets as fit in `room`; `None`
/// when not even the smallest fits (or there is none).
fn whole_buckets(mut buckets: Vec<&Vec<u32>>, room: usize) -> Option<Vec<u32>> {
    buckets.sort_by_key(|b| b.len());
    let mut total = 0;
    let mut out = Vec::new();
    for bucket in buckets {
        total += bucket.len();
        if total > room {
            break;
        }
        out.extend_from_slice(bucket);
    }
    (!out.is_empty()).then_some(out)
}
