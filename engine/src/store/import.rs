//! Importing JSON Lines files: all or nothing.
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
use crate::fiche::FicheId;
use crate::jsonl::{FicheLines, LineProblem};

/// Problems listed in an [`Error::ImportRejected`]; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 100;

/// Progress is reported every this many lines.
const PROGRESS_EVERY: u64 = 1024;

/// A named stream of JSON Lines.
pub struct ImportSource {
    pub name: String,
    pub reader: Box<dyn BufRead>,
    /// Size in bytes when known (for progress bars).
    pub len: Option<u64>,
}

impl std::fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSource")
            .field("name", &self.name)
            .finish()
    }
}

impl ImportSource {
    pub fn open(path: &Path) -> Result<ImportSource> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        Ok(ImportSource {
            name: path.display().to_string(),
            reader: Box::new(BufReader::with_capacity(1 << 20, file)),
            len: Some(len),
        })
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
        let mut inserter = Inserter::new(&transaction)?;
        let mut problems = Problems::default();
        let mut first_seen: HashMap<FicheId, (usize, u64)> = HashMap::new();
        let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
        let mut report = ImportReport {
            files: sources.len(),
            ..ImportReport::default()
        };
        let mut bytes_done = 0;
        for (index, source) in sources.into_iter().enumerate() {
            let mut lines = FicheLines::new(source.reader);
            while let Some(item) = lines.next() {
                let (line, parsed) = item.map_err(|source_error| Error::Io {
                    path: source.name.clone().into(),
                    source: source_error,
                })?;
                if line % PROGRESS_EVERY == 0 {
                    progress(bytes_done + lines.bytes_read());
                }
                let fiche = match parsed {
                    Ok(fiche) => fiche,
                    Err(error) => {
                        problems.push(&source.name, line, error.field, error.message);
                        continue;
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
                    problems.push(&source.name, line, Some("id".into()), message);
                    continue;
                }
                first_seen.insert(fiche.id.clone(), (index, line));
                report.fiches += 1;
                if problems.is_empty() {
                    inserter.upsert(&fiche)?;
                }
            }
            bytes_done += lines.bytes_read();
            progress(bytes_done);
        }
        drop(inserter);
        if let Some(error) = problems.into_error() {
            // Dropping the transaction rolls it back: nothing of this import is written.
            return Err(error);
        }
        record::bump_generation(&transaction)?;
        transaction.commit()?;
        let after = self.count()?;
        report.inserted = after - before;
        report.updated = report.fiches - report.inserted;
        Ok(report)
    }
}

/// The problems of an import: the first ones in full, the rest counted.
#[derive(Debug, Default)]
struct Problems {
    listed: Vec<LineProblem>,
    more: usize,
}

impl Problems {
    fn push(&mut self, source: &str, line: u64, field: Option<String>, message: String) {
        if self.listed.len() < MAX_LISTED_PROBLEMS {
            self.listed.push(LineProblem {
                source: source.to_owned(),
                line,
                field,
                message,
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
