//! Page 6 — Sessions de mise en relation (batch runs): the list of runs with their
//! status, the form of a new run, a run's page (live progress by polling, cancel,
//! and once done its results: pairs kept, pairs assigned, who is left without a
//! partner and why, the agenda as a slots × tables grid searchable by participant)
//! and its downloads (CSV, one iCalendar per participant).
//!
//! Runs are checked and recorded by the engine ([`ConsoleCorpus::check_batch`],
//! `record_batch`) and carried out by the server's runner (`launch`), exactly as
//! the gRPC `BatchService` does; results are read on a connection of their own.
//!
//! [`ConsoleCorpus::check_batch`]: super::super::corpus::ConsoleCorpus::check_batch

pub(crate) mod downloads;
pub(crate) mod form;
pub(crate) mod run;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_engine::Error;
use passerelle_engine::batch::{BatchRun, RunId};
use passerelle_engine::batch::{BatchSpec, Pairing, Scope};

use super::super::error::ConsoleError;
use super::super::params::{Params, form_body};
use super::super::{Console, StaffSession, blocking, labels};
use super::{Layout, html};
use form::{BatchForm, FormProblem};

/// Runs listed.
const LISTED: usize = 50;

/// A run id from a path.
pub(crate) fn run_id(text: &str) -> Result<RunId, ConsoleError> {
    text.parse::<u64>()
        .ok()
        .filter(|&id| id > 0 && id < i64::MAX as u64)
        .map(RunId::new)
        .ok_or_else(|| {
            ConsoleError::bad_request(format!(
                "« {} » n'est pas un numéro de session.",
                crate::console::params::shown(text)
            ))
        })
}

/// A scope in words.
pub(crate) fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::All => "toutes les collectivités".to_owned(),
        Scope::Region(code) => format!("région {code}"),
        Scope::Departement(code) => format!("département {code}"),
        Scope::Countries(countries) => countries
            .iter()
            .map(|c| labels::country_name(*c))
            .collect::<Vec<_>>()
            .join(", "),
        Scope::Admin1 { country, admin1 } => {
            format!("division {admin1} ({})", labels::country_name(*country))
        }
        Scope::Ids(members) => match members.len() {
            1 => "1 collectivité désignée".to_owned(),
            n => format!("{} collectivités désignées", labels::count(n)),
        },
    }
}

/// A run in a list.
#[derive(Debug, Clone)]
pub(crate) struct RunLine {
    pub id: u64,
    pub href: String,
    pub status: String,
    pub class: &'static str,
    pub french: String,
    pub foreign: String,
    pub pairing: &'static str,
    pub origin: String,
    pub created: String,
}

impl RunLine {
    pub fn new(run: &BatchRun) -> RunLine {
        RunLine {
            id: run.id.get(),
            href: format!("/console/sessions/{}", run.id),
            status: labels::run_status(&run.status),
            class: labels::run_status_class(&run.status),
            french: scope_text(&run.spec.french),
            foreign: scope_text(&run.spec.foreign),
            pairing: labels::pairing_label(run.spec.pairing),
            origin: run.origin.clone(),
            created: labels::utc_time(&run.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "batch_list.html")]
struct ListPage {
    layout: Layout,
    runs: Vec<RunLine>,
}

/// `GET /console/sessions`.
pub(crate) async fn list(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(error) = Params::parse(query.as_deref().unwrap_or(""), &[]) {
        return error.into_response();
    }
    let runs = blocking(move || {
        console
            .corpus
            .batch_runs(LISTED)
            .map_err(ConsoleError::from_engine)
    })
    .await;
    match runs {
        Ok(runs) => html(
            StatusCode::OK,
            &ListPage {
                layout: Layout::new(Some(&session.caller), "sessions"),
                runs: runs.iter().map(RunLine::new).collect(),
            },
        ),
        Err(error) => error.into_response(),
    }
}

#[derive(Template)]
#[template(path = "batch_form.html")]
struct FormPage {
    layout: Layout,
    form: BatchForm,
    problems: Vec<FormProblem>,
    /// Names understood through fuzzy matching, to confirm.
    corrections: Vec<String>,
}

/// `GET /console/sessions/nouvelle`.
pub(crate) async fn new_form(session: StaffSession, RawQuery(query): RawQuery) -> Response {
    if let Err(error) = Params::parse(query.as_deref().unwrap_or(""), &[]) {
        return error.into_response();
    }
    html(
        StatusCode::OK,
        &FormPage {
            layout: Layout::new(Some(&session.caller), "sessions"),
            form: BatchForm::defaults(),
            problems: Vec::new(),
            corrections: Vec::new(),
        },
    )
}

/// What the engine's check said, read for the form.
enum Checked {
    Problems(Vec<FormProblem>),
    /// Names were corrected: the form is shown again, to confirm.
    Corrections(Vec<String>),
    Recorded(Box<BatchRun>),
}

/// `POST /console/sessions`: checks the form; records and starts the run, or shows
/// the form again with its problems (or the corrected names to confirm).
pub(crate) async fn create(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    request: Request,
) -> Response {
    let body = match form_body(request).await {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let params = match Params::parse(&body, &form::FIELDS) {
        Ok(params) => params,
        Err(error) => return error.into_response(),
    };
    let shown = BatchForm::from_params(&params);
    let again = |status, problems, corrections| {
        html(
            status,
            &FormPage {
                layout: Layout::new(Some(&session.caller), "sessions"),
                form: shown.clone(),
                problems,
                corrections,
            },
        )
    };
    let spec: BatchSpec = match form::spec(&params) {
        Ok(spec) => spec,
        Err(problems) => return again(StatusCode::BAD_REQUEST, problems, Vec::new()),
    };
    let confirmed = params.get("confirmer") == Some("oui");
    let origin = format!("console:{}", session.caller.name);
    let checked = {
        let console = console.clone();
        blocking(move || {
            let resolved = match console.corpus.check_batch(&spec) {
                Ok(resolved) => resolved,
                Err(Error::SpecRejected { problems }) => {
                    return Ok(Checked::Problems(
                        problems
                            .into_iter()
                            .map(|p| FormProblem {
                                label: form::field_label(&p.field),
                                message: p.reason,
                                candidates: Vec::new(),
                            })
                            .collect(),
                    ));
                }
                Err(other) => return Err(ConsoleError::from_engine(other)),
            };
            if !resolved.corrections.is_empty() && !confirmed {
                return Ok(Checked::Corrections(
                    resolved
                        .corrections
                        .iter()
                        .map(|c| {
                            format!(
                                "{} : « {} » compris comme {} ({}), par rapprochement orthographique.",
                                form::field_label(&c.field),
                                c.typed,
                                c.name,
                                c.id
                            )
                        })
                        .collect(),
                ));
            }
            let run = console
                .corpus
                .record_batch(&resolved, &origin)
                .map_err(ConsoleError::from_engine)?;
            Ok(Checked::Recorded(Box::new(run)))
        })
        .await
    };
    match checked {
        Ok(Checked::Problems(problems)) => again(StatusCode::BAD_REQUEST, problems, Vec::new()),
        Ok(Checked::Corrections(corrections)) => again(StatusCode::OK, Vec::new(), corrections),
        Ok(Checked::Recorded(run)) => {
            console.corpus.launch(&run);
            tracing::info!(user = %session.caller.name, run = %run.id, "console batch run started");
            Redirect::to(&format!("/console/sessions/{}", run.id)).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// `POST /console/sessions/{id}/annuler`.
pub(crate) async fn cancel(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let result = async {
        let id = run_id(&id)?;
        let body = form_body(request).await?;
        Params::parse(&body, &[])?;
        let console = console.clone();
        blocking(move || {
            console
                .corpus
                .cancel_batch(id)
                .map_err(ConsoleError::from_engine)
        })
        .await?;
        Ok::<_, ConsoleError>(id)
    }
    .await;
    match result {
        Ok(id) => {
            tracing::info!(user = %session.caller.name, run = %id, "console batch run cancelled");
            Redirect::to(&format!("/console/sessions/{id}")).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// Whether a spec pairs (and so has assignments and people left out).
pub(crate) fn pairs(spec: &BatchSpec) -> bool {
    spec.pairing != Pairing::None
}
