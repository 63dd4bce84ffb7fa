//! The console's static files, embedded in the binary: the vendored third-party
//! files (see `service/assets/VENDORED.md`) and our own script and style sheet.
//!
//! Pages link them as `/console/assets/PATH?v=HASH` ([`url`]), so a file's URL
//! changes with its content and responses can be cached for good (`immutable`);
//! each carries a strong ETag too. Served without a session: they hold no data.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ConsoleError;

/// Where the assets are served.
pub const PREFIX: &str = "/console/assets/";

struct Asset {
    path: &'static str,
    bytes: &'static [u8],
    content_type: &'static str,
}

macro_rules! asset {
    ($path:literal, $type:literal) => {
        Asset {
            path: $path,
            bytes: include_bytes!(concat!("../../assets/", $path)),
            content_type: $type,
        }
    };
}

static ASSETS: &[Asset] = &[
    asset!("map.js", "text/javascript; charset=utf-8"),
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("vendor/htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/leaflet.js", "text/javascript; charset=utf-8"),
    asset!("vendor/leaflet.css", "text/css; charset=utf-8"),
    asset!("vendor/images/layers.png", "image/png"),
    asset!("vendor/images/layers-2x.png", "image/png"),
    asset!("vendor/images/marker-icon.png", "image/png"),
    asset!(
        "vendor/supercluster.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "vendor/countries-110m.borders.json",
        "application/json; charset=utf-8"
    ),
];

/// Each asset's index and content hash (hex), computed once.
static INDEX: LazyLock<HashMap<&'static str, (usize, String)>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .enumerate()
        .map(|(i, a)| (a.path, (i, format!("{:016x}", fnv64(a.bytes)))))
        .collect()
});

/// FNV-1a, 64 bits: a content hash for ETags (not a security measure).
pub(crate) fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The versioned URL of an embedded asset (`path` must be one: checked by tests).
pub(crate) fn url(path: &str) -> String {
    match INDEX.get(path) {
        Some((_, hash)) => format!("{PREFIX}{path}?v={hash}"),
        None => format!("{PREFIX}{path}"),
    }
}

/// `GET /console/assets/{*path}`.
pub(crate) async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some((index, hash)) = INDEX.get(path.as_str()) else {
        return ConsoleError::not_found().into_response();
    };
    let asset = &ASSETS[*index];
    let etag = format!("\"{hash}\"");
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let etag = HeaderValue::from_str(&etag).expect("hex is a valid header value");
    if matches {
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
                HeaderValue::from_static(asset.content_type),
            ),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        asset.bytes,
    )
        .into_response()
}

/// Every embedded asset's path (for tests).
pub fn paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|a| a.path)
}
