//! One module per page: each handler checks its input, calls the engine through the
//! console's corpus adapter and renders a template.

pub(crate) mod batch;
pub(crate) mod decision;
pub(crate) mod fiche;
pub(crate) mod fiche_view;
pub(crate) mod login;
pub(crate) mod map;
pub(crate) mod pair;
pub(crate) mod review;
pub(crate) mod score_view;
pub(crate) mod scoring_form;
pub(crate) mod search;
pub(crate) mod status;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use passerelle_engine::reference::{Countries, CountryCode, ThemeCode, Themes};
use passerelle_engine::text::fold;

use super::assets;
use super::error::ConsoleError;
use crate::server::{Caller, Role};

/// The content type of an `.xlsx` workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook made by the engine (`passerelle_engine::sheets`: French headers, typed
/// cells, frozen header row) as a download named `file`.
pub(crate) fn workbook(
    book: passerelle_engine::sheets::Book,
    file: &str,
) -> Result<Response, ConsoleError> {
    let bytes = book.to_bytes().map_err(ConsoleError::from_engine)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
            .map_err(|e| ConsoleError::internal("download name", &e))?,
    );
    Ok(response)
}

/// What the page layout (`base.html`) shows: asset URLs and who is logged in.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub css: String,
    pub htmx: String,
    pub favicon: String,
    /// The token's name, when logged in.
    pub user: Option<String>,
    pub role: &'static str,
    /// The navigation entry of the page (`carte`, …).
    pub current: &'static str,
}

impl Layout {
    pub fn new(caller: Option<&Caller>, current: &'static str) -> Layout {
        Layout {
            css: assets::url("console.css"),
            htmx: assets::url("vendor/htmx.min.js"),
            favicon: assets::url("favicon.svg"),
            user: caller.map(|c| c.name.clone()),
            role: match caller.map(|c| c.role) {
                Some(Role::Admin) => "administration",
                Some(Role::Staff) => "DCTCIV",
                Some(Role::Portal) | None => "",
            },
            current,
        }
    }
}

/// An `<option>` of a `<select>`.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: &str, label: &str, selected: bool) -> Choice {
        Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            selected,
        }
    }
}

/// Every country, by French name in alphabetical order (sorted once).
static COUNTRIES: std::sync::LazyLock<Vec<(CountryCode, &'static str)>> =
    std::sync::LazyLock::new(|| {
        let mut all: Vec<(String, CountryCode, &'static str)> = Countries::get()
            .all()
            .iter()
            .map(|c| (fold(&c.name_fr), c.code, c.name_fr.as_str()))
            .collect();
        all.sort();
        all.into_iter()
            .map(|(_, code, name)| (code, name))
            .collect()
    });

/// Every theme, by French label in alphabetical order (sorted once).
static THEMES: std::sync::LazyLock<Vec<(ThemeCode, &'static str)>> =
    std::sync::LazyLock::new(|| {
        let mut all: Vec<(String, ThemeCode, &'static str)> = Themes::get()
            .all()
            .map(|(code, info)| (fold(&info.label_fr), code, info.label_fr.as_str()))
            .collect();
        all.sort();
        all.into_iter()
            .map(|(_, code, label)| (code, label))
            .collect()
    });

/// The countries as options (France left out when `foreign_only`).
pub(crate) fn country_choices(selected: Option<CountryCode>, foreign_only: bool) -> Vec<Choice> {
    COUNTRIES
        .iter()
        .filter(|(code, _)| !foreign_only || *code != CountryCode::FRANCE)
        .map(|(code, name)| Choice::new(code.as_str(), name, selected == Some(*code)))
        .collect()
}

/// The 30 themes as options.
pub(crate) fn theme_choices(selected: Option<ThemeCode>) -> Vec<Choice> {
    THEMES
        .iter()
        .map(|(code, label)| Choice::new(code.as_str(), label, selected == Some(*code)))
        .collect()
}

/// A request made by htmx (a fragment is expected).
pub(crate) fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// A rendered template as an HTML response with `status`.
pub(crate) fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (status, body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
        Err(error) => ConsoleError::internal("template failed", &error).into_response(),
    }
}
