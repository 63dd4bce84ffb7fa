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

mod resolution;
mod score;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::Serialize;

pub use resolution::{Qualifier, Resolution, split_qualifier};
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
    /// Folded département code (French) or admin1 code and name (foreign), for
    /// qualifiers such as `Saint-Denis (93)`.
    area_keys: Vec<String>,
    /// False once the fiche was removed or replaced: its names stay in the buckets
    /// but are skipped.
    live: bool,
}

impl Entry {
    /// The qualifier that tells this fiche from look-alikes of another country
    /// (`country`) or of the same country (its area).
    fn qualifier(&self, same_country: bool) -> String {
        match (same_country, self.area_keys.first()) {
            (true, Some(_)) => match self.side {
                Side::French => self.admin.clone().unwrap_or_default().replace("dép. ", ""),
                Side::Foreign => self.admin.clone().unwrap_or_default(),
            },
            _ => self.country.to_string(),
        }
    }
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

fn area_keys_of(fiche: &Fiche) -> Vec<String> {
    let Some(admin) = fiche.admin.as_ref() else {
        return Vec::new();
    };
    let parts = match fiche.side() {
        Side::French => vec![&admin.departement],
        Side::Foreign => vec![&admin.admin1_name, &admin.admin1],
    };
    parts
        .into_iter()
        .flatten()
        .map(|part| resolution::area_key(part))
        .collect()
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
            area_keys: area_keys_of(fiche),
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
        self.resolve_detailed(name_or_id, country, None)
            .map(|resolution| resolution.id)
    }

    /// Like [`NameTable::resolve`], among the fiches of one side only (a batch scope
    /// names French or foreign collectivités): "Lyon" in a foreign scope is not the
    /// French commune. An id of the other side is refused as not found.
    pub fn resolve_on_side(&self, name_or_id: &str, side: Side) -> Result<FicheId> {
        self.resolve_detailed(name_or_id, None, Some(side))
            .map(|resolution| resolution.id)
    }

    /// A user's "name or id" (a name may end with a qualifier: `Saint-Denis (93)`,
    /// `Porto Novo (CV)`), among the fiches of `country` and `side` when given. Says
    /// whether the name was corrected by fuzzy matching. When several fiches match a
    /// folded name equally, the one whose name is exactly the text typed (accents,
    /// case and hyphens included) is chosen: "Porto-Novo" is Benin's capital, "Porto
    /// Novo" (Cape Verde) and "Portonovo" (Spain) are look-alikes.
    pub fn resolve_detailed(
        &self,
        name_or_id: &str,
        country: Option<CountryCode>,
        side: Option<Side>,
    ) -> Result<Resolution> {
        let (text, qualifier) = split_qualifier(name_or_id);
        let keep = |entry: &Entry| {
            country.is_none_or(|c| c == entry.country)
                && side.is_none_or(|s| s == entry.side)
                && qualifier
                    .as_ref()
                    .is_none_or(|q| q.accepts(entry.country, &entry.area_keys))
        };
        if let Ok(id) = FicheId::parse(text) {
            return match self.by_id.get(&id) {
                Some(&entry) if keep(&self.entries[entry as usize]) => Ok(Resolution {
                    name: self.entries[entry as usize].name.clone(),
                    id,
                    corrected_from: None,
                }),
                _ => Err(Error::NotFound(id)),
            };
        }
        let hits = self.lookup_where(text, 10, &keep);
        let Some(top) = hits.first().filter(|h| h.score >= MIN_RESOLVE_SCORE) else {
            return Err(Error::NoSuchName {
                query: name_or_id.trim().to_owned(),
                suggestions: hits.iter().take(5).map(NameHit::describe).collect(),
            });
        };
        let close: Vec<&NameHit> = hits
            .iter()
            .filter(|h| h.score >= top.score - AMBIGUITY_MARGIN)
            .collect();
        let chosen = match close.as_slice() {
            [only] => *only,
            several => {
                let verbatim: Vec<&&NameHit> =
                    several.iter().filter(|h| h.matched == text).collect();
                match verbatim.as_slice() {
                    [only] => **only,
                    _ => return Err(self.ambiguity(name_or_id.trim(), several)),
                }
            }
        };
        Ok(Resolution {
            id: chosen.id.clone(),
            name: chosen.name.clone(),
            corrected_from: (chosen.score < 1.0).then(|| name_or_id.trim().to_owned()),
        })
    }

    /// The error for a name several fiches answer to, each candidate with the
    /// qualified name that designates it alone (or its id, when no qualifier does).
    fn ambiguity(&self, query: &str, hits: &[&NameHit]) -> Error {
        let entry = |hit: &NameHit| &self.entries[self.by_id[&hit.id] as usize];
        let qualifiers: Vec<String> = hits
            .iter()
            .map(|hit| {
                let this = entry(hit);
                let same_country = hits
                    .iter()
                    .filter(|other| other.id != hit.id)
                    .any(|other| entry(other).country == this.country);
                this.qualifier(same_country)
            })
            .collect();
        let candidates = hits
            .iter()
            .zip(&qualifiers)
            .map(|(hit, qualifier)| {
                let unique = qualifiers.iter().filter(|q| *q == qualifier).count() == 1;
                match unique && !qualifier.is_empty() {
                    true => format!("{}  → « {} ({qualifier}) »", hit.describe(), hit.name),
                    false => format!("{}  → « {} »", hit.describe(), hit.id),
                }
            })
            .collect();
        Error::AmbiguousName {
            query: query.to_owned(),
            candidates,
        }
    }
}
