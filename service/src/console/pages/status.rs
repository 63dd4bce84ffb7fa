//! Page 7 — État: the corpus's counts, the store's generation, the search index's
//! state, the batch runs running and queued, and the version.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use passerelle_engine::batch::RunStatus;
use passerelle_engine::fiche::{Kind, Level};
use passerelle_engine::reference::{CountryCode, ThemeCode};

use super::super::error::ConsoleError;
use super::super::params::Params;
use super::super::{Console, StaffSession, blocking, labels};
use super::{Layout, html};

/// Runs read to find those running or queued (the latest ones).
const RUNS_READ: usize = 100;
/// Countries listed.
const TOP_COUNTRIES: usize = 15;

#[derive(Debug, Clone)]
struct RunLine {
    id: u64,
    status: String,
    class: &'static str,
    origin: String,
    created: String,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    layout: Layout,
    version: &'static str,
    today: String,
    total: String,
    french: String,
    foreign: String,
    countries: String,
    generation: String,
    /// `à jour`, `en retard (génération N)`, `pas encore ouvert`.
    index: String,
    index_ok: bool,
    by_level: Vec<(String, String)>,
    by_kind: Vec<(String, String)>,
    top_countries: Vec<(String, String)>,
    calls: Vec<(&'static str, String)>,
    themes: Vec<(String, String, String, String)>,
    active_runs: Vec<RunLine>,
}

/// `GET /console/etat`.
pub(crate) async fn page(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(error) = Params::parse(query.as_deref().unwrap_or(""), &[]) {
        return error.into_response();
    }
    let caller = session.caller.clone();
    let built = blocking(move || {
        let corpus = &console.corpus;
        let engine = |e| ConsoleError::from_engine(e);
        let stats = corpus.stats().map_err(engine)?;
        let generation = corpus.generation().map_err(engine)?;
        let index_generation = corpus.index_generation().map_err(engine)?;
        let runs = corpus.batch_runs(RUNS_READ).map_err(engine)?;
        let (index, index_ok) = match index_generation {
            Some(g) if g == generation => ("à jour".to_owned(), true),
            Some(g) => (
                format!("en retard : il reflète la génération {}", labels::count(g)),
                false,
            ),
            None => ("pas encore ouvert".to_owned(), false),
        };
        let named = |list: &[(String, u64)], name: &dyn Fn(&str) -> String| {
            list.iter()
                .map(|(code, n)| (name(code), labels::count(*n)))
                .collect::<Vec<_>>()
        };
        let mut active_runs: Vec<RunLine> = runs
            .iter()
            .filter(|r| matches!(r.status, RunStatus::Running | RunStatus::Queued))
            .map(|r| RunLine {
                id: r.id.get(),
                status: labels::run_status(&r.status),
                class: labels::run_status_class(&r.status),
                origin: r.origin.clone(),
                created: labels::utc_time(&r.created_at),
            })
            .collect();
        active_runs.reverse();
        Ok(StatusPage {
            layout: Layout::new(Some(&caller), "etat"),
            version: env!("CARGO_PKG_VERSION"),
            today: corpus.today().format("%d/%m/%Y").to_string(),
            total: labels::count(stats.total),
            french: labels::count(stats.french),
            foreign: labels::count(stats.foreign),
            countries: labels::count(stats.by_country.len()),
            generation: labels::count(generation),
            index,
            index_ok,
            by_level: named(&stats.by_level, &|code| {
                Level::parse(code).map_or(code.to_owned(), |l| labels::capitalised(l.label()))
            }),
            by_kind: named(&stats.by_kind, &|code| {
                Kind::parse(code).map_or(code.to_owned(), |k| labels::capitalised(k.label()))
            }),
            top_countries: named(
                &stats.by_country[..stats.by_country.len().min(TOP_COUNTRIES)],
                &|code| {
                    CountryCode::parse(code)
                        .map_or(code.to_owned(), |c| labels::country_name(c).to_owned())
                },
            ),
            calls: vec![
                ("Appel ouvert", labels::count(stats.calls.open)),
                ("Appel expiré", labels::count(stats.calls.expired)),
                ("Appel clos", labels::count(stats.calls.closed)),
                ("Sans appel", labels::count(stats.calls.none)),
            ],
            themes: stats
                .by_theme
                .iter()
                .map(|t| {
                    (
                        ThemeCode::parse(&t.theme)
                            .map_or(t.theme.clone(), |c| labels::theme_label(c).to_owned()),
                        labels::count(t.profile),
                        labels::count(t.offer),
                        labels::count(t.request),
                    )
                })
                .collect(),
            active_runs,
        })
    })
    .await;
    match built {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => error.into_response(),
    }
}
