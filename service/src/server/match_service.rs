//! `passerelle.v1.MatchService`: suggestions and explanations.

use std::sync::Arc;

use passerelle_engine::lookup::Resolution;
use passerelle_engine::ranking::{MAX_K, SuggestOptions};
use passerelle_proto::v1 as pb;
use pb::match_service_server::MatchService;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Role};
use super::fiche_service::bounded;
use super::state::State;
use super::{blocking, bounds, convert, engine_err, metered, status};

#[derive(Debug, Clone)]
pub struct MatchApi {
    pub state: Arc<State>,
}

/// Resolves a [`pb::FicheRef`] (id or name) on the corpus; blocking. Errors name
/// `field`.
pub fn resolve(state: &State, field: &str, r: Option<&pb::FicheRef>) -> Result<Resolution, Status> {
    let missing = || {
        status::invalid_field(&convert::invalid(
            field,
            "",
            "donnez un identifiant ou un nom",
        ))
    };
    let r = r.ok_or_else(missing)?;
    let country = convert::country(&format!("{field}.country"), &r.country)
        .map_err(|e| status::invalid_field(&e))?;
    match &r.r#ref {
        Some(pb::fiche_ref::Ref::Id(id)) => {
            let id = convert::fiche_id(&format!("{field}.id"), id)
                .map_err(|e| status::invalid_field(&e))?;
            let corpus = state.corpus();
            corpus
                .resolve(id.as_str(), None, None)
                .map_err(|e| status::in_field(&format!("{field}.id"), engine_err(e)))
        }
        Some(pb::fiche_ref::Ref::Name(name)) if !name.trim().is_empty() => {
            let corpus = state.corpus();
            corpus
                .resolve(name, country, None)
                .map_err(|e| status::in_field(&format!("{field}.name"), engine_err(e)))
        }
        _ => Err(missing()),
    }
}

#[tonic::async_trait]
impl MatchService for MatchApi {
    async fn suggest(
        &self,
        request: Request<pb::SuggestRequest>,
    ) -> Result<Response<pb::SuggestResponse>, Status> {
        metered("Suggest", async {
            Caller::of(&request)?.require(Role::Portal)?;
            bounds::check(request.get_ref())?;
            let r = request.into_inner();
            let options = suggest_options(&r, self.state.corpus().suggest_options())?;
            let state = self.state.clone();
            blocking(move |_| {
                let fiche = resolve(&state, "fiche", r.fiche.as_ref())?;
                let found = state
                    .corpus()
                    .suggest(&fiche.id, &options)
                    .map_err(engine_err)?;
                let suggestions = found
                    .items
                    .iter()
                    .map(|s| convert::suggestion(s, &options.weights));
                Ok(Response::new(pb::SuggestResponse {
                    fiche_id: fiche.id.as_str().to_owned(),
                    suggestions: suggestions.collect(),
                    resolved_from: fiche.corrected_from,
                    fiche_name: fiche.name,
                }))
            })
            .await
        })
        .await
    }

    async fn explain_pair(
        &self,
        request: Request<pb::ExplainPairRequest>,
    ) -> Result<Response<pb::ExplainPairResponse>, Status> {
        metered("ExplainPair", async {
            Caller::of(&request)?.require(Role::Portal)?;
            bounds::check(request.get_ref())?;
            let r = request.into_inner();
            let defaults = self.state.corpus().policy().weights;
            let weights = convert::weights(r.weights.as_ref(), defaults)
                .map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            blocking(move |_| {
                let a = resolve(&state, "a", r.a.as_ref())?;
                let b = resolve(&state, "b", r.b.as_ref())?;
                let explained = match state.corpus().explain(&a.id, &b.id, &weights) {
                    Ok(explained) => explained,
                    // The second fiche is the one that does not make a pair.
                    Err(e @ passerelle_engine::Error::SameSide { .. }) => {
                        return Err(status::in_field("b", engine_err(e)));
                    }
                    Err(e) => return Err(engine_err(e)),
                };
                let breakdown = explained
                    .score
                    .breakdown
                    .iter()
                    .map(|x| convert::breakdown(x, &weights));
                Ok(Response::new(pb::ExplainPairResponse {
                    a_id: a.id.as_str().to_owned(),
                    b_id: b.id.as_str().to_owned(),
                    total: explained.score.total,
                    breakdown: breakdown.collect(),
                    exclusion: explained.exclusion.map(|e| e.to_string()),
                    a_resolved_from: a.corrected_from,
                    b_resolved_from: b.corrected_from,
                }))
            })
            .await
        })
        .await
    }
}

/// The request's options over the corpus's (`base`: configured weights, interest
/// bonus, freshness).
fn suggest_options(r: &pb::SuggestRequest, base: SuggestOptions) -> Result<SuggestOptions, Status> {
    let field = |e| status::invalid_field(&e);
    let max_per_country = match r.max_per_country {
        Some(0) => {
            return Err(field(convert::invalid(
                "max_per_country",
                0,
                "doit valoir au moins 1",
            )));
        }
        cap => cap.map(|c| c as usize),
    };
    Ok(SuggestOptions {
        k: bounded("k", r.k, 10, MAX_K)?,
        filters: convert::candidate_filters(r.filters.as_ref()).map_err(field)?,
        weights: convert::weights(r.weights.as_ref(), base.weights).map_err(field)?,
        max_per_country,
        ..base
    })
}
