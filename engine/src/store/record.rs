//! How a fiche is laid out in a row of `fiches`.

use rusqlite::{Statement, Transaction, params};

use crate::error::{Error, Result};
use crate::fiche::Fiche;
use crate::jsonl;

/// Decodes a stored body; a body that no longer parses is reported as corrupt.
///
/// Bodies are read as JSON Lines are (straight into a fiche, the path of the field
/// at fault tracked only for a body that fails).
pub(super) fn decode(id: &str, body: &str) -> Result<Fiche> {
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
                 offer_themes, request_themes, call_status, call_expires, body, region,
                 departement, admin1, admin1_name, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17)
             ON CONFLICT (id) DO UPDATE SET
                 country = excluded.country, kind = excluded.kind, level = excluded.level,
                 name = excluded.name, population = excluded.population,
                 profile_themes = excluded.profile_themes, offer_themes = excluded.offer_themes,
                 request_themes = excluded.request_themes, call_status = excluded.call_status,
                 call_expires = excluded.call_expires, body = excluded.body,
                 region = excluded.region, departement = excluded.departement,
                 admin1 = excluded.admin1, admin1_name = excluded.admin1_name,
                 updated_at = excluded.updated_at",
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
        // Columns the body also holds, read without decoding it (`areas.rs`,
        // `Store::updated_days`).
        let admin = fiche.admin.as_ref();
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
            admin.and_then(|a| a.region.as_deref()),
            admin.and_then(|a| a.departement.as_deref()),
            admin.and_then(|a| a.admin1.as_deref()),
            admin.and_then(|a| a.admin1_name.as_deref()),
            fiche.updated_at.as_ref().map(|t| t.as_str()),
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

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::error::Error;
    use crate::text::fixtures::fiche;

    #[test]
    fn a_stored_body_decodes_or_is_named_corrupt_with_the_readers_message() {
        let stored = fiche("FR-COM-42218", "Saint-Étienne", serde_json::json!({}));
        let body = serde_json::to_string(&stored).unwrap();
        assert_eq!(decode("FR-COM-42218", &body).unwrap(), stored);

        let corrupt = |body: &str| match decode("FR-COM-42218", body) {
            Err(Error::CorruptRecord { id, message }) => {
                assert_eq!(id, "FR-COM-42218");
                message
            }
            other => panic!("{body}: {other:?}"),
        };
        // Not JSON, then JSON that is not a valid fiche (a population of text, an
        // empty name): the message is the JSON Lines reader's.
        assert!(!corrupt(&body[..body.len() / 2]).is_empty());
        let wrong_type = body.replacen("\"population\":1000", "\"population\":\"mille\"", 1);
        assert!(corrupt(&wrong_type).contains("mille"), "{wrong_type}");
        let invalid = body.replacen("\"name\":\"Saint-Étienne\"", "\"name\":\"\"", 1);
        assert_ne!(invalid, body);
        assert!(!corrupt(&invalid).is_empty());
    }
}
