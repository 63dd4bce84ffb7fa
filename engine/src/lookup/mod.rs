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
//!
//! # Cost of a lookup, bounded by construction
//!
//! - A query has at most [`MAX_QUERY_CHARS`] characters (longer ones are refused
//!   before any work, naming the field `name`); at most
//!   [`score::MAX_QUERY_TOKENS`] of its words choose candidates and take part in the
//!   word-by-word score.
//! - At most [`MAX_CANDIDATES`] names are scored ([`candidates`]): the names equal to
//!   the query (found through a hash of their compact form), then whole buckets of
//!   names sharing a two-letter word prefix with the query, rarest first, as long as
//!   they fit; when none fits (a query made only of frequent prefixes such as
//!   "saint"), the buckets of three-letter prefixes; when none of those fits either,
//!   the first names of the smallest, and the lookup is *truncated*. A truncated
//!   lookup still finds every name equal to the query, but [`NameTable::resolve`]
//!   accepts nothing else from it (it reports the name as ambiguous).
//! - Scoring one name costs one Jaro-Winkler comparison of the whole strings (names
//!   have at most 200 characters, queries too) and at most
//!   `2 × MAX_QUERY_TOKENS × (words of the name)` word comparisons.
//!
//! So a lookup costs O(query length) to normalise, O(number of distinct prefixes of
//! the query) bucket reads, and at most `MAX_CANDIDATES` bounded similarity
//! computations; its memory is the candidate list and one best score per fiche seen,
//! both at most `MAX_CANDIDATES` entries. The table itself keeps, per name, its
//! normalised and original forms and one `u32` per distinct two- and three-letter
//! prefix; replaced and removed fiches leave dead names behind until they outnumber
//! the live ones, when the table is rebuilt from its live names (amortised O(1)).

mod candidates;
mod jaro;
mod resolution;
mod score;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::Serialize;

pub use resolution::{Qualifier, Resolution, split_qualifier};
pub use score::{MAX_QUERY_TOKENS, normalise};

use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId, FieldError, MAX_NAME_CHARS, Side};
use crate::reference::CountryCode;
use crate::store::Store;
use candidates::Candidates;
use score::{Query, Work};

/// Lowest score accepted by [`NameTable::resolve`].
pub const MIN_RESOLVE_SCORE: f64 = 0.88;
/// Candidates within this of the best score make a name ambiguous.
pub const AMBIGUITY_MARGIN: f64 = 0.02;
/// Longest name a lookup accepts: the fiche format's cap on names.
pub const MAX_QUERY_CHARS: usize = MAX_NAME_CHARS;
/// Names scored per lookup at most.
pub const MAX_CANDIDATES: usize = 8_000;
/// Dead names (of replaced or removed fiches) tolerated before a rebuild, beyond the
/// number of live ones.
const DEAD_NAMES_SLACK: usize = 4_096;

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
    /// Its names: `names[first..first + count]`.
    first: u32,
    count: u32,
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
    buckets: candidates::Buckets,
    live: usize,
    dead_names: usize,
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

/// Refuses a query longer than a name may be, before any work on it.
fn check_query(query: &str) -> Result<()> {
    if query.chars().nth(MAX_QUERY_CHARS).is_some() {
        return Err(Error::InvalidRequest(FieldError::new(
            "name",
            query,
            format!(
                "un nom a au plus {MAX_QUERY_CHARS} caractères (celui-ci en a {})",
                query.chars().count()
            ),
        )));
    }
    Ok(())
}

/// The first characters of a query, as errors quote it.
fn shown(query: &str) -> String {
    match query.char_indices().nth(crate::fiche::QUOTED_CHARS) {
        None => query.to_owned(),
        Some((end, _)) => format!("{}…", &query[..end]),
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
        let names = std::iter::once(&fiche.name)
            .chain(&fiche.alt_names)
            .map(String::as_str);
        self.push(
            Entry {
                id: fiche.id.clone(),
                name: fiche.name.clone(),
                country: fiche.country,
                admin: admin_of(fiche),
                side: fiche.side(),
                area_keys: area_keys_of(fiche),
                first: 0,
                count: 0,
                live: true,
            },
            names,
        );
    }

    fn push<'a>(&mut self, mut entry: Entry, originals: impl Iterator<Item = &'a str>) {
        let index = self.entries.len() as u32;
        entry.first = self.names.len() as u32;
        for original in originals {
            let key = normalise(original);
            self.buckets.insert(self.names.len() as u32, &key);
            self.names.push(Name {
                entry: index,
                key,
                original: original.to_owned(),
            });
        }
        entry.count = self.names.len() as u32 - entry.first;
        self.by_id.insert(entry.id.clone(), index);
        self.live += 1;
        self.entries.push(entry);
    }

    /// Removes a fiche's names; false when there was none with that id.
    pub fn remove(&mut self, id: &FicheId) -> bool {
        let Some(entry) = self.by_id.remove(id) else {
            return false;
        };
        let entry = &mut self.entries[entry as usize];
        entry.live = false;
        self.live -= 1;
        self.dead_names += entry.count as usize;
        if self.dead_names > self.names.len() - self.dead_names + DEAD_NAMES_SLACK {
            self.rebuild();
        }
        true
    }

    /// The same table without its dead names.
    fn rebuild(&mut self) {
        let old = std::mem::take(self);
        let mut names = old.names.into_iter().map(|n| n.original);
        let mut position = 0;
        for entry in old.entries {
            let (first, count) = (entry.first as usize, entry.count as usize);
            let mine: Vec<String> = names.by_ref().skip(first - position).take(count).collect();
            position = first + count;
            if entry.live {
                self.push(entry, mine.iter().map(String::as_str));
            }
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

    /// The `limit` best fiches for `query`, optionally within a country. A query of
    /// more than [`MAX_QUERY_CHARS`] characters is refused (field `name`).
    pub fn lookup(
        &self,
        query: &str,
        country: Option<CountryCode>,
        limit: usize,
    ) -> Result<Vec<NameHit>> {
        check_query(query)?;
        let keep = |entry: &Entry| country.is_none_or(|c| c == entry.country);
        Ok(self.lookup_where(query, limit, &keep).0)
    }

    /// The hits, whether the candidates were cut, and what scoring them cost.
    fn lookup_where(
        &self,
        query: &str,
        limit: usize,
        keep: &dyn Fn(&Entry) -> bool,
    ) -> (Vec<NameHit>, Candidates, Work) {
        let key = normalise(query);
        let query = Query::new(&key);
        let mut work = Work::default();
        if key.is_empty() || limit == 0 {
            return (Vec::new(), Candidates::default(), work);
        }
        let candidates = self
            .buckets
            .candidates(&query, &|n| &self.names[n as usize].key);
        let mut best: HashMap<u32, (f64, u32)> = HashMap::new();
        for &index in &candidates.names {
            let name = &self.names[index as usize];
            let entry = &self.entries[name.entry as usize];
            if !entry.live || !keep(entry) {
                continue;
            }
            let score = query.similarity(&name.key, &mut work);
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
        let hits = hits
            .into_iter()
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
            .collect();
        (hits, candidates, work)
    }

    /// One id for a user's "name or id": an existing id as is, else the single best
    /// name match. Unknown and ambiguous names are errors listing the candidates; so
    /// is a name so common that the lookup was truncated, unless a fiche bears it
    /// exactly. A name longer than [`MAX_QUERY_CHARS`] is refused (field `name`).
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
        check_query(name_or_id)?;
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
        let typed = name_or_id.trim();
        let (hits, candidates, _) = self.lookup_where(text, 10, &keep);
        let Some(top) = hits.first().filter(|h| h.score >= MIN_RESOLVE_SCORE) else {
            return Err(Error::NoSuchName {
                query: shown(typed),
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
                    _ => return Err(self.ambiguity(typed, several)),
                }
            }
        };
        // A truncated lookup may have left out a name as close as the best: only a
        // name borne exactly, all of whose bearers were scored, is sure.
        if candidates.truncated && !(chosen.score == 1.0 && candidates.all_exact) {
            return Err(self.ambiguity(typed, &hits.iter().take(5).collect::<Vec<_>>()));
        }
        Ok(Resolution {
            id: chosen.id.clone(),
            name: chosen.name.clone(),
            corrected_from: (chosen.score < 1.0).then(|| typed.to_owned()),
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
            query: shown(query),
            candidates,
        }
    }
}
