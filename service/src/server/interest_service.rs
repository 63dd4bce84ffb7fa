//! `passerelle.v1.InterestService`: the interest collectivités declare in each
//! other (the portal for the fiches it speaks for, staff for any), and the matches.

use std::sync::Arc;

use passerelle_engine::store::NewInterest;
use passerelle_proto::v1 as pb;
use pb::interest_service_server::InterestService;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Role};
use super::state::State;
use super::{blocking, bounds, convert, convert_interest, engine_err, metered, status};

#[derive(Debug, Clone)]
pub struct InterestApi {
    pub state: Arc<State>,
}

#[tonic::async_trait]
impl InterestService for InterestApi {
    async fn express_interest(
        &self,
        request: Request<pb::ExpressInterestRequest>,
    ) -> Result<Response<pb::ExpressInterestResponse>, Status> {
        metered("ExpressInterest", async {
            let caller = Caller::of(&request)?;
            caller.require(Role::Portal)?;
            bounds::check(request.get_ref())?;
            caller.require_write("fiche", &request.get_ref().fiche)?;
            let interest = convert_interest::new_interest(request.into_inner(), &caller)
                .map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            let (recorded, mutual) = blocking(move |_| {
                let corpus = state.corpus();
                let recorded = corpus
                    .record_interest(&interest)
                    .map_err(|error| interest_err(error, &interest))?;
                let mutual = corpus
                    .is_mutual(&recorded.fiche, &recorded.candidate)
                    .map_err(engine_err)?;
                Ok((recorded, mutual))
            })
            .await?;
            Ok(Response::new(pb::ExpressInterestResponse {
                interest: Some(convert_interest::interest(&recorded)),
                mutual,
            }))
        })
        .await
    }

    async fn list_mutual_interests(
        &self,
        request: Request<pb::ListMutualInterestsRequest>,
    ) -> Result<Response<pb::ListMutualInterestsResponse>, Status> {
        metered("ListMutualInterests", async {
            let caller = Caller::of(&request)?;
            caller.require(Role::Portal)?;
            bounds::check(request.get_ref())?;
            let r = request.into_inner();
            let fiche = match (&r.fiche_id, caller.role) {
                (Some(id), _) => {
                    caller.require_write("fiche_id", id)?;
                    Some(convert::fiche_id("fiche_id", id).map_err(|e| status::invalid_field(&e))?)
                }
                (None, Role::Portal) => {
                    return Err(status::invalid_field(&convert::invalid(
                        "fiche_id",
                        "",
                        "obligatoire pour un jeton portal",
                    )));
                }
                (None, _) => None,
            };
            let state = self.state.clone();
            let matches = blocking(move |_| {
                let found = state.corpus().mutual_interests_of(fiche.as_ref());
                found.map_err(|e| status::in_field("fiche_id", engine_err(e)))
            })
            .await?;
            Ok(Response::new(pb::ListMutualInterestsResponse {
                matches: matches.iter().map(convert_interest::mutual).collect(),
            }))
        })
        .await
    }
}

/// The status of a refused interest, naming the field it is about.
fn interest_err(error: passerelle_engine::Error, interest: &NewInterest) -> Status {
    use passerelle_engine::Error;
    let field = match &error {
        Error::NotFound(id) if *id == interest.fiche => "fiche",
        Error::NotFound(_) | Error::SameSide { .. } => "candidate",
        _ => return engine_err(error),
    };
    status::in_field(field, engine_err(error))
}
