//! Page 3 — Fiche: every section of a fiche (contacts for staff), its partnerships
//! and foreign actors, its decision history and its ranked suggestions with the
//! breakdown per criterion and the French reasons. The weights, the number of
//! suggestions and the candidates' country and theme are in the page's query; the
//! settings form reloads the suggestions in place (htmx) and keeps the URL in step.
//!
//! `/console/fiches?nom=…` opens a fiche by name: a corrected spelling is said on
//! the fiche's page, an ambiguous name lists the candidates with the qualified names
//! that settle it.

use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_engine::Error;
use passerelle_engine::fiche::{FicheId, MAX_NAME_CHARS, Side};
use passerelle_engine::sheets;
use passerelle_engine::store::Decision;

use super::super::error::ConsoleError;
use super::super::params::Params;
use super::super::{Console, StaffSession, blocking, labels};
use super::fiche_view::FicheView;
use super::score_view::SuggestionView;
use super::scoring_form::{self, SUGGESTION_FIELDS, SuggestionSettings, WeightInput};
use super::{Choice, Layout, country_choices, html, theme_choices, workbook};

/// A fiche id from a path, checked.
pub(crate) fn path_id(text: &str) -> Result<FicheId, ConsoleError> {
    FicheId::parse(text).map_err(|_| {
        ConsoleError::bad_request(format!(
            "« {} » n'est pas un identifiant de fiche (par exemple FR-COM-33063).",
            crate::console::params::shown(text)
        ))
    })
}

/// One decision of a history, with the partner's name.
#[derive(Debug, Clone)]
pub(crate) struct DecisionRow {
    pub at: String,
    pub partner: String,
    pub partner_href: String,
    pub kind: &'static str,
    pub class: &'static str,
    pub note: String,
    pub reviewer: String,
}

/// One interest of a fiche's history (expressed or received), fiches named.
#[derive(Debug, Clone)]
pub(crate) struct InterestRow {
    pub at: String,
    pub by: String,
    pub by_href: String,
    /// `intéressée`, `pas intéressée`.
    pub kind: &'static str,
    pub about: String,
    pub about_href: String,
    pub note: String,
    pub actor: String,
}

/// A reconfirmation of a fiche's history.
#[derive(Debug, Clone)]
pub(crate) struct ReconfirmationRow {
    pub at: String,
    pub note: String,
    pub by: String,
}

/// A fiche's interests and its reconfirmations, each newest first.
pub(crate) fn interests(
    console: &Console,
    id: &FicheId,
) -> Result<(Vec<InterestRow>, Vec<ReconfirmationRow>), ConsoleError> {
    let history = console
        .corpus
        .history(id)
        .map_err(ConsoleError::from_engine)?;
    let name = |other: &FicheId| match console.corpus.fiche(other) {
        Ok(fiche) => Ok(fiche.name),
        Err(Error::NotFound(_)) => Ok(format!("{other} (fiche supprimée)")),
        Err(e) => Err(ConsoleError::from_engine(e)),
    };
    let rows = history
        .interests
        .iter()
        .rev()
        .map(|i| {
            Ok(InterestRow {
                at: labels::utc_time(&i.at),
                by: name(&i.fiche)?,
                by_href: format!("/console/fiches/{}", i.fiche),
                kind: i.kind.label(),
                about: name(&i.candidate)?,
                about_href: format!("/console/fiches/{}", i.candidate),
                note: i.note.clone(),
                actor: i.actor.clone(),
            })
        })
        .collect::<Result<_, ConsoleError>>()?;
    let reconfirmations = history
        .reconfirmations
        .iter()
        .rev()
        .map(|r| ReconfirmationRow {
            at: labels::utc_time(&r.at),
            note: r.note.clone(),
            by: r.actor.clone(),
        })
        .collect();
    Ok((rows, reconfirmations))
}

/// The decisions on `id` (or on the pair with `partner`), newest first, partners
/// named.
pub(crate) fn history(
    console: &Console,
    id: &FicheId,
    partner: Option<&FicheId>,
) -> Result<Vec<DecisionRow>, ConsoleError> {
    let decisions = console
        .corpus
        .decisions(id, partner)
        .map_err(ConsoleError::from_engine)?;
    decisions
        .iter()
        .rev()
        .map(|d: &Decision| {
            let other = d.partner_of(id);
            let name = match console.corpus.fiche(other) {
                Ok(fiche) => fiche.name,
                Err(Error::NotFound(_)) => format!("{other} (fiche supprimée)"),
                Err(e) => return Err(ConsoleError::from_engine(e)),
            };
            Ok(DecisionRow {
                at: labels::utc_time(&d.at),
                partner: name,
                partner_href: format!("/console/fiches/{other}"),
                kind: labels::decision_label(d.kind),
                class: labels::decision_value(d.kind),
                note: d.note.clone(),
                reviewer: d.reviewer.clone(),
            })
        })
        .collect()
}

/// The suggestions part of the page (also the fragment the settings form fetches).
#[derive(Debug, Clone)]
pub(crate) struct SuggestionsPart {
    pub id: String,
    pub suggestions: Vec<SuggestionView>,
    /// `vers des collectivités étrangères`.
    pub towards: &'static str,
    pub weights: Vec<WeightInput>,
    /// These suggestions as a workbook (the same settings).
    pub workbook: String,
    pub k: usize,
    pub countries: Vec<Choice>,
    pub themes: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "fiche.html")]
struct FichePage {
    layout: Layout,
    fiche: FicheView,
    corrected_from: Option<String>,
    history: Vec<DecisionRow>,
    interests: Vec<InterestRow>,
    reconfirmations: Vec<ReconfirmationRow>,
    part: SuggestionsPart,
}

#[derive(Template)]
#[template(path = "fiche_suggestions.html")]
struct SuggestionsFragment {
    part: SuggestionsPart,
}

#[derive(Template)]
#[template(path = "fiche_suggestions_error.html")]
struct SuggestionsError {
    id: String,
    message: String,
}

#[derive(Template)]
#[template(path = "fiche_history.html")]
struct HistoryFragment {
    history: Vec<DecisionRow>,
}

/// The suggestions of `id` with `settings`.
fn suggestions_part(
    console: &Console,
    id: &FicheId,
    settings: &SuggestionSettings,
) -> Result<SuggestionsPart, ConsoleError> {
    let found = console
        .corpus
        .suggest(id, &settings.options(console.corpus.suggest_options()))
        .map_err(ConsoleError::from_engine)?;
    let french_first = found.side == Side::French;
    let suggestions = found
        .items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            SuggestionView::new(
                i + 1,
                id.as_str(),
                &found.name,
                french_first,
                s,
                &settings.weights,
                "fiche",
            )
        })
        .collect();
    Ok(SuggestionsPart {
        id: id.to_string(),
        suggestions,
        towards: match found.side {
            Side::French => "des collectivités étrangères",
            Side::Foreign => "des collectivités françaises",
        },
        weights: scoring_form::weight_inputs(&settings.weights),
        workbook: match settings.query() {
            q if q.is_empty() => format!("/console/fiches/{id}/suggestions.xlsx"),
            q => format!("/console/fiches/{id}/suggestions.xlsx?{q}"),
        },
        k: settings.k,
        countries: if french_first {
            country_choices(settings.country, true)
        } else {
            Vec::new()
        },
        themes: theme_choices(settings.theme),
    })
}

/// `Server-Timing`: the time the server spent on a page, for the measuring script.
fn server_timing(started: Instant) -> (header::HeaderName, HeaderValue) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    (
        header::HeaderName::from_static("server-timing"),
        HeaderValue::from_str(&format!("page;dur={ms:.2}")).expect("ASCII"),
    )
}

/// `GET /console/fiches/{id}`.
pub(crate) async fn page(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let started = Instant::now();
    let result = async {
        let id = path_id(&id)?;
        let mut allowed = SUGGESTION_FIELDS.to_vec();
        allowed.push("compris");
        let params = Params::parse(query.as_deref().unwrap_or(""), &allowed)?;
        let settings = SuggestionSettings::parse(&params)?;
        let corrected_from = params
            .get("compris")
            .map(|typed| typed.chars().take(MAX_NAME_CHARS).collect::<String>());
        let caller = session.caller.clone();
        let console = console.clone();
        blocking(move || {
            let fiche = console
                .corpus
                .fiche(&id)
                .map_err(ConsoleError::from_engine)?;
            let today = console.corpus.today();
            let (interests, reconfirmations) = interests(&console, &id)?;
            Ok(FichePage {
                interests,
                reconfirmations,
                layout: Layout::new(Some(&caller), "fiche"),
                fiche: FicheView {
                    stale: console.corpus.is_stale(&fiche),
                    ..FicheView::new(&fiche, &caller, today)
                },
                corrected_from,
                history: history(&console, &id, None)?,
                part: suggestions_part(&console, &id, &settings)?,
            })
        })
        .await
    }
    .await;
    match result {
        Ok(page) => {
            let mut response = html(StatusCode::OK, &page);
            let (name, value) = server_timing(started);
            response.headers_mut().insert(name, value);
            response
        }
        Err(error) => error.into_response(),
    }
}

/// `GET /console/fiches/{id}/suggestions.xlsx`: the suggestions with these settings
/// as a workbook (total, each criterion's score, the reasons).
pub(crate) async fn suggestions_workbook(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = path_id(&id)?;
        let params = Params::parse(query.as_deref().unwrap_or(""), &SUGGESTION_FIELDS)?;
        let settings = SuggestionSettings::parse(&params)?;
        let console = console.clone();
        blocking(move || {
            let found = console
                .corpus
                .suggest(&id, &settings.options(console.corpus.suggest_options()))
                .map_err(ConsoleError::from_engine)?;
            let book = sheets::suggestions_workbook(&found.name, &found.items)
                .map_err(ConsoleError::from_engine)?;
            workbook(book, &format!("suggestions-{id}.xlsx"))
        })
        .await
    }
    .await;
    result.unwrap_or_else(|error| error.into_response())
}

/// `GET /console/fiches/{id}/suggestions`: the suggestions fragment, and the page's
/// URL with these settings for the browser's history (`HX-Push-Url`).
pub(crate) async fn suggestions(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let shown_id = FicheId::parse(&id)
        .map(|id| id.to_string())
        .unwrap_or_default();
    let result = async {
        let id = path_id(&id)?;
        let params = Params::parse(query.as_deref().unwrap_or(""), &SUGGESTION_FIELDS)?;
        let settings = SuggestionSettings::parse(&params)?;
        let url = match settings.query() {
            q if q.is_empty() => format!("/console/fiches/{id}"),
            q => format!("/console/fiches/{id}?{q}"),
        };
        let console = console.clone();
        let part = blocking(move || suggestions_part(&console, &id, &settings)).await?;
        Ok::<_, ConsoleError>((url, part))
    }
    .await;
    match result {
        Ok((url, part)) => {
            let mut response = html(StatusCode::OK, &SuggestionsFragment { part });
            response.headers_mut().insert(
                "hx-push-url",
                HeaderValue::from_str(&url).expect("ids and settings are ASCII"),
            );
            response
        }
        // The error takes the section's place, with a way back to the defaults.
        Err(error) => html(
            error.status,
            &SuggestionsError {
                id: shown_id,
                message: error.message,
            },
        ),
    }
}

/// `GET /console/fiches/{id}/historique`: the decision history fragment (reloaded
/// after a decision recorded on the page).
pub(crate) async fn history_fragment(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = path_id(&id)?;
        Params::parse(query.as_deref().unwrap_or(""), &[])?;
        let console = console.clone();
        blocking(move || history(&console, &id, None)).await
    }
    .await;
    match result {
        Ok(history) => html(StatusCode::OK, &HistoryFragment { history }),
        Err(error) => error.fragment().into_response(),
    }
}

#[derive(Template)]
#[template(path = "fiche_open.html")]
struct OpenPage {
    layout: Layout,
    typed: String,
    message: String,
    candidates: Vec<Candidate>,
}

/// A fiche a name may designate.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub text: String,
    pub href: Option<String>,
}

/// The candidates an engine error lists (`id  name (country, admin)  → « Name (XX) »`):
/// each with a link to its fiche when the line starts with an id.
pub(crate) fn candidates(lines: &[String]) -> Vec<Candidate> {
    lines
        .iter()
        .map(|line| Candidate {
            text: line.split_whitespace().collect::<Vec<_>>().join(" "),
            href: line
                .split_whitespace()
                .next()
                .and_then(|first| FicheId::parse(first).ok())
                .map(|id| format!("/console/fiches/{id}")),
        })
        .collect()
}

/// `GET /console/fiches?nom=NAME_OR_ID`: opens the fiche a name designates.
pub(crate) async fn open(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match Params::parse(query.as_deref().unwrap_or(""), &["nom"]) {
        Ok(params) => params,
        Err(error) => return error.into_response(),
    };
    let Some(typed) = params.get("nom").map(str::to_owned) else {
        return ConsoleError::field(
            "nom",
            "obligatoire : un nom de collectivité ou un identifiant.",
        )
        .into_response();
    };
    if typed.chars().count() > MAX_NAME_CHARS {
        return ConsoleError::field(
            "nom",
            format!("trop long (au plus {MAX_NAME_CHARS} caractères)."),
        )
        .into_response();
    }
    let resolved = {
        let (console, typed) = (console.clone(), typed.clone());
        blocking(move || Ok(console.corpus.resolve(&typed, None))).await
    };
    let resolution = match resolved {
        Ok(Ok(resolution)) => resolution,
        Ok(Err(error)) => {
            let (message, list) = match &error {
                Error::AmbiguousName { candidates, .. } => (
                    format!(
                        "« {typed} » désigne plusieurs collectivités : choisissez-en une, ou précisez le nom comme indiqué (par exemple Saint-Denis (93))."
                    ),
                    candidates.clone(),
                ),
                Error::NoSuchName { suggestions, .. } => (
                    format!("Aucune collectivité ne s'appelle « {typed} »."),
                    suggestions.clone(),
                ),
                _ => return ConsoleError::from_engine(error).into_response(),
            };
            let status = match error {
                Error::AmbiguousName { .. } => StatusCode::CONFLICT,
                _ => StatusCode::NOT_FOUND,
            };
            return html(
                status,
                &OpenPage {
                    layout: Layout::new(Some(&session.caller), "fiche"),
                    typed,
                    message,
                    candidates: candidates(&list),
                },
            );
        }
        Err(error) => return error.into_response(),
    };
    let to = match &resolution.corrected_from {
        Some(typed) => format!(
            "/console/fiches/{}?compris={}",
            resolution.id,
            percent_encoding::utf8_percent_encode(typed, percent_encoding::NON_ALPHANUMERIC)
        ),
        None => format!("/console/fiches/{}", resolution.id),
    };
    Redirect::to(&to).into_response()
}
