//! Importing fiches: all or nothing, from JSON Lines files or from records parsed
//! elsewhere (spreadsheet rows).
//!
//! Policy: an import (one or several files) is one transaction. Every line is parsed
//! and validated; if any line is rejected, the import goes on reading only to report
//! the other problems (up to [`MAX_LISTED_PROBLEMS`]), then the transaction is rolled
//! back and nothing is written. An id already in the store is replaced (upsert); an id
//! given twice in the same import is an error.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::Store;
use super::record::{self, Inserter};
use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId};
use crate::jsonl::{FicheLines, LineError, LineProblem};

/// Problems listed in an [`Error::ImportRejected`]; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 100;

/// Progress is reported every this many lines.
const PROGRESS_EVERY: u64 = 1024;

/// What an import reads: a named stream of JSON Lines, or a source of records
/// already parsed (a spreadsheet's rows, `crate::sheets`). Both go through the same
/// policy: every problem named, nothing written on any error.
pub struct ImportSource {
    pub name: String,
    /// Size in progress units when known (bytes of JSON Lines, rows of a sheet).
    pub len: Option<u64>,
    content: Content,
}

enum Content {
    JsonLines(Box<dyn BufRead>),
    Records(Box<dyn RecordSource>),
}

/// One record of a [`RecordSource`]: where it is (`line`: a row number; `column`:
/// the column a problem is in, `C « Population »`), how far the source has got in
/// its progress units, and the fiche or why not. A row with several problems gives
/// one record per problem.
#[derive(Debug)]
pub struct ImportRecord {
    pub line: u64,
    pub column: Option<String>,
    pub progress: u64,
    pub fiche: Result<Fiche, LineError>,
}

/// A source of records parsed elsewhere (a spreadsheet): it gives each record to
/// `sink`, in order, and stops at the first error `sink` returns. An error of its
/// own (an unreadable file) fails the import as a whole.
pub trait RecordSource {
    fn feed(self: Box<Self>, sink: &mut dyn FnMut(ImportRecord) -> Result<()>) -> Result<()>;
}

impl std::fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSource")
            .field("name", &self.name)
            .finish()
    }
}

impl ImportSource {
    /// A JSON Lines file.
    pub fn open(path: &Path) -> Result<ImportSource> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        Ok(ImportSource::json_lines(
            path.display().to_string(),
            Box::new(BufReader::with_capacity(1 << 20, file)),
            Some(len),
        ))
    }

    /// A stream of JSON Lines (`len`: its size in bytes, when known).
    pub fn json_lines(name: String, reader: Box<dyn BufRead>, len: Option<u64>) -> ImportSource {
        ImportSource {
            name,
            len,
            content: Content::JsonLines(reader),
        }
    }

    /// Records parsed elsewhere (`len`: how many progress units they span).
    pub fn records(name: String, len: Option<u64>, source: Box<dyn RecordSource>) -> ImportSource {
        ImportSource {
            name,
            len,
            content: Content::Records(source),
        }
    }
}

/// What an accepted import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub files: usize,
    pub fiches: u64,
    /// Fiches whose id was new to the store.
    pub inserted: u64,
    /// Fiches that replaced one with the same id.
    pub updated: u64,
}

impl Store {
    /// Imports the sources as one transaction (see the module's policy). `progress` is
    /// called with the total bytes read so far.
    pub fn import(
        &mut self,
        sources: Vec<ImportSource>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        let before = self.count()?;
        let transaction = self.connection.transaction()?;
        // Into an empty store, the rows go in first and the secondary indexes are
        // made once at the end: sorting once is cheaper than keeping each index in
        // step row by row.
        let deferred = match before {
            0 => drop_fiche_indexes(&transaction)?,
            _ => Vec::new(),
        };
        let mut inserter = Inserter::new(&transaction)?;
        let mut problems = Problems::default();
        let mut first_seen: HashMap<FicheId, (usize, u64)> = HashMap::new();
        let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
        let mut report = ImportReport {
            files: sources.len(),
            ..ImportReport::default()
        };
        let mut done = 0;
        for (index, source) in sources.into_iter().enumerate() {
            let name = source.name;
            // What every record goes through, whichever kind of source it came from.
            let mut take = |line: u64,
                            column: Option<String>,
                            parsed: Result<Fiche, LineError>|
             -> Result<()> {
                let fiche = match parsed {
                    Ok(fiche) => fiche,
                    Err(error) => {
                        problems.push(&name, line, column, error);
                        return Ok(());
                    }
                };
                if let Some(&(first_index, first_line)) = first_seen.get(&fiche.id) {
                    let first = if first_index == index {
                        format!("ligne {first_line}")
                    } else {
                        format!("{}:{first_line}", names[first_index])
                    };
                    let message = format!(
                        "identifiant {:?} en double, déjà donné {first}",
                        fiche.id.as_str()
                    );
                    let error = LineError {
                        field: Some("id".into()),
                        message,
                    };
                    problems.push(&name, line, None, error);
                    return Ok(());
                }
                first_seen.insert(fiche.id.clone(), (index, line));
                report.fiches += 1;
                if problems.is_empty() {
                    inserter.upsert(&fiche)?;
                }
                Ok(())
            };
            match source.content {
                Content::JsonLines(reader) => {
                    let mut lines = FicheLines::new(reader);
                    while let Some(item) = lines.next() {
                        let (line, parsed) = item.map_err(|source_error| Error::Io {
                            path: name.clone().into(),
                            source: source_error,
                        })?;
                        if line % PROGRESS_EVERY == 0 {
                            progress(done + lines.bytes_read());
                        }
                        take(line, None, parsed)?;
                    }
                    done += lines.bytes_read();
                }
                Content::Records(records) => {
                    let mut at = 0;
                    records.feed(&mut |record| {
                        if record.line % PROGRESS_EVERY == 0 {
                            progress(done + record.progress);
                        }
                        at = record.progress;
                        take(record.line, record.column, record.fiche)
                    })?;
                    done += at;
                }
            }
            progress(done);
        }
        drop(inserter);
        if let Some(error) = problems.into_error() {
            // Dropping the transaction rolls it back: nothing of this import is written.
            return Err(error);
        }
        for sql in deferred {
            transaction.execute_batch(&sql)?;
        }
        record::bump_generation(&transaction)?;
        transaction.commit()?;
        let after = self.count()?;
        report.inserted = after - before;
        report.updated = report.fiches - report.inserted;
        Ok(report)
    }
}

/// Drops the indexes of `fiches` but its primary key's; the statements that make
/// them again, as the schema made them.
fn drop_fiche_indexes(transaction: &rusqlite::Transaction<'_>) -> Result<Vec<String>> {
    let indexes: Vec<(String, String)> = transaction
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name = 'fiches' AND sql IS NOT NULL ORDER BY name",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        transaction.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
}

/// The problems of an import: the first ones in full, the rest counted.
#[derive(Debug, Default)]
struct Problems {
    listed: Vec<LineProblem>,
    more: usize,
}

impl Problems {
    fn push(&mut self, source: &str, line: u64, column: Option<String>, error: LineError) {
        if self.listed.len() < MAX_LISTED_PROBLEMS {
            self.listed.push(LineProblem {
                source: source.to_owned(),
                line,
                column,
                field: error.field,
                message: error.message,
            });
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    fn into_error(self) -> Option<Error> {
        (!self.listed.is_empty()).then_some(Error::ImportRejected {
            problems: self.listed,
            more: self.more,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fixtures;

    fn indexes(store: &Store) -> Vec<(String, String)> {
        let mut statement = (store.connection)
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap();
        let rows = statement.query_map([], |row| {
            Ok((row.get(0)?, row.get::<_, Option<String>>(1)?))
        });
        let rows = rows.unwrap().map(Result::unwrap);
        rows.map(|(name, sql)| (name, sql.unwrap_or_default()))
            .collect()
    }

    fn lines(fiches: &[Fiche], tail: &str) -> ImportSource {
        let mut text: String = fiches
            .iter()
            .map(|f| crate::jsonl::to_line(f) + "\n")
            .collect();
        text.push_str(tail);
        let reader = Box::new(std::io::Cursor::new(text.into_bytes()));
        ImportSource::json_lines("fiches.jsonl".into(), reader, None)
    }

    #[test]
    fn an_import_into_an_empty_store_leaves_the_indexes_as_the_schema_made_them() {
        let fiches = fixtures::corpus();
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let schema = indexes(&store);
        assert!(
            schema.iter().any(|(name, _)| name == "fiches_by_area"),
            "{schema:?}"
        );

        // Rejected: rolled back, indexes included.
        let rejected = store.import(vec![lines(&fiches, "{\"id\": 1}\n")], &mut |_| {});
        assert!(matches!(rejected, Err(Error::ImportRejected { .. })));
        assert_eq!(
            (store.count().unwrap(), indexes(&store)),
            (0, schema.clone())
        );

        // Accepted: the indexes made again hold every row.
        store.import(vec![lines(&fiches, "")], &mut |_| {}).unwrap();
        assert_eq!(indexes(&store), schema);
        let check: String = (store.connection)
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let other = tempfile::tempdir().unwrap();
        let mut written = Store::open(other.path()).unwrap();
        written.upsert(&fiches).unwrap();
        assert_eq!(store.area_counts().unwrap(), written.area_counts().unwrap());
    }
}
