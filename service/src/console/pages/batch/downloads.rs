//! A done run's files: the pairs kept, the pairs assigned, the fiches without a
//! partner and the agenda as CSV, all of them as one workbook, and one iCalendar per
//! participant — written by
//! the engine's export (`batch::export`: French headers, cells that would start a
//! formula neutralised, calendar texts escaped and folded), exactly as
//! `passerelle batch` writes them. CSV files start with a UTF-8 byte order mark so
//! that spreadsheets read accents right. Lists are streamed from a store
//! connection of their own, 64 KiB at a time: a national run keeps
//! millions of pairs.

use std::ops::ControlFlow;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use passerelle_engine::batch::agenda::AgendaRow;
use passerelle_engine::batch::export;
use passerelle_engine::batch::{ResultItem, RunId, RunStatus};
use passerelle_engine::fiche::FicheId;
use passerelle_engine::sheets::BatchBook;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::super::super::error::ConsoleError;
use super::super::super::params::Params;
use super::super::super::{Console, StaffSession, blocking};
use super::run_id;

/// The event's name in calendars (the spec does not carry one).
pub(crate) const EVENT: &str = "Assises de la coopération décentralisée";
/// Bytes per chunk of a streamed file.
const CHUNK_BYTES: usize = 64 * 1024;
/// The UTF-8 byte order mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// Which list of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Scored,
    Assigned,
    Unassigned,
}

impl List {
    fn file(self) -> &'static str {
        match self {
            List::Scored => "paires",
            List::Assigned => "affectations",
            List::Unassigned => "sans-partenaire",
        }
    }
}

/// Checks the query (none) and that the run is done.
async fn done_run(
    console: &Arc<Console>,
    id: &str,
    query: Option<&str>,
) -> Result<RunId, ConsoleError> {
    let id = run_id(id)?;
    Params::parse(query.unwrap_or(""), &[])?;
    let console = console.clone();
    let run = blocking(move || {
        console
            .corpus
            .batch_run(id)
            .map_err(ConsoleError::from_engine)
    })
    .await?;
    if run.status != RunStatus::Done {
        return Err(ConsoleError::conflict(format!(
            "La session n° {id} n'est pas terminée : ses fichiers seront disponibles à la fin."
        )));
    }
    Ok(id)
}

fn attachment(name: &str, content_type: &'static str, body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .expect("names are ASCII"),
    );
    response
}

/// What a streamed file is written into: bytes sent to the response in chunks of
/// [`CHUNK_BYTES`]; a write fails once the client has gone.
struct Chunks {
    buffer: Vec<u8>,
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl std::io::Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

/// Writes one list of a run through the engine's row writers.
fn write_list(console: &Console, id: RunId, list: List, out: &mut Chunks) -> Result<(), String> {
    use std::io::Write;
    out.write_all(BOM).map_err(|e| e.to_string())?;
    let mut failed: Option<std::io::Error> = None;
    let mut keep = |written: std::io::Result<()>| match written {
        Ok(()) => ControlFlow::Continue(()),
        Err(error) => {
            failed = Some(error);
            ControlFlow::Break(())
        }
    };
    let read = match list {
        List::Scored | List::Assigned => {
            let stale = console.corpus.stale_fiches().map_err(|e| e.to_string())?;
            let mut csv = export::PairsCsv::new(&mut *out, stale).map_err(|e| e.to_string())?;
            let read = console
                .corpus
                .visit_batch_results(id, &mut |item| match (list, item) {
                    (List::Scored, ResultItem::Scored(p))
                    | (List::Assigned, ResultItem::Assigned(p)) => keep(csv.pair(&p)),
                    (List::Assigned, ResultItem::Scored(_)) => ControlFlow::Continue(()),
                    // Past the list: nothing more to read.
                    _ => ControlFlow::Break(()),
                });
            csv.finish().map_err(|e| e.to_string())?;
            read
        }
        List::Unassigned => {
            let mut csv = export::UnassignedCsv::new(&mut *out).map_err(|e| e.to_string())?;
            let read = console
                .corpus
                .visit_batch_results(id, &mut |item| match item {
                    ResultItem::Unassigned(u) => keep(csv.fiche(&u)),
                    ResultItem::Scored(_) | ResultItem::Assigned(_) => ControlFlow::Continue(()),
                    _ => ControlFlow::Break(()),
                });
            csv.finish().map_err(|e| e.to_string())?;
            read
        }
    };
    read.map_err(|e| e.to_string())?;
    match failed {
        Some(error) => Err(error.to_string()),
        None => out.flush().map_err(|e| e.to_string()),
    }
}

async fn stream_list(
    console: Arc<Console>,
    id: String,
    query: Option<String>,
    list: List,
) -> Response {
    let id = match done_run(&console, &id, query.as_deref()).await {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        let mut out = Chunks {
            buffer: Vec::with_capacity(CHUNK_BYTES + 1024),
            sender: sender.clone(),
        };
        if let Err(error) = write_list(&console, id, list, &mut out) {
            // A client that went away is no error of ours.
            if !sender.is_closed() {
                tracing::error!(run = %id, %error, "console: writing a run's file failed");
                let _ = sender.blocking_send(Err(std::io::Error::other("results unreadable")));
            }
        }
    });
    attachment(
        &format!("session-{id}-{}.csv", list.file()),
        "text/csv; charset=utf-8",
        Body::from_stream(ReceiverStream::new(receiver)),
    )
}

/// `GET /console/sessions/{id}/paires.csv`.
pub(crate) async fn scored(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    stream_list(console, id, query, List::Scored).await
}

/// `GET /console/sessions/{id}/affectations.csv`.
pub(crate) async fn assigned(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    stream_list(console, id, query, List::Assigned).await
}

/// `GET /console/sessions/{id}/sans-partenaire.csv`.
pub(crate) async fn unassigned(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    stream_list(console, id, query, List::Unassigned).await
}

/// The agenda rows of a done run (those of `participant` only, when given).
async fn agenda_rows(
    console: &Arc<Console>,
    id: RunId,
    participant: Option<FicheId>,
) -> Result<Vec<AgendaRow>, ConsoleError> {
    let console = console.clone();
    blocking(move || {
        let mut rows = Vec::new();
        console
            .corpus
            .visit_batch_results(id, &mut |item| {
                match item {
                    ResultItem::Agenda(row) => {
                        let keep = participant
                            .as_ref()
                            .is_none_or(|p| &row.french == p || &row.foreign == p);
                        if keep {
                            rows.push(row);
                        }
                    }
                    ResultItem::Unplaced(_) => return ControlFlow::Break(()),
                    _ => {}
                }
                ControlFlow::Continue(())
            })
            .map_err(ConsoleError::from_engine)?;
        Ok(rows)
    })
    .await
}

/// `GET /console/sessions/{id}/agenda.csv`.
pub(crate) async fn agenda(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = done_run(&console, &id, query.as_deref()).await?;
        let rows = agenda_rows(&console, id, None).await?;
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice(export::csv(&rows).as_bytes());
        Ok::<_, ConsoleError>((id, bytes))
    }
    .await;
    match result {
        Ok((id, bytes)) => attachment(
            &format!("session-{id}-agenda.csv"),
            "text/csv; charset=utf-8",
            Body::from(bytes),
        ),
        Err(error) => error.into_response(),
    }
}

/// `GET /console/sessions/{id}/resultats.xlsx`: the run's results as one workbook
/// (pairs kept, assignment, without a partner with the reason, the agenda one
/// sheet per day), as `passerelle batch` writes `resultats.xlsx`.
pub(crate) async fn workbook(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = done_run(&console, &id, query.as_deref()).await?;
        let console = console.clone();
        blocking(move || {
            let stale = console
                .corpus
                .stale_fiches()
                .map_err(ConsoleError::from_engine)?;
            let mut book = BatchBook::new(stale);
            let mut failed = None;
            console
                .corpus
                .visit_batch_results(id, &mut |item| match book.item(&item) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(error) => {
                        failed = Some(error);
                        ControlFlow::Break(())
                    }
                })
                .map_err(ConsoleError::from_engine)?;
            if let Some(error) = failed {
                return Err(ConsoleError::from_engine(error));
            }
            let book = book.finish().map_err(ConsoleError::from_engine)?;
            super::super::workbook(book, &format!("session-{id}-resultats.xlsx"))
        })
        .await
    }
    .await;
    result.unwrap_or_else(|error| error.into_response())
}

/// `GET /console/sessions/{id}/calendriers/{fiche}.ics`: one participant's meetings.
pub(crate) async fn calendar(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path((id, file)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let run = done_run(&console, &id, query.as_deref()).await?;
        let fiche = file.strip_suffix(".ics").unwrap_or(&file);
        let fiche = FicheId::parse(fiche).map_err(|_| {
            ConsoleError::bad_request(format!(
                "« {} » n'est pas un identifiant de fiche.",
                crate::console::params::shown(fiche)
            ))
        })?;
        let rows = agenda_rows(&console, run, Some(fiche.clone())).await?;
        let calendar = export::icalendars(&rows, EVENT, chrono::Utc::now())
            .remove(&fiche)
            .ok_or_else(|| {
                ConsoleError::missing(format!(
                    "{fiche} n'a aucun rendez-vous dans l'agenda de la session n° {run}."
                ))
            })?;
        Ok::<_, ConsoleError>((run, fiche, calendar))
    }
    .await;
    match result {
        Ok((run, fiche, calendar)) => attachment(
            &format!("session-{run}-{fiche}.ics"),
            "text/calendar; charset=utf-8",
            Body::from(calendar),
        ),
        Err(error) => error.into_response(),
    }
}
