//! The gRPC service, end to end: an in-process server on `127.0.0.1:0` over a temp
//! data directory holding the committed sample, driven by tonic clients with each
//! role's token.

use std::collections::HashSet;
use std::sync::Arc;

use passerelle::server::{self, Caller, Grant, Role, ServerConfig, State, StateOptions, Tokens};
use passerelle_engine::fiche::FicheId;
use passerelle_proto::v1 as pb;
use pb::fiche_service_client::FicheServiceClient;
use pb::match_service_client::MatchServiceClient;
use pb::review_service_client::ReviewServiceClient;
use tokio::sync::oneshot;
use tonic::metadata::MetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};
use tonic::{Code, Request, Status};

pub(crate) const PORTAL: &str = "portal-token-0123456789";
pub(crate) const STAFF: &str = "staff-token-0123456789";
pub(crate) const ADMIN: &str = "admin-token-0123456789";
/// A French fiche of the sample with contact data; the portal token speaks for it.
const MARSEILLE: &str = "FR-COM-13055";
const TOULOUSE: &str = "FR-COM-31555";

struct TestServer {
    channel: Channel,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

pub(crate) fn tokens() -> Tokens {
    let caller = |name: &str, role, fiches: &[&str]| Caller {
        name: name.to_owned(),
        role,
        fiches: fiches
            .iter()
            .map(|id| Grant::Fiche(FicheId::parse(id).unwrap()))
            .collect(),
    };
    Tokens::new([
        (
            PORTAL.to_owned(),
            caller("portail", Role::Portal, &[MARSEILLE]),
        ),
        (STAFF.to_owned(), caller("dctciv", Role::Staff, &[])),
        (ADMIN.to_owned(), caller("admin", Role::Admin, &[])),
    ])
}

/// A server on the sample.
async fn start() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    tokio::task::spawn_blocking(move || passerelle_tests::store_sample(&path))
        .await
        .unwrap();
    start_on(dir, None).await
}

/// A server on an existing data directory, over TLS when given a certificate chain,
/// a key and the CA to trust.
async fn start_on(dir: tempfile::TempDir, tls: Option<(Vec<u8>, Vec<u8>, Vec<u8>)>) -> TestServer {
    let path = dir.path().to_owned();
    let state = tokio::task::spawn_blocking(move || {
        let options = StateOptions {
            today: Some("2026-09-01".parse().unwrap()),
            threads: 2,
            writer: None,
            ..StateOptions::default()
        };
        State::load(&path, &options).unwrap()
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let mut config = ServerConfig::new(tokens());
    config.tls = tls
        .as_ref()
        .map(|(cert, key, _)| (cert.clone(), key.clone()));
    let task = tokio::spawn(server::serve(listener, Arc::new(state), config, async {
        let _ = rx.await;
    }));
    let channel = match tls {
        None => Channel::from_shared(format!("http://{addr}")).unwrap(),
        Some((_, _, ca)) => {
            let tls = ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(ca))
                .domain_name("localhost");
            let endpoint = Channel::from_shared(format!("https://{addr}")).unwrap();
            endpoint.tls_config(tls).unwrap()
        }
    };
    let channel = channel.connect().await.unwrap();
    TestServer {
        channel,
        shutdown: Some(tx),
        task,
        _dir: dir,
    }
}

pub(crate) type Auth = Box<dyn FnMut(Request<()>) -> Result<Request<()>, Status> + Send>;
pub(crate) type Authed = InterceptedService<Channel, Auth>;

pub(crate) fn bearer(token: &'static str) -> Auth {
    Box::new(move |mut request: Request<()>| {
        let value = MetadataValue::try_from(format!("Bearer {token}")).unwrap();
        request.metadata_mut().insert("authorization", value);
        Ok(request)
    })
}

impl TestServer {
    fn fiches(&self, token: &'static str) -> FicheServiceClient<Authed> {
        FicheServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    fn matches(&self, token: &'static str) -> MatchServiceClient<Authed> {
        MatchServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    fn reviews(&self, token: &'static str) -> ReviewServiceClient<Authed> {
        ReviewServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    /// Stops the server gracefully and gives its data directory back.
    async fn stop(mut self) -> tempfile::TempDir {
        self.shutdown.take().unwrap().send(()).unwrap();
        self.task.await.unwrap().unwrap();
        self._dir
    }
}

fn by_id(id: &str) -> Option<pb::FicheRef> {
    Some(pb::FicheRef {
        r#ref: Some(pb::fiche_ref::Ref::Id(id.to_owned())),
        country: None,
    })
}

async fn suggest_ids(server: &TestServer, id: &str, k: u32) -> Vec<String> {
    let request = pb::SuggestRequest {
        fiche: by_id(id),
        k,
        ..Default::default()
    };
    let response = server.matches(PORTAL).suggest(request).await.unwrap();
    response
        .into_inner()
        .suggestions
        .into_iter()
        .map(|s| s.id)
        .collect()
}

async fn get(server: &TestServer, token: &'static str, id: &str) -> Result<pb::Fiche, Status> {
    let request = pb::GetFicheRequest { id: id.to_owned() };
    let response = server.fiches(token).get_fiche(request).await?;
    Ok(response.into_inner().fiche.unwrap())
}

pub(crate) fn field_of(status: &Status) -> String {
    status
        .metadata()
        .get(server::status::FIELD_METADATA)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_reflection_need_no_token() {
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};
    let server = start().await;
    let mut health = HealthClient::new(server.channel.clone());
    for service in [
        "",
        "passerelle.v1.FicheService",
        "passerelle.v1.ReviewService",
    ] {
        let request = HealthCheckRequest {
            service: service.into(),
        };
        let status = health.check(request).await.unwrap().into_inner().status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service:?}");
    }

    use tonic_reflection::pb::v1 as r;
    let mut reflection =
        r::server_reflection_client::ServerReflectionClient::new(server.channel.clone());
    let request = r::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(r::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().unwrap();
    let Some(r::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        response.message_response
    else {
        panic!("not a service list: {response:?}");
    };
    let names: HashSet<String> = list.service.into_iter().map(|s| s.name).collect();
    for name in [
        "passerelle.v1.FicheService",
        "passerelle.v1.MatchService",
        "passerelle.v1.ReviewService",
        "passerelle.v1.BatchService",
        "grpc.health.v1.Health",
    ] {
        assert!(names.contains(name), "{name} missing from {names:?}");
    }

    // v1alpha too, and the health descriptor is there to describe.
    use tonic_reflection::pb::v1alpha as ra;
    let mut alpha =
        ra::server_reflection_client::ServerReflectionClient::new(server.channel.clone());
    let request = ra::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            ra::server_reflection_request::MessageRequest::FileContainingSymbol(
                "grpc.health.v1.Health".into(),
            ),
        ),
    };
    let mut responses = alpha
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().unwrap();
    assert!(
        matches!(
            response.message_response,
            Some(ra::server_reflection_response::MessageResponse::FileDescriptorResponse(_))
        ),
        "{response:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_roles_are_enforced() {
    let server = start().await;
    let mut anonymous = FicheServiceClient::new(server.channel.clone());
    let request = pb::GetFicheRequest {
        id: MARSEILLE.into(),
    };
    let error = anonymous.get_fiche(request).await.unwrap_err();
    assert_eq!(error.code(), Code::Unauthenticated);
    let mut wrong = FicheServiceClient::with_interceptor(
        server.channel.clone(),
        bearer("not-a-token-of-this-server"),
    );
    let request = pb::GetFicheRequest {
        id: MARSEILLE.into(),
    };
    assert_eq!(
        wrong.get_fiche(request).await.unwrap_err().code(),
        Code::Unauthenticated
    );

    // Portal: no review, no delete.
    let decision = pb::RecordDecisionRequest {
        fiche_a: MARSEILLE.into(),
        fiche_b: TOULOUSE.into(),
        kind: pb::DecisionKind::Shortlist as i32,
        ..Default::default()
    };
    let denied = server
        .reviews(PORTAL)
        .record_decision(decision.clone())
        .await;
    assert_eq!(denied.unwrap_err().code(), Code::PermissionDenied);
    let queue = server
        .reviews(PORTAL)
        .review_queue(pb::ReviewQueueRequest::default())
        .await;
    assert_eq!(queue.unwrap_err().code(), Code::PermissionDenied);
    let list = pb::ListDecisionsRequest {
        fiche_id: MARSEILLE.into(),
        partner_id: None,
    };
    let listed = server.reviews(PORTAL).list_decisions(list).await;
    assert_eq!(listed.unwrap_err().code(), Code::PermissionDenied);
    let delete = pb::DeleteFicheRequest {
        id: TOULOUSE.into(),
    };
    let deleted = server.fiches(PORTAL).delete_fiche(delete.clone()).await;
    assert_eq!(deleted.unwrap_err().code(), Code::PermissionDenied);
    // Staff: review yes, delete no.
    let deleted = server.fiches(STAFF).delete_fiche(delete.clone()).await;
    assert_eq!(deleted.unwrap_err().code(), Code::PermissionDenied);
    assert!(get(&server, STAFF, TOULOUSE).await.is_ok());
    // Admin deletes: gone everywhere.
    server
        .fiches(ADMIN)
        .delete_fiche(delete.clone())
        .await
        .unwrap();
    let gone = get(&server, STAFF, TOULOUSE).await.unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
    let again = server.fiches(ADMIN).delete_fiche(delete).await.unwrap_err();
    assert_eq!(again.code(), Code::NotFound);
    let request = pb::SuggestRequest {
        fiche: by_id(TOULOUSE),
        ..Default::default()
    };
    let suggest = server.matches(PORTAL).suggest(request).await.unwrap_err();
    assert_eq!(suggest.code(), Code::NotFound);
    let lookup = pb::LookupByNameRequest {
        name: "Toulouse".into(),
        country: Some("FR".into()),
        limit: 5,
    };
    let hits = server.fiches(PORTAL).lookup_by_name(lookup).await.unwrap();
    assert!(hits.into_inner().hits.iter().all(|h| h.id != TOULOUSE));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_data_only_for_staff_and_own_fiches() {
    let server = start().await;
    // Staff sees every contact; the portal only that of the fiches it speaks for.
    assert!(
        get(&server, STAFF, TOULOUSE)
            .await
            .unwrap()
            .contact
            .is_some()
    );
    assert!(
        get(&server, ADMIN, TOULOUSE)
            .await
            .unwrap()
            .contact
            .is_some()
    );
    let seen_by_portal = get(&server, PORTAL, TOULOUSE).await.unwrap();
    assert!(seen_by_portal.contact.is_none());
    assert_eq!(seen_by_portal.name, "Toulouse");
    assert!(
        get(&server, PORTAL, MARSEILLE)
            .await
            .unwrap()
            .contact
            .is_some()
    );
    server.stop().await;
}

/// A copy of an existing fiche under a new id and name.
fn renamed(fiche: &pb::Fiche, id: &str, name: &str) -> pb::Fiche {
    let mut copy = fiche.clone();
    copy.id = id.to_owned();
    copy.name = name.to_owned();
    copy.alt_names.clear();
    copy.partnerships.clear();
    copy
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upserted_fiche_is_suggested_found_and_looked_up_at_once() {
    let server = start().await;
    let top = suggest_ids(&server, MARSEILLE, 5).await;
    assert!(!top.is_empty());
    let model = get(&server, STAFF, &top[0]).await.unwrap();
    let prefix = &top[0][..top[0].find('-').unwrap()];
    let new_id = format!("{prefix}-COM-ZZTEST1");
    let fiche = renamed(&model, &new_id, "Quetzalville");
    let request = pb::UpsertFichesRequest {
        fiches: vec![fiche],
        atomic: false,
    };
    let response = server.fiches(STAFF).upsert_fiches(request).await.unwrap();
    let response = response.into_inner();
    assert_eq!(
        (response.written, response.rejected),
        (1, 0),
        "{response:?}"
    );
    assert!(response.results[0].ok);

    let suggested = suggest_ids(&server, MARSEILLE, 10).await;
    assert!(suggested.contains(&new_id), "{new_id} not in {suggested:?}");
    assert_eq!(
        get(&server, PORTAL, &new_id).await.unwrap().name,
        "Quetzalville"
    );
    let search = pb::SearchFichesRequest {
        text: "Quetzalville".into(),
        ..Default::default()
    };
    let hits = server.fiches(PORTAL).search_fiches(search).await.unwrap();
    assert_eq!(hits.into_inner().hits[0].id, new_id);
    let lookup = pb::LookupByNameRequest {
        name: "quetzalvile".into(),
        country: None,
        limit: 3,
    };
    let hits = server.fiches(PORTAL).lookup_by_name(lookup).await.unwrap();
    assert_eq!(hits.into_inner().hits[0].id, new_id);
    // By name too.
    let request = pb::SuggestRequest {
        fiche: Some(pb::FicheRef {
            r#ref: Some(pb::fiche_ref::Ref::Name("Quetzalville".into())),
            country: None,
        }),
        k: 3,
        max_per_country: Some(1),
        ..Default::default()
    };
    let response = server
        .matches(PORTAL)
        .suggest(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.fiche_id, new_id);
    assert!(!response.suggestions.is_empty());
    let countries: HashSet<_> = response.suggestions.iter().map(|s| &s.country).collect();
    assert_eq!(
        countries.len(),
        response.suggestions.len(),
        "one per country"
    );
    let first = &response.suggestions[0];
    assert_eq!(first.breakdown.len(), 4);
    assert!(first.breakdown.iter().any(|b| !b.reasons.is_empty()));

    // Streaming upsert: two messages, one result per fiche.
    let one = renamed(&model, &format!("{prefix}-COM-ZZTEST2"), "Stream One");
    let mut two = renamed(&model, &format!("{prefix}-COM-ZZTEST3"), "Stream Two");
    let messages = vec![
        pb::UpsertFichesRequest {
            fiches: vec![one],
            atomic: false,
        },
        pb::UpsertFichesRequest {
            fiches: vec![two.clone()],
            atomic: false,
        },
    ];
    let response = server
        .fiches(STAFF)
        .upsert_fiches_stream(tokio_stream::iter(messages))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((response.written, response.results.len()), (2, 2));
    let search = pb::SearchFichesRequest {
        text: "stream".into(),
        ..Default::default()
    };
    let hits = server.fiches(PORTAL).search_fiches(search).await.unwrap();
    assert_eq!(hits.into_inner().hits.len(), 2);
    // A replacement is seen at once too.
    two.population = 1234;
    let request = pb::UpsertFichesRequest {
        fiches: vec![two.clone()],
        atomic: true,
    };
    server.fiches(STAFF).upsert_fiches(request).await.unwrap();
    assert_eq!(
        get(&server, PORTAL, &two.id).await.unwrap().population,
        1234
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_fiches_and_requests_name_the_field() {
    let server = start().await;
    let mut fiche = get(&server, STAFF, TOULOUSE).await.unwrap();
    fiche.location.as_mut().unwrap().lat = 95.0;
    let mut bad_theme = get(&server, STAFF, MARSEILLE).await.unwrap();
    bad_theme.themes[0].code = "plomberie".into();
    let request = pb::UpsertFichesRequest {
        fiches: vec![fiche.clone(), bad_theme],
        atomic: false,
    };
    let response = server.fiches(STAFF).upsert_fiches(request).await.unwrap();
    let response = response.into_inner();
    assert_eq!((response.written, response.rejected), (0, 2));
    assert_eq!(response.results[0].field, "location.lat");
    assert!(response.results[0].error.contains("95"), "{response:?}");
    assert_eq!(response.results[1].field, "themes[0].code");
    assert_eq!(
        get(&server, STAFF, TOULOUSE)
            .await
            .unwrap()
            .location
            .unwrap()
            .lat,
        43.60426,
        "unchanged"
    );

    let request = pb::UpsertFichesRequest {
        fiches: vec![fiche],
        atomic: true,
    };
    let error = server
        .fiches(STAFF)
        .upsert_fiches(request)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert_eq!(field_of(&error), "fiches[0].location.lat");
    assert!(
        error.message().contains("location.lat"),
        "{}",
        error.message()
    );

    let cases: Vec<(Status, &str)> = vec![
        (
            server
                .matches(PORTAL)
                .suggest(pb::SuggestRequest {
                    fiche: by_id(MARSEILLE),
                    k: 1001,
                    ..Default::default()
                })
                .await
                .unwrap_err(),
            "k",
        ),
        (
            server
                .matches(PORTAL)
                .suggest(pb::SuggestRequest {
                    fiche: by_id(MARSEILLE),
                    weights: Some(pb::Weights {
                        thematic: Some(-1.0),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .await
                .unwrap_err(),
            "weights.thematic",
        ),
        (
            server
                .fiches(PORTAL)
                .search_fiches(pb::SearchFichesRequest {
                    limit: 5000,
                    ..Default::default()
                })
                .await
                .unwrap_err(),
            "limit",
        ),
        (
            server
                .fiches(PORTAL)
                .search_fiches(pb::SearchFichesRequest {
                    filters: Some(pb::SearchFilters {
                        country: Some("XX".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .await
                .unwrap_err(),
            "filters.country",
        ),
        (
            server
                .fiches(PORTAL)
                .get_fiche(pb::GetFicheRequest {
                    id: "not an id".into(),
                })
                .await
                .unwrap_err(),
            "id",
        ),
        (
            server
                .reviews(STAFF)
                .record_decision(pb::RecordDecisionRequest {
                    fiche_a: MARSEILLE.into(),
                    fiche_b: TOULOUSE.into(),
                    kind: 0,
                    ..Default::default()
                })
                .await
                .unwrap_err(),
            "kind",
        ),
    ];
    for (status, field) in cases {
        assert_eq!(status.code(), Code::InvalidArgument, "{field}: {status:?}");
        assert_eq!(field_of(&status), field, "{status:?}");
    }

    let unknown = get(&server, PORTAL, "FR-COM-99999").await.unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    // Two fiches of the sample are called Hanoi: ambiguous, with the candidates.
    let request = pb::SuggestRequest {
        fiche: Some(pb::FicheRef {
            r#ref: Some(pb::fiche_ref::Ref::Name("Hanoi".into())),
            country: None,
        }),
        ..Default::default()
    };
    let ambiguous = server.matches(PORTAL).suggest(request).await.unwrap_err();
    assert_eq!(ambiguous.code(), Code::InvalidArgument, "{ambiguous:?}");
    assert_eq!(field_of(&ambiguous), "fiche.name", "{ambiguous:?}");
    assert!(ambiguous.message().contains("Hanoi"));

    // A pair of one side is never scored.
    let same_side = pb::ExplainPairRequest {
        a: by_id(MARSEILLE),
        b: by_id(TOULOUSE),
        weights: None,
    };
    let error = server
        .matches(PORTAL)
        .explain_pair(same_side)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument, "{error:?}");
    assert!(
        error.message().contains("toutes deux françaises"),
        "{error:?}"
    );
    server.stop().await;
}

fn by_name(name: &str) -> Option<pb::FicheRef> {
    Some(pb::FicheRef {
        r#ref: Some(pb::fiche_ref::Ref::Name(name.into())),
        country: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_corrected_by_fuzzy_matching_is_said_in_the_response() {
    let server = start().await;
    let suggest = |name: &str| pb::SuggestRequest {
        fiche: by_name(name),
        k: 1,
        ..Default::default()
    };
    let answer = server
        .matches(PORTAL)
        .suggest(suggest("Marseile"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.fiche_id, MARSEILLE);
    assert_eq!(answer.fiche_name, "Marseille");
    assert_eq!(answer.resolved_from.as_deref(), Some("Marseile"));
    let exact = server
        .matches(PORTAL)
        .suggest(suggest("marseille"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        exact.resolved_from, None,
        "case and accents are no correction"
    );
    let explained = server
        .matches(PORTAL)
        .explain_pair(pb::ExplainPairRequest {
            a: by_name("Toulouze"),
            b: by_name("Dakar"),
            weights: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(explained.a_resolved_from.as_deref(), Some("Toulouze"));
    assert_eq!(explained.b_resolved_from, None);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_pair_is_never_suggested_again() {
    let server = start().await;
    let top = suggest_ids(&server, MARSEILLE, 10).await;
    let partner = top[0].clone();
    let reject = pb::RecordDecisionRequest {
        fiche_a: partner.clone(),
        fiche_b: MARSEILLE.into(),
        kind: pb::DecisionKind::Reject as i32,
        note: "hors sujet".into(),
        reviewer: String::new(),
        reason: pb::DecisionReason::Theme as i32,
    };
    let recorded = server.reviews(STAFF).record_decision(reject).await.unwrap();
    let decision = recorded.into_inner().decision.unwrap();
    assert_eq!(decision.reviewer, "dctciv");
    assert_eq!(decision.reason, pb::DecisionReason::Theme as i32);
    assert!(decision.fiche_a < decision.fiche_b);
    assert!(!suggest_ids(&server, MARSEILLE, 50).await.contains(&partner));
    assert!(
        !suggest_ids(&server, &partner, 1000)
            .await
            .iter()
            .any(|id| id == MARSEILLE)
    );
    let explain = pb::ExplainPairRequest {
        a: by_id(MARSEILLE),
        b: by_id(&partner),
        weights: None,
    };
    let explained = server
        .matches(PORTAL)
        .explain_pair(explain)
        .await
        .unwrap()
        .into_inner();
    assert!(explained.exclusion.is_some());
    assert_eq!(explained.breakdown.len(), 4);

    // The command line reads the same decisions: it never suggests the pair either,
    // and its explanation says the pair was rejected.
    let cli = |args: &[&str]| {
        let data = server._dir.path().to_str().unwrap().to_owned();
        let argv = [&["passerelle", "--data-dir", &data][..], args].concat();
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        passerelle::cli::run_to(
            <passerelle::cli::Cli as clap::Parser>::try_parse_from(argv).unwrap(),
            &mut out,
            &mut notes,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    };
    let date = ["--date", "2026-09-01"];
    let suggested = cli(&[
        &["suggest", MARSEILLE, "-k", "50", "--format", "json"][..],
        &date,
    ]
    .concat());
    assert!(suggested.contains(&top[1]), "{suggested}");
    assert!(!suggested.contains(&partner), "{suggested}");
    let explained = cli(&[&["explain", MARSEILLE, &partner][..], &date].concat());
    assert!(
        explained.contains("jamais suggérée : paire rejetée par une décision de l'équipe"),
        "{explained}"
    );

    // A shortlist on the second: in the history, out of the queue.
    let second = top[1].clone();
    let shortlist = pb::RecordDecisionRequest {
        fiche_a: MARSEILLE.into(),
        fiche_b: second.clone(),
        kind: pb::DecisionKind::Shortlist as i32,
        note: String::new(),
        reviewer: "Camille".into(),
        reason: 0,
    };
    server
        .reviews(STAFF)
        .record_decision(shortlist)
        .await
        .unwrap();
    let list = pb::ListDecisionsRequest {
        fiche_id: MARSEILLE.into(),
        partner_id: None,
    };
    let history = server
        .reviews(STAFF)
        .list_decisions(list)
        .await
        .unwrap()
        .into_inner();
    let kinds: Vec<i32> = history.decisions.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            pb::DecisionKind::Reject as i32,
            pb::DecisionKind::Shortlist as i32
        ]
    );
    let pair = pb::ListDecisionsRequest {
        fiche_id: second.clone(),
        partner_id: Some(MARSEILLE.into()),
    };
    let history = server
        .reviews(ADMIN)
        .list_decisions(pair)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.decisions.len(), 1);
    assert_eq!(history.decisions[0].reviewer, "Camille");

    let queue = pb::ReviewQueueRequest {
        region: Some("93".into()),
        per_fiche: 3,
        page_size: 100,
        ..Default::default()
    };
    let queue = server
        .reviews(STAFF)
        .review_queue(queue)
        .await
        .unwrap()
        .into_inner();
    assert!(!queue.items.is_empty());
    assert!(queue.items.iter().any(|i| i.fiche_id == MARSEILLE));
    for item in &queue.items {
        let partner_id = &item.partner.as_ref().unwrap().id;
        if item.fiche_id == MARSEILLE {
            assert!(
                partner_id != &partner && partner_id != &second,
                "decided pair in the queue"
            );
        }
    }
    let totals: Vec<f64> = queue
        .items
        .iter()
        .map(|i| i.partner.as_ref().unwrap().total)
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "ranked: {totals:?}"
    );
    // Paging.
    let first = pb::ReviewQueueRequest {
        page_size: 2,
        per_fiche: 1,
        ..Default::default()
    };
    let page = server
        .reviews(STAFF)
        .review_queue(first)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.next_page_token, "2");
    let bad = pb::ReviewQueueRequest {
        page_token: "nope".into(),
        ..Default::default()
    };
    let error = server.reviews(STAFF).review_queue(bad).await.unwrap_err();
    assert_eq!(field_of(&error), "page_token");
    // Decisions are durable: a restart on the same directory still vetoes the pair.
    let server = start_on(server.stop().await, None).await;
    assert!(!suggest_ids(&server, MARSEILLE, 50).await.contains(&partner));
    let list = pb::ListDecisionsRequest {
        fiche_id: MARSEILLE.into(),
        partner_id: None,
    };
    let history = server.reviews(STAFF).list_decisions(list).await.unwrap();
    assert_eq!(history.into_inner().decisions.len(), 2);
    server.stop().await;
}

/// Runs openssl; false when it is not installed.
fn openssl(dir: &std::path::Path, args: &[&str]) -> bool {
    let status = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(status) => {
            assert!(status.success(), "openssl {args:?} failed");
            true
        }
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_the_configured_certificate() {
    let pki = tempfile::tempdir().unwrap();
    let p = pki.path();
    let made = openssl(
        p,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Passerelle test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    ) && openssl(
        p,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    if !made {
        eprintln!("openssl is not installed: TLS test skipped");
        return;
    }
    std::fs::write(
        p.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    assert!(openssl(
        p,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.pem"
        ]
    ));
    let read = |name: &str| std::fs::read(p.join(name)).unwrap();
    let tls = (read("server.pem"), read("server.key"), read("ca.pem"));
    let server = start_on(tempfile::tempdir().unwrap(), Some(tls)).await;
    let fiche = get(&server, STAFF, MARSEILLE).await.unwrap_err();
    assert_eq!(fiche.code(), Code::NotFound, "an empty store, over TLS");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_write_is_searchable_at_once() {
    let server = start().await;
    let model = get(&server, STAFF, TOULOUSE).await.unwrap();
    let fiche = renamed(&model, "FR-COM-99998", "Backgroundville");
    let request = pb::UpsertFichesRequest {
        fiches: vec![fiche],
        atomic: true,
    };
    server.fiches(STAFF).upsert_fiches(request).await.unwrap();
    assert_eq!(
        get(&server, PORTAL, "FR-COM-99998").await.unwrap().name,
        "Backgroundville"
    );
    let search = pb::SearchFichesRequest {
        text: "Backgroundville".into(),
        ..Default::default()
    };
    let hits = server
        .fiches(PORTAL)
        .search_fiches(search)
        .await
        .unwrap()
        .into_inner()
        .hits;
    assert_eq!(hits.first().map(|h| h.id.as_str()), Some("FR-COM-99998"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_honours_the_callers_deadline() {
    let server = start().await;
    let mut request = Request::new(pb::ReviewQueueRequest {
        page_size: 100,
        per_fiche: 20,
        ..Default::default()
    });
    // Sent as `grpc-timeout`; the channel itself has no timeout, so the server
    // is the one that gives up.
    request.set_timeout(std::time::Duration::from_micros(1));
    let error = server
        .reviews(STAFF)
        .review_queue(request)
        .await
        .unwrap_err();
    assert!(
        matches!(error.code(), Code::Cancelled | Code::DeadlineExceeded),
        "{error:?}"
    );
    server.stop().await;
}

#[test]
fn serve_refuses_a_bad_configuration_with_a_clear_error() {
    use clap::Parser;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("passerelle.toml");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "passerelle",
            "--data-dir",
            data.to_str().unwrap(),
            "serve",
            "--empty",
        ];
        args.extend_from_slice(extra);
        let cli = passerelle::cli::Cli::try_parse_from(args).unwrap();
        format!("{:#}", passerelle::cli::run(cli).unwrap_err())
    };
    let config_arg = config.to_str().unwrap();
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nport = 3\n").unwrap();
    assert!(run(&["--config", config_arg]).contains("port"));
    std::fs::write(
        &config,
        "[[tokens]]\nname = \"p\"\ntoken = \"short\"\nrole = \"portal\"\n",
    )
    .unwrap();
    assert!(run(&["--config", config_arg]).contains("at least 16 characters"));
    std::fs::write(
        &config,
        "[[tokens]]\nname = \"p\"\ntoken = \"0123456789abcdef\"\nrole = \"king\"\n",
    )
    .unwrap();
    assert!(run(&["--config", config_arg]).contains("bad configuration"));
    std::fs::write(
        &config,
        "[[tokens]]\nname = \"p\"\ntoken = \"0123456789abcdef\"\nrole = \"staff\"\n[tls]\ncert = \"missing.pem\"\nkey = \"missing.key\"\n",
    )
    .unwrap();
    assert!(run(&["--config", config_arg]).contains("cannot read the TLS certificate"));
}

#[tokio::test]
async fn a_fiche_with_neither_offer_nor_request_is_kept_found_and_never_suggested() {
    let server = start().await;
    let top = suggest_ids(&server, MARSEILLE, 5).await;
    let mut fiche = renamed(
        &get(&server, STAFF, &top[0]).await.unwrap(),
        &format!("{}-COM-ZZIDENT", &top[0][..2]),
        "Identitéville",
    );
    (fiche.offer, fiche.request) = (None, None);
    let request = pb::UpsertFichesRequest {
        fiches: vec![fiche.clone()],
        atomic: true,
    };
    let response = server.fiches(STAFF).upsert_fiches(request).await.unwrap();
    assert_eq!(response.into_inner().written, 1);
    assert_eq!(
        get(&server, STAFF, &fiche.id).await.unwrap().name,
        "Identitéville"
    );
    let search = pb::SearchFichesRequest {
        text: "Identitéville".into(),
        ..Default::default()
    };
    let hits = server.fiches(PORTAL).search_fiches(search).await.unwrap();
    assert_eq!(hits.into_inner().hits[0].id, fiche.id);
    // Never suggested to anyone, and asking suggestions for it says why.
    assert!(
        !suggest_ids(&server, MARSEILLE, 1000)
            .await
            .contains(&fiche.id)
    );
    let request = pb::SuggestRequest {
        fiche: by_id(&fiche.id),
        ..Default::default()
    };
    let status = server.matches(PORTAL).suggest(request).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    assert!(
        status.message().contains("ni offre ni demande"),
        "{status:?}"
    );
    // k = 0 (unset) is the documented default, 10.
    assert_eq!(suggest_ids(&server, MARSEILLE, 0).await.len(), 10);
}
