//! Fuzzy lookup of collectivités by name, and resolution of a name or an id.
//!
//! A [`NameTable`] holds every fiche's official name and alternative names,
//! normalised (folded, `St`/`Ste` expanded: see [`normalise`]). A lookup scores the
//! names that share a token prefix (first two letters of a word) with the query:
//! 1 for a name equal to the query ignoring spaces, else up to 0.95 by Jaro-Winkler on
//! the whole name or word by word. Each fiche counts once, with its best name; hits
//! are ordered by score descending, then id. [`NameTable::resolve`] turns a user's
//! "name or id" into one id, and refuses to guess: an unknown name and an ambiguous
//! one (several fiches scoring within [`AMBIGUITY_MARGIN`] of the best, such as the
//! two Saint-Denis) are errors that list the candidates.

mod score;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::Serialize;

pub use score::normalise;

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId, Side};
use crate::reference::CountryCode;
use crate::store::Store;

/// Lowest score accepted by [`NameTable::resolve`].
pub const MIN_RESOLVE_SCORE: f64 = 0.88;
/// Candidates within this of the best score make a name ambiguous.
pub const AMBIGUITY_MARGIN: f64 = 0.02;
/// When the query's buckets hold more names than this, the largest are skipped (as
/// long as one bucket remains): frequent words such as "saint" then weigh less.
const MAX_CANDIDATES: usize = 8_000;

/// One fiche found by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameHit {
    pub id: FicheId,
    /// The official name.
    pub name: String,
    /// The name that matched (official or alternative).
    pub matched: String,
    pub country: CountryCode,
    /// Département (French) or admin1 name (foreign), where known.
    pub admin: Option<String>,
    pub score: f64,
}

impl NameHit {
    /// `id  name (country, admin)`, as errors list candidates.
    pub fn describe(&self) -> String {
        match &self.admin {
            Some(admin) => format!("{}  {} ({}, {admin})", self.id, self.name, self.country),
            None => format!("{}  {} ({})", self.id, self.name, self.country),
        }
    }
}

#[derive(Debug)]
struct Entry {
    id: FicheId,
    name: String,
    country: CountryCode,
    admin: Option<String>,
    side: Side,
    /// False once the fiche was removed or replaced: its names stay in the buckets
    /// but are skipped.
    live: bool,
}

#[derive(Debug)]
struct Name {
    entry: u32,
    key: String,
    original: String,
}

/// The names of all fiches, for fuzzy lookup.
#[derive(Debug, Default)]
pub struct NameTable {
    entries: Vec<Entry>,
    by_id: HashMap<FicheId, u32>,
    names: Vec<Name>,
    buckets: HashMap<[char; 2], Vec<u32>>,
    live: usize,
}

fn admin_of(fiche: &Fiche) -> Option<String> {
    let admin = fiche.admin.as_ref()?;
    match fiche.side() {
        Side::French => admin.departement.as_ref().map(|d| format!("dép. {d}")),
        Side::Foreign => admin.admin1_name.clone().or_else(|| admin.admin1.clone()),
    }
}

impl NameTable {
    /// The table of every fiche in the store.
    pub fn from_store(store: &Store) -> Result<NameTable> {
        Ok(NameTable::from_fiches(&store.load_all()?))
    }

    pub fn from_fiches<'a>(fiches: impl IntoIterator<Item = &'a Fiche>) -> NameTable {
        let mut table = NameTable::default();
        fiches.into_iter().for_each(|fiche| table.add(fiche));
        table
    }

    /// Adds a fiche, replacing the names of an earlier one with the same id.
    pub fn add(&mut self, fiche: &Fiche) {
        self.remove(&fiche.id);
        let entry = self.entries.len() as u32;
        self.by_id.insert(fiche.id.clone(), entry);
        self.live += 1;
        self.entries.push(Entry {
            id: fiche.id.clone(),
            name: fiche.name.clone(),
            country: fiche.country,
            admin: admin_of(fiche),
            side: fiche.side(),
            live: true,
        });
        for original in std::iter::once(&fiche.name).chain(&fiche.alt_names) {
            let key = normalise(original);
            let index = self.names.len() as u32;
            let mut keys: Vec<[char; 2]> = score::bucket_keys(&key).collect();
            keys.dedup();
            for k in keys {
                self.buckets.entry(k).or_default().push(index);
            }
            let original = original.clone();
            self.names.push(Name {
                entry,
                key,
                original,
            });
        }
    }

    /// Removes a fiche's names; false when there was none with that id.
    pub fn remove(&mut self, id: &FicheId) -> bool {
        match self.by_id.remove(id) {
            Some(entry) => {
                self.entries[entry as usize].live = false;
                self.live -= 1;
                true
            }
            None => false,
        }
    }

    /// Number of fiches in the table.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub fn contains(&self, id: &FicheId) -> bool {
        self.by_id.contains_key(id)
    }

    fn candidates(&self, key: &str) -> Vec<u32> {
        let mut keys: Vec<[char; 2]> = score::bucket_keys(key).collect();
        keys.sort();
        keys.dedup();
        let mut buckets: Vec<&Vec<u32>> = keys.iter().filter_map(|k| self.buckets.get(k)).collect();
        buckets.sort_by_key(|b| b.len());
        let mut total = 0;
        let mut out = Vec::new();
        for (i, bucket) in buckets.into_iter().enumerate() {
            total += bucket.len();
            if i > 0 && total > MAX_CANDIDATES {
                break;
            }
            out.extend_from_slice(bucket);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The `limit` best fiches for `query`, optionally within a country.
    pub fn lookup(&self, query: &str, country: Option<CountryCode>, limit: usize) -> Vec<NameHit> {
        self.lookup_where(query, limit, &|entry| {
            country.is_none_or(|c| c == entry.country)
        })
    }

    fn lookup_where(
        &self,
        query: &str,
        limit: usize,
        keep: &dyn Fn(&Entry) -> bool,
    ) -> Vec<NameHit> {
        let key = normalise(query);
        if key.is_empty() || limit == 0 {
            return Vec::new();
        }
        let tokens: Vec<&str> = key.split(' ').collect();
        let mut best: HashMap<u32, (f64, u32)> = HashMap::new();
        for index in self.candidates(&key) {
            let name = &self.names[index as usize];
            let entry = &self.entries[name.entry as usize];
            if !entry.live || !keep(entry) {
                continue;
            }
            let score = score::similarity(&key, &tokens, &name.key);
            let slot = best.entry(name.entry).or_insert((score, index));
            if score > slot.0 {
                *slot = (score, index);
            }
        }
        let mut hits: Vec<(f64, u32, u32)> =
            best.into_iter().map(|(e, (s, n))| (s, e, n)).collect();
        let id = |e: u32| &self.entries[e as usize].id;
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| id(a.1).cmp(id(b.1))));
        hits.truncate(limit);
        hits.into_iter()
            .map(|(score, e, n)| {
                let entry = &self.entries[e as usize];
                NameHit {
                    id: entry.id.clone(),
                    name: entry.name.clone(),
                    matched: self.names[n as usize].original.clone(),
                    country: entry.country,
                    admin: entry.admin.clone(),
                    score,
                }
            })
            .collect()
    }

    /// One id for a user's "name or id": an existing id as is, else the single best
    /// name match. Unknown and ambiguous names are errors listing the candidates.
    pub fn resolve(&self, name_or_id: &str, country: Option<CountryCode>) -> Result<FicheId> {
        self.resolve_where(name_or_id, &|entry| {
            country.is_none_or(|c| c == entry.country)
        })
    }

    /// Like [`NameTable::resolve`], among the fiches of one side only (a batch scope
    /// names French or foreign collectivités): "Lyon" in a foreign scope is not the
    /// French commune. An id of the other side is refused as not found.
    pub fn resolve_on_side(&self, name_or_id: &str, side: Side) -> Result<FicheId> {
        self.resolve_where(name_or_id, &|entry| entry.side == side)
    }

    fn resolve_where(&self, name_or_id: &str, keep: &dyn Fn(&Entry) -> bool) -> Result<FicheId> {
        let query = name_or_id.trim();
        if let Ok(id) = FicheId::parse(query) {
            return match self.by_id.get(&id) {
                Some(&entry) if keep(&self.entries[entry as usize]) => Ok(id),
                _ => Err(Error::NotFound(id)),
            };
        }
        let hits = self.lookup_where(query, 10, keep);
        let Some(top) = hits.first().filter(|h| h.score >= MIN_RESOLVE_SCORE) else {
            return Err(Error::NoSuchName {
                query: query.to_owned(),
                suggestions: hits.iter().take(5).map(NameHit::describe).collect(),
            });
        };
        let close: Vec<&NameHit> = hits
            .iter()
            .filter(|h| h.score >= top.score - AMBIGUITY_MARGIN)
            .collect();
        if close.len() > 1 {
            return Err(Error::AmbiguousName {
                query: query.to_owned(),
                candidates: close.iter().map(|h| h.describe()).collect(),
            });
        }
        Ok(top.id.clone())
    }
}
