//! The interest collectivités declare in each other — "interested" or "not
//! interested" in a candidate, with a note — kept append-only in the store like staff
//! decisions, and what the ranking reads of it ([`Interests`]).
//!
//! An interest is directed: `fiche` speaks about `candidate` (the portal acts for the
//! fiche; staff may record for anyone). A fiche's latest word about a candidate is the
//! one that counts: saying "interested" after "not interested" brings the candidate
//! back. Both fiches must exist and be of different sides. A record that returned is
//! durable (one committed transaction); rows are never updated or deleted (triggers
//! refuse it).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::error::{Error, Result};
use crate::fiche::{FicheId, Kind, Side};
use crate::scoring::{PairInterest, PairVeto};

/// What a collectivité said about a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterestKind {
    /// Shown to the other side as a reason, and raises the pair.
    Interested,
    /// Removes the candidate from this fiche's own suggestions.
    NotInterested,
}

impl InterestKind {
    pub const ALL: [InterestKind; 2] = [InterestKind::Interested, InterestKind::NotInterested];

    pub fn as_str(self) -> &'static str {
        match self {
            InterestKind::Interested => "interested",
            InterestKind::NotInterested => "not_interested",
        }
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            InterestKind::Interested => "intéressée",
            InterestKind::NotInterested => "pas intéressée",
        }
    }
}

impl fmt::Display for InterestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InterestKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InterestKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown interest {} (interested, not_interested)",
                    crate::fiche::quote(s)
                )
            })
    }
}

/// An interest to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInterest {
    /// The collectivité that speaks.
    pub fiche: FicheId,
    /// The one it speaks about, of the other side.
    pub candidate: FicheId,
    pub kind: InterestKind,
    pub note: String,
    /// Who recorded it (the token's name, or a person's).
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A recorded interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interest {
    /// Increasing with time.
    pub id: i64,
    pub fiche: FicheId,
    pub candidate: FicheId,
    pub kind: InterestKind,
    pub note: String,
    pub actor: String,
    /// RFC 3339, UTC.
    pub at: String,
}

const COLUMNS: &str = "id, fiche, candidate, kind, note, actor, at";

type Row = (i64, String, String, String, String, String, String);

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn decode((id, fiche, candidate, kind, note, actor, at): Row) -> Result<Interest> {
    let corrupt = |message: String| Error::CorruptRecord {
        id: format!("interest {id}"),
        message,
    };
    Ok(Interest {
        id,
        fiche: FicheId::parse(&fiche).map_err(corrupt)?,
        candidate: FicheId::parse(&candidate).map_err(corrupt)?,
        kind: kind.parse().map_err(corrupt)?,
        note,
        actor,
        at,
    })
}

impl Store {
    /// The side of a stored fiche; `NotFound` when there is none.
    pub(super) fn side_of(transaction: &rusqlite::Connection, id: &FicheId) -> Result<Side> {
        let kind: Option<String> = transaction
            .query_row(
                "SELECT kind FROM fiches WHERE id = ?1",
                [id.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        let kind = kind.ok_or_else(|| Error::NotFound(id.clone()))?;
        Kind::parse(&kind)
            .map(Kind::side)
            .ok_or_else(|| Error::CorruptRecord {
                id: id.to_string(),
                message: format!("unknown kind {kind:?}"),
            })
    }

    /// Records an interest in one committed transaction. Both fiches must exist
    /// (`NotFound`) and be of different sides (`SameSide`).
    pub fn record_interest(&mut self, interest: &NewInterest) -> Result<Interest> {
        let at = interest.at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let transaction = self.connection.transaction()?;
        let side = Store::side_of(&transaction, &interest.fiche)?;
        if Store::side_of(&transaction, &interest.candidate)? == side {
            return Err(Error::SameSide {
                a: interest.fiche.clone(),
                b: interest.candidate.clone(),
                side,
            });
        }
        transaction.execute(
            "INSERT INTO interests (fiche, candidate, kind, note, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                interest.fiche.as_str(),
                interest.candidate.as_str(),
                interest.kind.as_str(),
                interest.note,
                interest.actor,
                at
            ],
        )?;
        let id = transaction.last_insert_rowid();
        transaction.commit()?;
        Ok(Interest {
            id,
            fiche: interest.fiche.clone(),
            candidate: interest.candidate.clone(),
            kind: interest.kind,
            note: interest.note.clone(),
            actor: interest.actor.clone(),
            at,
        })
    }

    /// Every interest `id` expressed or received, oldest first.
    pub fn interests_for_fiche(&self, id: &FicheId) -> Result<Vec<Interest>> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {COLUMNS} FROM interests WHERE fiche = ?1
             UNION ALL SELECT {COLUMNS} FROM interests WHERE candidate = ?1 AND fiche <> ?1
             ORDER BY id"
        ))?;
        let rows = statement.query_map([id.as_str()], read_row)?;
        rows.map(|row| decode(row?)).collect()
    }

    /// Every interest between the two fiches, either way, oldest first.
    pub fn interests_for_pair(&self, a: &FicheId, b: &FicheId) -> Result<Vec<Interest>> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {COLUMNS} FROM interests
             WHERE (fiche = ?1 AND candidate = ?2) OR (fiche = ?2 AND candidate = ?1)
             ORDER BY id"
        ))?;
        let rows = statement.query_map([a.as_str(), b.as_str()], read_row)?;
        rows.map(|row| decode(row?)).collect()
    }

    /// The time of the interest record `id` (RFC 3339, UTC).
    pub fn interest_time(&self, id: i64) -> Result<String> {
        Ok(self
            .connection
            .query_row("SELECT at FROM interests WHERE id = ?1", [id], |row| {
                row.get(0)
            })?)
    }

    /// Every fiche's latest word about each candidate.
    pub fn interests(&self) -> Result<Interests> {
        let mut statement = self
            .connection
            .prepare(&format!("SELECT {COLUMNS} FROM interests ORDER BY id"))?;
        let rows = statement.query_map([], read_row)?;
        let mut interests = Interests::default();
        for row in rows {
            let interest = decode(row?)?;
            interests.insert(&interest);
        }
        Ok(interests)
    }
}

/// Each fiche's latest word about each candidate, indexed both ways; load it with
/// [`Store::interests`] and [`insert`](Self::insert) each new record.
///
/// It is what the ranking reads: a [`PairInterest`] (who said "interested"), and
/// through [`Interests::declined`] (one direction: the candidates a fiche declined)
/// and [`Interests::declined_either_way`] (a batch run: a pair either side declined)
/// a [`PairVeto`].
#[derive(Debug, Clone, Default)]
pub struct Interests {
    /// The latest word of a fiche about each candidate.
    said: HashMap<FicheId, Vec<(FicheId, InterestKind, i64)>>,
    /// The fiches that spoke about a fiche.
    heard: HashMap<FicheId, Vec<FicheId>>,
}

/// A pair where both sides said "interested".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MutualPair {
    /// Sorted: `a < b`.
    pub a: FicheId,
    pub b: FicheId,
    /// The id of the later of the two records: when the pair became mutual.
    pub since: i64,
}

impl Interests {
    /// Takes a record into account: it replaces the fiche's earlier word about the
    /// candidate (records come in id order).
    pub fn insert(&mut self, interest: &Interest) {
        let said = self.said.entry(interest.fiche.clone()).or_default();
        match said.iter_mut().find(|(c, _, _)| c == &interest.candidate) {
            Some(entry) => {
                entry.1 = interest.kind;
                entry.2 = interest.id;
            }
            None => {
                said.push((interest.candidate.clone(), interest.kind, interest.id));
                self.heard
                    .entry(interest.candidate.clone())
                    .or_default()
                    .push(interest.fiche.clone());
            }
        }
    }

    /// `by`'s latest word about `candidate`, and the record's id.
    pub fn latest(&self, by: &FicheId, candidate: &FicheId) -> Option<(InterestKind, i64)> {
        self.said
            .get(by)?
            .iter()
            .find(|(c, _, _)| c == candidate)
            .map(|&(_, kind, id)| (kind, id))
    }

    /// Every fiche with the candidates its latest word declined ("not interested").
    pub fn declined_by_each(&self) -> impl Iterator<Item = (&FicheId, Vec<&FicheId>)> {
        self.said.keys().map(|by| {
            let declined = self.with_kind(by, InterestKind::NotInterested).collect();
            (by, declined)
        })
    }

    /// Directed pairs (a fiche about a candidate) whose latest word is `kind`.
    pub fn count(&self, kind: InterestKind) -> usize {
        self.said
            .values()
            .flatten()
            .filter(|(_, k, _)| *k == kind)
            .count()
    }

    /// Every pair where both sides' latest word is "interested", most recent first
    /// (ties by ids).
    pub fn mutual(&self) -> Vec<MutualPair> {
        let mut pairs = Vec::new();
        for (fiche, said) in &self.said {
            for (candidate, kind, id) in said {
                if *kind != InterestKind::Interested || fiche >= candidate {
                    continue;
                }
                if let Some((InterestKind::Interested, back)) = self.latest(candidate, fiche) {
                    pairs.push(MutualPair {
                        a: fiche.clone(),
                        b: candidate.clone(),
                        since: (*id).max(back),
                    });
                }
            }
        }
        pairs.sort_by(|x, y| {
            y.since
                .cmp(&x.since)
                .then_with(|| x.a.cmp(&y.a))
                .then_with(|| x.b.cmp(&y.b))
        });
        pairs
    }

    /// The candidates `by` declined (one direction): a veto for `by`'s suggestions.
    pub fn declined(&self) -> DeclinedBy<'_> {
        DeclinedBy(self)
    }

    /// The pairs either side declined: a veto for batch runs.
    pub fn declined_either_way(&self) -> DeclinedEitherWay<'_> {
        DeclinedEitherWay(self)
    }

    fn with_kind(&self, by: &FicheId, kind: InterestKind) -> impl Iterator<Item = &FicheId> {
        self.said
            .get(by)
            .into_iter()
            .flatten()
            .filter(move |(_, k, _)| *k == kind)
            .map(|(c, _, _)| c)
    }

    fn speakers_with(&self, about: &FicheId, kind: InterestKind) -> impl Iterator<Item = &FicheId> {
        self.heard
            .get(about)
            .into_iter()
            .flatten()
            .filter(move |fiche| self.latest(fiche, about).is_some_and(|(k, _)| k == kind))
    }
}

impl PairInterest for Interests {
    fn interested_partners(&self, id: &FicheId) -> Vec<FicheId> {
        let mut partners: Vec<FicheId> = self
            .with_kind(id, InterestKind::Interested)
            .chain(self.speakers_with(id, InterestKind::Interested))
            .cloned()
            .collect();
        partners.sort();
        partners.dedup();
        partners
    }

    fn is_interested(&self, by: &FicheId, candidate: &FicheId) -> bool {
        matches!(
            self.latest(by, candidate),
            Some((InterestKind::Interested, _))
        )
    }
}

/// The candidates each fiche declined, as a veto in one direction:
/// `vetoed_partners(x)` is what `x` said "not interested" in; `is_vetoed(x, y)` is
/// whether `x` declined `y` (the order matters).
#[derive(Debug, Clone, Copy)]
pub struct DeclinedBy<'a>(&'a Interests);

impl PairVeto for DeclinedBy<'_> {
    fn vetoed_partners(&self, id: &FicheId) -> Vec<FicheId> {
        self.0
            .with_kind(id, InterestKind::NotInterested)
            .cloned()
            .collect()
    }
}

/// The pairs either side declined, as a symmetric veto.
#[derive(Debug, Clone, Copy)]
pub struct DeclinedEitherWay<'a>(&'a Interests);

impl PairVeto for DeclinedEitherWay<'_> {
    fn vetoed_partners(&self, id: &FicheId) -> Vec<FicheId> {
        let mut partners: Vec<FicheId> = self
            .0
            .with_kind(id, InterestKind::NotInterested)
            .chain(self.0.speakers_with(id, InterestKind::NotInterested))
            .cloned()
            .collect();
        partners.sort();
        partners.dedup();
        partners
    }

    fn is_vetoed(&self, a: &FicheId, b: &FicheId) -> bool {
        let declined = |x, y| matches!(self.0.latest(x, y), Some((InterestKind::NotInterested, _)));
        declined(a, b) || declined(b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> FicheId {
        FicheId::parse(s).unwrap()
    }

    fn said(id_: i64, fiche: &str, candidate: &str, kind: InterestKind) -> Interest {
        Interest {
            id: id_,
            fiche: id(fiche),
            candidate: id(candidate),
            kind,
            note: String::new(),
            actor: "test".into(),
            at: String::new(),
        }
    }

    #[test]
    fn the_latest_word_counts_and_directions_are_kept() {
        use InterestKind::*;
        let (f, x, y) = ("FR-COM-1", "BJ-COM-1", "SN-COM-1");
        let mut interests = Interests::default();
        interests.insert(&said(1, f, x, NotInterested));
        interests.insert(&said(2, y, f, Interested));
        assert!(interests.declined().is_vetoed(&id(f), &id(x)));
        assert!(!interests.declined().is_vetoed(&id(x), &id(f)));
        assert!(interests.declined_either_way().is_vetoed(&id(x), &id(f)));
        assert_eq!(interests.interested_partners(&id(f)), vec![id(y)]);
        assert!(interests.mutual().is_empty());
        // f changes its mind about x, and answers y.
        interests.insert(&said(3, f, x, Interested));
        interests.insert(&said(4, f, y, Interested));
        assert!(!interests.declined_either_way().is_vetoed(&id(x), &id(f)));
        assert_eq!(interests.interested_partners(&id(f)), vec![id(x), id(y)]);
        let mutual = interests.mutual();
        assert_eq!(mutual.len(), 1);
        assert_eq!(
            (&mutual[0].a, &mutual[0].b, mutual[0].since),
            (&id(f), &id(y), 4)
        );
        let sides = interests.sides(&id(f), &id(y));
        assert!(sides.mutual());
        assert_eq!(interests.count(Interested), 3);
        assert_eq!(interests.count(NotInterested), 0);
    }
}
