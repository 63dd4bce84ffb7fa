//! Two-sided interest and fresh fiches over gRPC, end to end: `ExpressInterest`
//! with each role, what "not interested" and "interested" do to the suggestions of
//! each side, the mutual match listed and first in the review queue, the history,
//! `ReconfirmFiche`, and all of it after a restart on the same data directory.

use std::sync::Arc;

use passerelle::server::{self, ServerConfig, State, StateOptions};
use passerelle_proto::v1 as pb;
use pb::fiche_service_client::FicheServiceClient;
use pb::interest_service_client::InterestServiceClient;
use pb::match_service_client::MatchServiceClient;
use pb::review_service_client::ReviewServiceClient;
use tokio::sync::oneshot;
use tonic::Code;
use tonic::transport::Channel;

use super::grpc_harness::{Authed, LYON, MARSEILLE, PORTAL, STAFF, bearer, field_of, tokens};

struct Server {
    channel: Channel,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    dir: tempfile::TempDir,
}

impl Server {
    /// A server on `dir` (which holds a store).
    async fn on(dir: tempfile::TempDir) -> Server {
        let path = dir.path().to_owned();
        let state = tokio::task::spawn_blocking(move || {
            let options = StateOptions {
                today: Some("2026-09-01".parse().unwrap()),
                threads: 2,
                ..StateOptions::default()
            };
            Arc::new(State::load(&path, &options).unwrap())
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(
            listener,
            state,
            ServerConfig::new(tokens()),
            async {
                let _ = rx.await;
            },
        ));
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        Server {
            channel,
            shutdown,
            task,
            dir,
        }
    }

    /// Stops it gracefully and gives the data directory back.
    async fn stop(self) -> tempfile::TempDir {
        self.shutdown.send(()).unwrap();
        self.task.await.unwrap().unwrap();
        self.dir
    }

    fn interests(&self, token: &'static str) -> InterestServiceClient<Authed> {
        InterestServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    fn matches(&self, token: &'static str) -> MatchServiceClient<Authed> {
        MatchServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    fn reviews(&self, token: &'static str) -> ReviewServiceClient<Authed> {
        ReviewServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    fn fiches(&self, token: &'static str) -> FicheServiceClient<Authed> {
        FicheServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    async fn suggest(&self, id: &str, k: u32) -> Vec<pb::Suggestion> {
        let request = pb::SuggestRequest {
            fiche: Some(pb::FicheRef {
                r#ref: Some(pb::fiche_ref::Ref::Id(id.to_owned())),
                country: None,
            }),
            k,
            ..Default::default()
        };
        let response = self.matches(STAFF).suggest(request).await.unwrap();
        response.into_inner().suggestions
    }

    async fn express(
        &self,
        token: &'static str,
        fiche: &str,
        candidate: &str,
        kind: pb::InterestKind,
    ) -> Result<pb::ExpressInterestResponse, tonic::Status> {
        let request = pb::ExpressInterestRequest {
            fiche: fiche.to_owned(),
            candidate: candidate.to_owned(),
            kind: kind as i32,
            note: "vu aux Assises".into(),
        };
        let response = self.interests(token).express_interest(request).await?;
        Ok(response.into_inner())
    }

    async fn mutual(
        &self,
        token: &'static str,
        fiche: Option<&str>,
    ) -> Result<Vec<pb::MutualInterest>, tonic::Status> {
        let request = pb::ListMutualInterestsRequest {
            fiche_id: fiche.map(str::to_owned),
        };
        let response = self.interests(token).list_mutual_interests(request).await?;
        Ok(response.into_inner().matches)
    }
}

fn position(list: &[pb::Suggestion], id: &str) -> Option<usize> {
    list.iter().position(|s| s.id == id)
}

async fn sample_server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    tokio::task::spawn_blocking(move || passerelle_tests::store_sample(&path))
        .await
        .unwrap();
    Server::on(dir).await
}

#[tokio::test]
async fn interests_change_each_side_make_a_match_and_survive_a_restart() {
    let server = sample_server().await;
    // Marseille opens a call (through the portal that speaks for it): a French
    // fiche without an open call is never suggested to foreign ones. Its fiche was
    // last updated in 2023: it is « à reconfirmer ».
    let mut marseille = server
        .fiches(STAFF)
        .get_fiche(pb::GetFicheRequest {
            id: MARSEILLE.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .fiche
        .unwrap();
    marseille.call = Some(pb::Call {
        status: "open".into(),
        published: Some("2026-01-10".into()),
        expires: Some("2027-01-10".into()),
    });
    let upsert = pb::UpsertFichesRequest {
        fiches: vec![marseille],
        ..Default::default()
    };
    server.fiches(PORTAL).upsert_fiches(upsert).await.unwrap();
    let before = server.suggest(MARSEILLE, 100).await;
    // Candidates whose own suggestions hold Marseille, to see both sides.
    let mut both_ways = Vec::new();
    for (rank, s) in before.iter().enumerate() {
        if position(&server.suggest(&s.id, 200).await, MARSEILLE).is_some() {
            both_ways.push((rank, s.id.clone()));
        }
    }
    let declined = both_ways[0].1.clone();
    let (liked_rank, liked) = both_ways
        .iter()
        .find(|(rank, _)| *rank >= 5)
        .cloned()
        .expect("a candidate ranked 6th or lower that ranks Marseille");

    // Roles and fields: the portal speaks for Marseille only.
    let refused = server
        .express(PORTAL, LYON, &liked, pb::InterestKind::Interested)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert_eq!(field_of(&refused), "fiche");
    let same_side = server
        .express(PORTAL, MARSEILLE, LYON, pb::InterestKind::Interested)
        .await
        .unwrap_err();
    assert_eq!(same_side.code(), Code::InvalidArgument);
    assert_eq!(field_of(&same_side), "candidate");
    let missing = server
        .express(
            PORTAL,
            MARSEILLE,
            "BJ-COM-NOWHERE",
            pb::InterestKind::Interested,
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    assert_eq!(field_of(&missing), "candidate");
    let unspecified = server
        .express(PORTAL, MARSEILLE, &liked, pb::InterestKind::Unspecified)
        .await
        .unwrap_err();
    assert_eq!(field_of(&unspecified), "kind");
    let long_note = pb::ExpressInterestRequest {
        fiche: MARSEILLE.into(),
        candidate: liked.clone(),
        kind: pb::InterestKind::Interested as i32,
        note: "x".repeat(2001),
    };
    let too_long = server
        .interests(PORTAL)
        .express_interest(long_note)
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Code::InvalidArgument);
    assert_eq!(field_of(&too_long), "note");

    // "Not interested": gone from Marseille's suggestions, not the other way.
    let answer = server
        .express(
            PORTAL,
            MARSEILLE,
            &declined,
            pb::InterestKind::NotInterested,
        )
        .await
        .unwrap();
    assert_eq!(answer.interest.as_ref().unwrap().actor, "portail");
    assert!(!answer.mutual);
    assert_eq!(
        position(&server.suggest(MARSEILLE, 50).await, &declined),
        None
    );
    assert!(position(&server.suggest(&declined, 200).await, MARSEILLE).is_some());

    // "Interested", recorded by staff for the foreign fiche: Marseille is told, in
    // French, and the pair rises.
    let answer = server
        .express(STAFF, &liked, MARSEILLE, pb::InterestKind::Interested)
        .await
        .unwrap();
    assert!(!answer.mutual);
    let now = server.suggest(MARSEILLE, 20).await;
    let rank = position(&now, &liked).unwrap();
    assert!(rank < liked_rank, "rank {rank}, was {liked_rank}");
    let interest = now[rank].interest.as_ref().unwrap();
    assert!(interest.foreign && !interest.french);
    assert!(
        interest.reasons[0].ends_with("s'est déclarée intéressée par un partenariat avec vous"),
        "{:?}",
        interest.reasons
    );

    // Both say it: a match, listed and first in the review queue.
    let answer = server
        .express(PORTAL, MARSEILLE, &liked, pb::InterestKind::Interested)
        .await
        .unwrap();
    assert!(answer.mutual);
    let all = server.mutual(STAFF, None).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].french_id.as_str(), all[0].foreign_id.as_str()),
        (MARSEILLE, liked.as_str())
    );
    assert!(!all[0].decided);
    assert_eq!(
        server.mutual(PORTAL, Some(MARSEILLE)).await.unwrap().len(),
        1
    );
    let no_fiche = server.mutual(PORTAL, None).await.unwrap_err();
    assert_eq!(
        (no_fiche.code(), field_of(&no_fiche).as_str()),
        (Code::InvalidArgument, "fiche_id")
    );
    let not_its_own = server.mutual(PORTAL, Some(LYON)).await.unwrap_err();
    assert_eq!(not_its_own.code(), Code::PermissionDenied);
    let queue = server
        .reviews(STAFF)
        .review_queue(pb::ReviewQueueRequest::default())
        .await
        .unwrap()
        .into_inner();
    let first = &queue.items[0];
    assert!(first.mutual);
    assert_eq!(first.fiche_id, MARSEILLE);
    assert_eq!(first.partner.as_ref().unwrap().id, liked);
    assert!(queue.items[1..].iter().all(|item| !item.mutual));

    // Reconfirmed by the portal: no longer « à reconfirmer » (it was last updated
    // in 2023), in the other side's suggestions as in its fiche.
    let stale = |list: &[pb::Suggestion]| list[position(list, MARSEILLE).unwrap()].stale;
    assert!(stale(&server.suggest(&liked, 200).await));
    let denied = server
        .fiches(PORTAL)
        .reconfirm_fiche(pb::ReconfirmFicheRequest {
            fiche_id: LYON.into(),
            note: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (denied.code(), field_of(&denied).as_str()),
        (Code::PermissionDenied, "fiche_id")
    );
    let reconfirmed = server
        .fiches(PORTAL)
        .reconfirm_fiche(pb::ReconfirmFicheRequest {
            fiche_id: MARSEILLE.into(),
            note: "rien n'a changé".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .reconfirmation
        .unwrap();
    assert!(!stale(&server.suggest(&liked, 200).await));
    let fiche = server
        .fiches(STAFF)
        .get_fiche(pb::GetFicheRequest {
            id: MARSEILLE.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .fiche
        .unwrap();
    assert_eq!(fiche.updated_at.as_deref(), Some(reconfirmed.at.as_str()));

    // Everything is still there after a restart on the same directory.
    let server = Server::on(server.stop().await).await;
    let after = server.suggest(MARSEILLE, 50).await;
    assert_eq!(position(&after, &declined), None);
    let rank = position(&after, &liked).unwrap();
    assert!(after[rank].interest.as_ref().unwrap().french);
    assert_eq!(server.mutual(STAFF, None).await.unwrap().len(), 1);
    let history = server
        .reviews(STAFF)
        .list_decisions(pb::ListDecisionsRequest {
            fiche_id: MARSEILLE.into(),
            partner_id: None,
        })
        .await
        .unwrap()
        .into_inner();
    let kinds: Vec<i32> = history.interests.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            pb::InterestKind::NotInterested as i32,
            pb::InterestKind::Interested as i32,
            pb::InterestKind::Interested as i32
        ]
    );
    assert_eq!(history.reconfirmations.len(), 1);
    assert_eq!(history.reconfirmations[0].note, "rien n'a changé");
    assert!(!stale(&server.suggest(&liked, 200).await));
    server.stop().await;
}
