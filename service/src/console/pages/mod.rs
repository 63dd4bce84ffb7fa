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

use super::assets;
use super::error::ConsoleError;
use crate::server::{Caller, Role};

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
