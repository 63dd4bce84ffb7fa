//! Exporting the store as JSON Lines, in id order.

use std::io::Write;

use super::Store;
use crate::error::{Error, Result};

impl Store {
    /// Writes every fiche as its canonical JSON line, in id order; returns how many.
    /// Importing the output into an empty store gives back the same fiches.
    pub fn export(&self, out: &mut dyn Write) -> Result<u64> {
        let io = |source| Error::Io {
            path: "(export output)".into(),
            source,
        };
        let mut statement = self
            .connection
            .prepare("SELECT body FROM fiches ORDER BY id")?;
        let mut rows = statement.query([])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            out.write_all(body.as_bytes()).map_err(io)?;
            out.write_all(b"\n").map_err(io)?;
            count += 1;
        }
        out.flush().map_err(io)?;
        Ok(count)
    }
}
