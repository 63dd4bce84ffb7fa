//! A done run's results: written with the `done` status, read back whole or streamed
//! item by item (the server streams them; a national run keeps millions of pairs).

use std::ops::ControlFlow;

use rusqlite::{Row, params};

use super::{RunId, RunStatus, RunSummary, fiche_id};
use crate::batch::agenda::{self, AgendaPlan, AgendaRow};
use crate::batch::{BatchPair, BatchResult, Unassigned};
use crate::error::{Error, Result};
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
                id,
                status: run.status.to_string(),
            });
        }
        let key = id.0 as i64;
        for list in ["scored", "assigned"] {
            let mut statement = transaction.prepare(
                "SELECT french_id, french_name, foreign_id, foreign_name, score FROM batch_pairs
                 WHERE run_id = ?1 AND list = ?2 ORDER BY rank",
            )?;
            let mut rows = statement.query(params![key, list])?;
            while let Some(row) = rows.next()? {
                let pair = read_pair(id, row, 0)?;
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
            "SELECT french_id, french_name, foreign_id, foreign_name, score FROM batch_pairs
             WHERE run_id = ?1 AND list = 'unplaced' ORDER BY rank",
        )?;
        let mut rows = statement.query([key])?;
        while let Some(row) = rows.next()? {
            if visit(ResultItem::Unplaced(read_pair(id, row, 0)?)).is_break() {
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

pub(super) fn write_results(
    transaction: &rusqlite::Transaction<'_>,
    run: i64,
    results: &RunResults,
) -> Result<()> {
    let result = &results.result;
    let mut pairs = transaction.prepare(
        "INSERT INTO batch_pairs (run_id, list, rank, french_id, french_name, foreign_id,
         foreign_name, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let unplaced: &[BatchPair] = results.agenda.as_ref().map_or(&[], |a| &a.unplaced);
    for (list, rows) in [
        ("scored", &result.scored[..]),
        ("assigned", &result.assigned[..]),
        ("unplaced", unplaced),
    ] {
        for (rank, p) in rows.iter().enumerate() {
            pairs.execute(params![
                run,
                list,
                rank as i64,
                p.french.as_str(),
                p.french_name,
                p.foreign.as_str(),
                p.foreign_name,
                p.total
            ])?;
        }
    }
    let mut unassigned = transaction.prepare(
        "INSERT INTO batch_unassigned (run_id, rank, fiche_id, name, reason)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (rank, u) in result.unassigned.iter().enumerate() {
        unassigned.execute(params![run, rank as i64, u.id.as_str(), u.name, u.reason])?;
    }
    let mut agenda_rows = transaction.prepare(
        "INSERT INTO batch_agenda (run_id, rank, slot, start, end, table_no, french_id,
         french_name, foreign_id, foreign_name, score)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let rows: &[AgendaRow] = results.agenda.as_ref().map_or(&[], |a| &a.rows);
    let minutes = |t: &chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
    for (rank, row) in rows.iter().enumerate() {
        agenda_rows.execute(params![
            run,
            rank as i64,
            row.slot,
            minutes(&row.start),
            minutes(&row.end),
            row.table as i64,
            row.french.as_str(),
            row.french_name,
            row.foreign.as_str(),
            row.foreign_name,
            row.score
        ])?;
    }
    transaction.execute(
        "UPDATE batch_runs SET french_count = ?2, foreign_count = ?3, scored_count = ?4,
         assigned_count = ?5, total = ?6, unassigned_count = ?7, agenda_count = ?8,
         unplaced_count = ?9 WHERE id = ?1",
        params![
            run,
            result.french_count as i64,
            result.foreign_count as i64,
            result.scored.len() as i64,
            result.assigned.len() as i64,
            result.total,
            result.unassigned.len() as i64,
            rows.len() as i64,
            unplaced.len() as i64
        ],
    )?;
    Ok(())
}
