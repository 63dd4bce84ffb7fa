//! Page 1 — Carte: every fiche on the map. The page carries the filter form (its
//! values, from the query, checked here); the browser fetches the point set once
//! ([`points`]), filters and clusters it itself, and fetches the card of a point
//! the user clicks ([`cards`]), rendered here.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use passerelle_engine::atlas::{CallState, NO_AREA};
use passerelle_engine::fiche::{Fiche, Kind, Level, Side};
use passerelle_engine::reference::{CountryCode, ThemeCode};

use super::super::error::ConsoleError;
use super::super::map_data::{MapData, area_label, level_label};
use super::super::params::Params;
use super::super::{Console, StaffSession, assets, blocking};
use super::{Choice, Layout, html};

/// Most points whose cards one request may ask for.
pub const MAX_CARDS: usize = 20;

/// The filters of the map, as the query gives them (`/console/carte?pays=BJ&…`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MapFilters {
    pub side: Option<Side>,
    pub country: Option<CountryCode>,
    /// An area code of `country`.
    pub area: Option<String>,
    pub level: Option<Level>,
    pub theme: Option<ThemeCode>,
    pub call: Option<CallFilter>,
    pub underserved: bool,
}

/// The call filter's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallFilter {
    /// Open, expiring or not.
    Open,
    Expiring,
    Expired,
    Closed,
    None,
}

const FILTER_FIELDS: &[&str] = &[
    "cote",
    "pays",
    "region",
    "niveau",
    "theme",
    "appel",
    "sous_servi",
];

const SIDES: &[(&str, &str)] = &[("francais", "Françaises"), ("etranger", "Étrangères")];
const LEVELS: &[(&str, Level)] = &[
    ("local", Level::Local),
    ("intermediaire", Level::Intermediate),
    ("regional", Level::Regional),
];
const CALLS: &[(&str, &str, CallFilter)] = &[
    ("ouvert", "ouvert (y compris expirant)", CallFilter::Open),
    ("expirant", "expirant sous 30 jours", CallFilter::Expiring),
    ("expire", "expiré", CallFilter::Expired),
    ("clos", "clos", CallFilter::Closed),
    ("sans", "sans appel", CallFilter::None),
];

fn choices(list: &[(&str, &str)]) -> String {
    list.iter()
        .map(|(value, _)| format!("« {value} »"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl MapFilters {
    /// Reads and checks the query against the map's tables.
    pub fn parse(query: &str, data: &MapData) -> Result<MapFilters, ConsoleError> {
        let params = Params::parse(query, FILTER_FIELDS)?;
        let mut filters = MapFilters::default();
        if let Some(side) = params.get("cote") {
            filters.side = Some(match side {
                "francais" => Side::French,
                "etranger" => Side::Foreign,
                _ => {
                    return Err(ConsoleError::field(
                        "cote",
                        format!(
                            "« {side} » n'est pas un choix possible ({}).",
                            choices(SIDES)
                        ),
                    ));
                }
            });
        }
        if let Some(code) = params.get("pays") {
            let country = CountryCode::parse(&code.to_ascii_uppercase()).ok_or_else(|| {
                ConsoleError::field(
                    "pays",
                    format!("« {code} » n'est pas un code pays ISO 3166-1 à deux lettres connu."),
                )
            })?;
            filters.country = Some(country);
        }
        if let Some(code) = params.get("region") {
            let Some(country) = filters.country else {
                return Err(ConsoleError::field(
                    "region",
                    "choisissez d'abord un pays (champ « pays »).",
                ));
            };
            let known = data.atlas.areas.iter().any(|area| {
                area.code == code && data.atlas.countries[usize::from(area.country)].code == country
            });
            if !known {
                return Err(ConsoleError::field(
                    "region",
                    format!(
                        "aucune région ni division administrative « {code} » parmi les fiches de {}.",
                        country.info().name_fr
                    ),
                ));
            }
            filters.area = Some(code.to_owned());
        }
        if let Some(level) = params.get("niveau") {
            filters.level = Some(
                LEVELS
                    .iter()
                    .find(|(value, _)| *value == level)
                    .map(|(_, level)| *level)
                    .ok_or_else(|| {
                        ConsoleError::field(
                            "niveau",
                            format!(
                                "« {level} » n'est pas un choix possible (« local », « intermediaire », « regional »)."
                            ),
                        )
                    })?,
            );
        }
        if let Some(code) = params.get("theme") {
            filters.theme = Some(ThemeCode::parse(code).ok_or_else(|| {
                ConsoleError::field(
                    "theme",
                    format!("« {code} » n'est pas un des 30 codes de thème (themes.csv)."),
                )
            })?);
        }
        if let Some(call) = params.get("appel") {
            filters.call = Some(
                CALLS
                    .iter()
                    .find(|(value, _, _)| *value == call)
                    .map(|(_, _, filter)| *filter)
                    .ok_or_else(|| {
                        ConsoleError::field(
                            "appel",
                            format!(
                                "« {call} » n'est pas un choix possible ({}).",
                                CALLS
                                    .iter()
                                    .map(|(v, _, _)| format!("« {v} »"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?,
            );
        }
        if let Some(flag) = params.get("sous_servi") {
            filters.underserved = match flag {
                "1" | "oui" | "on" => true,
                "0" | "non" => false,
                _ => {
                    return Err(ConsoleError::field(
                        "sous_servi",
                        format!("« {flag} » : attendu « oui » ou « non »."),
                    ));
                }
            };
        }
        Ok(filters)
    }

    /// Whether the point at `index` passes: the rules `map.js` applies in the
    /// browser (the page's first count comes from here, and the browser tests check
    /// that the script finds the same).
    pub fn keeps(&self, data: &MapData, index: usize) -> bool {
        let atlas = &data.atlas;
        let country = &atlas.countries[usize::from(atlas.country[index])];
        let area = atlas.area[index];
        self.side.is_none_or(|side| atlas.side[index] == side)
            && self.country.is_none_or(|code| country.code == code)
            && self
                .area
                .as_deref()
                .is_none_or(|code| area != NO_AREA && atlas.areas[usize::from(area)].code == code)
            && self.level.is_none_or(|level| atlas.level[index] == level)
            && self
                .theme
                .is_none_or(|theme| atlas.themes[index] & theme.bit() != 0)
            && self.call.is_none_or(|call| {
                let state = atlas.call[index];
                match call {
                    CallFilter::Open => state.is_open(),
                    CallFilter::Expiring => state == CallState::Expiring,
                    CallFilter::Expired => state == CallState::Expired,
                    CallFilter::Closed => state == CallState::Closed,
                    CallFilter::None => state == CallState::None,
                }
            })
            && (!self.underserved || atlas.is_underserved(index))
    }
}

fn choice(value: &str, label: &str, selected: bool) -> Choice {
    Choice::new(value, label, selected)
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    layout: Layout,
    map_js: String,
    leaflet_js: String,
    leaflet_css: String,
    supercluster_js: String,
    borders: String,
    tile_url: String,
    total: String,
    /// Points the filters keep (the script counts them again, in the browser).
    matching: usize,
    matching_text: String,
    sides: Vec<Choice>,
    countries: Vec<Choice>,
    areas: Vec<Choice>,
    levels: Vec<Choice>,
    themes: Vec<Choice>,
    calls: Vec<Choice>,
    underserved: bool,
}

/// `GET /console/carte`.
pub(crate) async fn page(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    let data = match map_data(&console).await {
        Ok(data) => data,
        Err(error) => return error.into_response(),
    };
    let filters = match MapFilters::parse(query.as_deref().unwrap_or(""), &data) {
        Ok(filters) => filters,
        Err(error) => return error.into_response(),
    };
    let matching = {
        let (data, filters) = (data.clone(), filters.clone());
        let counted = blocking(move || {
            Ok((0..data.atlas.len())
                .filter(|&i| filters.keeps(&data, i))
                .count())
        })
        .await;
        match counted {
            Ok(n) => n,
            Err(error) => return error.into_response(),
        }
    };
    let atlas = &data.atlas;
    let mut countries: Vec<(String, Choice)> = atlas
        .countries
        .iter()
        .map(|c| {
            let chosen = filters.country == Some(c.code);
            (
                passerelle_engine::text::fold(&c.name_fr),
                choice(c.code.as_str(), &c.name_fr, chosen),
            )
        })
        .collect();
    countries.sort_by(|a, b| a.0.cmp(&b.0));
    let areas = match filters.country {
        Some(country) => {
            let mut areas: Vec<(String, Choice)> = atlas
                .areas
                .iter()
                .filter(|a| atlas.countries[usize::from(a.country)].code == country)
                .map(|a| {
                    let chosen = filters.area.as_deref() == Some(a.code.as_str());
                    let label = area_label(a);
                    (
                        passerelle_engine::text::fold(&label),
                        choice(&a.code, &label, chosen),
                    )
                })
                .collect();
            areas.sort_by(|a, b| a.0.cmp(&b.0));
            areas.into_iter().map(|(_, c)| c).collect()
        }
        None => Vec::new(),
    };
    let themes = super::theme_choices(filters.theme);
    let page = MapPage {
        layout: Layout::new(Some(&session.caller), "carte"),
        map_js: assets::url("map.js"),
        leaflet_js: assets::url("vendor/leaflet.js"),
        leaflet_css: assets::url("vendor/leaflet.css"),
        supercluster_js: assets::url("vendor/supercluster.min.js"),
        borders: assets::url("vendor/countries-110m.borders.json"),
        tile_url: console.config.tile_url.clone().unwrap_or_default(),
        total: thousands(atlas.len() as u64),
        matching_text: thousands(matching as u64),
        matching,
        sides: SIDES
            .iter()
            .map(|(value, label)| {
                let side = if *value == "francais" {
                    Side::French
                } else {
                    Side::Foreign
                };
                choice(value, label, filters.side == Some(side))
            })
            .collect(),
        countries: countries.into_iter().map(|(_, c)| c).collect(),
        areas,
        levels: LEVELS
            .iter()
            .map(|(value, level)| choice(value, level_label(*level), filters.level == Some(*level)))
            .collect(),
        themes,
        calls: CALLS
            .iter()
            .map(|(value, label, filter)| choice(value, label, filters.call == Some(*filter)))
            .collect(),
        underserved: filters.underserved,
    };
    html(StatusCode::OK, &page)
}

async fn map_data(console: &Arc<Console>) -> Result<Arc<MapData>, ConsoleError> {
    let console = console.clone();
    blocking(move || {
        let today = console.corpus.today();
        console
            .map
            .get(&console.corpus, today)
            .map_err(ConsoleError::from_engine)
    })
    .await
}

/// `GET /console/carte/points`: the point set (see `map_data`), revalidated by ETag.
pub(crate) async fn points(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    headers: HeaderMap,
) -> Response {
    let data = match map_data(&console).await {
        Ok(data) => data,
        Err(error) => return error.fragment().into_response(),
    };
    let etag = HeaderValue::from_str(&data.etag).expect("an ASCII ETag");
    let cache = HeaderValue::from_static("private, no-cache");
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == data.etag));
    if unchanged {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        data.bytes.clone(),
    )
        .into_response()
}

/// One card: what a staff member needs to decide to open the fiche.
#[derive(Debug, Clone)]
struct Card {
    id: String,
    name: String,
    kind: &'static str,
    country: String,
    area: Option<String>,
    population: Option<String>,
    themes: Vec<String>,
    call: &'static str,
    underserved: bool,
    href: String,
}

#[derive(Template)]
#[template(path = "map_cards.html")]
struct CardsFragment {
    cards: Vec<Card>,
    more: usize,
}

/// `GET /console/carte/fiches?g=GENERATION&i=INDEX[,INDEX…]`: the cards of points of
/// the point set of that generation (an HTML fragment for the map's popup).
pub(crate) async fn cards(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    RawQuery(query): RawQuery,
) -> Response {
    match cards_inner(&console, query.as_deref().unwrap_or("")).await {
        Ok(response) => response,
        Err(error) => error.fragment().into_response(),
    }
}

async fn cards_inner(console: &Arc<Console>, query: &str) -> Result<Response, ConsoleError> {
    let params = Params::parse(query, &["g", "i"])?;
    let generation: u64 = params
        .get("g")
        .ok_or_else(|| {
            ConsoleError::field("g", "obligatoire (génération des données de la carte).")
        })?
        .parse()
        .map_err(|_| ConsoleError::field("g", "attendu un nombre entier positif."))?;
    let list = params
        .get("i")
        .ok_or_else(|| ConsoleError::field("i", "obligatoire (numéros des points)."))?;
    let mut indexes = Vec::new();
    for item in list.split(',') {
        let index: usize = item.trim().parse().map_err(|_| {
            ConsoleError::field(
                "i",
                "attendu des numéros de points séparés par des virgules.",
            )
        })?;
        indexes.push(index);
    }
    let data = console
        .map
        .latest()
        .filter(|data| data.generation == generation)
        .ok_or_else(|| {
            ConsoleError::conflict(
                "Les fiches ont changé depuis le chargement de la carte : rechargez la page.",
            )
        })?;
    if let Some(&bad) = indexes.iter().find(|&&i| i >= data.atlas.len()) {
        return Err(ConsoleError::field(
            "i",
            format!(
                "aucun point n° {bad} (la carte en compte {}).",
                data.atlas.len()
            ),
        ));
    }
    let more = indexes.len().saturating_sub(MAX_CARDS);
    indexes.truncate(MAX_CARDS);
    let ids: Vec<_> = indexes.iter().map(|&i| data.atlas.ids[i].clone()).collect();
    let console = console.clone();
    let fiches = blocking(move || {
        ids.iter()
            .map(|id| console.corpus.fiche(id).map_err(ConsoleError::from_engine))
            .collect::<Result<Vec<Fiche>, _>>()
    })
    .await?;
    let cards = indexes
        .iter()
        .zip(&fiches)
        .map(|(&index, fiche)| card(&data, index, fiche))
        .collect();
    Ok(html(StatusCode::OK, &CardsFragment { cards, more }))
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Commune => "commune",
        Kind::Epci => "intercommunalité (EPCI)",
        Kind::Departement => "département",
        Kind::Region => "région",
        Kind::Municipality => "municipalité",
        Kind::District => "district",
        Kind::Province => "province",
        Kind::State => "État fédéré",
        Kind::Other => "autre collectivité",
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

fn card(data: &MapData, index: usize, fiche: &Fiche) -> Card {
    let atlas = &data.atlas;
    let area = atlas.area[index];
    let mut themes: Vec<String> = fiche
        .themes
        .iter()
        .map(|t| t.code)
        .chain(fiche.offer.iter().flat_map(|o| o.themes.iter().copied()))
        .chain(fiche.request.iter().flat_map(|r| r.themes.iter().copied()))
        .map(|code| code.info().label_fr.clone())
        .collect();
    let mut seen = std::collections::HashSet::new();
    themes.retain(|t| seen.insert(t.clone()));
    Card {
        id: fiche.id.to_string(),
        name: fiche.name.clone(),
        kind: kind_label(fiche.kind),
        country: fiche.country.info().name_fr.clone(),
        area: (area != NO_AREA).then(|| area_label(&atlas.areas[usize::from(area)])),
        population: (fiche.population > 0).then(|| thousands(fiche.population)),
        themes,
        call: CallState::of(fiche.call.as_ref(), atlas.today).label_fr(),
        underserved: atlas.is_underserved(index),
        href: format!("/console/fiches/{}", fiche.id),
    }
}
