//! Page 2 — Recherche: full-text search over the fiches (the engine's tantivy
//! index, FR/EN/ES/PT analysers) with the filters of the command line's `search`,
//! paged with the number of fiches found, each hit with the extract that made it
//! match (its words marked), and the export of the whole result list (up to
//! [`MAX_EXPORT`] rows) as CSV or as a workbook.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use passerelle_engine::atlas::CallState;
use passerelle_engine::batch::export::text_cell;
use passerelle_engine::fiche::{Fiche, Level, Side};
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::search::{
    MAX_LIMIT, MAX_OFFSET, SearchFilters, SearchHit, SearchPage as Found, SearchQuery, Snippet,
};
use passerelle_engine::sheets;

use super::super::error::ConsoleError;
use super::super::map_data::area_label;
use super::super::params::Params;
use super::super::{Console, StaffSession, blocking, labels};
use super::{Choice, Layout, country_choices, html, theme_choices, workbook};

/// Most characters of the text searched.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most rows of an export (CSV or workbook).
pub const MAX_EXPORT: usize = 10_000;
const PAGE_SIZES: [usize; 3] = [20, 50, 100];
const FIELDS: [&str; 11] = [
    "q", "cote", "pays", "region", "niveau", "theme", "ouvert", "pop_min", "pop_max", "page",
    "par_page",
];
const LEVELS: [(&str, Level); 3] = [
    ("local", Level::Local),
    ("intermediaire", Level::Intermediate),
    ("regional", Level::Regional),
];
/// The export's header (French, as staff read it).
pub const CSV_HEADER: [&str; 9] = [
    "identifiant",
    "collectivité",
    "pays",
    "nature",
    "échelon",
    "région ou division",
    "population",
    "appel à partenariat",
    "pertinence",
];

/// What the page was asked.
#[derive(Debug, Clone, Default, PartialEq)]
struct Asked {
    text: String,
    filters: SearchFilters,
    /// The filter's form values, to show them again.
    side: Option<&'static str>,
    level: Option<&'static str>,
    open: bool,
    page: usize,
    page_size: usize,
}

impl Asked {
    /// Whether a text was searched: its hits are ranked by relevance.
    fn ranked(&self) -> bool {
        !self.text.trim().is_empty()
    }

    /// Reads the page's parameters. Blocking (called on the blocking pool, with the
    /// search it asks for): a région is checked against the map's data, built first
    /// if it is not yet (seconds on a national corpus).
    fn parse(query: &str, console: &Console) -> Result<Asked, ConsoleError> {
        let params = Params::parse(query, &FIELDS)?;
        let text = params.get("q").unwrap_or("").to_owned();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(ConsoleError::field(
                "q",
                format!("trop long (au plus {MAX_QUERY_CHARS} caractères)."),
            ));
        }
        let mut asked = Asked {
            text,
            page_size: params.integer("par_page", 1, 100)?.unwrap_or(20),
            ..Asked::default()
        };
        if !PAGE_SIZES.contains(&asked.page_size) {
            return Err(ConsoleError::field("par_page", "attendu 20, 50 ou 100."));
        }
        asked.page = params
            .integer("page", 1, MAX_OFFSET / asked.page_size)?
            .unwrap_or(1);
        let quote = super::super::params::shown;
        if let Some(side) = params.get("cote") {
            let (value, side) = match side {
                "francais" => ("francais", Side::French),
                "etranger" => ("etranger", Side::Foreign),
                other => {
                    return Err(ConsoleError::field(
                        "cote",
                        format!("« {} » : attendu francais ou etranger.", quote(other)),
                    ));
                }
            };
            asked.side = Some(value);
            asked.filters.side = Some(side);
        }
        if let Some(code) = params.get("pays") {
            asked.filters.country = Some(CountryCode::parse_user(code).ok_or_else(|| {
                ConsoleError::field(
                    "pays",
                    format!(
                        "« {} » n'est pas un code pays ISO 3166-1 à deux lettres connu.",
                        quote(code)
                    ),
                )
            })?);
        }
        if let Some(code) = params.get("region") {
            let Some(country) = asked.filters.country else {
                return Err(ConsoleError::field(
                    "region",
                    "choisissez d'abord un pays (champ « pays »).",
                ));
            };
            // Never accepted unchecked: before the map's data was first built (at
            // start, in the background), an unknown code gave an empty page.
            let data = (console.map)
                .get(&console.corpus, console.corpus.today())
                .map_err(ConsoleError::from_engine)?;
            let known = data.atlas.areas.iter().any(|a| {
                a.code == code && data.atlas.countries[usize::from(a.country)].code == country
            });
            if !known {
                return Err(ConsoleError::field(
                    "region",
                    format!(
                        "aucune région ni division « {} » parmi les fiches de {}.",
                        quote(code),
                        labels::country_name(country)
                    ),
                ));
            }
            asked.filters.admin1 = Some(code.to_owned());
        }
        if let Some(level) = params.get("niveau") {
            let (value, level) = LEVELS
                .iter()
                .find(|(value, _)| *value == level)
                .ok_or_else(|| {
                    ConsoleError::field(
                        "niveau",
                        format!(
                            "« {} » : attendu local, intermediaire ou regional.",
                            quote(level)
                        ),
                    )
                })?;
            asked.level = Some(value);
            asked.filters.level = Some(*level);
        }
        if let Some(code) = params.get("theme") {
            asked.filters.theme = Some(ThemeCode::parse(code).ok_or_else(|| {
                ConsoleError::field(
                    "theme",
                    format!("« {} » n'est pas un des 30 codes de thème.", quote(code)),
                )
            })?);
        }
        asked.open = params.flag("ouvert")?;
        if asked.open {
            asked.filters.open_on = Some(console.corpus.today());
        }
        asked.filters.min_population = params.integer("pop_min", 0, u64::MAX / 2)?;
        asked.filters.max_population = params.integer("pop_max", 0, u64::MAX / 2)?;
        if let (Some(min), Some(max)) = (asked.filters.min_population, asked.filters.max_population)
            && min > max
        {
            return Err(ConsoleError::field(
                "pop_max",
                "la population maximale est inférieure à la minimale.",
            ));
        }
        Ok(asked)
    }

    /// The query string of these settings (page left out unless given).
    fn query(&self, page: Option<usize>) -> String {
        let mut parts = Vec::new();
        let encode = |text: &str| {
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        if !self.text.is_empty() {
            parts.push(format!("q={}", encode(&self.text)));
        }
        if let Some(side) = self.side {
            parts.push(format!("cote={side}"));
        }
        if let Some(country) = self.filters.country {
            parts.push(format!("pays={}", country.as_str()));
        }
        if let Some(region) = &self.filters.admin1 {
            parts.push(format!("region={}", encode(region)));
        }
        if let Some(level) = self.level {
            parts.push(format!("niveau={level}"));
        }
        if let Some(theme) = self.filters.theme {
            parts.push(format!("theme={}", theme.as_str()));
        }
        if self.open {
            parts.push("ouvert=oui".to_owned());
        }
        if let Some(n) = self.filters.min_population {
            parts.push(format!("pop_min={n}"));
        }
        if let Some(n) = self.filters.max_population {
            parts.push(format!("pop_max={n}"));
        }
        if self.page_size != 20 {
            parts.push(format!("par_page={}", self.page_size));
        }
        if let Some(page) = page {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }

    fn search(&self, limit: usize, offset: usize) -> SearchQuery {
        SearchQuery {
            text: self.text.clone(),
            filters: self.filters.clone(),
            limit,
            offset,
        }
    }
}

/// Why a fiche matched: the field and its extract, cut in parts, the matched words
/// marked (the template escapes every part).
#[derive(Debug, Clone)]
struct SnippetView {
    field: &'static str,
    parts: Vec<(String, bool)>,
}

fn snippet(snippet: &Snippet) -> SnippetView {
    let text = &snippet.text;
    let mut parts = Vec::new();
    let mut at = 0;
    for range in &snippet.highlights {
        let valid = range.start >= at
            && range.start < range.end
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end);
        if !valid {
            continue;
        }
        if range.start > at {
            parts.push((text[at..range.start].to_owned(), false));
        }
        parts.push((text[range.clone()].to_owned(), true));
        at = range.end;
    }
    if at < text.len() {
        parts.push((text[at..].to_owned(), false));
    }
    SnippetView {
        field: snippet.field.label(),
        parts,
    }
}

/// A fiche found, as a row.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    href: String,
    name: String,
    country: String,
    kind: &'static str,
    level: String,
    area: String,
    population: String,
    call: &'static str,
    score: String,
    snippet: Option<SnippetView>,
}

fn row(hit: &SearchHit, fiche: &Fiche, today: chrono::NaiveDate, ranked: bool) -> Row {
    Row {
        id: hit.id.to_string(),
        href: format!("/console/fiches/{}", hit.id),
        name: hit.name.clone(),
        country: labels::country_name(hit.country).to_owned(),
        kind: fiche.kind.label(),
        level: labels::capitalised(fiche.level.label()),
        area: fiche
            .admin
            .as_ref()
            .and_then(|a| {
                a.admin1_name
                    .clone()
                    .or_else(|| a.region.clone().map(|r| format!("région {r}")))
                    .or_else(|| a.admin1.clone())
            })
            .unwrap_or_default(),
        population: match fiche.population {
            0 => String::new(),
            n => labels::count(n),
        },
        call: CallState::of(fiche.call.as_ref(), today).label_fr(),
        score: if ranked {
            passerelle_engine::french::decimal(f64::from(hit.score), 2)
        } else {
            String::new()
        },
        snippet: hit.snippet.as_ref().map(snippet),
    }
}

/// The hits of a page with their fiches read (for the columns hits do not carry).
fn rows(console: &Console, hits: &[SearchHit], ranked: bool) -> Result<Vec<Row>, ConsoleError> {
    let today = console.corpus.today();
    hits.iter()
        .filter_map(|hit| match console.corpus.fiche(&hit.id) {
            Ok(fiche) => Some(Ok(row(hit, &fiche, today, ranked))),
            // Deleted since the index answered.
            Err(passerelle_engine::Error::NotFound(_)) => None,
            Err(e) => Some(Err(ConsoleError::from_engine(e))),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    text: String,
    sides: Vec<Choice>,
    countries: Vec<Choice>,
    areas: Vec<Choice>,
    levels: Vec<Choice>,
    themes: Vec<Choice>,
    open: bool,
    pop_min: String,
    pop_max: String,
    page_sizes: Vec<Choice>,
    searched: bool,
    rows: Vec<Row>,
    ranked: bool,
    summary: String,
    previous: Option<String>,
    next: Option<String>,
    export: String,
    export_workbook: String,
    max_export: String,
}

/// `GET /console/recherche`.
pub(crate) async fn page(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    match page_inner(console, &session, query.as_deref().unwrap_or("")).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => error.into_response(),
    }
}

async fn page_inner(
    console: Arc<Console>,
    session: &StaffSession,
    query: &str,
) -> Result<SearchPage, ConsoleError> {
    let searched = !query.is_empty();
    let (asked, rows, total) = {
        let (console, query) = (console.clone(), query.to_owned());
        blocking(move || {
            let asked = Asked::parse(&query, &console)?;
            if !searched {
                return Ok((asked, Vec::new(), 0));
            }
            let search = asked.search(asked.page_size, (asked.page - 1) * asked.page_size);
            let found = console
                .corpus
                .search(&search)
                .map_err(ConsoleError::from_engine)?;
            let rows = rows(&console, &found.hits, asked.ranked())?;
            Ok((asked, rows, found.total))
        })
        .await?
    };
    let ranked = asked.ranked();
    let first = (asked.page - 1) * asked.page_size;
    let more = first + rows.len() < total;
    let summary = match (total, rows.len()) {
        (0, _) => "Aucune fiche ne correspond.".to_owned(),
        (total, 0) => format!(
            "{} fiche(s) trouvée(s) ; aucune sur cette page.",
            labels::count(total)
        ),
        (total, n) => format!(
            "{} fiche(s) trouvée(s) ; fiches {} à {}.",
            labels::count(total),
            labels::count(first + 1),
            labels::count(first + n)
        ),
    };
    let link = |page: usize| format!("/console/recherche?{}", asked.query(Some(page)));
    let countries = country_choices(asked.filters.country, false);
    let areas = match (asked.filters.country, console.map.latest()) {
        (Some(country), Some(data)) => {
            let atlas = &data.atlas;
            let mut areas: Vec<Choice> = atlas
                .areas
                .iter()
                .filter(|a| atlas.countries[usize::from(a.country)].code == country)
                .map(|a| {
                    Choice::new(
                        &a.code,
                        &area_label(a),
                        asked.filters.admin1.as_deref() == Some(a.code.as_str()),
                    )
                })
                .collect();
            areas.sort_by_cached_key(|c| passerelle_engine::text::fold(&c.label));
            areas
        }
        _ => Vec::new(),
    };
    Ok(SearchPage {
        layout: Layout::new(Some(&session.caller), "recherche"),
        text: asked.text.clone(),
        sides: [("francais", "françaises"), ("etranger", "étrangères")]
            .iter()
            .map(|(v, l)| Choice::new(v, l, asked.side == Some(*v)))
            .collect(),
        countries,
        areas,
        levels: LEVELS
            .iter()
            .map(|(v, level)| {
                Choice::new(
                    v,
                    &labels::capitalised(level.label()),
                    asked.level == Some(*v),
                )
            })
            .collect(),
        themes: theme_choices(asked.filters.theme),
        open: asked.open,
        pop_min: asked
            .filters
            .min_population
            .map(|n| n.to_string())
            .unwrap_or_default(),
        pop_max: asked
            .filters
            .max_population
            .map(|n| n.to_string())
            .unwrap_or_default(),
        page_sizes: PAGE_SIZES
            .iter()
            .map(|n| Choice::new(&n.to_string(), &n.to_string(), asked.page_size == *n))
            .collect(),
        searched,
        ranked,
        summary,
        previous: (asked.page > 1).then(|| link(asked.page - 1)),
        next: more.then(|| link(asked.page + 1)),
        export: format!("/console/recherche.csv?{}", asked.query(None)),
        export_workbook: format!("/console/recherche.xlsx?{}", asked.query(None)),
        max_export: labels::count(MAX_EXPORT),
        rows,
    })
}

/// One CSV line: cells quoted when they hold a separator, a quote or a line break.
fn csv_line(cells: &[&str]) -> String {
    let mut line = cells
        .iter()
        .map(|cell| {
            if cell.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                (*cell).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// Every fiche the export lists: the search's pages in order, up to [`MAX_EXPORT`].
fn exported_hits(console: &Console, asked: &Asked) -> Result<Found, ConsoleError> {
    let mut all = Found {
        total: 0,
        hits: Vec::new(),
    };
    let mut offset = 0;
    while offset < MAX_EXPORT {
        let limit = MAX_LIMIT.min(MAX_EXPORT - offset);
        let found = console
            .corpus
            .search(&asked.search(limit, offset))
            .map_err(ConsoleError::from_engine)?;
        all.total = found.total;
        let last = found.hits.len() < limit;
        all.hits.extend(found.hits);
        offset += limit;
        if last || offset >= all.total {
            break;
        }
    }
    Ok(all)
}

/// `GET /console/recherche.csv`: every fiche found (at most [`MAX_EXPORT`]), in
/// the page's order, cells safe for spreadsheets.
pub(crate) async fn export(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let console = console.clone();
        blocking(move || {
            let asked = Asked::parse(query.as_deref().unwrap_or(""), &console)?;
            let ranked = asked.ranked();
            let mut out = String::from("\u{feff}");
            out.push_str(&csv_line(&CSV_HEADER));
            let found = exported_hits(&console, &asked)?;
            for r in rows(&console, &found.hits, ranked)? {
                out.push_str(&csv_line(&[
                    &text_cell(&r.id),
                    &text_cell(&r.name),
                    &text_cell(&r.country),
                    &text_cell(r.kind),
                    &text_cell(&r.level),
                    &text_cell(&r.area),
                    &r.population.replace('\u{a0}', ""),
                    &text_cell(r.call),
                    &r.score.replace(',', "."),
                ]));
            }
            Ok(out)
        })
        .await
    }
    .await;
    match result {
        Ok(csv) => {
            let mut response = csv.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"recherche.csv\""),
            );
            response
        }
        Err(error) => error.into_response(),
    }
}

/// `GET /console/recherche.xlsx`: the same list as [`export`] as a workbook (rank,
/// fiche, country, relevance, where it matched and the extract).
pub(crate) async fn export_workbook(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let console = console.clone();
        blocking(move || {
            let asked = Asked::parse(query.as_deref().unwrap_or(""), &console)?;
            let book = sheets::search_workbook(&exported_hits(&console, &asked)?, 0)
                .map_err(ConsoleError::from_engine)?;
            workbook(book, "recherche.xlsx")
        })
        .await
    }
    .await;
    result.unwrap_or_else(|error| error.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_quote_what_needs_it() {
        assert_eq!(csv_line(&["a", "b c"]), "a,b c\n");
        assert_eq!(
            csv_line(&["a,b", "dit \"x\""]),
            "\"a,b\",\"dit \"\"x\"\"\"\n"
        );
        assert_eq!(csv_line(&["l1\nl2"]), "\"l1\nl2\"\n");
    }
}
