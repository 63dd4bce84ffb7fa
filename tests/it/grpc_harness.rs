//! What the hardening tests of the gRPC server share: a server on a copy of the
//! committed sample with a token of each role (and a portal acting for many fiches
//! through an id prefix), typed clients, raw clients that send any bytes as a
//! request, and the liveness probe that health and `GetFiche` keep answering.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use passerelle::server::{self, Caller, Grant, Role, ServerConfig, State, StateOptions, Tokens};
use passerelle_engine::fiche::FicheId;
use passerelle_proto::v1 as pb;
use pb::batch_service_client::BatchServiceClient;
use pb::fiche_service_client::FicheServiceClient;
use pb::match_service_client::MatchServiceClient;
use pb::review_service_client::ReviewServiceClient;
use tokio::sync::oneshot;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic::{Request, Status};
use tonic_prost::prost::bytes::{Buf, BufMut};

pub(crate) use super::grpc::{ADMIN, Authed, PORTAL, STAFF, bearer, field_of};

/// A portal acting for every fiche whose id starts with `FR-COM-31` (Toulouse…).
pub(crate) const PORTAL_31: &str = "portal-31-token-0123456789";
/// A French fiche of the sample with contact data; [`PORTAL`] speaks for it.
pub(crate) const MARSEILLE: &str = "FR-COM-13055";
/// A French fiche under [`PORTAL_31`]'s prefix.
pub(crate) const TOULOUSE: &str = "FR-COM-31555";
/// Another French fiche, which no portal speaks for.
pub(crate) const LYON: &str = "FR-COM-69123";

pub(crate) fn tokens() -> Tokens {
    let caller = |name: &str, role, fiches: Vec<Grant>| Caller {
        name: name.to_owned(),
        role,
        fiches,
    };
    let marseille = Grant::Fiche(FicheId::parse(MARSEILLE).unwrap());
    Tokens::new([
        (
            PORTAL.to_owned(),
            caller("portail", Role::Portal, vec![marseille]),
        ),
        (
            PORTAL_31.to_owned(),
            caller(
                "portail-31",
                Role::Portal,
                vec![Grant::Prefix("FR-COM-31".into())],
            ),
        ),
        (STAFF.to_owned(), caller("dctciv", Role::Staff, Vec::new())),
        (ADMIN.to_owned(), caller("admin", Role::Admin, Vec::new())),
    ])
}

pub(crate) struct Harness {
    pub(crate) channel: Channel,
    pub(crate) state: Arc<State>,
    addr: std::net::SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// A server on a fresh copy of the sample.
    pub(crate) async fn start() -> Harness {
        Harness::with(|_| ()).await
    }

    /// A server on the sample, its configuration adjusted by `configure`.
    pub(crate) async fn with(configure: impl FnOnce(&mut ServerConfig)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        let state = tokio::task::spawn_blocking(move || {
            passerelle_tests::store_sample(&path);
            let options = StateOptions {
                today: Some("2026-09-01".parse().unwrap()),
                threads: 2,
                writer: None,
                ..StateOptions::default()
            };
            Arc::new(State::load(&path, &options).unwrap())
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let mut config = ServerConfig::new(tokens());
        configure(&mut config);
        let task = tokio::spawn(server::serve(listener, state.clone(), config, async {
            let _ = rx.await;
        }));
        Harness {
            channel: connect(addr).await,
            state,
            addr,
            shutdown: Some(tx),
            task,
            _dir: dir,
        }
    }

    /// A channel of its own (another connection).
    pub(crate) async fn connect(&self) -> Channel {
        connect(self.addr).await
    }

    pub(crate) fn fiches(&self, token: &'static str) -> FicheServiceClient<Authed> {
        FicheServiceClient::with_interceptor(self.channel.clone(), bearer(token))
            .max_encoding_message_size(64 << 20)
    }

    pub(crate) fn matches(&self, token: &'static str) -> MatchServiceClient<Authed> {
        MatchServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    pub(crate) fn reviews(&self, token: &'static str) -> ReviewServiceClient<Authed> {
        ReviewServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    pub(crate) fn batches(&self, token: &'static str) -> BatchServiceClient<Authed> {
        BatchServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    /// Sends `body` as the request of `method` (`/passerelle.v1.FicheService/GetFiche`),
    /// whatever it holds; the answer's bytes, undecoded.
    pub(crate) async fn raw(
        &self,
        token: &str,
        method: &'static str,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, Status> {
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        grpc.ready()
            .await
            .map_err(|e| Status::unknown(e.to_string()))?;
        let request = authed(Request::new(body), token);
        let response = grpc
            .unary(request, PathAndQuery::from_static(method), RawCodec)
            .await?;
        Ok(response.into_inner())
    }

    /// Sends `messages` as a client stream of `method`, whatever they hold.
    pub(crate) async fn raw_stream(
        &self,
        token: &str,
        method: &'static str,
        messages: Vec<Vec<u8>>,
    ) -> Result<Vec<u8>, Status> {
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        grpc.ready()
            .await
            .map_err(|e| Status::unknown(e.to_string()))?;
        let request = authed(Request::new(tokio_stream::iter(messages)), token);
        let response = grpc
            .client_streaming(request, PathAndQuery::from_static(method), RawCodec)
            .await?;
        Ok(response.into_inner())
    }

    /// Stops the server; it must return (the grace period bounds it).
    pub(crate) async fn stop(mut self) {
        self.shutdown.take().unwrap().send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

async fn connect(addr: std::net::SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

pub(crate) fn authed<T>(mut request: Request<T>, token: &str) -> Request<T> {
    if !token.is_empty() {
        let value = MetadataValue::try_from(format!("Bearer {token}")).unwrap();
        request.metadata_mut().insert("authorization", value);
    }
    request
}

/// Request and response bodies as bytes, whatever they hold.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }

    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let bytes = buf.copy_to_bytes(buf.remaining());
        Ok(Some(bytes.to_vec()))
    }
}

/// Calls health and `GetFiche` over a connection of their own, again and again,
/// each with a 1 s deadline, until stopped; then says how they fared.
pub(crate) struct Probe {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<ProbeReport>,
}

#[derive(Debug, Default)]
pub(crate) struct ProbeReport {
    pub(crate) calls: usize,
    pub(crate) failures: Vec<String>,
    pub(crate) slowest: Duration,
}

/// The bound the issue sets on health and `GetFiche` during bad input.
pub(crate) const LIVENESS: Duration = Duration::from_secs(1);

impl Probe {
    pub(crate) async fn start(harness: &Harness, id: &'static str) -> Probe {
        use tonic_health::pb::HealthCheckRequest;
        use tonic_health::pb::health_client::HealthClient;
        let channel = harness.connect().await;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let mut health = HealthClient::new(channel.clone());
            let mut fiches = FicheServiceClient::with_interceptor(channel, bearer(STAFF));
            let mut report = ProbeReport::default();
            while !stopped.load(Ordering::Relaxed) {
                let started = Instant::now();
                let mut check = Request::new(HealthCheckRequest {
                    service: String::new(),
                });
                check.set_timeout(LIVENESS);
                let healthy = tokio::time::timeout(LIVENESS, health.check(check)).await;
                let mut get = Request::new(pb::GetFicheRequest { id: id.to_owned() });
                get.set_timeout(LIVENESS);
                let got = tokio::time::timeout(LIVENESS, fiches.get_fiche(get)).await;
                report.calls += 1;
                report.slowest = report.slowest.max(started.elapsed());
                if !matches!(healthy, Ok(Ok(_))) {
                    report.failures.push(format!("health: {healthy:?}"));
                }
                if !matches!(got, Ok(Ok(_))) {
                    report.failures.push(format!("GetFiche: {got:?}"));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            report
        });
        Probe { stop, task }
    }

    pub(crate) async fn finish(self) -> ProbeReport {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap()
    }
}
