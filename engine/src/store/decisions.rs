//! Staff decisions on pairs of fiches: an append-only history (accept, reject,
//! shortlist, contacted — each with an optional reason code and a note) kept in the
//! store, and the veto set that rejected pairs make ([`RejectedPairs`], a
//! [`PairVeto`]): a rejected pair is never suggested again.
//!
//! A pair is stored sorted by id (`fiche_a < fiche_b`), so the order in which it is
//! given does not matter. A decision that returned is durable (one committed
//! transaction); rows are never updated or deleted (triggers refuse it).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::error::{Error, Result};
use crate::fiche::{FicheId, Kind};
use crate::scoring::PairVeto;

/// What staff decided about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    Accept,
    /// Vetoes the pair: it is never suggested again.
    Reject,
    Shortlist,
    Contacted,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 4] = [
        DecisionKind::Accept,
        DecisionKind::Reject,
        DecisionKind::Shortlist,
        DecisionKind::Contacted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Accept => "accept",
            DecisionKind::Reject => "reject",
            DecisionKind::Shortlist => "shortlist",
            DecisionKind::Contacted => "contacted",
        }
    }

    /// As staff read it (a pair « acceptée », « rejetée »…).
    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::Accept => "acceptée",
            DecisionKind::Reject => "rejetée",
            DecisionKind::Shortlist => "présélectionnée",
            DecisionKind::Contacted => "contactée",
        }
    }
}

impl fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DecisionKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DecisionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown decision kind {} (accept, reject, shortlist, contacted)",
                    crate::fiche::quote(s)
                )
            })
    }
}

/// Why staff decided as they did (mostly why a pair was rejected), beside the free
/// note: a code the evaluation can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionReason {
    Theme,
    Size,
    Language,
    AlreadyPartners,
    PoliticalContext,
    Other,
}

impl DecisionReason {
    pub const ALL: [DecisionReason; 6] = [
        DecisionReason::Theme,
        DecisionReason::Size,
        DecisionReason::Language,
        DecisionReason::AlreadyPartners,
        DecisionReason::PoliticalContext,
        DecisionReason::Other,
    ];

    /// The code in the store, files and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionReason::Theme => "theme",
            DecisionReason::Size => "size",
            DecisionReason::Language => "language",
            DecisionReason::AlreadyPartners => "already_partners",
            DecisionReason::PoliticalContext => "political_context",
            DecisionReason::Other => "other",
        }
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            DecisionReason::Theme => "thème",
            DecisionReason::Size => "taille",
            DecisionReason::Language => "langue",
            DecisionReason::AlreadyPartners => "déjà partenaires",
            DecisionReason::PoliticalContext => "contexte politique",
            DecisionReason::Other => "autre",
        }
    }

    /// Every valid spelling, for messages: `theme (thème), size (taille), …`.
    pub fn spellings() -> String {
        DecisionReason::ALL
            .iter()
            .map(|r| format!("{} ({})", r.as_str(), r.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A reason as typed, compared without case, accents, spaces or hyphens:
/// « Déjà partenaires » reads as `deja_partenaires`.
fn folded_reason(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'à' | 'â' => 'a',
            ' ' | '-' => '_',
            c => c,
        })
        .collect()
}

/// The one parser of reason codes (the console's form, the CLI's `--reason`, the
/// store): the code (`already_partners`) or the French label (`déjà partenaires`,
/// `deja-partenaires`), whatever the case.
impl FromStr for DecisionReason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let typed = folded_reason(s);
        DecisionReason::ALL
            .into_iter()
            .find(|r| r.as_str() == typed || folded_reason(r.label()) == typed)
            .ok_or_else(|| {
                format!(
                    "motif inconnu {} : attendu {}",
                    crate::fiche::quote(s),
                    DecisionReason::spellings()
                )
            })
    }
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    /// The pair, in either order.
    pub a: FicheId,
    pub b: FicheId,
    pub kind: DecisionKind,
    pub reason: Option<DecisionReason>,
    pub note: String,
    pub reviewer: String,
    pub at: DateTime<Utc>,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Increasing with time.
    pub id: i64,
    /// The pair, sorted: `fiche_a < fiche_b`.
    pub fiche_a: FicheId,
    pub fiche_b: FicheId,
    pub kind: DecisionKind,
    pub reason: Option<DecisionReason>,
    pub note: String,
    pub reviewer: String,
    /// RFC 3339, UTC.
    pub at: String,
}

impl Decision {
    /// The other fiche of the pair.
    pub fn partner_of(&self, id: &FicheId) -> &FicheId {
        if &self.fiche_a == id {
            &self.fiche_b
        } else {
            &self.fiche_a
        }
    }
}

fn sorted(a: &FicheId, b: &FicheId) -> (FicheId, FicheId) {
    if a.as_str() <= b.as_str() {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    }
}

const COLUMNS: &str = "id, fiche_a, fiche_b, kind, reason, note, reviewer, at";

/// A row as read, before its codes are checked.
struct Row {
    id: i64,
    a: String,
    b: String,
    kind: String,
    reason: Option<String>,
    note: String,
    reviewer: String,
    at: String,
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: row.get(0)?,
        a: row.get(1)?,
        b: row.get(2)?,
        kind: row.get(3)?,
        reason: row.get(4)?,
        note: row.get(5)?,
        reviewer: row.get(6)?,
        at: row.get(7)?,
    })
}

fn decode(row: Row) -> Result<Decision> {
    let corrupt = |message: String| Error::CorruptRecord {
        id: format!("decision {}", row.id),
        message,
    };
    Ok(Decision {
        id: row.id,
        fiche_a: FicheId::parse(&row.a).map_err(corrupt)?,
        fiche_b: FicheId::parse(&row.b).map_err(corrupt)?,
        kind: row.kind.parse().map_err(corrupt)?,
        reason: row
            .reason
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(corrupt)?,
        note: row.note,
        reviewer: row.reviewer,
        at: row.at,
    })
}

impl Store {
    /// Records a decision in one committed transaction. Both fiches must exist
    /// (`NotFound` otherwise) and differ.
    pub fn record_decision(&mut self, decision: &NewDecision) -> Result<Decision> {
        if decision.a == decision.b {
            return Err(Error::BadQuery {
                message: format!(
                    "a decision needs two different fiches, got {} twice",
                    decision.a
                ),
            });
        }
        let (a, b) = sorted(&decision.a, &decision.b);
        let at = decision.at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let transaction = self.connection.transaction()?;
        let mut sides = Vec::with_capacity(2);
        for id in [&a, &b] {
            let kind: Option<String> = transaction
                .query_row(
                    "SELECT kind FROM fiches WHERE id = ?1",
                    [id.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            let kind = kind.ok_or_else(|| Error::NotFound(id.clone()))?;
            let kind = Kind::parse(&kind).ok_or_else(|| Error::CorruptRecord {
                id: id.to_string(),
                message: format!("unknown kind {kind:?}"),
            })?;
            sides.push(kind.side());
        }
        // Only a French × foreign pair is ever suggested, so only such a pair is
        // decided on.
        if sides[0] == sides[1] {
            return Err(Error::SameSide {
                a: decision.a.clone(),
                b: decision.b.clone(),
                side: sides[0],
            });
        }
        transaction.execute(
            "INSERT INTO decisions (fiche_a, fiche_b, kind, reason, note, reviewer, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                a.as_str(),
                b.as_str(),
                decision.kind.as_str(),
                decision.reason.map(DecisionReason::as_str),
                decision.note,
                decision.reviewer,
                at
            ],
        )?;
        let id = transaction.last_insert_rowid();
        transaction.commit()?;
        Ok(Decision {
            id,
            fiche_a: a,
            fiche_b: b,
            kind: decision.kind,
            reason: decision.reason,
            note: decision.note.clone(),
            reviewer: decision.reviewer.clone(),
            at,
        })
    }

    /// Every decision involving `id`, oldest first.
    pub fn decisions_for_fiche(&self, id: &FicheId) -> Result<Vec<Decision>> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE fiche_a = ?1
             UNION ALL SELECT {COLUMNS} FROM decisions WHERE fiche_b = ?1
             ORDER BY id"
        ))?;
        let rows = statement.query_map([id.as_str()], read_row)?;
        rows.map(|row| decode(row?)).collect()
    }

    /// Every decision, oldest first (the staff's export; the evaluation replays them).
    pub fn all_decisions(&self) -> Result<Vec<Decision>> {
        let mut statement = self
            .connection
            .prepare(&format!("SELECT {COLUMNS} FROM decisions ORDER BY id"))?;
        let rows = statement.query_map([], read_row)?;
        rows.map(|row| decode(row?)).collect()
    }

    /// Every decision on the pair (in either order), oldest first.
    pub fn decisions_for_pair(&self, a: &FicheId, b: &FicheId) -> Result<Vec<Decision>> {
        let (a, b) = sorted(a, b);
        let mut statement = self.connection.prepare(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE fiche_a = ?1 AND fiche_b = ?2 ORDER BY id"
        ))?;
        let rows = statement.query_map([a.as_str(), b.as_str()], read_row)?;
        rows.map(|row| decode(row?)).collect()
    }

    /// Every pair some decision was recorded on (any kind), sorted, each once.
    pub fn decided_pairs(&self) -> Result<Vec<(FicheId, FicheId)>> {
        let mut statement = self
            .connection
            .prepare("SELECT DISTINCT fiche_a, fiche_b FROM decisions ORDER BY fiche_a, fiche_b")?;
        let mut rows = statement.query([])?;
        let mut pairs = Vec::new();
        while let Some(row) = rows.next()? {
            let (a, b): (String, String) = (row.get(0)?, row.get(1)?);
            pairs.push((parse_id(&a)?, parse_id(&b)?));
        }
        Ok(pairs)
    }

    /// The pairs vetoed by a `reject` decision.
    pub fn rejected_pairs(&self) -> Result<RejectedPairs> {
        let mut statement = self
            .connection
            .prepare("SELECT DISTINCT fiche_a, fiche_b FROM decisions WHERE kind = 'reject'")?;
        let mut rows = statement.query([])?;
        let mut pairs = RejectedPairs::default();
        while let Some(row) = rows.next()? {
            let (a, b): (String, String) = (row.get(0)?, row.get(1)?);
            pairs.insert(&parse_id(&a)?, &parse_id(&b)?);
        }
        Ok(pairs)
    }
}

fn parse_id(id: &str) -> Result<FicheId> {
    FicheId::parse(id).map_err(|message| Error::CorruptRecord {
        id: id.to_owned(),
        message,
    })
}

/// The pairs rejected by staff, both directions: a [`PairVeto`] for ranking. Load it
/// with [`Store::rejected_pairs`] and [`insert`](Self::insert) each new rejection.
#[derive(Debug, Clone, Default)]
pub struct RejectedPairs {
    partners: HashMap<FicheId, Vec<FicheId>>,
}

impl RejectedPairs {
    /// Vetoes the pair (in either order); idempotent.
    pub fn insert(&mut self, a: &FicheId, b: &FicheId) {
        for (x, y) in [(a, b), (b, a)] {
            let list = self.partners.entry(x.clone()).or_default();
            if !list.contains(y) {
                list.push(y.clone());
            }
        }
    }

    /// Number of vetoed pairs.
    pub fn len(&self) -> usize {
        self.partners.values().map(Vec::len).sum::<usize>() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.partners.is_empty()
    }
}

impl PairVeto for RejectedPairs {
    fn vetoed_partners(&self, id: &FicheId) -> Vec<FicheId> {
        self.partners.get(id).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decision reads its fiches, then writes. While another connection writes (a
    /// batch run's results, an import), it must wait for the lock, not fail with
    /// "database is locked" (a deferred transaction that read before the other
    /// connection committed cannot wait).
    #[test]
    fn decisions_wait_for_the_writes_of_another_connection() {
        use crate::fiche::Side;
        use crate::store::Store;
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let fiches = crate::text::fixtures::corpus();
        let mut store = Store::open(dir.path()).unwrap();
        store.upsert(&fiches).unwrap();
        let french = fiches.iter().find(|f| f.side() == Side::French).unwrap();
        let foreign = fiches.iter().find(|f| f.side() == Side::Foreign).unwrap();
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                let mut other = Store::open(dir.path()).unwrap();
                let mut writes = 0;
                while !stop.load(Ordering::Relaxed) {
                    other.upsert(std::slice::from_ref(french)).unwrap();
                    writes += 1;
                }
                writes
            });
            for n in 0..300 {
                let decision = NewDecision {
                    a: french.id.clone(),
                    b: foreign.id.clone(),
                    kind: [DecisionKind::Reject, DecisionKind::Accept][n % 2],
                    reason: None,
                    note: format!("décision {n}"),
                    reviewer: "test".into(),
                    at: Utc::now(),
                };
                let recorded = store.record_decision(&decision);
                assert!(recorded.is_ok(), "decision {n}: {recorded:?}");
            }
            stop.store(true, Ordering::Relaxed);
            assert!(writer.join().unwrap() > 0, "the other connection wrote");
        });
    }

    #[test]
    fn rejected_pairs_are_symmetric_and_idempotent() {
        let a = FicheId::parse("FR-COM-33063").unwrap();
        let b = FicheId::parse("BJ-COM-BJ-AK-BOU").unwrap();
        let mut pairs = RejectedPairs::default();
        pairs.insert(&a, &b);
        pairs.insert(&b, &a);
        assert_eq!(pairs.len(), 1);
        assert!(pairs.is_vetoed(&a, &b));
        assert!(pairs.is_vetoed(&b, &a));
        assert_eq!(pairs.vetoed_partners(&a), vec![b]);
    }

    #[test]
    fn decision_kinds_round_trip() {
        for kind in DecisionKind::ALL {
            assert_eq!(kind.as_str().parse::<DecisionKind>(), Ok(kind));
        }
        assert!("maybe".parse::<DecisionKind>().is_err());
        for reason in DecisionReason::ALL {
            assert_eq!(reason.as_str().parse::<DecisionReason>(), Ok(reason));
        }
        for (typed, reason) in [
            ("thème", DecisionReason::Theme),
            ("Taille", DecisionReason::Size),
            ("langue", DecisionReason::Language),
            ("déjà partenaires", DecisionReason::AlreadyPartners),
            ("deja-partenaires", DecisionReason::AlreadyPartners),
            ("Contexte politique", DecisionReason::PoliticalContext),
            ("autre", DecisionReason::Other),
            ("ALREADY_PARTNERS", DecisionReason::AlreadyPartners),
        ] {
            assert_eq!(typed.parse::<DecisionReason>(), Ok(reason), "{typed}");
        }
        let unknown = "weather".parse::<DecisionReason>().unwrap_err();
        assert!(
            unknown.contains("political_context (contexte politique)"),
            "{unknown}"
        );
    }
}
