//! Login and logout. A staff or admin token, typed in a form, is exchanged once for
//! a session cookie; the token is never echoed, logged, put in a URL or given to
//! scripts. Portal tokens cannot log in.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::super::error::ConsoleError;
use super::super::params::Params;
use super::super::session::LoginRefusal;
use super::super::{Console, client_address, see_other};
use super::{Layout, html};

/// Longest token accepted in the form.
pub const MAX_TOKEN_CHARS: usize = 512;
/// Pause before answering a failed login (with the throttle, it slows guessing).
const FAILURE_PAUSE: Duration = Duration::from_millis(200);

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    notice: Option<&'static str>,
    error: Option<String>,
}

fn page(status: StatusCode, notice: Option<&'static str>, error: Option<String>) -> Response {
    html(
        status,
        &LoginPage {
            layout: Layout::new(None, "connexion"),
            notice,
            error,
        },
    )
}

/// `GET /console/connexion[?sortie=1]`.
pub(crate) async fn form(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match Params::parse(query.as_deref().unwrap_or(""), &["sortie"]) {
        Ok(params) => params,
        Err(error) => return error.into_response(),
    };
    if console
        .session_id(&headers)
        .and_then(|id| console.sessions.caller(&id))
        .is_some()
    {
        return Redirect::to("/console/carte").into_response();
    }
    let notice = params
        .get("sortie")
        .map(|_| "Vous êtes déconnecté·e. À bientôt.");
    page(StatusCode::OK, notice, None)
}

/// `POST /console/connexion` (form field `jeton`).
pub(crate) async fn submit(
    State(console): State<Arc<Console>>,
    request: axum::extract::Request,
) -> Response {
    let client = client_address(request.extensions());
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return ConsoleError::bad_request(
            "Le formulaire de connexion doit être envoyé comme un formulaire HTML.",
        )
        .into_response();
    }
    let body: Bytes =
        match axum::body::to_bytes(request.into_body(), super::super::MAX_INPUT_BYTES).await {
            Ok(body) => body,
            Err(_) => {
                return ConsoleError::bad_request("Formulaire trop long ou interrompu.")
                    .into_response();
            }
        };
    let Ok(text) = std::str::from_utf8(&body) else {
        return ConsoleError::bad_request("Le formulaire n'est pas un texte UTF-8 valide.")
            .into_response();
    };
    let params = match Params::parse(text, &["jeton"]) {
        Ok(params) => params,
        Err(error) => return page(error.status, None, Some(error.message)),
    };
    let Some(token) = params.get("jeton") else {
        return page(
            StatusCode::BAD_REQUEST,
            None,
            Some("Champ « jeton » : obligatoire.".into()),
        );
    };
    if token.chars().count() > MAX_TOKEN_CHARS {
        return page(
            StatusCode::BAD_REQUEST,
            None,
            Some(format!(
                "Champ « jeton » : trop long (au plus {MAX_TOKEN_CHARS} caractères)."
            )),
        );
    }
    match console.sessions.login(token, client) {
        Ok((id, caller)) => {
            tracing::info!(user = %caller.name, role = caller.role.as_str(), "console login");
            see_other(
                "/console/carte",
                [(header::SET_COOKIE, console.session_cookie(&id))],
            )
        }
        Err(refusal) => {
            tracing::warn!(reason = ?refusal_kind(&refusal), client = ?client, "console login refused");
            tokio::time::sleep(FAILURE_PAUSE).await;
            let (status, message) = match refusal {
                LoginRefusal::UnknownToken => (
                    StatusCode::UNAUTHORIZED,
                    "Jeton inconnu : vérifiez-le et réessayez.".to_owned(),
                ),
                LoginRefusal::PortalToken { .. } => (
                    StatusCode::FORBIDDEN,
                    "Ce jeton est celui du portail : la console est réservée aux jetons des rôles \
                     staff et admin."
                        .to_owned(),
                ),
                LoginRefusal::Throttled(wait) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Trop de tentatives de connexion échouées : réessayez dans {} secondes.",
                        wait.as_secs().max(1)
                    ),
                ),
                LoginRefusal::Full => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Trop de sessions ouvertes : réessayez plus tard.".to_owned(),
                ),
            };
            page(status, None, Some(message))
        }
    }
}

fn refusal_kind(refusal: &LoginRefusal) -> &'static str {
    match refusal {
        LoginRefusal::UnknownToken => "unknown token",
        LoginRefusal::PortalToken { .. } => "portal token",
        LoginRefusal::Throttled(_) => "throttled",
        LoginRefusal::Full => "session table full",
    }
}

/// `POST /console/deconnexion`: ends the session (if any) and clears the cookie.
pub(crate) async fn logout(State(console): State<Arc<Console>>, headers: HeaderMap) -> Response {
    if let Some(caller) = console
        .session_id(&headers)
        .and_then(|id| console.sessions.end(&id))
    {
        tracing::info!(user = %caller.name, "console logout");
    }
    see_other(
        "/console/connexion?sortie=1",
        [(header::SET_COOKIE, console.cleared_cookie())],
    )
}
