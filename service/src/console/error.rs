//! What the console answers when something is wrong: a status and a French message
//! a staff member can act on (naming the field for bad input), as a page or, for
//! the map's fetches, as an HTML fragment. Internal failures are logged (in English,
//! never with fiche contents) and shown without their details; never a stack trace.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use passerelle_engine::Error;

/// A refused or failed console request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConsoleError {
    pub status: StatusCode,
    /// A short French title.
    pub title: &'static str,
    /// The French explanation.
    pub message: String,
    /// Render a fragment (for `fetch`/htmx) rather than a whole page.
    pub fragment: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: super::pages::Layout,
    title: &'a str,
    message: &'a str,
    status: u16,
}

#[derive(Template)]
#[template(path = "error_fragment.html")]
struct ErrorFragment<'a> {
    message: &'a str,
}

impl ConsoleError {
    fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> ConsoleError {
        ConsoleError {
            status,
            title,
            message: message.into(),
            fragment: false,
        }
    }

    /// Bad input in a form field or query parameter.
    pub fn field(field: &str, message: impl std::fmt::Display) -> ConsoleError {
        ConsoleError::new(
            StatusCode::BAD_REQUEST,
            "Saisie incorrecte",
            format!("Champ « {field} » : {message}"),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> ConsoleError {
        ConsoleError::new(StatusCode::BAD_REQUEST, "Requête incorrecte", message)
    }

    pub fn not_found() -> ConsoleError {
        ConsoleError::new(
            StatusCode::NOT_FOUND,
            "Page introuvable",
            "Cette adresse ne correspond à aucune page de la console.",
        )
    }

    /// Something asked for does not exist (a French message saying what).
    pub fn missing(message: impl Into<String>) -> ConsoleError {
        ConsoleError::new(StatusCode::NOT_FOUND, "Introuvable", message)
    }

    pub fn method_not_allowed() -> ConsoleError {
        ConsoleError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Action impossible",
            "Cette adresse de la console ne s'utilise pas ainsi : revenez à la page précédente.",
        )
    }

    pub fn unauthenticated() -> ConsoleError {
        ConsoleError::new(
            StatusCode::UNAUTHORIZED,
            "Session expirée",
            "Votre session a expiré ou vous n'êtes pas connecté·e : reconnectez-vous.",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> ConsoleError {
        ConsoleError::new(StatusCode::FORBIDDEN, "Accès refusé", message)
    }

    pub fn conflict(message: impl Into<String>) -> ConsoleError {
        ConsoleError::new(StatusCode::CONFLICT, "Données modifiées", message)
    }

    /// An internal failure: logged with `detail`, shown without it.
    pub fn internal(what: &str, detail: &dyn std::fmt::Display) -> ConsoleError {
        tracing::error!(error = %detail, "console: {what}");
        ConsoleError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Erreur interne",
            "Une erreur interne est survenue ; elle est consignée dans le journal du serveur. \
             Réessayez, et si elle persiste, signalez-la à l'équipe technique.",
        )
    }

    /// Render as a fragment.
    pub fn fragment(mut self) -> ConsoleError {
        self.fragment = true;
        self
    }

    /// The console's reading of an engine error: one exhaustive match, so a new
    /// variant is a compile error here until it has a French message.
    pub fn from_engine(error: Error) -> ConsoleError {
        match &error {
            Error::NotFound(id) => ConsoleError::new(
                StatusCode::NOT_FOUND,
                "Fiche introuvable",
                format!("Aucune fiche n'a l'identifiant {id}."),
            ),
            Error::NoSuchName { query, .. } => ConsoleError::new(
                StatusCode::NOT_FOUND,
                "Collectivité introuvable",
                format!("Aucune collectivité ne porte le nom « {query} »."),
            ),
            Error::AmbiguousName { query, .. } => ConsoleError::new(
                StatusCode::CONFLICT,
                "Nom ambigu",
                format!(
                    "« {query} » désigne plusieurs collectivités : précisez l'identifiant ou le pays."
                ),
            ),
            Error::Field { field, source } => ConsoleError::field(field, source),
            Error::BadQuery { .. }
            | Error::InvalidFiche(_)
            | Error::InvalidSpec(_)
            | Error::ImportRejected { .. } => {
                ConsoleError::bad_request(format!("Requête refusée par le moteur : {error}"))
            }
            Error::NoSuchRun(id) => ConsoleError::new(
                StatusCode::NOT_FOUND,
                "Session introuvable",
                format!("Aucune session de mise en relation n° {id}."),
            ),
            Error::RunNotDone { .. } | Error::RunFinished { .. } => {
                ConsoleError::conflict(format!("Traitement par lots : {error}"))
            }
            Error::Cancelled => ConsoleError::conflict("L'opération a été annulée."),
            Error::SameSide { .. }
            | Error::SpecRejected { .. }
            | Error::Mapping { .. }
            | Error::Sheet { .. } => ConsoleError::bad_request(error.to_string()),
            Error::NothingToMatch { .. } | Error::TooFewDecisions { .. } => {
                ConsoleError::conflict(error.to_string())
            }
            Error::InvalidRequest(field) | Error::InvalidSetting(field) => {
                ConsoleError::field(&field.field, &field.reason)
            }
            Error::Io { .. }
            | Error::SchemaTooNew { .. }
            | Error::Store(_)
            | Error::CorruptRecord { .. }
            | Error::ThreadPool(_)
            | Error::Index(_)
            | Error::IndexUnusable { .. }
            | Error::NoStore { .. }
            | Error::DataDirInUse { .. }
            | Error::Fit(_)
            | Error::SheetWrite(_)
            | Error::Poisoned { .. } => ConsoleError::internal("engine error", &error),
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let body = if self.fragment {
            ErrorFragment {
                message: &self.message,
            }
            .render()
        } else {
            ErrorPage {
                layout: super::pages::Layout::new(None, ""),
                title: self.title,
                message: &self.message,
                status: self.status.as_u16(),
            }
            .render()
        };
        let body = body.unwrap_or_else(|_| "Erreur interne.".to_owned());
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }
}
