//! The gRPC server: `passerelle.v1` FicheService, MatchService, ReviewService and
//! BatchService, `grpc.health.v1` and server reflection (v1 and v1alpha).
//!
//! Handlers only check the caller's role, bound the request's strings ([`bounds`]),
//! convert ([`convert`]) and run the engine's blocking work off the async runtime
//! ([`cancel::blocking`], abandoned when the call is gone); engine errors become
//! statuses in one place ([`status::from_engine`]), and the statuses tonic makes about
//! undecodable or oversized requests get their conventional codes ([`wire`]).
//!
//! Shutdown: when `shutdown` completes, health turns NOT_SERVING, no connection is
//! accepted, progress streams (`WatchBatch`) end with UNAVAILABLE, and calls in flight
//! get [`ServerConfig::shutdown_grace`] to finish; then [`serve`] returns whatever is
//! still running (the binary then ends its runtime without waiting for blocking
//! work: a batch run left running is marked failed at the next start).

pub mod auth;
pub mod batch_runner;
pub mod batch_service;
pub mod bounds;
pub mod cancel;
pub mod config;
pub mod convert;
pub mod convert_batch;
pub mod convert_fiche;
pub mod convert_interest;
pub mod fiche_service;
pub mod interest_service;
pub mod match_service;
pub mod registry_lock;
pub mod review_service;
pub mod state;
pub mod status;
pub mod wire;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use passerelle_proto::v1::batch_service_server::BatchServiceServer;
use passerelle_proto::v1::fiche_service_server::FicheServiceServer;
use passerelle_proto::v1::interest_service_server::InterestServiceServer;
use passerelle_proto::v1::match_service_server::MatchServiceServer;
use passerelle_proto::v1::review_service_server::ReviewServiceServer;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic::{Code, Status};

pub(crate) use cancel::blocking;

pub use auth::{Caller, Grant, Role, Tokens};
pub use passerelle_engine::CorpusOptions as StateOptions;
pub use state::State;

use auth::Auth;
use batch_service::BatchApi;
use fiche_service::FicheApi;
use interest_service::InterestApi;
use match_service::MatchApi;
use review_service::ReviewApi;

/// Default bound on a decoded request message (a batch of up to 1000 fiches).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
/// Default time calls in flight get to finish after shutdown begins.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How the server runs (beyond its state).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub tokens: Tokens,
    /// PEM certificate chain and private key, to serve TLS.
    pub tls: Option<(Vec<u8>, Vec<u8>)>,
    pub max_message_bytes: usize,
    /// Upper bound on any call's duration (clients' `grpc-timeout` applies too).
    pub request_timeout: Option<Duration>,
    /// After shutdown begins, how long calls in flight may still run.
    pub shutdown_grace: Duration,
    /// The staff web console served beside the gRPC services (`tls` is set from
    /// `tls` above).
    pub console: crate::console::ConsoleConfig,
}

impl ServerConfig {
    pub fn new(tokens: Tokens) -> ServerConfig {
        ServerConfig {
            tokens,
            tls: None,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            request_timeout: None,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            console: crate::console::ConsoleConfig::default(),
        }
    }
}

/// Serves on `listener` until `shutdown` completes; then stops accepting, ends the
/// progress streams, lets the calls in flight finish within the configured grace
/// period and returns. Health reports NOT_SERVING from the moment shutdown begins.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<FicheServiceServer<FicheApi>>()
        .await;
    health_reporter
        .set_serving::<MatchServiceServer<MatchApi>>()
        .await;
    health_reporter
        .set_serving::<ReviewServiceServer<ReviewApi>>()
        .await;
    health_reporter
        .set_serving::<BatchServiceServer<BatchApi>>()
        .await;
    health_reporter
        .set_serving::<InterestServiceServer<InterestApi>>()
        .await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(passerelle_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;
    let auth = Auth(config.tokens.clone());
    let limit = config.max_message_bytes;
    let fiches = FicheServiceServer::new(FicheApi {
        state: state.clone(),
    })
    .max_decoding_message_size(limit);
    let matches = MatchServiceServer::new(MatchApi {
        state: state.clone(),
    })
    .max_decoding_message_size(limit);
    let reviews = ReviewServiceServer::new(ReviewApi {
        state: state.clone(),
    })
    .max_decoding_message_size(limit);
    let interests = InterestServiceServer::new(InterestApi {
        state: state.clone(),
    })
    .max_decoding_message_size(limit);
    let (stopping, stopped) = watch::channel(false);
    let batches = BatchServiceServer::new(BatchApi {
        state: state.clone(),
        stopping: stopped.clone(),
    })
    .max_decoding_message_size(limit);
    let console = crate::console::router(
        state.clone(),
        config.tokens.clone(),
        crate::console::ConsoleConfig {
            tls: config.tls.is_some(),
            ..config.console.clone()
        },
    );
    // Browsers speak HTTP/1.1 to the console; gRPC clients keep HTTP/2.
    let mut builder = Server::builder().accept_http1(true);
    if let Some((cert, key)) = &config.tls {
        builder =
            builder.tls_config(ServerTlsConfig::new().identity(Identity::from_pem(cert, key)))?;
    }
    if let Some(timeout) = config.request_timeout {
        builder = builder.timeout(timeout);
    }
    // A client that vanished without closing (a cut network) is noticed, and its
    // calls dropped, within keepalive interval + timeout.
    builder = builder
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .http2_keepalive_timeout(Some(Duration::from_secs(10)));
    let reporter = health_reporter.clone();
    let shutdown = async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, finishing calls in flight");
        for service in [
            "",
            "passerelle.v1.FicheService",
            "passerelle.v1.MatchService",
            "passerelle.v1.ReviewService",
            "passerelle.v1.BatchService",
            "passerelle.v1.InterestService",
        ] {
            reporter
                .set_service_status(service, tonic_health::ServingStatus::NotServing)
                .await;
        }
        // Progress streams would keep their connections open for as long as a run.
        let _ = stopping.send(true);
    };
    metrics::gauge!("passerelle_fiches").set(state.corpus().count().unwrap_or(0) as f64);
    // Without TCP_NODELAY, small responses wait for delayed ACKs (~40 ms a call).
    let incoming = TcpIncoming::from(listener)
        .with_nodelay(Some(true))
        .with_keepalive(Some(Duration::from_secs(60)));
    let server = builder
        .layer(wire::layer())
        .add_routes(tonic::service::Routes::from(console))
        .add_service(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(InterceptedService::new(fiches, auth.clone()))
        .add_service(InterceptedService::new(matches, auth.clone()))
        .add_service(InterceptedService::new(reviews, auth.clone()))
        .add_service(InterceptedService::new(interests, auth.clone()))
        .add_service(InterceptedService::new(batches, auth))
        .serve_with_incoming_shutdown(incoming, shutdown);
    let grace = config.shutdown_grace;
    let mut began = stopped;
    let grace_over = async move {
        if began.wait_for(|stopping| *stopping).await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = server => served?,
        () = grace_over => tracing::warn!(
            grace_secs = grace.as_secs_f64(),
            "calls still in flight at the end of the grace period: abandoned"
        ),
    }
    tracing::info!("server stopped");
    Ok(())
}

pub(crate) fn engine_err(error: passerelle_engine::Error) -> Status {
    status::from_engine(error)
}

/// Times a call, counts it by method and code, and logs it (never its payload).
pub(crate) async fn metered<T>(
    method: &'static str,
    call: impl Future<Output = Result<T, Status>>,
) -> Result<T, Status> {
    let started = Instant::now();
    let result = call.await;
    let elapsed = started.elapsed();
    let code = match &result {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    };
    let code_name = format!("{code:?}");
    metrics::counter!("passerelle_grpc_requests_total", "method" => method, "code" => code_name.clone())
        .increment(1);
    metrics::histogram!("passerelle_grpc_request_duration_seconds", "method" => method)
        .record(elapsed.as_secs_f64());
    if code != Code::Ok {
        metrics::counter!("passerelle_grpc_errors_total", "method" => method, "code" => code_name.clone())
            .increment(1);
    }
    match &result {
        Err(status) if matches!(code, Code::Internal | Code::DataLoss | Code::Unknown) => {
            tracing::error!(method, code = %code_name, ms = elapsed.as_millis() as u64, message = status.message(), "call failed");
        }
        _ => tracing::info!(method, code = %code_name, ms = elapsed.as_millis() as u64, "call"),
    }
    result
}
