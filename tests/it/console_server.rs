//! The console on the gRPC server's own port, over a real socket: a browser's
//! HTTP/1.1 request gets the console, gRPC clients keep HTTP/2, and a gRPC path the
//! server does not know still answers UNIMPLEMENTED (not an HTML 404).

use std::sync::Arc;

use passerelle::server::{self, ServerConfig, State, StateOptions};
use passerelle_proto::v1 as pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;

use crate::grpc::{STAFF, tokens};

/// A plain HTTP/1.1 exchange on a new connection; the whole response as text.
async fn http1(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// A unary gRPC call of any path, with an empty message.
async fn call_path(channel: Channel, path: &'static str) -> Result<(), tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let codec = tonic_prost::ProstCodec::<(), ()>::default();
    let mut request = tonic::Request::new(());
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {STAFF}").parse().unwrap());
    grpc.unary(request, PathAndQuery::from_static(path), codec)
        .await
        .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_and_grpc_clients_share_the_port() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let state = tokio::task::spawn_blocking(move || {
        passerelle_tests::store_sample(&path);
        State::load(
            &path,
            &StateOptions {
                today: Some("2026-09-01".parse().unwrap()),
                threads: 2,
                writer: None,
                ..StateOptions::default()
            },
        )
        .unwrap()
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(
        listener,
        Arc::new(state),
        ServerConfig::new(tokens()),
        async {
            let _ = stopped.await;
        },
    ));

    // A browser's first request: HTTP/1.1, no session, sent to the login page.
    let response = http1(
        addr,
        "GET /console/carte HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");
    assert!(
        response.contains("location: /console/connexion"),
        "{response}"
    );
    let response = http1(
        addr,
        "GET /console/connexion HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("content-security-policy: default-src 'self'"));
    assert!(response.contains("Connexion à la console"));

    // A login over HTTP/1.1, then the map with the cookie.
    let body = format!("jeton={STAFF}");
    let response = http1(
        addr,
        &format!(
            "POST /console/connexion HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");
    let cookie = response
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let response = http1(
        addr,
        &format!("GET /console/carte HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("Carte des fiches"));

    // gRPC on the same port: a known call works, unknown paths are UNIMPLEMENTED.
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let served = health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .unwrap();
    assert_eq!(served.into_inner().status, 1);
    for unknown in [
        "/passerelle.v1.FicheService/NoSuchMethod",
        "/passerelle.v1.NoSuchService/Call",
        "/console/carte",
    ] {
        let status = call_path(channel.clone(), unknown).await.unwrap_err();
        assert_eq!(status.code(), Code::Unimplemented, "{unknown}: {status:?}");
    }
    let mut fiches = pb::fiche_service_client::FicheServiceClient::new(channel);
    let mut request = tonic::Request::new(pb::GetFicheRequest {
        id: "FR-COM-13055".into(),
    });
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {STAFF}").parse().unwrap());
    assert!(fiches.get_fiche(request).await.is_ok());

    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}
