//! A run's results: written in chunks while it runs (invisible until it is done),
//! read back whole or streamed item by item (the server and the CLI stream them; a
//! national run keeps millions of pairs).

use std::collections::HashMap;
use std::ops::ControlFlow;

use rusqlite::{Row, params};

use super::{RunId, RunStatus, RunSummary, corrupt, fiche_id};
use crate::batch::agenda::{self, AgendaPlan, AgendaRow};
use crate::batch::{BatchPair, BatchResult, Edge, Participant, RunOutput, Unassigned};
use crate::error::{Error, Result};
use crate::fiche::FicheId;
use crate::store::Store;

/// What a done run found.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResults {
    pub result: BatchResult,
    /// When the spec has an agenda.
    pub agenda: Option<AgendaPlan>,
}

/// One item of a run's results, in the order [`Store::visit_batch_results`] gives
/// them: pairs kept, pairs assigned, fiches without a partner, agenda rows, meetings
/// without a slot; each list best first (the agenda in slot then table order).
#[derive(Debug, Clone, PartialEq)]
pub enum ResultItem {
    Scored(BatchPair),
    Assigned(BatchPair),
    Unassigned(Unassigned),
    Agenda(AgendaRow),
    Unplaced(BatchPair),
}

impl Store {
    /// The result rows the store keeps for run `id`, whatever its status: those of a
    /// done run; none once a run ended otherwise (they are deleted with its final
    /// status); while it runs, those written so far (invisible to readers).
    pub fn batch_result_rows(&self, id: RunId) -> Result<u64> {
        let mut rows = 0;
        for table in RESULT_TABLES {
            let count: i64 = self.connection.query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE run_id = ?1"),
                [id.0 as i64],
                |row| row.get(0),
            )?;
            rows += count as u64;
        }
        Ok(rows)
    }

    /// Calls `visit` with every result of a done run, in [`ResultItem`] order, until
    /// it answers `Break`; [`Error::RunNotDone`] when the run is not done.
    pub fn visit_batch_results(
        &self,
        id: RunId,
        visit: &mut dyn FnMut(ResultItem) -> ControlFlow<()>,
    ) -> Result<()> {
        let transaction = self.connection.unchecked_transaction()?;
        let run = self.batch_run(id)?;
        if run.status != RunStatus::Done {
            return Err(Error::RunNotDone {
                id: id.get(),
                status: run.status.to_string(),
            });
        }
        let key = id.0 as i64;
        let fiches = RunFiches::read(&transaction, id)?;
        for list in ["scored", "assigned"] {
            let mut statement = transaction.prepare(
                "SELECT french_number, foreign_number, score FROM batch_pairs
                 WHERE run_id = ?1 AND list = ?2 ORDER BY rank",
            )?;
            let mut rows = statement.query(params![key, list])?;
            while let Some(row) = rows.next()? {
                let pair = fiches.pair(row)?;
                let item = match list {
                    "scored" => ResultItem::Scored(pair),
                    _ => ResultItem::Assigned(pair),
                };
                if visit(item).is_break() {
                    return Ok(());
                }
            }
        }
        let mut statement = transaction.prepare(
            "SELECT fiche_id, name, reason FROM batch_unassigned WHERE run_id = ?1 ORDER BY rank",
        )?;
        let mut rows = statement.query([key])?;
        while let Some(row) = rows.next()? {
            let unassigned = Unassigned {
                id: fiche_id(id, &row.get::<_, String>(0)?)?,
                name: row.get(1)?,
                reason: row.get(2)?,
            };
            if visit(ResultItem::Unassigned(unassigned)).is_break() {
                return Ok(());
            }
        }
        let mut statement = transaction.prepare(
            "SELECT slot, start, end, table_no, french_id, french_name, foreign_id,
             foreign_name, score FROM batch_agenda WHERE run_id = ?1 ORDER BY rank",
        )?;
        let mut rows = statement.query([key])?;
        while let Some(row) = rows.next()? {
            let time = |i: usize| -> Result<_> {
                agenda::parse_time(&row.get::<_, String>(i)?).map_err(|message| {
                    Error::CorruptRecord {
                        id: format!("batch run {id}"),
                        message,
                    }
                })
            };
            let pair = read_pair(id, row, 4)?;
            let agenda_row = AgendaRow {
                slot: row.get(0)?,
                start: time(1)?,
                end: time(2)?,
                table: row.get::<_, i64>(3)? as usize,
                french: pair.french,
                french_name: pair.french_name,
                foreign: pair.foreign,
                foreign_name: pair.foreign_name,
                score: pair.total,
            };
            if visit(ResultItem::Agenda(agenda_row)).is_break() {
                return Ok(());
            }
        }
        let mut statement = transaction.prepare(
            "SELECT french_number, foreign_number, score FROM batch_pairs
             WHERE run_id = ?1 AND list = 'unplaced' ORDER BY rank",
        )?;
        let mut rows = statement.query([key])?;
        while let Some(row) = rows.next()? {
            if visit(ResultItem::Unplaced(fiches.pair(row)?)).is_break() {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Every result of a done run, gathered (for a large run, prefer
    /// [`Store::visit_batch_results`]).
    pub fn batch_results(&self, id: RunId) -> Result<RunResults> {
        let run = self.batch_run(id)?;
        let summary = run.summary.unwrap_or(RunSummary {
            french_count: 0,
            foreign_count: 0,
            scored: 0,
            assigned: 0,
            total: 0.0,
            unassigned: 0,
            agenda: 0,
            unplaced: 0,
        });
        let mut result = BatchResult {
            french_count: summary.french_count as usize,
            foreign_count: summary.foreign_count as usize,
            scored: Vec::new(),
            assigned: Vec::new(),
            total: summary.total,
            unassigned: Vec::new(),
        };
        let mut plan = AgendaPlan::default();
        self.visit_batch_results(id, &mut |item| {
            match item {
                ResultItem::Scored(p) => result.scored.push(p),
                ResultItem::Assigned(p) => result.assigned.push(p),
                ResultItem::Unassigned(u) => result.unassigned.push(u),
                ResultItem::Agenda(row) => plan.rows.push(row),
                ResultItem::Unplaced(p) => plan.unplaced.push(p),
            }
            ControlFlow::Continue(())
        })?;
        Ok(RunResults {
            result,
            agenda: run.spec.agenda.is_some().then_some(plan),
        })
    }
}

fn read_pair(run: RunId, row: &Row<'_>, first: usize) -> Result<BatchPair> {
    Ok(BatchPair {
        french: fiche_id(run, &row.get::<_, String>(first)?)?,
        french_name: row.get(first + 1)?,
        foreign: fiche_id(run, &row.get::<_, String>(first + 2)?)?,
        foreign_name: row.get(first + 3)?,
        total: row.get(first + 4)?,
    })
}

/// The fiches a run's pairs name by number (`batch_fiches`): numbers `0..n`.
struct RunFiches {
    run: RunId,
    fiches: Vec<(FicheId, String)>,
}

impl RunFiches {
    fn read(connection: &rusqlite::Connection, run: RunId) -> Result<RunFiches> {
        let mut statement = connection.prepare(
            "SELECT number, fiche_id, name FROM batch_fiches WHERE run_id = ?1 ORDER BY number",
        )?;
        let mut rows = statement.query([run.0 as i64])?;
        let mut fiches = Vec::new();
        while let Some(row) = rows.next()? {
            if row.get::<_, i64>(0)? != fiches.len() as i64 {
                return Err(corrupt(run, "fiches not numbered 0..n"));
            }
            fiches.push((fiche_id(run, &row.get::<_, String>(1)?)?, row.get(2)?));
        }
        Ok(RunFiches { run, fiches })
    }

    /// A pair row: French number, foreign number, score.
    fn pair(&self, row: &Row<'_>) -> Result<BatchPair> {
        let fiche = |i: usize| -> Result<&(FicheId, String)> {
            let number = row.get::<_, i64>(i)?;
            usize::try_from(number)
                .ok()
                .and_then(|n| self.fiches.get(n))
                .ok_or_else(|| corrupt(self.run, &format!("no fiche number {number}")))
        };
        let (french, french_name) = fiche(0)?.clone();
        let (foreign, foreign_name) = fiche(1)?.clone();
        Ok(BatchPair {
            french,
            french_name,
            foreign,
            foreign_name,
            total: row.get(2)?,
        })
    }
}

/// Result rows written per transaction (at least): bounded transactions, and between
/// two of them a progress report and a look at whether a cancel was requested.
const ROWS_PER_TRANSACTION: u64 = 25_000;

/// Rows per INSERT statement: a statement's fixed costs (cursors, its journal)
/// shared by many rows.
const ROWS_PER_STATEMENT: usize = 64;

impl Store {
    /// Writes the results of the running run `id`, in transactions of
    /// [`ROWS_PER_TRANSACTION`] rows; they stay invisible until
    /// [`Store::finish_batch_run`] marks the run done. After each transaction,
    /// `progress` gets the rows written and the rows in all; its `Break`, a cancel
    /// recorded in the store or a run no longer running stop the writing with
    /// [`Error::Cancelled`] (the rows written are deleted when the run is finished).
    pub fn write_batch_results(
        &mut self,
        id: RunId,
        output: &RunOutput,
        progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
    ) -> Result<()> {
        let unplaced: &[BatchPair] = output.agenda.as_ref().map_or(&[], |a| &a.unplaced);
        let rows: &[AgendaRow] = output.agenda.as_ref().map_or(&[], |a| &a.rows);
        let size = (output.participants.french.len()
            + output.participants.foreign.len()
            + output.scored.len()
            + output.assigned.len()
            + output.unassigned.len()
            + rows.len()
            + unplaced.len()) as u64;
        let mut chunks = Chunks {
            connection: &self.connection,
            run: id,
            written: 0,
            pending: 0,
            size,
            open: false,
            progress,
        };
        // Every row names this run, which exists and is never deleted: the foreign
        // key's check, a lookup of the run for each row, was a fifth of the writing.
        // Off for these transactions only (the pragma cannot change inside one), on
        // again whatever happens.
        self.connection.pragma_update(None, "foreign_keys", "OFF")?;
        let written = write_rows(&mut chunks, output, rows, unplaced).and_then(|()| chunks.end());
        if written.is_err() && chunks.open {
            // The error is what matters; a failed rollback leaves the transaction to
            // the connection's next use, which rolls it back.
            let _ = self.connection.execute_batch("ROLLBACK");
        }
        let checked_again = self.connection.pragma_update(None, "foreign_keys", "ON");
        written?;
        Ok(checked_again?)
    }
}

/// Transactions of at most [`ROWS_PER_TRANSACTION`] rows.
struct Chunks<'a> {
    connection: &'a rusqlite::Connection,
    run: RunId,
    written: u64,
    /// Rows of the open transaction.
    pending: u64,
    size: u64,
    open: bool,
    progress: &'a mut dyn FnMut(u64, u64) -> ControlFlow<()>,
}

impl Chunks<'_> {
    /// Inserts `rows` into `table` (its `columns`), [`ROWS_PER_STATEMENT`] rows per
    /// statement: `bind` binds one row's values from the 1-based index it is given.
    fn insert<T>(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: impl ExactSizeIterator<Item = T>,
        bind: impl Fn(&mut rusqlite::Statement<'_>, usize, T) -> rusqlite::Result<()>,
    ) -> Result<()> {
        let statement = |rows: usize| {
            let one = format!("({})", vec!["?"; columns.len()].join(","));
            // `OR ROLLBACK`: a statement of many rows that may fail half-way (the
            // default, `ABORT`) keeps a journal of its own to undo its part; one
            // whose failure rolls back the whole transaction needs none, and the
            // error path rolls it back anyway (no row can fail: ranks are unique).
            format!(
                "INSERT OR ROLLBACK INTO {table} ({}) VALUES {}",
                columns.join(","),
                vec![one; rows].join(",")
            )
        };
        let total = rows.len();
        let mut full = self.connection.prepare(&statement(ROWS_PER_STATEMENT))?;
        let mut tail = self
            .connection
            .prepare(&statement((total % ROWS_PER_STATEMENT).max(1)))?;
        let mut rows = rows.peekable();
        let mut done = 0;
        while rows.peek().is_some() {
            let count = ROWS_PER_STATEMENT.min(total - done);
            let insert = if count == ROWS_PER_STATEMENT {
                &mut full
            } else {
                &mut tail
            };
            for (i, row) in rows.by_ref().take(count).enumerate() {
                bind(insert, 1 + i * columns.len(), row)?;
            }
            if !self.open {
                self.connection.execute_batch("BEGIN IMMEDIATE")?;
                self.open = true;
            }
            insert.raw_execute()?;
            done += count;
            self.written += count as u64;
            self.pending += count as u64;
            if self.pending >= ROWS_PER_TRANSACTION {
                self.end()?;
            }
        }
        Ok(())
    }

    /// Commits the open transaction, reports, and stops if the run was cancelled.
    fn end(&mut self) -> Result<()> {
        if self.open {
            self.connection.execute_batch("COMMIT")?;
            self.open = false;
        }
        self.pending = 0;
        let (cancel, status): (bool, String) = self.connection.query_row(
            "SELECT cancel_requested, status FROM batch_runs WHERE id = ?1",
            [self.run.0 as i64],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if cancel || status != "running" || (self.progress)(self.written, self.size).is_break() {
            return Err(Error::Cancelled);
        }
        Ok(())
    }
}

const PAIR_COLUMNS: [&str; 6] = [
    "run_id",
    "list",
    "rank",
    "french_number",
    "foreign_number",
    "score",
];

fn write_rows(
    chunks: &mut Chunks<'_>,
    output: &RunOutput,
    rows: &[AgendaRow],
    unplaced: &[BatchPair],
) -> Result<()> {
    let run = chunks.run.0 as i64;
    let (french, foreign) = (&output.participants.french, &output.participants.foreign);
    // The participants are numbered French first, then foreign, each side in its
    // order: a pair names them by these numbers.
    let foreign_number = |index: usize| (french.len() + index) as i64;
    let fiche_rows = |first: usize| {
        move |insert: &mut rusqlite::Statement<'_>, at: usize, (i, p): (usize, &Participant)| {
            insert.raw_bind_parameter(at, run)?;
            insert.raw_bind_parameter(at + 1, (first + i) as i64)?;
            insert.raw_bind_parameter(at + 2, p.id.as_str())?;
            insert.raw_bind_parameter(at + 3, p.name.as_str())
        }
    };
    let fiche_columns = ["run_id", "number", "fiche_id", "name"];
    chunks.insert(
        "batch_fiches",
        &fiche_columns,
        french.iter().enumerate(),
        fiche_rows(0),
    )?;
    chunks.insert(
        "batch_fiches",
        &fiche_columns,
        foreign.iter().enumerate(),
        fiche_rows(french.len()),
    )?;
    let edge_rows = |list: &'static str| {
        move |insert: &mut rusqlite::Statement<'_>, at: usize, (rank, edge): (usize, &Edge)| {
            insert.raw_bind_parameter(at, run)?;
            insert.raw_bind_parameter(at + 1, list)?;
            insert.raw_bind_parameter(at + 2, rank as i64)?;
            insert.raw_bind_parameter(at + 3, edge.french as i64)?;
            insert.raw_bind_parameter(at + 4, foreign_number(edge.foreign))?;
            insert.raw_bind_parameter(at + 5, edge.score)
        }
    };
    chunks.insert(
        "batch_pairs",
        &PAIR_COLUMNS,
        output.scored.iter().enumerate(),
        edge_rows("scored"),
    )?;
    chunks.insert(
        "batch_pairs",
        &PAIR_COLUMNS,
        output
            .assigned
            .iter()
            .map(|&i| &output.scored[i])
            .enumerate(),
        edge_rows("assigned"),
    )?;
    // Meetings without a slot name their fiches by id: few, looked up.
    let numbers: HashMap<&FicheId, usize> = match unplaced.is_empty() {
        true => HashMap::new(),
        false => french
            .iter()
            .chain(foreign)
            .enumerate()
            .map(|(number, p)| (&p.id, number))
            .collect(),
    };
    let number = |id: &FicheId| -> rusqlite::Result<i64> {
        numbers.get(id).map(|&n| n as i64).ok_or_else(|| {
            rusqlite::Error::ToSqlConversionFailure(
                format!("{id} is not a participant of the run").into(),
            )
        })
    };
    chunks.insert(
        "batch_pairs",
        &PAIR_COLUMNS,
        unplaced.iter().enumerate(),
        |insert, at, (rank, p)| {
            insert.raw_bind_parameter(at, run)?;
            insert.raw_bind_parameter(at + 1, "unplaced")?;
            insert.raw_bind_parameter(at + 2, rank as i64)?;
            insert.raw_bind_parameter(at + 3, number(&p.french)?)?;
            insert.raw_bind_parameter(at + 4, number(&p.foreign)?)?;
            insert.raw_bind_parameter(at + 5, p.total)
        },
    )?;
    chunks.insert(
        "batch_unassigned",
        &["run_id", "rank", "fiche_id", "name", "reason"],
        output.unassigned.iter().enumerate(),
        |insert, at, (rank, unpaired)| {
            let u = output.unassigned(unpaired);
            insert.raw_bind_parameter(at, run)?;
            insert.raw_bind_parameter(at + 1, rank as i64)?;
            insert.raw_bind_parameter(at + 2, u.id.as_str())?;
            insert.raw_bind_parameter(at + 3, u.name)?;
            insert.raw_bind_parameter(at + 4, u.reason)
        },
    )?;
    let minutes = |t: &chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
    chunks.insert(
        "batch_agenda",
        &[
            "run_id",
            "rank",
            "slot",
            "start",
            "end",
            "table_no",
            "french_id",
            "french_name",
            "foreign_id",
            "foreign_name",
            "score",
        ],
        rows.iter().enumerate(),
        |insert, at, (rank, row)| {
            insert.raw_bind_parameter(at, run)?;
            insert.raw_bind_parameter(at + 1, rank as i64)?;
            insert.raw_bind_parameter(at + 2, row.slot.as_str())?;
            insert.raw_bind_parameter(at + 3, minutes(&row.start))?;
            insert.raw_bind_parameter(at + 4, minutes(&row.end))?;
            insert.raw_bind_parameter(at + 5, row.table as i64)?;
            insert.raw_bind_parameter(at + 6, row.french.as_str())?;
            insert.raw_bind_parameter(at + 7, row.french_name.as_str())?;
            insert.raw_bind_parameter(at + 8, row.foreign.as_str())?;
            insert.raw_bind_parameter(at + 9, row.foreign_name.as_str())?;
            insert.raw_bind_parameter(at + 10, row.score)
        },
    )?;
    Ok(())
}

/// The sizes of a done run's results, recorded with its `done` status.
pub(super) fn write_summary(
    transaction: &rusqlite::Transaction<'_>,
    run: i64,
    output: &RunOutput,
) -> Result<()> {
    let agenda = output.agenda.as_ref();
    transaction.execute(
        "UPDATE batch_runs SET french_count = ?2, foreign_count = ?3, scored_count = ?4,
         assigned_count = ?5, total = ?6, unassigned_count = ?7, agenda_count = ?8,
         unplaced_count = ?9 WHERE id = ?1",
        params![
            run,
            output.participants.french.len() as i64,
            output.participants.foreign.len() as i64,
            output.scored.len() as i64,
            output.assigned.len() as i64,
            output.total,
            output.unassigned.len() as i64,
            agenda.map_or(0, |a| a.rows.len()) as i64,
            agenda.map_or(0, |a| a.unplaced.len()) as i64
        ],
    )?;
    Ok(())
}

/// The tables of runs' results, each keyed by `run_id`.
const RESULT_TABLES: [&str; 4] = [
    "batch_fiches",
    "batch_pairs",
    "batch_unassigned",
    "batch_agenda",
];

/// Deletes the result rows of the runs matching `condition` (on `run_id`).
pub(super) fn delete_results(
    transaction: &rusqlite::Transaction<'_>,
    condition: &str,
    parameters: impl rusqlite::Params + Clone,
) -> Result<()> {
    for table in RESULT_TABLES {
        transaction.execute(
            &format!("DELETE FROM {table} WHERE {condition}"),
            parameters.clone(),
        )?;
    }
    Ok(())
}
