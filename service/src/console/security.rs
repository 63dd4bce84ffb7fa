//! The console's defences in depth: security headers on every response (a strict
//! Content-Security-Policy: our own origin only, no inline script or style), and the
//! same-origin check that stands in for CSRF tokens on every state-changing request.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ConsoleError;

/// The policy: `'self'` only; with a tile server configured, images from its origin.
pub(crate) fn content_security_policy(tile_origin: Option<&str>) -> String {
    let images = match tile_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// What the header middleware adds.
#[derive(Debug, Clone)]
pub(crate) struct Headers {
    pub csp: HeaderValue,
    pub tls: bool,
}

/// Adds the security headers to every console response (and `no-store` to those
/// that set no caching of their own: pages carry data from the store).
pub(crate) async fn add_headers(
    State(headers): State<Headers>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let out = response.headers_mut();
    out.insert(header::CONTENT_SECURITY_POLICY, headers.csp.clone());
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    out.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    out.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    out.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    out.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !out.contains_key(header::CACHE_CONTROL) {
        out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses state-changing requests that do not come from the console's own pages:
/// `Sec-Fetch-Site: same-origin` (sent by browsers), or else an `Origin` equal to
/// the server's. A request with neither is refused too.
pub(crate) async fn same_origin_writes(
    State(headers): State<Headers>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    match check_same_origin(request.headers(), request.uri(), headers.tls) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

fn check_same_origin(
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    tls: bool,
) -> Result<(), ConsoleError> {
    let refused = |why: &str| {
        tracing::warn!(reason = why, "console: cross-origin write refused");
        Err(ConsoleError::forbidden(
            "Requête refusée : elle ne provient pas d'une page de la console \
             (protection contre la falsification de requêtes). Rechargez la page et réessayez.",
        ))
    };
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" => Ok(()),
            _ => refused("sec-fetch-site is not same-origin"),
        };
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return refused("no sec-fetch-site and no origin");
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    let scheme = if tls { "https" } else { "http" };
    match host {
        Some(host) if origin.eq_ignore_ascii_case(&format!("{scheme}://{host}")) => Ok(()),
        _ => refused("origin differs from the server's"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_same_origin_writes_pass() {
        let uri: axum::http::Uri = "/console/connexion".parse().unwrap();
        let ok = |pairs: &[(&'static str, &'static str)], tls| {
            check_same_origin(&headers(pairs), &uri, tls).is_ok()
        };
        assert!(ok(&[("sec-fetch-site", "same-origin")], false));
        assert!(!ok(&[("sec-fetch-site", "cross-site")], false));
        assert!(!ok(&[("sec-fetch-site", "same-site")], false));
        assert!(!ok(&[("sec-fetch-site", "none")], false));
        let host = ("host", "127.0.0.1:50051");
        assert!(ok(&[host, ("origin", "http://127.0.0.1:50051")], false));
        assert!(!ok(&[host, ("origin", "http://127.0.0.1:50051")], true));
        assert!(ok(&[host, ("origin", "https://127.0.0.1:50051")], true));
        assert!(!ok(&[host, ("origin", "http://evil.example")], false));
        assert!(!ok(&[host, ("origin", "null")], false));
        assert!(!ok(&[host], false));
        // A cross-site Sec-Fetch-Site wins over a forged matching Origin.
        assert!(!ok(
            &[
                host,
                ("origin", "http://127.0.0.1:50051"),
                ("sec-fetch-site", "cross-site")
            ],
            false
        ));
    }

    #[test]
    fn the_policy_allows_our_origin_only() {
        let csp = content_security_policy(None);
        assert!(csp.contains("default-src 'self'"));
        assert!(csp.contains("script-src 'self';"));
        assert!(!csp.contains("unsafe"));
        assert!(!csp.contains("http"));
        let with_tiles = content_security_policy(Some("https://tile.example.org"));
        assert!(with_tiles.contains("img-src 'self' https://tile.example.org;"));
    }
}
