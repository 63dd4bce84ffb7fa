//! Reconfirmations: a collectivité says its fiche is still right as it is. The
//! confirmation is kept append-only (who, when, a note) and the fiche's `updated_at`
//! becomes the time of the confirmation — both in one transaction, so a fiche is
//! never fresh without the record that made it so, nor the other way round.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, record};
use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId, Timestamp};

/// A recorded reconfirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconfirmation {
    pub id: i64,
    pub fiche: FicheId,
    pub note: String,
    pub actor: String,
    /// RFC 3339, UTC: also the fiche's new `updated_at`.
    pub at: String,
}

impl Store {
    /// Records that `id` was confirmed unchanged at `at`, and sets its `updated_at`
    /// to that time; returns the record and the fiche as now stored. `NotFound` when
    /// there is no such fiche.
    pub fn reconfirm(
        &mut self,
        id: &FicheId,
        note: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<(Reconfirmation, Fiche)> {
        let at = at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let transaction = self.connection.transaction()?;
        let body: Option<String> = transaction
            .query_row(
                "SELECT body FROM fiches WHERE id = ?1",
                [id.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        let body = body.ok_or_else(|| Error::NotFound(id.clone()))?;
        let mut fiche = record::decode(id.as_str(), &body)?;
        fiche.updated_at = Some(Timestamp::parse(&at).expect("an RFC 3339 time written by chrono"));
        fiche.validate()?;
        record::Inserter::new(&transaction)?.upsert(&fiche)?;
        record::bump_generation(&transaction)?;
        transaction.execute(
            "INSERT INTO reconfirmations (fiche, note, actor, at) VALUES (?1, ?2, ?3, ?4)",
            params![id.as_str(), note, actor, at],
        )?;
        let record_id = transaction.last_insert_rowid();
        transaction.commit()?;
        Ok((
            Reconfirmation {
                id: record_id,
                fiche: id.clone(),
                note: note.to_owned(),
                actor: actor.to_owned(),
                at,
            },
            fiche,
        ))
    }

    /// The reconfirmations of a fiche, oldest first.
    pub fn reconfirmations(&self, id: &FicheId) -> Result<Vec<Reconfirmation>> {
        let mut statement = self.connection.prepare(
            "SELECT id, note, actor, at FROM reconfirmations WHERE fiche = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([id.as_str()], |row| {
            Ok(Reconfirmation {
                id: row.get(0)?,
                fiche: id.clone(),
                note: row.get(1)?,
                actor: row.get(2)?,
                at: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
