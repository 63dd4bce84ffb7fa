//! Every write rpc with every role: what each token may write, and that a refused
//! write changes nothing. A portal token writes only the fiches it speaks for (its
//! `fiches`, or its `fiche_prefix`); a message naming any other is refused whole
//! with PERMISSION_DENIED naming `fiches[i].id`.

use passerelle_proto::v1 as pb;
use tonic::{Code, Request, Status};

use super::grpc_harness::{
    ADMIN, Harness, LYON, MARSEILLE, PORTAL, PORTAL_31, STAFF, TOULOUSE, authed, field_of,
};

/// Every way of calling: no token, then each role.
const ANONYMOUS: &str = "";

async fn fiche(h: &Harness, id: &str) -> pb::Fiche {
    let request = pb::GetFicheRequest { id: id.to_owned() };
    let response = h.fiches(STAFF).get_fiche(request).await.unwrap();
    response.into_inner().fiche.unwrap()
}

async fn population(h: &Harness, id: &str) -> u64 {
    fiche(h, id).await.population
}

/// `id`'s fiche with a new population (a mark that says whether a write happened).
async fn marked(h: &Harness, id: &str, mark: u64) -> pb::Fiche {
    let mut fiche = fiche(h, id).await;
    fiche.population = mark;
    fiche
}

async fn upsert(h: &Harness, token: &str, fiches: Vec<pb::Fiche>) -> Result<u32, Status> {
    let request = authed(
        Request::new(pb::UpsertFichesRequest {
            fiches,
            atomic: false,
        }),
        token,
    );
    let mut client = pb::fiche_service_client::FicheServiceClient::new(h.channel.clone());
    Ok(client.upsert_fiches(request).await?.into_inner().written)
}

async fn upsert_stream(
    h: &Harness,
    token: &str,
    messages: Vec<Vec<pb::Fiche>>,
) -> Result<u32, Status> {
    let messages: Vec<_> = messages
        .into_iter()
        .map(|fiches| pb::UpsertFichesRequest {
            fiches,
            atomic: false,
        })
        .collect();
    let request = authed(Request::new(tokio_stream::iter(messages)), token);
    let mut client = pb::fiche_service_client::FicheServiceClient::new(h.channel.clone());
    Ok(client
        .upsert_fiches_stream(request)
        .await?
        .into_inner()
        .written)
}

fn denied(result: Result<impl std::fmt::Debug, Status>, field: &str, what: &str) {
    let status = result.expect_err(what);
    assert_eq!(status.code(), Code::PermissionDenied, "{what}: {status:?}");
    assert_eq!(field_of(&status), field, "{what}: {status:?}");
}

fn code_of<T: std::fmt::Debug>(result: Result<T, Status>) -> Code {
    match result {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upserts_write_only_what_the_token_speaks_for() {
    let h = Harness::start().await;
    let before = population(&h, LYON).await;

    // No token, or one the server does not know: nothing at all.
    let anonymous = upsert(&h, ANONYMOUS, vec![marked(&h, MARSEILLE, 1).await]).await;
    assert_eq!(code_of(anonymous), Code::Unauthenticated);
    let unknown = upsert(
        &h,
        "not-a-token-0123456789",
        vec![marked(&h, LYON, 1).await],
    )
    .await;
    assert_eq!(code_of(unknown), Code::Unauthenticated);

    // The portal of Marseille writes Marseille…
    assert_eq!(
        upsert(&h, PORTAL, vec![marked(&h, MARSEILLE, 111).await])
            .await
            .unwrap(),
        1
    );
    assert_eq!(population(&h, MARSEILLE).await, 111);
    // …and nothing else: not Lyon, and not Marseille in a message naming Lyon too.
    denied(
        upsert(&h, PORTAL, vec![marked(&h, LYON, 2).await]).await,
        "fiches[0].id",
        "portal writes another fiche",
    );
    let both = vec![marked(&h, MARSEILLE, 222).await, marked(&h, LYON, 2).await];
    denied(
        upsert(&h, PORTAL, both).await,
        "fiches[1].id",
        "portal message naming another fiche",
    );
    assert_eq!(
        population(&h, MARSEILLE).await,
        111,
        "nothing of it written"
    );
    assert_eq!(population(&h, LYON).await, before);
    // A new fiche is no one's either.
    let mut new = marked(&h, MARSEILLE, 5).await;
    new.id = "FR-COM-13999".into();
    denied(
        upsert(&h, PORTAL, vec![new.clone()]).await,
        "fiches[0].id",
        "portal creates a fiche",
    );

    // The portal acting for FR-COM-31…: Toulouse and a new commune of the prefix.
    let mut new_31 = marked(&h, TOULOUSE, 7).await;
    new_31.id = "FR-COM-31999".into();
    new_31.name = "Nouvelle-Commune".into();
    new_31.alt_names.clear();
    new_31.partnerships.clear();
    let written = upsert(&h, PORTAL_31, vec![marked(&h, TOULOUSE, 333).await, new_31]).await;
    assert_eq!(written.unwrap(), 2);
    assert_eq!(population(&h, TOULOUSE).await, 333);
    denied(
        upsert(&h, PORTAL_31, vec![marked(&h, MARSEILLE, 3).await]).await,
        "fiches[0].id",
        "prefix portal writes outside its prefix",
    );

    // Staff and admin write every fiche.
    assert_eq!(
        upsert(&h, STAFF, vec![marked(&h, LYON, 444).await])
            .await
            .unwrap(),
        1
    );
    assert_eq!(upsert(&h, ADMIN, vec![new]).await.unwrap(), 1);
    assert_eq!(population(&h, LYON).await, 444);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_upserts_are_held_to_the_same_rule() {
    let h = Harness::start().await;
    let anonymous = upsert_stream(&h, ANONYMOUS, vec![vec![marked(&h, MARSEILLE, 9).await]]).await;
    assert_eq!(code_of(anonymous), Code::Unauthenticated);
    // Messages before the refused one stay written, as for an invalid atomic message;
    // the refused message writes nothing.
    let messages = vec![
        vec![marked(&h, MARSEILLE, 555).await],
        vec![marked(&h, MARSEILLE, 666).await, marked(&h, LYON, 6).await],
        vec![marked(&h, MARSEILLE, 777).await],
    ];
    denied(
        upsert_stream(&h, PORTAL, messages).await,
        "fiches[1].id",
        "portal stream naming another fiche",
    );
    assert_eq!(population(&h, MARSEILLE).await, 555);
    assert_ne!(population(&h, LYON).await, 6);
    let own = vec![vec![marked(&h, TOULOUSE, 888).await]];
    assert_eq!(upsert_stream(&h, PORTAL_31, own).await.unwrap(), 1);
    let any = vec![vec![marked(&h, LYON, 999).await]];
    assert_eq!(upsert_stream(&h, STAFF, any.clone()).await.unwrap(), 1);
    assert_eq!(upsert_stream(&h, ADMIN, any).await.unwrap(), 1);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_decisions_and_batch_runs_need_their_role() {
    let h = Harness::start().await;
    let delete = |token: &'static str, id: &str| {
        let request = authed(
            Request::new(pb::DeleteFicheRequest { id: id.into() }),
            token,
        );
        let mut client = pb::fiche_service_client::FicheServiceClient::new(h.channel.clone());
        async move { code_of(client.delete_fiche(request).await) }
    };
    assert_eq!(delete(ANONYMOUS, LYON).await, Code::Unauthenticated);
    // A portal deletes nothing, not even the fiche it speaks for.
    assert_eq!(delete(PORTAL, MARSEILLE).await, Code::PermissionDenied);
    assert_eq!(delete(PORTAL_31, TOULOUSE).await, Code::PermissionDenied);
    assert_eq!(delete(STAFF, LYON).await, Code::PermissionDenied);
    assert!(population(&h, LYON).await > 0, "still there");
    assert_eq!(delete(ADMIN, LYON).await, Code::Ok);

    let decide = |token: &'static str| {
        let request = authed(
            Request::new(pb::RecordDecisionRequest {
                fiche_a: MARSEILLE.into(),
                fiche_b: "BJ-COM-BJ-AK-BOU".into(),
                kind: pb::DecisionKind::Shortlist as i32,
                ..Default::default()
            }),
            token,
        );
        let mut client = pb::review_service_client::ReviewServiceClient::new(h.channel.clone());
        async move { code_of(client.record_decision(request).await) }
    };
    assert_eq!(decide(ANONYMOUS).await, Code::Unauthenticated);
    assert_eq!(decide(PORTAL).await, Code::PermissionDenied);
    assert_eq!(decide(PORTAL_31).await, Code::PermissionDenied);
    assert_eq!(decide(STAFF).await, Code::Ok);
    assert_eq!(decide(ADMIN).await, Code::Ok);
    let history = pb::ListDecisionsRequest {
        fiche_id: MARSEILLE.into(),
        partner_id: None,
    };
    let listed = h.reviews(STAFF).list_decisions(history).await.unwrap();
    assert_eq!(
        listed.into_inner().decisions.len(),
        2,
        "the refused ones left no trace"
    );

    let start = |token: &'static str| {
        let spec = pb::BatchSpec {
            french: format!("ids:{MARSEILLE}"),
            foreign: "country:BJ".into(),
            pairing: pb::BatchPairing::None as i32,
            ..Default::default()
        };
        let request = authed(
            Request::new(pb::StartBatchRequest { spec: Some(spec) }),
            token,
        );
        let mut client = pb::batch_service_client::BatchServiceClient::new(h.channel.clone());
        async move { client.start_batch(request).await }
    };
    assert_eq!(code_of(start(ANONYMOUS).await), Code::Unauthenticated);
    assert_eq!(code_of(start(PORTAL).await), Code::PermissionDenied);
    assert_eq!(code_of(start(PORTAL_31).await), Code::PermissionDenied);
    let run = start(STAFF).await.unwrap().into_inner().run.unwrap();
    assert_eq!(code_of(start(ADMIN).await), Code::Ok);
    let cancel = |token: &'static str| {
        let request = authed(
            Request::new(pb::CancelBatchRequest { run_id: run.run_id }),
            token,
        );
        let mut client = pb::batch_service_client::BatchServiceClient::new(h.channel.clone());
        async move { code_of(client.cancel_batch(request).await) }
    };
    assert_eq!(cancel(ANONYMOUS).await, Code::Unauthenticated);
    assert_eq!(cancel(PORTAL).await, Code::PermissionDenied);
    assert_eq!(cancel(PORTAL_31).await, Code::PermissionDenied);
    // Staff may cancel (the run may have finished already: then FAILED_PRECONDITION).
    assert!(matches!(
        cancel(STAFF).await,
        Code::Ok | Code::FailedPrecondition
    ));
    h.stop().await;
}
