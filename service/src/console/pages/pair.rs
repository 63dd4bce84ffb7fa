//! Page 4 — Paire: a French and a foreign fiche side by side, the explanation of
//! their score (each criterion, its weight and the French reasons) and, when the
//! pair is never suggested, why. Both fiches may be given by name or id: a corrected
//! spelling is said, an ambiguous name lists the qualified names that settle it.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use passerelle_engine::Error;
use passerelle_engine::fiche::{MAX_NAME_CHARS, Side};
use passerelle_engine::lookup::Resolution;

use super::super::error::ConsoleError;
use super::super::params::Params;
use super::super::{Console, StaffSession, blocking, labels};
use super::fiche::{Candidate, DecisionRow, candidates, history};
use super::fiche_view::FicheView;
use super::score_view::{CriterionView, breakdown};
use super::scoring_form::{self, WEIGHT_FIELDS, WeightInput};
use super::{Layout, html};

/// A name that could not be resolved.
#[derive(Debug, Clone)]
struct Problem {
    message: String,
    candidates: Vec<Candidate>,
}

/// The explained pair.
#[derive(Debug, Clone)]
struct Explained {
    french: FicheView,
    foreign: FicheView,
    total: String,
    criteria: Vec<CriterionView>,
    /// Why the pair is never suggested, if it is not.
    exclusion: Option<String>,
    history: Vec<DecisionRow>,
}

#[derive(Template)]
#[template(path = "pair.html")]
struct PairPage {
    layout: Layout,
    typed_a: String,
    typed_b: String,
    notes: Vec<String>,
    problems: Vec<Problem>,
    weights: Vec<WeightInput>,
    pair: Option<Explained>,
}

/// A name resolved among one side, or the problem to show.
fn resolve(
    console: &Console,
    field: &str,
    label: &str,
    typed: &str,
    side: Side,
) -> Result<Result<Resolution, Problem>, ConsoleError> {
    match console.corpus.resolve(typed, Some(side)) {
        Ok(resolution) => Ok(Ok(resolution)),
        Err(Error::AmbiguousName {
            candidates: list, ..
        }) => Ok(Err(Problem {
            message: format!(
                "{label} (champ « {field} ») : « {typed} » désigne plusieurs collectivités ; choisissez-en une ou précisez le nom comme indiqué."
            ),
            candidates: candidates(&list),
        })),
        Err(Error::NoSuchName { suggestions, .. }) => Ok(Err(Problem {
            message: format!(
                "{label} (champ « {field} ») : aucune collectivité {} ne s'appelle « {typed} ».",
                side.label()
            ),
            candidates: candidates(&suggestions),
        })),
        Err(Error::NotFound(id)) => Ok(Err(Problem {
            message: format!(
                "{label} (champ « {field} ») : aucune fiche {} n'a l'identifiant {id}.",
                side.label()
            ),
            candidates: Vec::new(),
        })),
        Err(Error::InvalidRequest(problem)) => Err(ConsoleError::field(field, &problem.reason)),
        Err(other) => Err(ConsoleError::from_engine(other)),
    }
}

/// `GET /console/paire?a=FRENCH&b=FOREIGN[&p_…=…]`.
pub(crate) async fn page(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    let mut allowed = vec!["a", "b"];
    allowed.extend(WEIGHT_FIELDS.iter().map(|(_, field)| *field));
    let params = match Params::parse(query.as_deref().unwrap_or(""), &allowed) {
        Ok(params) => params,
        Err(error) => return error.into_response(),
    };
    let weights = match scoring_form::weights(&params) {
        Ok(weights) => weights,
        Err(error) => return error.into_response(),
    };
    let typed_a = params.get("a").unwrap_or("").to_owned();
    let typed_b = params.get("b").unwrap_or("").to_owned();
    for (field, typed) in [("a", &typed_a), ("b", &typed_b)] {
        if typed.chars().count() > MAX_NAME_CHARS {
            return ConsoleError::field(
                field,
                format!("trop long (au plus {MAX_NAME_CHARS} caractères)."),
            )
            .into_response();
        }
    }
    let caller = session.caller.clone();
    let work = {
        let (typed_a, typed_b) = (typed_a.clone(), typed_b.clone());
        blocking(move || {
            let mut notes = Vec::new();
            let mut problems = Vec::new();
            if typed_a.is_empty() || typed_b.is_empty() {
                return Ok((notes, problems, None));
            }
            let a = resolve(
                &console,
                "a",
                "Collectivité française",
                &typed_a,
                Side::French,
            )?;
            let b = resolve(
                &console,
                "b",
                "Collectivité étrangère",
                &typed_b,
                Side::Foreign,
            )?;
            let (a, b) = match (a, b) {
                (Ok(a), Ok(b)) => (a, b),
                (a, b) => {
                    problems.extend(a.err());
                    problems.extend(b.err());
                    return Ok((notes, problems, None));
                }
            };
            for r in [&a, &b] {
                if let Some(typed) = &r.corrected_from {
                    notes.push(format!(
                        "« {typed} » compris comme {} ({}), par rapprochement orthographique.",
                        r.name, r.id
                    ));
                }
            }
            let explained = console
                .corpus
                .explain(&a.id, &b.id, &weights)
                .map_err(ConsoleError::from_engine)?;
            let today = console.corpus.today();
            let fiche = |id| console.corpus.fiche(id).map_err(ConsoleError::from_engine);
            let pair = Explained {
                french: FicheView::new(&fiche(&a.id)?, &caller, today),
                foreign: FicheView::new(&fiche(&b.id)?, &caller, today),
                total: labels::score(explained.score.total),
                criteria: breakdown(&explained.score.breakdown, &weights),
                exclusion: explained.exclusion.map(|e| e.to_string()),
                history: history(&console, &a.id, Some(&b.id))?,
            };
            Ok((notes, problems, Some(pair)))
        })
        .await
    };
    let (notes, problems, pair) = match work {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    html(
        status,
        &PairPage {
            layout: Layout::new(Some(&session.caller), "paire"),
            typed_a,
            typed_b,
            notes,
            problems,
            weights: scoring_form::weight_inputs(&weights),
            pair,
        },
    )
}
