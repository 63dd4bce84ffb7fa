//! How a fiche is laid out in a row of `fiches`.

use rusqlite::{Statement, Transaction, params};

use crate::error::{Error, Result};
use crate::fiche::Fiche;
use crate::jsonl;

/// Decodes a stored body; a body that no longer parses is reported as corrupt.
pub(super) fn decode(id: &str, body: &str) -> Result<Fiche> {
    // The store holds canonical, validated fiches: the plain parser and the same
    // validation first; the parser that tracks the field path only to describe a
    // record that fails (a batch run reads 200,000 fiches).
    if let Ok(fiche) = serde_json::from_str::<Fiche>(body)
        && fiche.validate().is_ok()
    {
        return Ok(fiche);
    }
    jsonl::parse_fiche(body).map_err(|error| Error::CorruptRecord {
        id: id.to_owned(),
        message: error.message,
    })
}

/// A prepared upsert, reused for every fiche of a transaction.
pub(super) struct Inserter<'t> {
    statement: Statement<'t>,
}

impl std::fmt::Debug for Inserter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inserter")
    }
}

impl<'t> Inserter<'t> {
    pub(super) fn new(transaction: &'t Transaction<'_>) -> Result<Self> {
        let statement = transaction.prepare(
            "INSERT INTO fiches (id, country, kind, level, name, population, profile_themes,
                 offer_themes, request_themes, call_status, call_expires, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (id) DO UPDATE SET
                 country = excluded.country, kind = excluded.kind, level = excluded.level,
                 name = excluded.name, population = excluded.population,
                 profile_themes = excluded.profile_themes, offer_themes = excluded.offer_themes,
                 request_themes = excluded.request_themes, call_status = excluded.call_status,
                 call_expires = excluded.call_expires, body = excluded.body",
        )?;
        Ok(Inserter { statement })
    }

    /// Writes a fiche that has been validated.
    pub(super) fn upsert(&mut self, fiche: &Fiche) -> Result<()> {
        let call_status = fiche.call.map(|call| match call.status {
            crate::fiche::CallStatus::Open => "open",
            crate::fiche::CallStatus::Closed => "closed",
        });
        let call_expires = fiche
            .call
            .and_then(|call| call.expires)
            .map(|d| d.to_string());
        self.statement.execute(params![
            fiche.id.as_str(),
            fiche.country.as_str(),
            fiche.kind.as_str(),
            fiche.level.as_str(),
            fiche.name,
            fiche.population as i64,
            fiche.profile_theme_bits(),
            fiche.offer_theme_bits(),
            fiche.request_theme_bits(),
            call_status,
            call_expires,
            jsonl::to_line(fiche),
        ])?;
        Ok(())
    }
}

/// Marks the fiches as changed; call inside the transaction that changed them.
pub(super) fn bump_generation(transaction: &Transaction<'_>) -> Result<()> {
    transaction.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'fiches_generation'",
        [],
    )?;
    Ok(())
}
