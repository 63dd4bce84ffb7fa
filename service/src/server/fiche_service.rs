//! `passerelle.v1.FicheService`: upsert, get, delete, search, lookup.

use std::collections::HashSet;
use std::sync::Arc;

use passerelle_engine::fiche::Fiche;
use passerelle_engine::search::{MAX_LIMIT, MAX_OFFSET, MAX_QUERY_BYTES, SearchQuery};
use passerelle_proto::v1 as pb;
use pb::fiche_service_server::FicheService;
use tonic::{Request, Response, Status, Streaming};

use super::auth::{Caller, Role};
use super::state::State;
use super::{blocking, convert, engine_err, metered, status};

/// Most fiches in one upsert message.
pub const MAX_BATCH: usize = 1000;
/// Most hits of one name lookup.
pub const MAX_LOOKUP: usize = 100;

#[derive(Debug, Clone)]
pub struct FicheApi {
    pub state: Arc<State>,
}

/// A parsed upsert message: the fiches to write and a result per fiche.
struct Batch {
    valid: Vec<Fiche>,
    results: Vec<pb::UpsertResult>,
}

/// Parses and validates a message; ids already `seen` (earlier in the batch or the
/// stream) are rejected. An atomic message with an invalid fiche is an error.
fn parse_batch(
    message: pb::UpsertFichesRequest,
    seen: &mut HashSet<String>,
) -> Result<Batch, Status> {
    if message.fiches.len() > MAX_BATCH {
        let e = convert::invalid(
            "fiches",
            message.fiches.len(),
            "at most 1000 fiches per message",
        );
        return Err(status::invalid_field(&e));
    }
    let mut batch = Batch {
        valid: Vec::new(),
        results: Vec::new(),
    };
    for (i, proto) in message.fiches.iter().enumerate() {
        let parsed = convert::fiche_from_proto(proto).and_then(|fiche| {
            match seen.insert(fiche.id.as_str().to_owned()) {
                true => Ok(fiche),
                false => Err(passerelle_engine::jsonl::LineError {
                    field: Some("id".into()),
                    message: format!("{:?}: given twice", fiche.id.as_str()),
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
                return Err(status::invalid_field(&convert::invalid(
                    field.trim_end_matches('.'),
                    &proto.id,
                    &format!("{}; nothing was written", e.message),
                )));
            }
            Err(e) => (false, e.field.unwrap_or_default(), e.message),
        };
        let id = proto.id.clone();
        batch.results.push(pb::UpsertResult {
            id,
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

#[tonic::async_trait]
impl FicheService for FicheApi {
    async fn upsert_fiches(
        &self,
        request: Request<pb::UpsertFichesRequest>,
    ) -> Result<Response<pb::UpsertFichesResponse>, Status> {
        metered("UpsertFiches", async {
            Caller::of(&request)?.require(Role::Portal)?;
            let state = self.state.clone();
            let message = request.into_inner();
            blocking(move || {
                let batch = parse_batch(message, &mut HashSet::new())?;
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
            Caller::of(&request)?.require(Role::Portal)?;
            let mut stream = request.into_inner();
            let mut seen = HashSet::new();
            let mut results = Vec::new();
            let outcome = async {
                while let Some(message) = stream.message().await? {
                    let state = self.state.clone();
                    let mut ids = std::mem::take(&mut seen);
                    let (batch, ids) = blocking(move || {
                        let batch = parse_batch(message, &mut ids)?;
                        state.corpus().upsert(&batch.valid).map_err(engine_err)?;
                        Ok((batch, ids))
                    })
                    .await?;
                    seen = ids;
                    results.extend(batch.results);
                }
                Ok::<(), Status>(())
            }
            .await;
            outcome?;
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
            let id = convert::fiche_id("id", &request.get_ref().id)
                .map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            let fiche = blocking(move || state.corpus().get(&id).map_err(engine_err)).await?;
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
            let id = convert::fiche_id("id", &request.get_ref().id)
                .map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            blocking(move || state.corpus().delete(&id).map_err(engine_err)).await?;
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
            let query =
                search_query(request.into_inner()).map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            let page = blocking(move || state.corpus().search(&query).map_err(engine_err)).await?;
            Ok(Response::new(convert::search_page(&page)))
        })
        .await
    }

    async fn lookup_by_name(
        &self,
        request: Request<pb::LookupByNameRequest>,
    ) -> Result<Response<pb::LookupByNameResponse>, Status> {
        metered("LookupByName", async {
            Caller::of(&request)?.require(Role::Portal)?;
            let r = request.into_inner();
            let country =
                convert::country("country", &r.country).map_err(|e| status::invalid_field(&e))?;
            let limit = bounded("limit", r.limit, 10, MAX_LOOKUP)?;
            if r.name.trim().is_empty() {
                return Err(status::invalid_field(&convert::invalid(
                    "name",
                    "\"\"",
                    "must not be empty",
                )));
            }
            let state = self.state.clone();
            let hits = blocking(move || {
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
            &format!("must be at most {max}"),
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
                &format!("must be at most {MAX_LIMIT}"),
            ));
        }
        l => l,
    };
    if r.text.len() > MAX_QUERY_BYTES {
        return Err(convert::invalid(
            "text",
            format!("{} bytes", r.text.len()),
            &format!("must be at most {MAX_QUERY_BYTES} bytes"),
        ));
    }
    if r.offset as usize > MAX_OFFSET {
        return Err(convert::invalid(
            "offset",
            r.offset,
            &format!("must be at most {MAX_OFFSET}"),
        ));
    }
    Ok(SearchQuery {
        text: r.text,
        filters: convert::search_filters(r.filters.as_ref())?,
        limit,
        offset: r.offset as usize,
    })
}
