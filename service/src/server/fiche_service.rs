//! `passerelle.v1.FicheService`: upsert, get, delete, search, lookup, reconfirm.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use passerelle_engine::fiche::{Fiche, quote};
use passerelle_engine::search::{MAX_LIMIT, MAX_OFFSET, SearchQuery};
use passerelle_proto::v1 as pb;
use pb::fiche_service_server::FicheService;
use tonic::{Request, Response, Status, Streaming};

use super::auth::{Caller, Role};
use super::state::State;
use super::{blocking, bounds, convert, convert_interest, engine_err, metered, status, wire};

/// Most fiches in one upsert message.
pub const MAX_BATCH: usize = 1000;
/// Most hits of one name lookup.
pub const MAX_LOOKUP: usize = 100;

#[derive(Debug, Clone)]
pub struct FicheApi {
    pub state: Arc<State>,
}

/// A parsed upsert message: the fiches to write and a result per fiche.
#[derive(Default)]
struct Batch {
    valid: Vec<Fiche>,
    results: Vec<pb::UpsertResult>,
}

/// Bounds a message, checks that the caller may write each of its fiches (any other
/// refuses the whole message: PERMISSION_DENIED naming `fiches[i].id`), then parses
/// and validates it; ids already `seen` (earlier in the batch or the stream) are
/// rejected. An atomic message with an invalid fiche is an error.
fn parse_batch(
    caller: &Caller,
    message: pb::UpsertFichesRequest,
    seen: &mut HashSet<String>,
) -> Result<Batch, Status> {
    bounds::check(&message)?;
    for (i, fiche) in message.fiches.iter().enumerate() {
        caller.require_write(&format!("fiches[{i}].id"), &fiche.id)?;
    }
    let mut batch = Batch::default();
    for (i, proto) in message.fiches.iter().enumerate() {
        let parsed = convert::fiche_from_proto(proto).and_then(|fiche| {
            match seen.insert(fiche.id.as_str().to_owned()) {
                true => Ok(fiche),
                false => Err(passerelle_engine::jsonl::LineError {
                    field: Some("id".into()),
                    message: format!("{} : donné deux fois", quote(fiche.id.as_str())),
                }),
            }
        });
        let (ok, field, error) = match parsed {
            Ok(fiche) => {
                batch.valid.push(fiche);
                (true, String::new(), String::new())
            }
            Err(e) if message.atomic => {
                let field = format!("fiches[{i}].{}", e.field.unwrap_or_default());
                let status =
                    Status::invalid_argument(format!("{} ; rien n'a été écrit", e.message));
                return Err(status::in_field(field.trim_end_matches('.'), status));
            }
            Err(e) => (false, e.field.unwrap_or_default(), e.message),
        };
        batch.results.push(pb::UpsertResult {
            id: proto.id.clone(),
            ok,
            field,
            error,
        });
    }
    Ok(batch)
}

fn response(results: Vec<pb::UpsertResult>) -> pb::UpsertFichesResponse {
    let written = results.iter().filter(|r| r.ok).count() as u32;
    pb::UpsertFichesResponse {
        rejected: results.len() as u32 - written,
        written,
        results,
    }
}

/// The next message of a client stream; statuses about its bytes get their
/// conventional codes.
async fn next(
    stream: &mut Streaming<pb::UpsertFichesRequest>,
) -> Result<Option<pb::UpsertFichesRequest>, Status> {
    stream.message().await.map_err(wire::request_status)
}

/// `future`'s output if it is ready without waiting.
fn ready_now<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

/// The next message, and those that have already arrived behind it (up to
/// [`MAX_BATCH`] fiches in all): written together, in one transaction.
async fn next_group(
    stream: &mut Streaming<pb::UpsertFichesRequest>,
) -> Result<Vec<pb::UpsertFichesRequest>, Status> {
    let Some(first) = next(stream).await? else {
        return Ok(Vec::new());
    };
    let mut fiches = first.fiches.len();
    let mut group = vec![first];
    while fiches < MAX_BATCH {
        // `Streaming` keeps its decoding state itself: a poll given up loses nothing.
        match ready_now(next(stream)) {
            Some(Ok(Some(message))) => {
                fiches += message.fiches.len();
                group.push(message);
            }
            Some(Ok(None)) | None => break,
            Some(Err(status)) => return Err(status),
        }
    }
    Ok(group)
}

/// Parses a group of stream messages and writes every fiche of the messages before
/// the first refused one (if any) in one transaction; then the refusal, if any.
fn write_group(
    state: &State,
    caller: &Caller,
    group: Vec<pb::UpsertFichesRequest>,
    seen: &mut HashSet<String>,
) -> Result<Vec<pb::UpsertResult>, Status> {
    let mut written = Batch::default();
    let mut refusal = None;
    for message in group {
        match parse_batch(caller, message, seen) {
            Ok(batch) => {
                written.valid.extend(batch.valid);
                written.results.extend(batch.results);
            }
            Err(status) => {
                refusal = Some(status);
                break;
            }
        }
    }
    state.corpus().upsert(&written.valid).map_err(engine_err)?;
    match refusal {
        Some(status) => Err(status),
        None => Ok(written.results),
    }
}

#[tonic::async_trait]
impl FicheService for FicheApi {
    async fn upsert_fiches(
        &self,
        request: Request<pb::UpsertFichesRequest>,
    ) -> Result<Response<pb::UpsertFichesResponse>, Status> {
        metered("UpsertFiches", async {
            let caller = Caller::of(&request)?;
            caller.require(Role::Portal)?;
            let state = self.state.clone();
            let message = request.into_inner();
            blocking(move |cancel| {
                let batch = parse_batch(&caller, message, &mut HashSet::new())?;
                cancel.check()?;
                state.corpus().upsert(&batch.valid).map_err(engine_err)?;
                Ok(Response::new(response(batch.results)))
            })
            .await
        })
        .await
    }

    async fn upsert_fiches_stream(
        &self,
        request: Request<Streaming<pb::UpsertFichesRequest>>,
    ) -> Result<Response<pb::UpsertFichesResponse>, Status> {
        metered("UpsertFichesStream", async {
            let caller = Caller::of(&request)?;
            caller.require(Role::Portal)?;
            let mut stream = request.into_inner();
            let mut seen = HashSet::new();
            let mut results = Vec::new();
            loop {
                let group = next_group(&mut stream).await?;
                if group.is_empty() {
                    break;
                }
                let (state, caller) = (self.state.clone(), caller.clone());
                let mut ids = std::mem::take(&mut seen);
                let (written, ids) = blocking(move |_| {
                    let written = write_group(&state, &caller, group, &mut ids)?;
                    Ok((written, ids))
                })
                .await?;
                seen = ids;
                results.extend(written);
            }
            Ok(Response::new(response(results)))
        })
        .await
    }

    async fn get_fiche(
        &self,
        request: Request<pb::GetFicheRequest>,
    ) -> Result<Response<pb::GetFicheResponse>, Status> {
        metered("GetFiche", async {
            let caller = Caller::of(&request)?;
            caller.require(Role::Portal)?;
            bounds::check(request.get_ref())?;
            let id = convert::fiche_id("id", &request.get_ref().id)
                .map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            let fiche = blocking(move |_| state.corpus().get(&id).map_err(engine_err)).await?;
            let with_contact = caller.sees_contact_of(&fiche.id);
            let fiche = Some(convert::fiche_to_proto(&fiche, with_contact));
            Ok(Response::new(pb::GetFicheResponse { fiche }))
        })
        .await
    }

    async fn delete_fiche(
        &self,
        request: Request<pb::DeleteFicheRequest>,
    ) -> Result<Response<pb::DeleteFicheResponse>, Status> {
        metered("DeleteFiche", async {
            Caller::of(&request)?.require(Role::Admin)?;
            bounds::check(request.get_ref())?;
            let id = convert::fiche_id("id", &request.get_ref().id)
                .map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            blocking(move |_| state.corpus().delete(&id).map_err(engine_err)).await?;
            Ok(Response::new(pb::DeleteFicheResponse {}))
        })
        .await
    }

    async fn search_fiches(
        &self,
        request: Request<pb::SearchFichesRequest>,
    ) -> Result<Response<pb::SearchFichesResponse>, Status> {
        metered("SearchFiches", async {
            Caller::of(&request)?.require(Role::Portal)?;
            bounds::check(request.get_ref())?;
            let query =
                search_query(request.into_inner()).map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            let page = blocking(move |_| state.corpus().search(&query).map_err(engine_err)).await?;
            Ok(Response::new(convert::search_page(&page)))
        })
        .await
    }

    async fn reconfirm_fiche(
        &self,
        request: Request<pb::ReconfirmFicheRequest>,
    ) -> Result<Response<pb::ReconfirmFicheResponse>, Status> {
        metered("ReconfirmFiche", async {
            let caller = Caller::of(&request)?;
            caller.require(Role::Portal)?;
            bounds::check(request.get_ref())?;
            caller.require_write("fiche_id", &request.get_ref().fiche_id)?;
            let r = request.into_inner();
            let id = convert::fiche_id("fiche_id", &r.fiche_id)
                .map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            let recorded = blocking(move |_| {
                let recorded = state.corpus().reconfirm(&id, &r.note, &caller.name);
                recorded.map_err(|e| status::in_field("fiche_id", engine_err(e)))
            })
            .await?;
            Ok(Response::new(pb::ReconfirmFicheResponse {
                reconfirmation: Some(convert_interest::reconfirmation(&recorded)),
            }))
        })
        .await
    }

    async fn lookup_by_name(
        &self,
        request: Request<pb::LookupByNameRequest>,
    ) -> Result<Response<pb::LookupByNameResponse>, Status> {
        metered("LookupByName", async {
            Caller::of(&request)?.require(Role::Portal)?;
            bounds::check(request.get_ref())?;
            let r = request.into_inner();
            let country =
                convert::country("country", &r.country).map_err(|e| status::invalid_field(&e))?;
            let limit = bounded("limit", r.limit, 10, MAX_LOOKUP)?;
            if r.name.trim().is_empty() {
                return Err(status::invalid_field(&convert::invalid(
                    "name",
                    "",
                    "ne doit pas être vide",
                )));
            }
            let state = self.state.clone();
            let hits = blocking(move |_| {
                let corpus = state.corpus();
                corpus.lookup(&r.name, country, limit).map_err(engine_err)
            })
            .await?;
            let hits = hits.iter().map(convert::name_hit).collect();
            Ok(Response::new(pb::LookupByNameResponse { hits }))
        })
        .await
    }
}

/// `value`, or `default` when 0; INVALID_ARGUMENT above `max`.
pub fn bounded(field: &str, value: u32, default: usize, max: usize) -> Result<usize, Status> {
    match value as usize {
        0 => Ok(default),
        v if v > max => Err(status::invalid_field(&convert::invalid(
            field,
            v,
            &format!("doit valoir au plus {max}"),
        ))),
        v => Ok(v),
    }
}

fn search_query(
    r: pb::SearchFichesRequest,
) -> Result<SearchQuery, passerelle_engine::fiche::FieldError> {
    let limit = match r.limit as usize {
        0 => 20,
        l if l > MAX_LIMIT => {
            return Err(convert::invalid(
                "limit",
                l,
                &format!("doit valoir au plus {MAX_LIMIT}"),
            ));
        }
        l => l,
    };
    // The text's length was checked before (`bounds`).
    if r.offset as usize > MAX_OFFSET {
        return Err(convert::invalid(
            "offset",
            r.offset,
            &format!("doit valoir au plus {MAX_OFFSET}"),
        ));
    }
    Ok(SearchQuery {
        text: r.text,
        filters: convert::search_filters(r.filters.as_ref())?,
        limit,
        offset: r.offset as usize,
    })
}
