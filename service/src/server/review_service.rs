//! `passerelle.v1.ReviewService`: staff decisions and the review queue.

use std::sync::Arc;

use passerelle_engine::store::NewDecision;
use passerelle_proto::v1 as pb;
use pb::review_service_server::ReviewService;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Role};
use super::fiche_service::bounded;
use super::state::State;
use super::{blocking, bounds, convert, convert_interest, engine_err, metered, status};
use passerelle_engine::corpus::QueueQuery;

#[derive(Debug, Clone)]
pub struct ReviewApi {
    pub state: Arc<State>,
}

#[tonic::async_trait]
impl ReviewService for ReviewApi {
    async fn record_decision(
        &self,
        request: Request<pb::RecordDecisionRequest>,
    ) -> Result<Response<pb::RecordDecisionResponse>, Status> {
        metered("RecordDecision", async {
            let caller = Caller::of(&request)?;
            caller.require(Role::Staff)?;
            bounds::check(request.get_ref())?;
            let r = request.into_inner();
            let decision = new_decision(r, &caller)?;
            let state = self.state.clone();
            let recorded = blocking(move |_| {
                let recorded = state.corpus().record_decision(&decision);
                recorded.map_err(|error| decision_err(error, &decision))
            })
            .await?;
            let decision = Some(convert::decision(&recorded));
            Ok(Response::new(pb::RecordDecisionResponse { decision }))
        })
        .await
    }

    async fn list_decisions(
        &self,
        request: Request<pb::ListDecisionsRequest>,
    ) -> Result<Response<pb::ListDecisionsResponse>, Status> {
        metered("ListDecisions", async {
            Caller::of(&request)?.require(Role::Staff)?;
            bounds::check(request.get_ref())?;
            let r = request.into_inner();
            let field = |e| status::invalid_field(&e);
            let id = convert::fiche_id("fiche_id", &r.fiche_id).map_err(field)?;
            let partner = r
                .partner_id
                .as_deref()
                .map(|p| convert::fiche_id("partner_id", p));
            let partner = partner.transpose().map_err(field)?;
            let state = self.state.clone();
            let history = blocking(move |_| {
                let corpus = state.corpus();
                corpus.history(&id, partner.as_ref()).map_err(engine_err)
            })
            .await?;
            Ok(Response::new(pb::ListDecisionsResponse {
                decisions: history.decisions.iter().map(convert::decision).collect(),
                interests: history
                    .interests
                    .iter()
                    .map(convert_interest::interest)
                    .collect(),
                reconfirmations: history
                    .reconfirmations
                    .iter()
                    .map(convert_interest::reconfirmation)
                    .collect(),
            }))
        })
        .await
    }

    async fn review_queue(
        &self,
        request: Request<pb::ReviewQueueRequest>,
    ) -> Result<Response<pb::ReviewQueueResponse>, Status> {
        metered("ReviewQueue", async {
            Caller::of(&request)?.require(Role::Staff)?;
            bounds::check(request.get_ref())?;
            let query = queue_query(request.into_inner())?;
            let (offset, page_size) = (query.offset, query.page_size);
            let state = self.state.clone();
            let page = blocking(move |cancel| {
                let stop = || cancel.is_cancelled();
                match state.corpus().review_queue_until(&query, &stop) {
                    Err(passerelle_engine::Error::Cancelled) => Err(super::cancel::abandoned()),
                    page => page.map_err(engine_err),
                }
            })
            .await?;
            let (entries, more) = (page.entries, page.more);
            let weights = self.state.corpus().policy().weights;
            let items = entries.iter().map(|e| pb::QueueItem {
                fiche_id: e.fiche_id.as_str().to_owned(),
                fiche_name: e.fiche_name.clone(),
                partner: Some(convert::suggestion(&e.partner, &weights)),
                mutual: e.mutual,
            });
            let next_page_token = if more {
                (offset + page_size).to_string()
            } else {
                String::new()
            };
            Ok(Response::new(pb::ReviewQueueResponse {
                items: items.collect(),
                next_page_token,
            }))
        })
        .await
    }
}

/// A refused decision names the field to blame: the fiche that is missing, or the
/// second one when both are of one side.
fn decision_err(error: passerelle_engine::Error, decision: &NewDecision) -> Status {
    use passerelle_engine::Error;
    let field = match &error {
        Error::NotFound(id) if *id == decision.a => "fiche_a",
        Error::NotFound(_) | Error::SameSide { .. } => "fiche_b",
        _ => return engine_err(error),
    };
    status::in_field(field, engine_err(error))
}

fn new_decision(r: pb::RecordDecisionRequest, caller: &Caller) -> Result<NewDecision, Status> {
    let field = |e| status::invalid_field(&e);
    let reviewer = match r.reviewer.trim() {
        "" => caller.name.clone(),
        given => given.to_owned(),
    };
    Ok(NewDecision {
        a: convert::fiche_id("fiche_a", &r.fiche_a).map_err(field)?,
        b: convert::fiche_id("fiche_b", &r.fiche_b).map_err(field)?,
        kind: convert::decision_kind(r.kind).map_err(field)?,
        reason: convert::decision_reason(r.reason).map_err(field)?,
        note: r.note,
        reviewer,
        at: chrono::Utc::now(),
    })
}

fn queue_query(r: pb::ReviewQueueRequest) -> Result<QueueQuery, Status> {
    let field = |e| status::invalid_field(&e);
    let offset = match r.page_token.trim() {
        "" => 0,
        token => token
            .parse::<usize>()
            .ok()
            .filter(|&o| o <= passerelle_engine::search::MAX_OFFSET)
            .ok_or_else(|| {
                field(convert::invalid(
                    "page_token",
                    token,
                    "pas un jeton de page de ce serveur",
                ))
            })?,
    };
    Ok(QueueQuery {
        region: r.region.map(|s| s.trim().to_owned()),
        filters: passerelle_engine::ranking::CandidateFilters {
            country: convert::country("country", &r.country).map_err(field)?,
            theme: convert::theme("theme", &r.theme).map_err(field)?,
            ..Default::default()
        },
        per_fiche: bounded("per_fiche", r.per_fiche, 3, 20)?,
        page_size: bounded("page_size", r.page_size, 20, 100)?,
        offset,
    })
}
