//! Page 5 — File de revue: the pairs awaiting a decision, best first, page by page
//! (French fiches of a région, partners of a country or a theme), decisions taken in
//! place, and how many pairs remain in the whole queue (counted again after each
//! decision); every decision recorded, as a workbook.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use passerelle_engine::corpus::QueueQuery;
use passerelle_engine::ranking::CandidateFilters;
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::scoring::Weights;
use passerelle_engine::sheets;

use super::super::error::ConsoleError;
use super::super::map_data::area_label;
use super::super::params::Params;
use super::super::{Console, StaffSession, blocking, labels};
use super::score_view::SuggestionView;
use super::{Choice, Layout, country_choices, html, theme_choices, workbook};

/// French fiches per page.
pub(crate) const PAGE_SIZE: usize = 20;
const DEFAULT_PER_FICHE: usize = 3;
const MAX_PER_FICHE: usize = 10;
const FIELDS: [&str; 5] = ["region", "pays", "theme", "par_fiche", "page"];

/// The queue's filters, as the query gives them.
#[derive(Debug, Clone, PartialEq)]
struct Filters {
    region: Option<String>,
    country: Option<CountryCode>,
    theme: Option<ThemeCode>,
    per_fiche: usize,
    page: usize,
}

impl Filters {
    fn parse(query: &str, regions: &[Choice]) -> Result<Filters, ConsoleError> {
        let params = Params::parse(query, &FIELDS)?;
        let region = match params.get("region") {
            None => None,
            Some(code) if regions.iter().any(|r| r.value == code) => Some(code.to_owned()),
            Some(code) => {
                return Err(ConsoleError::field(
                    "region",
                    format!(
                        "aucune région française « {} » parmi les fiches.",
                        crate::console::params::shown(code)
                    ),
                ));
            }
        };
        let country = match params.get("pays") {
            None => None,
            Some(code) => Some(CountryCode::parse_user(code).ok_or_else(|| {
                ConsoleError::field(
                    "pays",
                    format!(
                        "« {} » n'est pas un code pays ISO 3166-1 à deux lettres connu.",
                        crate::console::params::shown(code)
                    ),
                )
            })?),
        };
        let theme = match params.get("theme") {
            None => None,
            Some(code) => Some(ThemeCode::parse(code).ok_or_else(|| {
                ConsoleError::field(
                    "theme",
                    format!(
                        "« {} » n'est pas un des 30 codes de thème.",
                        crate::console::params::shown(code)
                    ),
                )
            })?),
        };
        let max_page = passerelle_engine::search::MAX_OFFSET / PAGE_SIZE;
        Ok(Filters {
            region,
            country,
            theme,
            per_fiche: params
                .integer("par_fiche", 1, MAX_PER_FICHE)?
                .unwrap_or(DEFAULT_PER_FICHE),
            page: params.integer("page", 1, max_page)?.unwrap_or(1),
        })
    }

    fn queue(&self) -> QueueQuery {
        QueueQuery {
            region: self.region.clone(),
            filters: CandidateFilters {
                country: self.country,
                theme: self.theme,
                ..CandidateFilters::default()
            },
            per_fiche: self.per_fiche,
            page_size: PAGE_SIZE,
            offset: (self.page - 1) * PAGE_SIZE,
        }
    }

    /// The query of these filters (page left out unless `page` is given).
    fn query(&self, page: Option<usize>) -> String {
        let mut parts = Vec::new();
        if let Some(region) = &self.region {
            parts.push(format!("region={region}"));
        }
        if let Some(country) = self.country {
            parts.push(format!("pays={}", country.as_str()));
        }
        if let Some(theme) = self.theme {
            parts.push(format!("theme={}", theme.as_str()));
        }
        if self.per_fiche != DEFAULT_PER_FICHE {
            parts.push(format!("par_fiche={}", self.per_fiche));
        }
        if let Some(page) = page {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    layout: Layout,
    regions: Vec<Choice>,
    countries: Vec<Choice>,
    themes: Vec<Choice>,
    per_fiche: usize,
    remaining: String,
    remaining_url: String,
    /// `36 359 collectivités françaises dans le périmètre`.
    scope: String,
    entries: Vec<SuggestionView>,
    page: usize,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "review_remaining.html")]
struct RemainingFragment {
    remaining: String,
}

/// The French régions of the corpus, for the filter (from the map's point set).
async fn regions(
    console: &Arc<Console>,
    selected: Option<&str>,
) -> Result<Vec<Choice>, ConsoleError> {
    let console = console.clone();
    let data = blocking(move || {
        let today = console.corpus.today();
        console
            .map
            .get(&console.corpus, today)
            .map_err(ConsoleError::from_engine)
    })
    .await?;
    let atlas = &data.atlas;
    let mut regions: Vec<Choice> = atlas
        .areas
        .iter()
        .filter(|a| atlas.countries[usize::from(a.country)].code == CountryCode::FRANCE)
        .map(|a| Choice::new(&a.code, &area_label(a), selected == Some(a.code.as_str())))
        .collect();
    regions.sort_by_cached_key(|c| passerelle_engine::text::fold(&c.label));
    Ok(regions)
}

fn remaining_text(n: u64) -> String {
    match n {
        0 => "Aucune paire à examiner avec ces filtres.".to_owned(),
        1 => "1 paire reste à examiner.".to_owned(),
        n => format!("{} paires restent à examiner.", labels::count(n)),
    }
}

/// `GET /console/revue`.
pub(crate) async fn page(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    match page_inner(console, session, query.as_deref().unwrap_or("")).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => error.into_response(),
    }
}

async fn page_inner(
    console: Arc<Console>,
    session: StaffSession,
    query: &str,
) -> Result<ReviewPage, ConsoleError> {
    let all_regions = regions(&console, None).await?;
    let filters = Filters::parse(query, &all_regions)?;
    let regions: Vec<Choice> = all_regions
        .into_iter()
        .map(|mut c| {
            c.selected = filters.region.as_deref() == Some(c.value.as_str());
            c
        })
        .collect();
    let queue = filters.queue();
    let (page, remaining) = {
        let console = console.clone();
        blocking(move || {
            let page = console
                .corpus
                .review_queue(&queue)
                .map_err(ConsoleError::from_engine)?;
            let remaining = console
                .corpus
                .review_remaining(&queue)
                .map_err(ConsoleError::from_engine)?;
            Ok((page, remaining))
        })
        .await?
    };
    let weights = Weights::default();
    let entries = page
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            SuggestionView::new(
                (filters.page - 1) * PAGE_SIZE + i + 1,
                e.fiche_id.as_str(),
                &e.fiche_name,
                true,
                &e.partner,
                &weights,
                "revue",
            )
        })
        .collect();
    let countries = country_choices(filters.country, true);
    let link = |page: usize| format!("/console/revue?{}", filters.query(Some(page)));
    Ok(ReviewPage {
        layout: Layout::new(Some(&session.caller), "revue"),
        regions,
        countries,
        themes: theme_choices(filters.theme),
        per_fiche: filters.per_fiche,
        remaining: remaining_text(remaining),
        remaining_url: match filters.query(None) {
            q if q.is_empty() => "/console/revue/restant".to_owned(),
            q => format!("/console/revue/restant?{q}"),
        },
        scope: match page.fiches_in_scope {
            1 => "1 collectivité française dans le périmètre".to_owned(),
            n => format!(
                "{} collectivités françaises dans le périmètre",
                labels::count(n)
            ),
        },
        entries,
        page: filters.page,
        previous: (filters.page > 1).then(|| link(filters.page - 1)),
        next: page.more.then(|| link(filters.page + 1)),
    })
}

/// `GET /console/revue/restant`: the count alone (reloaded after each decision).
pub(crate) async fn remaining(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let regions = regions(&console, None).await?;
        let filters = Filters::parse(query.as_deref().unwrap_or(""), &regions)?;
        let queue = filters.queue();
        let console = console.clone();
        blocking(move || {
            console
                .corpus
                .review_remaining(&queue)
                .map_err(ConsoleError::from_engine)
        })
        .await
    }
    .await;
    match result {
        Ok(n) => html(
            StatusCode::OK,
            &RemainingFragment {
                remaining: remaining_text(n),
            },
        ),
        Err(error) => error.fragment().into_response(),
    }
}
/// `GET /console/decisions.xlsx`: every decision recorded, oldest first (date,
/// pair, decision, reviewer, note).
pub(crate) async fn decisions_workbook(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        Params::parse(query.as_deref().unwrap_or(""), &[])?;
        blocking(move || {
            let decisions = console
                .corpus
                .all_decisions()
                .map_err(ConsoleError::from_engine)?;
            let book = sheets::decisions_workbook(&decisions).map_err(ConsoleError::from_engine)?;
            workbook(book, "decisions.xlsx")
        })
        .await
    }
    .await;
    result.unwrap_or_else(|error| error.into_response())
}
