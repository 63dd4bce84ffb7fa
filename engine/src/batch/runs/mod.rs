//! Batch runs kept in the store: each run's spec (JSON, names resolved), the scoring
//! date, the store generation it read, its status and progress, its timestamps and,
//! once done, its results (pairs kept, pairs assigned, fiches without a partner and
//! why, the agenda).
//!
//! A run moves `queued → running → done | failed | cancelled` (or `queued →
//! cancelled`); every move is one statement guarded by the status it leaves, so two
//! actors (the run, a cancel request, a restart) cannot both win. The results are
//! written while the run is still `running`, in chunks (a national run has two
//! million rows: bounded transactions, progress, a cancel between chunks), and are
//! invisible until the one statement that marks the run `done`: every reader of
//! results checks that status in its own read transaction. A run that ends otherwise
//! has its rows deleted with its final status (and, after a crash, by
//! [`Store::fail_interrupted_batch_runs`]): a run is either done with all its results
//! or shows none. A cancel request on a running run sets
//! `cancel_requested`, which the run reads when it records its progress: a run of
//! another process (`passerelle batch`) can be cancelled too.

use std::fmt;
use std::ops::ControlFlow;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, Row, params};

use crate::batch::{BatchSpec, RunOutput};
use crate::error::{Error, Result};
use crate::fiche::FicheId;
use crate::store::Store;

/// The id of a batch run: increasing with creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(u64);

impl RunId {
    pub fn new(id: u64) -> RunId {
        RunId(id)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a run is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunStatus {
    Queued,
    Running,
    Done,
    Failed(String),
    Cancelled,
}

impl RunStatus {
    /// `queued`, `running`, `done`, `failed` or `cancelled`, as stored.
    pub fn as_str(&self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::Failed(_) => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    /// Done, failed or cancelled: the status will not change again.
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            RunStatus::Done | RunStatus::Failed(_) | RunStatus::Cancelled
        )
    }

    fn decode(status: &str, message: Option<String>) -> Result<RunStatus, String> {
        Ok(match status {
            "queued" => RunStatus::Queued,
            "running" => RunStatus::Running,
            "done" => RunStatus::Done,
            "failed" => RunStatus::Failed(message.unwrap_or_default()),
            "cancelled" => RunStatus::Cancelled,
            other => return Err(format!("unknown run status {other:?}")),
        })
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunStatus::Failed(message) => write!(f, "failed ({message})"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// The sizes of a done run's results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSummary {
    pub french_count: u64,
    pub foreign_count: u64,
    pub scored: u64,
    pub assigned: u64,
    /// Sum of the assigned pairs' scores.
    pub total: f64,
    pub unassigned: u64,
    /// Meetings placed in the agenda, and those that found no slot.
    pub agenda: u64,
    pub unplaced: u64,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRun {
    pub id: RunId,
    /// Names resolved to ids.
    pub spec: BatchSpec,
    /// The date calls and LDC status are judged on.
    pub today: NaiveDate,
    /// Who started it: `cli`, or the name of the token.
    pub origin: String,
    pub status: RunStatus,
    /// The store generation the run read (once running).
    pub generation: Option<u64>,
    pub pairs_scored: u64,
    pub pairs_total: u64,
    pub cancel_requested: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Set when done.
    pub summary: Option<RunSummary>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy)]
pub enum RunOutcome<'a> {
    /// Its results written by [`Store::write_batch_results`].
    Done(&'a RunOutput),
    Failed(&'a str),
    Cancelled,
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

const RUN_COLUMNS: &str = "id, spec, today, origin, status, message, generation, pairs_scored,
    pairs_total, cancel_requested, created_at, started_at, finished_at, french_count,
    foreign_count, scored_count, assigned_count, total, unassigned_count, agenda_count,
    unplaced_count";

fn read_run(row: &Row<'_>) -> Result<BatchRun> {
    let id: i64 = row.get(0)?;
    let corrupt = |message: String| Error::CorruptRecord {
        id: format!("batch run {id}"),
        message,
    };
    let spec: String = row.get(1)?;
    let spec: BatchSpec = serde_json::from_str(&spec).map_err(|e| corrupt(e.to_string()))?;
    let today: String = row.get(2)?;
    let today = today
        .parse::<NaiveDate>()
        .map_err(|e| corrupt(e.to_string()))?;
    let status: String = row.get(4)?;
    let status = RunStatus::decode(&status, row.get(5)?).map_err(corrupt)?;
    let count = |i: usize| -> rusqlite::Result<Option<u64>> {
        Ok(row.get::<_, Option<i64>>(i)?.map(|n| n as u64))
    };
    let summary = match status {
        RunStatus::Done => Some(RunSummary {
            french_count: count(13)?.unwrap_or(0),
            foreign_count: count(14)?.unwrap_or(0),
            scored: count(15)?.unwrap_or(0),
            assigned: count(16)?.unwrap_or(0),
            total: row.get::<_, Option<f64>>(17)?.unwrap_or(0.0),
            unassigned: count(18)?.unwrap_or(0),
            agenda: count(19)?.unwrap_or(0),
            unplaced: count(20)?.unwrap_or(0),
        }),
        _ => None,
    };
    Ok(BatchRun {
        id: RunId(id as u64),
        spec,
        today,
        origin: row.get(3)?,
        status,
        generation: count(6)?,
        pairs_scored: count(7)?.unwrap_or(0),
        pairs_total: count(8)?.unwrap_or(0),
        cancel_requested: row.get(9)?,
        created_at: row.get(10)?,
        started_at: row.get(11)?,
        finished_at: row.get(12)?,
        summary,
    })
}

fn fiche_id(run: RunId, text: &str) -> Result<FicheId> {
    FicheId::parse(text).map_err(|message| corrupt(run, &message))
}

/// A record of run `run` that does not read back.
fn corrupt(run: RunId, message: &str) -> Error {
    Error::CorruptRecord {
        id: format!("batch run {run}"),
        message: message.to_owned(),
    }
}

impl Store {
    /// Records a queued run of `spec` (validated, names resolved).
    pub fn create_batch_run(
        &mut self,
        spec: &BatchSpec,
        today: NaiveDate,
        origin: &str,
        now: DateTime<Utc>,
    ) -> Result<BatchRun> {
        spec.validate().map_err(Error::InvalidSpec)?;
        if !spec.is_resolved() {
            return Err(Error::InvalidSpec(crate::fiche::FieldError {
                field: "spec".into(),
                value: "names".into(),
                reason: "resolve names to ids before recording a run".into(),
            }));
        }
        let json = serde_json::to_string(spec).map_err(|e| Error::BadQuery {
            message: format!("batch spec: {e}"),
        })?;
        self.connection.execute(
            "INSERT INTO batch_runs (spec, today, origin, status, created_at)
             VALUES (?1, ?2, ?3, 'queued', ?4)",
            params![json, today.to_string(), origin, timestamp(now)],
        )?;
        let id = RunId(self.connection.last_insert_rowid() as u64);
        self.batch_run(id)
    }

    /// The run with this id; [`Error::NoSuchRun`] when there is none.
    pub fn batch_run(&self, id: RunId) -> Result<BatchRun> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {RUN_COLUMNS} FROM batch_runs WHERE id = ?1"
        ))?;
        let mut rows = statement.query([id.0 as i64])?;
        match rows.next()? {
            Some(row) => read_run(row),
            None => Err(Error::NoSuchRun(id.get())),
        }
    }

    /// The latest `limit` runs, newest first.
    pub fn batch_runs(&self, limit: usize) -> Result<Vec<BatchRun>> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {RUN_COLUMNS} FROM batch_runs ORDER BY id DESC LIMIT ?1"
        ))?;
        let mut rows = statement.query([limit as i64])?;
        let mut runs = Vec::new();
        while let Some(row) = rows.next()? {
            runs.push(read_run(row)?);
        }
        Ok(runs)
    }

    /// Moves a queued run to running; false when it is no longer queued (cancelled
    /// meanwhile).
    pub fn start_batch_run(&mut self, id: RunId, now: DateTime<Utc>) -> Result<bool> {
        let changed = self.connection.execute(
            "UPDATE batch_runs SET status = 'running', started_at = ?2
             WHERE id = ?1 AND status = 'queued'",
            params![id.0 as i64, timestamp(now)],
        )?;
        Ok(changed == 1)
    }

    /// Records what a running run read and how many pairs it will score.
    pub fn set_batch_input(&mut self, id: RunId, generation: u64, pairs_total: u64) -> Result<()> {
        self.connection.execute(
            "UPDATE batch_runs SET generation = ?2, pairs_total = ?3
             WHERE id = ?1 AND status = 'running'",
            params![id.0 as i64, generation as i64, pairs_total as i64],
        )?;
        Ok(())
    }

    /// Records a running run's progress; `Break` when a cancel was requested.
    pub fn set_batch_progress(&mut self, id: RunId, pairs_scored: u64) -> Result<ControlFlow<()>> {
        let cancel: Option<bool> = self
            .connection
            .query_row(
                "UPDATE batch_runs SET pairs_scored = ?2 WHERE id = ?1 AND status = 'running'
                 RETURNING cancel_requested",
                params![id.0 as i64, pairs_scored as i64],
                |row| row.get(0),
            )
            .optional()?;
        Ok(match cancel {
            Some(false) => ControlFlow::Continue(()),
            // Cancelled, or no longer running (marked interrupted by a restart).
            _ => ControlFlow::Break(()),
        })
    }

    /// Cancels a run: a queued one at once, a running one by request (it stops at its
    /// next progress report). Returns the status after the call; a finished run is
    /// [`Error::RunFinished`].
    pub fn cancel_batch_run(&mut self, id: RunId, now: DateTime<Utc>) -> Result<RunStatus> {
        // Immediate: the write lock first, then the read, so that a run finishing
        // meanwhile cannot leave this transaction with a stale read.
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let status: Option<(String, Option<String>)> = transaction
            .query_row(
                "SELECT status, message FROM batch_runs WHERE id = ?1",
                [id.0 as i64],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let (status, message) = status.ok_or(Error::NoSuchRun(id.get()))?;
        let status =
            RunStatus::decode(&status, message).map_err(|message| Error::CorruptRecord {
                id: format!("batch run {id}"),
                message,
            })?;
        let after = match &status {
            RunStatus::Queued => {
                transaction.execute(
                    "UPDATE batch_runs SET status = 'cancelled', cancel_requested = 1,
                     finished_at = ?2 WHERE id = ?1",
                    params![id.0 as i64, timestamp(now)],
                )?;
                RunStatus::Cancelled
            }
            RunStatus::Running => {
                transaction.execute(
                    "UPDATE batch_runs SET cancel_requested = 1 WHERE id = ?1",
                    [id.0 as i64],
                )?;
                RunStatus::Running
            }
            finished => {
                return Err(Error::RunFinished {
                    id: id.get(),
                    status: finished.to_string(),
                });
            }
        };
        transaction.commit()?;
        Ok(after)
    }

    /// Ends a running run: `done` with the summary of its results (already written
    /// by [`Store::write_batch_results`]: this one statement makes them visible), or
    /// `failed`/`cancelled`, its result rows deleted in the same transaction. False
    /// when the run was no longer running (marked interrupted meanwhile): then its
    /// rows are deleted and its status is left as it is.
    pub fn finish_batch_run(
        &mut self,
        id: RunId,
        outcome: RunOutcome<'_>,
        pairs_scored: u64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let run = id.0 as i64;
        let (status, message) = match outcome {
            RunOutcome::Done(output) => {
                results::write_summary(&transaction, run, output)?;
                ("done", None)
            }
            RunOutcome::Failed(message) => ("failed", Some(message)),
            RunOutcome::Cancelled => ("cancelled", None),
        };
        let changed = transaction.execute(
            "UPDATE batch_runs SET status = ?2, message = ?3, finished_at = ?4, pairs_scored = ?5
             WHERE id = ?1 AND status = 'running'",
            params![run, status, message, timestamp(now), pairs_scored as i64],
        )?;
        if changed == 0 || status != "done" {
            results::delete_results(&transaction, "run_id = ?1", [run])?;
        }
        transaction.commit()?;
        Ok(changed == 1)
    }

    /// Marks the runs left queued or running by a process that stopped (a crash, a
    /// kill) as failed, "interrupted"; returns how many. The server calls it at start.
    pub fn fail_interrupted_batch_runs(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Rows a run had written before it stopped are never shown: remove them.
        results::delete_results(
            &transaction,
            "run_id IN (SELECT id FROM batch_runs WHERE status IN ('queued', 'running'))",
            [],
        )?;
        let failed = transaction.execute(
            "UPDATE batch_runs SET status = 'failed', finished_at = ?1,
             message = 'interrupted: the process running it stopped before it finished'
             WHERE status IN ('queued', 'running')",
            [timestamp(now)],
        )?;
        transaction.commit()?;
        Ok(failed)
    }
}

mod results;

pub use results::{ResultItem, RunResults};

#[cfg(test)]
mod tests;
