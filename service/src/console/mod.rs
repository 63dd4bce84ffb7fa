//! The staff web console: French pages rendered by the server (askama templates,
//! auto-escaped; htmx for partial updates; one hand-written script for the map),
//! served by `passerelle serve` on the gRPC port, over HTTP/1.1 or HTTP/2, with the
//! server's TLS and graceful shutdown.
//!
//! Routes:
//!
//! | Route | |
//! |---|---|
//! | `GET /`, `GET /console`, `GET /console/` | to the map |
//! | `GET`, `POST /console/connexion` | login: a staff or admin token for a session cookie |
//! | `POST /console/deconnexion` | logout |
//! | `GET /console/carte` | the map page (filters in the query) |
//! | `GET /console/carte/points` | the map's point set (binary columns, ETag) |
//! | `GET /console/carte/fiches?g=&i=` | cards of points (HTML fragment) |
//! | `GET /console/assets/{path}` | embedded static files |
//!
//! Any other path answers gRPC UNIMPLEMENTED to a gRPC request and a French 404 page
//! otherwise. The gRPC token interceptor does not cover these routes: the console
//! has its own login ([`session`]); every route but login and assets needs a session.
//! Handlers parse and check input ([`params`]), call the engine through
//! [`corpus::ConsoleCorpus`] on blocking threads and render a template: no business
//! logic lives here.

mod assets;
mod corpus;
mod error;
mod labels;
mod map_data;
mod pages;
mod params;
mod security;
mod session;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tonic::transport::server::TcpConnectInfo;

pub use assets::paths as asset_paths;
pub use map_data::MAGIC as MAP_DATA_MAGIC;
pub use params::{MAX_INPUT_BYTES, MAX_VALUE_CHARS};
pub use session::{DEFAULT_SESSION_TTL, MAX_FAILURES_PER_CLIENT};

use crate::server::{Caller, State, Tokens};
use corpus::ConsoleCorpus;
use error::ConsoleError;
use map_data::MapCache;
use session::Sessions;

/// Where the console lives.
pub const CONSOLE_PATH: &str = "/console/";

/// How the console runs.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    /// The server speaks TLS: cookies are `Secure` (and `__Host-` prefixed).
    pub tls: bool,
    /// A tile server URL template (`https://tile.example.org/{z}/{x}/{y}.png`) for
    /// deployments with internet; `None` (the default): country borders only.
    pub tile_url: Option<String>,
    /// How long a session lasts after login.
    pub session_ttl: Duration,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            tls: false,
            tile_url: None,
            session_ttl: DEFAULT_SESSION_TTL,
        }
    }
}

/// Checks a tile URL template and returns its origin (for the CSP): `http(s)://host
/// [:port]/…` with `{z}`, `{x}` and `{y}`, no quotes, spaces or semicolons.
pub fn tile_origin(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .map(|r| ("https", r))
        .or_else(|| url.strip_prefix("http://").map(|r| ("http", r)));
    let Some((scheme, rest)) = rest else {
        return Err("tile_url must start with https:// or http://".into());
    };
    if url.len() > 500
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>;\\`".contains(c))
    {
        return Err("tile_url has a forbidden character or is too long".into());
    }
    for part in ["{z}", "{x}", "{y}"] {
        if !url.contains(part) {
            return Err(format!("tile_url must contain {part}"));
        }
    }
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains('{') || host.contains('@') {
        return Err("tile_url must name a fixed host".into());
    }
    Ok(format!("{scheme}://{host}"))
}

/// What every handler shares.
pub(crate) struct Console {
    corpus: ConsoleCorpus,
    sessions: Sessions,
    map: MapCache,
    config: ConsoleConfig,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Console")
    }
}

impl Console {
    fn cookie_name(&self) -> &'static str {
        if self.config.tls {
            "__Host-passerelle_session"
        } else {
            "passerelle_session"
        }
    }

    fn session_cookie(&self, id: &str) -> HeaderValue {
        let secure = if self.config.tls { "; Secure" } else { "" };
        let value = format!(
            "{}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            self.cookie_name(),
            self.sessions.ttl().as_secs()
        );
        HeaderValue::from_str(&value).expect("hex ids make a valid cookie")
    }

    fn cleared_cookie(&self) -> HeaderValue {
        let secure = if self.config.tls { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
            self.cookie_name()
        ))
        .expect("a valid cookie")
    }

    /// The session id in the request's cookies, if any.
    fn session_id(&self, headers: &HeaderMap) -> Option<String> {
        let name = self.cookie_name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, v)| *n == name && v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|(_, v)| v.to_owned())
    }
}

/// The console's routes, to be merged into the gRPC server's (see `server::serve`);
/// starts building the map's data in the background.
pub fn router(state: Arc<State>, tokens: Tokens, mut config: ConsoleConfig) -> Router {
    let tile_origin = match config.tile_url.as_deref().map(tile_origin) {
        Some(Ok(origin)) => Some(origin),
        Some(Err(error)) => {
            // `serve` refuses such a URL at start; a library caller gets no tiles.
            tracing::error!(%error, "console: tile_url ignored");
            config.tile_url = None;
            None
        }
        None => None,
    };
    let headers = security::Headers {
        csp: HeaderValue::from_str(&security::content_security_policy(tile_origin.as_deref()))
            .expect("the policy is ASCII"),
        tls: config.tls,
    };
    let console = Arc::new(Console {
        corpus: ConsoleCorpus::new(state),
        sessions: Sessions::new(tokens, config.session_ttl),
        map: MapCache::default(),
        config,
    });
    warm_map_data(console.clone());
    Router::new()
        .route("/", get(to_map))
        .route("/console", get(to_map))
        .route("/console/", get(to_map))
        .route(
            "/console/connexion",
            get(pages::login::form).post(pages::login::submit),
        )
        .route("/console/deconnexion", post(pages::login::logout))
        .route("/console/carte", get(pages::map::page))
        .route("/console/carte/points", get(pages::map::points))
        .route("/console/carte/fiches", get(pages::map::cards))
        .route("/console/recherche", get(pages::search::page))
        .route("/console/recherche.csv", get(pages::search::export))
        .route(
            "/console/recherche.xlsx",
            get(pages::search::export_workbook),
        )
        .route(
            "/console/decisions.xlsx",
            get(pages::review::decisions_workbook),
        )
        .route("/console/fiches", get(pages::fiche::open))
        .route("/console/fiches/{id}", get(pages::fiche::page))
        .route(
            "/console/fiches/{id}/suggestions",
            get(pages::fiche::suggestions),
        )
        .route(
            "/console/fiches/{id}/suggestions.xlsx",
            get(pages::fiche::suggestions_workbook),
        )
        .route(
            "/console/fiches/{id}/historique",
            get(pages::fiche::history_fragment),
        )
        .route("/console/decisions", post(pages::decision::record))
        .route("/console/paire", get(pages::pair::page))
        .route("/console/revue", get(pages::review::page))
        .route("/console/revue/restant", get(pages::review::remaining))
        .route(
            "/console/sessions",
            get(pages::batch::list).post(pages::batch::create),
        )
        .route("/console/sessions/nouvelle", get(pages::batch::new_form))
        .route("/console/sessions/{id}", get(pages::batch::run::page))
        .route(
            "/console/sessions/{id}/progression",
            get(pages::batch::run::progress),
        )
        .route("/console/sessions/{id}/annuler", post(pages::batch::cancel))
        .route(
            "/console/sessions/{id}/paires.csv",
            get(pages::batch::downloads::scored),
        )
        .route(
            "/console/sessions/{id}/affectations.csv",
            get(pages::batch::downloads::assigned),
        )
        .route(
            "/console/sessions/{id}/sans-partenaire.csv",
            get(pages::batch::downloads::unassigned),
        )
        .route(
            "/console/sessions/{id}/resultats.xlsx",
            get(pages::batch::downloads::workbook),
        )
        .route(
            "/console/sessions/{id}/agenda.csv",
            get(pages::batch::downloads::agenda),
        )
        .route(
            "/console/sessions/{id}/calendriers/{fiche}",
            get(pages::batch::downloads::calendar),
        )
        .route("/console/etat", get(pages::status::page))
        .route("/console/assets/{*path}", get(assets::serve))
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(
            headers.clone(),
            security::same_origin_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            headers,
            security::add_headers,
        ))
        .layer(DefaultBodyLimit::max(MAX_INPUT_BYTES))
        .layer(axum::middleware::from_fn(grpc_is_unimplemented_here))
        .with_state(console)
}

/// Builds the map's data once at start, so the first visit does not wait for it.
fn warm_map_data(console: Arc<Console>) {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    tokio::task::spawn_blocking(move || {
        let today = console.corpus.today();
        if let Err(error) = console.map.get(&console.corpus, today) {
            tracing::error!(%error, "console: cannot build the map's data");
        }
    });
}

async fn to_map() -> Redirect {
    Redirect::to("/console/carte")
}

fn is_grpc(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"))
}

/// gRPC UNIMPLEMENTED, as tonic's own fallback answers.
fn unimplemented() -> Response {
    let (parts, ()) = tonic::Status::unimplemented("")
        .into_http::<()>()
        .into_parts();
    Response::from_parts(parts, axum::body::Body::empty())
}

/// A gRPC call to a console route (or any path no service has) is UNIMPLEMENTED,
/// never an HTML page.
async fn grpc_is_unimplemented_here(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if is_grpc(request.headers()) {
        return unimplemented();
    }
    next.run(request).await
}

/// A console path asked with a method it does not take.
async fn wrong_method() -> Response {
    ConsoleError::method_not_allowed().into_response()
}

/// Paths nobody serves: a French page for browsers.
async fn unknown_path() -> Response {
    ConsoleError::not_found().into_response()
}

/// Runs blocking engine work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ConsoleError> + Send + 'static,
) -> Result<T, ConsoleError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ConsoleError::internal("worker failed", &e))?
}

/// The client's address (for throttling logins), as tonic records it.
fn client_address(request_extensions: &axum::http::Extensions) -> Option<IpAddr> {
    request_extensions
        .get::<TcpConnectInfo>()
        .and_then(|info| info.remote_addr())
        .map(|addr| addr.ip())
}

/// A request from a logged-in staff member (extractor): otherwise, a page request
/// is sent to the login page and a fragment request gets a 401.
#[derive(Debug, Clone)]
pub(crate) struct StaffSession {
    pub caller: Caller,
}

impl FromRequestParts<Arc<Console>> for StaffSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        console: &Arc<Console>,
    ) -> Result<Self, Self::Rejection> {
        let caller = console
            .session_id(&parts.headers)
            .and_then(|id| console.sessions.caller(&id));
        match caller {
            Some(caller) => Ok(StaffSession { caller }),
            None if is_navigation(&parts.headers) => {
                Err(Redirect::to("/console/connexion").into_response())
            }
            None => Err(ConsoleError::unauthenticated().fragment().into_response()),
        }
    }
}

/// A top-level page load (not a `fetch` or an htmx request).
fn is_navigation(headers: &HeaderMap) -> bool {
    if headers.contains_key("hx-request") {
        return false;
    }
    match headers.get("sec-fetch-mode") {
        Some(mode) => mode == "navigate",
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html")),
    }
}

/// A `303 See Other` to `to` with extra headers.
fn see_other(
    to: &'static str,
    headers: impl IntoIterator<Item = (header::HeaderName, HeaderValue)>,
) -> Response {
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, HeaderValue::from_static(to))],
    )
        .into_response();
    for (name, value) in headers {
        response.headers_mut().append(name, value);
    }
    response
}
