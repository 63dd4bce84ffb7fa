//! Decisions on a pair — accept, shortlist, contacted, reject — with a note, from
//! the Fiche page, the review queue and the Paire page. Answered in place for htmx
//! (the decision block, or the whole suggestion for a reject, which says the pair
//! will never be suggested again), with an `HX-Trigger` that lets the page reload
//! what depends on decisions (history, the queue's count); a browser without
//! scripts is sent back to the page it came from.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_engine::store::{DecisionKind, DecisionReason, NewDecision};

use super::super::error::ConsoleError;
use super::super::params::{Params, form_body};
use super::super::{Console, StaffSession, blocking, labels};
use super::fiche::path_id;
use super::{html, is_htmx};
use crate::server::bounds::MAX_NOTE_CHARS;

/// The event a recorded decision triggers on the page (htmx).
pub(crate) const DECIDED_EVENT: &str = "decision-enregistree";

#[derive(Template)]
#[template(path = "decision_answer.html")]
struct Answer {
    rejected: bool,
    subject: String,
    partner: String,
    from: &'static str,
    notice: String,
}

/// Where a decision was taken, and where a browser without scripts goes back.
fn origin(value: Option<&str>) -> Result<&'static str, ConsoleError> {
    match value {
        None | Some("fiche") => Ok("fiche"),
        Some("revue") => Ok("revue"),
        Some("paire") => Ok("paire"),
        Some(other) => Err(ConsoleError::field(
            "depuis",
            format!(
                "« {} » n'est pas une page de la console (fiche, revue, paire).",
                crate::console::params::shown(other)
            ),
        )),
    }
}

/// `POST /console/decisions` (fields `fiche`, `partenaire`, `decision`, `note`,
/// `depuis`).
pub(crate) async fn record(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    request: Request,
) -> Response {
    let htmx = is_htmx(request.headers());
    match record_inner(console, session, request).await {
        Ok(answer) if htmx => {
            let mut response = html(StatusCode::OK, &answer);
            response
                .headers_mut()
                .insert("hx-trigger", HeaderValue::from_static(DECIDED_EVENT));
            response
        }
        Ok(answer) => {
            let to = match answer.from {
                "revue" => "/console/revue".to_owned(),
                "paire" => format!("/console/paire?a={}&b={}", answer.subject, answer.partner),
                _ => format!("/console/fiches/{}", answer.subject),
            };
            Redirect::to(&to).into_response()
        }
        Err(error) if htmx => error.fragment().into_response(),
        Err(error) => error.into_response(),
    }
}

async fn record_inner(
    console: Arc<Console>,
    session: StaffSession,
    request: Request,
) -> Result<Answer, ConsoleError> {
    let body = form_body(request).await?;
    let params = Params::parse(
        &body,
        &["fiche", "partenaire", "decision", "motif", "note", "depuis"],
    )?;
    let required = |name: &str| {
        params
            .get(name)
            .ok_or_else(|| ConsoleError::field(name, "obligatoire."))
    };
    let subject =
        path_id(required("fiche")?).map_err(|e| ConsoleError::field("fiche", e.message))?;
    let partner = path_id(required("partenaire")?)
        .map_err(|e| ConsoleError::field("partenaire", e.message))?;
    let kind = labels::decision_from_value(required("decision")?).ok_or_else(|| {
        ConsoleError::field(
            "decision",
            "attendu accepter, preselectionner, contacter ou rejeter.",
        )
    })?;
    let reason = match params.get("motif").unwrap_or("") {
        "" => None,
        code => Some(code.parse::<DecisionReason>().map_err(|_| {
            ConsoleError::field(
                "motif",
                "motif inconnu : choisissez thème, taille, langue, déjà partenaires, contexte politique ou autre.",
            )
        })?),
    };
    let note = params.get("note").unwrap_or("").to_owned();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ConsoleError::field(
            "note",
            format!("trop longue (au plus {MAX_NOTE_CHARS} caractères)."),
        ));
    }
    let from = origin(params.get("depuis"))?;
    let reviewer = session.caller.name.clone();
    let decision = NewDecision {
        a: subject.clone(),
        b: partner.clone(),
        kind,
        reason,
        note: note.clone(),
        reviewer,
        at: chrono::Utc::now(),
    };
    let names = blocking(move || {
        let corpus = &console.corpus;
        let names = (
            corpus
                .fiche(&decision.a)
                .map_err(ConsoleError::from_engine)?
                .name,
            corpus
                .fiche(&decision.b)
                .map_err(ConsoleError::from_engine)?
                .name,
        );
        corpus
            .record_decision(&decision)
            .map_err(ConsoleError::from_engine)?;
        Ok(names)
    })
    .await?;
    tracing::info!(
        user = %session.caller.name,
        fiche = %subject,
        partner = %partner,
        decision = kind.as_str(),
        "console decision"
    );
    let (subject_name, partner_name) = names;
    let with_note = if note.is_empty() {
        String::new()
    } else {
        format!(" Note : « {note} ».")
    };
    let notice = match kind {
        DecisionKind::Reject => format!(
            "Paire rejetée : {partner_name} ne sera plus jamais suggérée avec {subject_name}.{with_note}"
        ),
        other => format!(
            "Décision enregistrée : paire {} ({subject_name} – {partner_name}).{with_note}",
            labels::decision_label(other)
        ),
    };
    Ok(Answer {
        rejected: kind == DecisionKind::Reject,
        subject: subject.to_string(),
        partner: partner.to_string(),
        from,
        notice,
    })
}
