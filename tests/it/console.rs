//! The staff console, driven through its router (no socket): every page and form,
//! roles, login and logout, the CSRF refusal, escaping of a fiche whose texts are
//! HTML and script, bad parameters. `console_server.rs` covers the real socket.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use passerelle::console::{self, ConsoleConfig};
use passerelle::server::{State, StateOptions};
use passerelle_engine::fiche::Fiche;
use tower::ServiceExt;

use crate::grpc::{ADMIN, PORTAL, STAFF, tokens};

/// The fiche whose texts are HTML and script (also used by the browser tests).
pub(crate) fn hostile_fiche() -> Fiche {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/fixtures/hostile.jsonl");
    let line = std::fs::read_to_string(path).unwrap();
    passerelle_engine::jsonl::parse_fiche(line.trim()).unwrap()
}

pub(crate) struct Console {
    pub router: Router,
    pub state: Arc<State>,
    _dir: tempfile::TempDir,
}

/// A console over the sample plus the hostile fiche, calls judged on 2026-09-01.
pub(crate) async fn console_with(config: ConsoleConfig) -> Console {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let state = tokio::task::spawn_blocking(move || {
        passerelle_tests::store_sample(&path);
        passerelle_engine::store::Store::open(&path)
            .unwrap()
            .upsert(&[hostile_fiche()])
            .unwrap();
        State::load(
            &path,
            &StateOptions {
                today: Some("2026-09-01".parse().unwrap()),
                threads: 2,
                writer: None,
                ..StateOptions::default()
            },
        )
        .unwrap()
    })
    .await
    .unwrap();
    let state = Arc::new(state);
    let router = console::router(state.clone(), tokens(), config);
    Console {
        router,
        state,
        _dir: dir,
    }
}

pub(crate) async fn console() -> Console {
    console_with(ConsoleConfig::default()).await
}

pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

pub(crate) async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes().to_vec(),
    }
}

/// A page load by a browser (with the session cookie, if any).
pub(crate) fn page(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path)
        .header("sec-fetch-mode", "navigate")
        .header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// A `fetch` from a page's script.
pub(crate) fn fetch(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header("sec-fetch-mode", "cors");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// A form posted from one of the console's pages.
pub(crate) fn form(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header("sec-fetch-mode", "navigate");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

/// Logs in; the `name=value` of the session cookie.
pub(crate) async fn login(router: &Router, token: &str) -> String {
    let reply = send(
        router,
        form("/console/connexion", &format!("jeton={token}"), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    assert_eq!(reply.header(header::LOCATION), "/console/carte");
    let cookie = reply.header(header::SET_COOKIE);
    cookie.split(';').next().unwrap().to_owned()
}

pub(crate) fn assert_security_headers(reply: &Reply) {
    let csp = reply.header(header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(reply.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(reply.header(header::X_FRAME_OPTIONS), "DENY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_and_admin_tokens_log_in_portal_and_unknown_tokens_do_not() {
    let c = console().await;
    let reply = send(&c.router, page("/console/connexion", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_security_headers(&reply);
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    assert!(reply.text().contains("<html lang=\"fr\">"));
    assert!(reply.text().contains("Connexion à la console"));

    let reply = send(
        &c.router,
        form("/console/connexion", &format!("jeton={STAFF}"), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let cookie = reply.header(header::SET_COOKIE);
    assert!(cookie.starts_with("passerelle_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "no TLS, no Secure: {cookie}");
    assert!(!cookie.contains(STAFF));
    login(&c.router, ADMIN).await;

    let reply = send(
        &c.router,
        form("/console/connexion", &format!("jeton={PORTAL}"), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.text().contains("portail"), "{}", reply.text());
    assert!(!reply.text().contains(PORTAL), "the token is not echoed");
    assert!(reply.headers.get(header::SET_COOKIE).is_none());

    let reply = send(
        &c.router,
        form("/console/connexion", "jeton=not-a-token-at-all", None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.text().contains("Jeton inconnu"));
    assert!(!reply.text().contains("not-a-token-at-all"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_form_names_its_bad_fields() {
    let c = console().await;
    for (body, status, expected) in [
        ("", StatusCode::BAD_REQUEST, "Champ « jeton » : obligatoire"),
        (
            "jeton=",
            StatusCode::BAD_REQUEST,
            "Champ « jeton » : obligatoire",
        ),
        (
            "jeton=a&jeton=b",
            StatusCode::BAD_REQUEST,
            "Champ « jeton » : donné plusieurs fois",
        ),
        (
            "mot_de_passe=x",
            StatusCode::BAD_REQUEST,
            "Champ « mot_de_passe » : champ inconnu",
        ),
        (
            "jeton=%FF",
            StatusCode::BAD_REQUEST,
            "Champ « jeton » : pas un texte UTF-8",
        ),
    ] {
        let reply = send(&c.router, form("/console/connexion", body, None)).await;
        assert_eq!(reply.status, status, "{body}");
        assert!(reply.text().contains(expected), "{body}: {}", reply.text());
    }
    let long = format!("jeton={}", "a".repeat(600));
    let reply = send(&c.router, form("/console/connexion", &long, None)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("trop long"));
    let json = Request::post("/console/connexion")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(format!("{{\"jeton\":\"{STAFF}\"}}")))
        .unwrap();
    let reply = send(&c.router, json).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("formulaire"));
    let huge = form(
        "/console/connexion",
        &"a".repeat(console::MAX_INPUT_BYTES + 10),
        None,
    );
    let reply = send(&c.router, huge).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    // The server keeps serving.
    login(&c.router, STAFF).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_throttled() {
    let c = console().await;
    for _ in 0..console::MAX_FAILURES_PER_CLIENT {
        let reply = send(
            &c.router,
            form("/console/connexion", "jeton=wrong-token-000000", None),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let reply = send(
        &c.router,
        form("/console/connexion", &format!("jeton={STAFF}"), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        reply.text().contains("Trop de tentatives"),
        "{}",
        reply.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_tls_the_cookie_is_secure_and_host_bound() {
    let c = console_with(ConsoleConfig {
        tls: true,
        ..ConsoleConfig::default()
    })
    .await;
    let reply = send(
        &c.router,
        form("/console/connexion", &format!("jeton={STAFF}"), None),
    )
    .await;
    let cookie = reply.header(header::SET_COOKIE);
    assert!(cookie.starts_with("__Host-passerelle_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    let session = cookie.split(';').next().unwrap();
    let reply = send(&c.router, page("/console/carte", Some(session))).await;
    assert_eq!(reply.status, StatusCode::OK);
    // Origin checks use https under TLS.
    let post = Request::post("/console/deconnexion")
        .header(header::HOST, "console.example:50051")
        .header(header::ORIGIN, "http://console.example:50051")
        .header(header::COOKIE, session)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&c.router, post).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_from_elsewhere_are_refused() {
    let c = console().await;
    let cookie = login(&c.router, STAFF).await;
    let post = |site: Option<&str>, origin: Option<&str>, path: &str, body: &str| {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:50051")
            .header(header::COOKIE, cookie.as_str());
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        request.body(Body::from(body.to_owned())).unwrap()
    };
    let login_body = format!("jeton={STAFF}");
    for (site, origin) in [
        (Some("cross-site"), None),
        (Some("same-site"), None),
        (Some("cross-site"), Some("http://127.0.0.1:50051")),
        (None, Some("http://evil.example")),
        (None, Some("null")),
        (None, None),
    ] {
        for (path, body) in [
            ("/console/connexion", login_body.as_str()),
            ("/console/deconnexion", ""),
        ] {
            let reply = send(&c.router, post(site, origin, path, body)).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{path} {site:?} {origin:?}"
            );
            assert!(reply.text().contains("falsification"), "{}", reply.text());
            assert!(reply.headers.get(header::SET_COOKIE).is_none());
        }
    }
    // The session survived the forged logouts; a same-origin one (by Origin) ends it.
    let reply = send(&c.router, page("/console/carte", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = send(
        &c.router,
        post(
            None,
            Some("http://127.0.0.1:50051"),
            "/console/deconnexion",
            "",
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.header(header::LOCATION),
        "/console/connexion?sortie=1"
    );
    assert!(reply.header(header::SET_COOKIE).contains("Max-Age=0"));
    let reply = send(&c.router, page("/console/carte", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "the session ended");
    let reply = send(&c.router, page("/console/connexion?sortie=1", None)).await;
    assert!(reply.text().contains("déconnecté"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_data_route_needs_a_session() {
    let c = console().await;
    for cookie in [
        None,
        Some("passerelle_session=0000"),
        Some(&*format!("passerelle_session={}", "ab".repeat(32))),
    ] {
        let reply = send(&c.router, page("/console/carte", cookie)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.header(header::LOCATION), "/console/connexion");
        for path in [
            "/console/carte/points",
            "/console/carte/fiches?g=1&i=0",
            "/console/carte",
        ] {
            let reply = send(&c.router, fetch(path, cookie)).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(
                reply.text().contains("reconnectez-vous"),
                "{}",
                reply.text()
            );
        }
    }
    // Assets hold no data: served to anyone.
    let reply = send(&c.router, fetch("/console/assets/console.css", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_page_lists_the_filters_and_counts_what_they_keep() {
    let c = console().await;
    let cookie = login(&c.router, STAFF).await;
    let fiches = passerelle_tests::sample_fiches();
    let total = fiches.len() + 1;
    let reply = send(&c.router, page("/console/carte", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_security_headers(&reply);
    let html = reply.text();
    assert!(html.contains(&format!("data-compte=\"{total}\"")), "{html}");
    assert!(html.contains("<option value=\"BJ\">Bénin</option>"));
    assert!(html.contains("Tous les thèmes"));
    assert!(html.contains("/console/assets/map.js?v="));
    assert!(
        html.contains("data-tuiles=\"\""),
        "no tile server by default"
    );
    assert!(!html.contains("<script>"), "no inline script");
    assert!(!html.contains("style="), "no inline style");

    let benin = fiches.iter().filter(|f| f.country.as_str() == "BJ").count();
    let reply = send(&c.router, page("/console/carte?pays=BJ", Some(&cookie))).await;
    let html = reply.text();
    assert!(html.contains(&format!("data-compte=\"{benin}\"")));
    assert!(html.contains("<option value=\"BJ\" selected>Bénin</option>"));
    assert!(html.contains("<option value=\"BJ-AK\">Atacora</option>"));

    let bretagne_local = fiches
        .iter()
        .filter(|f| {
            f.admin.as_ref().and_then(|a| a.region.as_deref()) == Some("53")
                && f.level == passerelle_engine::fiche::Level::Local
        })
        .count();
    let reply = send(
        &c.router,
        page(
            "/console/carte?pays=fr&region=53&niveau=local&cote=francais",
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(
        reply
            .text()
            .contains(&format!("data-compte=\"{bretagne_local}\""))
    );

    let today: chrono::NaiveDate = "2026-09-01".parse().unwrap();
    let open = fiches.iter().filter(|f| f.has_open_call(today)).count();
    let reply = send(
        &c.router,
        page("/console/carte?appel=ouvert", Some(&cookie)),
    )
    .await;
    assert!(
        reply
            .text()
            .contains(&format!("data-compte=\"{}\"", open + 1)),
        "the hostile fiche's call is open"
    );
    let reply = send(
        &c.router,
        page(
            "/console/carte?theme=sante&sous_servi=oui&appel=expirant",
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_map_parameters_get_a_french_message_naming_the_field() {
    let c = console().await;
    let cookie = login(&c.router, STAFF).await;
    for (query, field) in [
        ("cote=milieu", "cote"),
        ("pays=ZZ", "pays"),
        ("pays=France", "pays"),
        ("region=53", "region"),
        ("pays=BJ&region=53", "region"),
        ("niveau=geant", "niveau"),
        ("theme=plomberie", "theme"),
        ("appel=bientot", "appel"),
        ("sous_servi=peut-etre", "sous_servi"),
        ("couleur=bleu", "couleur"),
        ("pays=BJ&pays=SN", "pays"),
        ("theme=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "theme"),
    ] {
        let reply = send(
            &c.router,
            page(&format!("/console/carte?{query}"), Some(&cookie)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        let html = reply.text();
        assert!(
            html.contains(&format!("Champ « {field} »")),
            "{query}: {html}"
        );
        assert!(
            !html.contains("<script>alert"),
            "echoed values are escaped: {html}"
        );
        assert_security_headers(&reply);
    }
    let reply = send(
        &c.router,
        page(
            &format!("/console/carte?pays={}", "x".repeat(20_000)),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("trop longue"));
    let reply = send(&c.router, page("/console/carte", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK, "the server keeps serving");
}

/// The point set as the browser reads it.
struct Points {
    header: serde_json::Value,
    lat: Vec<i32>,
    lon: Vec<i32>,
    country: Vec<u16>,
    flags: Vec<u8>,
}

fn decode_points(bytes: &[u8]) -> Points {
    assert_eq!(&bytes[..4], console::MAP_DATA_MAGIC);
    let length = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(length % 4, 0);
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + length]).unwrap();
    let n = header["count"].as_u64().unwrap() as usize;
    let mut at = 8 + length;
    let mut take = |size: usize| {
        let slice = &bytes[at..at + size * n];
        at += size * n;
        slice
    };
    let i32s = |s: &[u8]| {
        s.chunks(4)
            .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
            .collect::<Vec<_>>()
    };
    let lat = i32s(take(4));
    let lon = i32s(take(4));
    let _themes = take(4);
    let country = take(2)
        .chunks(2)
        .map(|c| u16::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let _area = take(2);
    let flags = take(1).to_vec();
    assert_eq!(at, bytes.len(), "nothing after the columns");
    Points {
        header,
        lat,
        lon,
        country,
        flags,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_point_set_is_compact_revalidated_and_follows_writes() {
    let c = console().await;
    let cookie = login(&c.router, STAFF).await;
    let reply = send(&c.router, fetch("/console/carte/points", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "application/octet-stream"
    );
    assert_eq!(reply.header(header::CACHE_CONTROL), "private, no-cache");
    let etag = reply.header(header::ETAG).to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong ETag: {etag}"
    );
    let points = decode_points(&reply.body);
    let fiches = passerelle_tests::sample_fiches();
    assert_eq!(points.lat.len(), fiches.len() + 1);
    // Points in id order: the sample's first fiche first.
    let mut sorted: Vec<&Fiche> = fiches.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(points.lat[0], (sorted[0].location.lat * 1e4).round() as i32);
    assert_eq!(points.lon[0], (sorted[0].location.lon * 1e4).round() as i32);
    let countries = points.header["countries"].as_array().unwrap();
    let code = |i: usize| {
        countries[usize::from(points.country[i])][0]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(code(0), sorted[0].country.as_str());
    let french = points.flags.iter().filter(|f| *f & 1 == 0).count();
    assert_eq!(
        french,
        fiches.iter().filter(|f| f.country.as_str() == "FR").count()
    );
    assert_eq!(points.header["themes"].as_array().unwrap().len(), 30);
    assert_eq!(points.header["calls"][2], "appel expirant sous 30 jours");

    let again = Request::get("/console/carte/points")
        .header(header::COOKIE, &cookie)
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let reply = send(&c.router, again).await;
    assert_eq!(reply.status, StatusCode::NOT_MODIFIED);
    assert!(reply.body.is_empty());

    // A write changes the generation: a new ETag, one point more.
    let mut added = hostile_fiche();
    added.id = passerelle_engine::fiche::FicheId::parse("VU-GN-9990002").unwrap();
    added.name = "Luganville".into();
    let state = c.state.clone();
    tokio::task::spawn_blocking(move || state.corpus().upsert(&[added]).unwrap())
        .await
        .unwrap();
    let revalidate = Request::get("/console/carte/points")
        .header(header::COOKIE, &cookie)
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let reply = send(&c.router, revalidate).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_ne!(reply.header(header::ETAG), etag);
    assert_eq!(decode_points(&reply.body).lat.len(), fiches.len() + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_escape_texts_from_outside() {
    let c = console().await;
    let cookie = login(&c.router, STAFF).await;
    let points = send(&c.router, fetch("/console/carte/points", Some(&cookie))).await;
    let points = decode_points(&points.body);
    let generation = points.header["generation"].as_u64().unwrap();
    let countries = points.header["countries"].as_array().unwrap();
    let vanuatu = (0..points.lat.len())
        .find(|&i| countries[usize::from(points.country[i])][0] == "VU")
        .unwrap();
    let reply = send(
        &c.router,
        fetch(
            &format!("/console/carte/fiches?g={generation}&i={vanuatu}"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(
        html.contains("href=\"/console/fiches/VU-GN-9990001\""),
        "{html}"
    );
    assert!(
        html.contains("&#60;img src=x onerror=&#34;window.__xss=1&#34;&#62;Port-Vila")
            || html.contains("&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;Port-Vila"),
        "{html}"
    );
    for raw in ["<img", "<script", "onerror=\"", "<b>"] {
        assert!(!html.contains(raw), "{raw} unescaped in {html}");
    }
    assert!(html.contains("appel expirant sous 30 jours"));
    assert!(html.contains("Santé"));

    // The same fiche's area, in the map page's options, escaped too.
    let reply = send(&c.router, page("/console/carte?pays=VU", Some(&cookie))).await;
    let html = reply.text();
    assert!(!html.contains("<script>window"), "{html}");
    assert!(!html.contains("<b>SEE"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_card_requests_are_explained() {
    let c = console().await;
    let cookie = login(&c.router, STAFF).await;
    let points = send(&c.router, fetch("/console/carte/points", Some(&cookie))).await;
    let points = decode_points(&points.body);
    let generation = points.header["generation"].as_u64().unwrap();
    let n = points.lat.len();
    for (query, status, expected) in [
        (
            format!("g={generation}"),
            StatusCode::BAD_REQUEST,
            "Champ « i »".to_owned(),
        ),
        (
            "i=0".to_owned(),
            StatusCode::BAD_REQUEST,
            "Champ « g »".to_owned(),
        ),
        (
            "g=x&i=0".to_owned(),
            StatusCode::BAD_REQUEST,
            "Champ « g »".to_owned(),
        ),
        (
            format!("g={generation}&i=un"),
            StatusCode::BAD_REQUEST,
            "Champ « i »".to_owned(),
        ),
        (
            format!("g={generation}&i={n}"),
            StatusCode::BAD_REQUEST,
            format!("aucun point n° {n}"),
        ),
        (
            format!("g={}&i=0", generation + 7),
            StatusCode::CONFLICT,
            "rechargez la page".to_owned(),
        ),
    ] {
        let reply = send(
            &c.router,
            fetch(&format!("/console/carte/fiches?{query}"), Some(&cookie)),
        )
        .await;
        assert_eq!(reply.status, status, "{query}");
        assert!(
            reply.text().contains(&expected),
            "{query}: {}",
            reply.text()
        );
        assert!(
            reply.text().starts_with("<p class=\"erreur\""),
            "a fragment: {}",
            reply.text()
        );
    }
    let many: Vec<String> = (0..25).map(|i| i.to_string()).collect();
    let reply = send(
        &c.router,
        fetch(
            &format!("/console/carte/fiches?g={generation}&i={}", many.join(",")),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.text().matches("<article").count(), 20);
    assert!(reply.text().contains("et 5 autre(s) fiche(s)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_embedded_typed_and_cached_for_good() {
    let c = console().await;
    for path in console::asset_paths() {
        let reply = send(&c.router, fetch(&format!("/console/assets/{path}"), None)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let expected = match path.rsplit('.').next().unwrap() {
            "js" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "json" => "application/json; charset=utf-8",
            "png" => "image/png",
            "svg" => "image/svg+xml",
            other => panic!("unexpected asset type {other}"),
        };
        assert_eq!(reply.header(header::CONTENT_TYPE), expected, "{path}");
        assert_eq!(
            reply.header(header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        let etag = reply.header(header::ETAG).to_owned();
        let again = Request::get(format!("/console/assets/{path}"))
            .header(header::IF_NONE_MATCH, &etag)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&c.router, again).await.status,
            StatusCode::NOT_MODIFIED
        );
        assert!(!reply.body.is_empty());
    }
    let reply = send(&c.router, page("/console/assets/nope.js", None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.text().contains("Page introuvable"));
    let borders = send(
        &c.router,
        fetch("/console/assets/vendor/countries-110m.borders.json", None),
    )
    .await;
    let borders: serde_json::Value = serde_json::from_slice(&borders.body).unwrap();
    // No ring crosses the antimeridian (a jump of more than 180° between points),
    // except along the pole that closes Antarctica.
    for country in borders["countries"].as_array().unwrap() {
        for polygon in country["polygons"].as_array().unwrap() {
            for ring in polygon.as_array().unwrap() {
                let flat: Vec<f64> = ring
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect();
                for k in (2..flat.len()).step_by(2) {
                    let along_pole = flat[k + 1].abs() == 90.0 && flat[k + 1] == flat[k - 1];
                    assert!(
                        (flat[k] - flat[k - 2]).abs() <= 180.0 || along_pole,
                        "{}",
                        country["id"]
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_paths_answer_browsers_in_french_and_grpc_clients_unimplemented() {
    let c = console().await;
    let reply = send(&c.router, page("/", None)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header(header::LOCATION), "/console/carte");
    let delete = Request::delete("/console/carte")
        .header("sec-fetch-site", "same-origin")
        .body(Body::empty())
        .unwrap();
    let reply = send(&c.router, delete).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        reply.text().contains("ne s'utilise pas ainsi")
            || reply.text().contains("ne s&#39;utilise pas ainsi")
    );
    let reply = send(&c.router, page("/console/inconnue", None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.text().contains("Page introuvable"));
    assert_security_headers(&reply);
    let grpc = Request::builder()
        .method(Method::POST)
        .uri("/nope.v1.Nothing/Call")
        .header(header::CONTENT_TYPE, "application/grpc")
        .body(Body::empty())
        .unwrap();
    let reply = send(&c.router, grpc).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["grpc-status"], "12");
}

#[test]
fn tile_urls_are_checked_for_the_policy() {
    assert_eq!(
        console::tile_origin("https://tile.example.org/{z}/{x}/{y}.png").unwrap(),
        "https://tile.example.org"
    );
    for bad in [
        "ftp://tile.example.org/{z}/{x}/{y}.png",
        "https://tile.example.org/{z}/{x}.png",
        "https://{s}.tile.example.org/{z}/{x}/{y}.png",
        "https://tile.example.org/{z}/{x}/{y}.png'; script-src *",
        "https://user@tile.example.org/{z}/{x}/{y}.png",
    ] {
        assert!(console::tile_origin(bad).is_err(), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tile_server_is_allowed_by_the_policy_only_when_configured() {
    let c = console_with(ConsoleConfig {
        tile_url: Some("https://tile.example.org/{z}/{x}/{y}.png".into()),
        ..ConsoleConfig::default()
    })
    .await;
    let cookie = login(&c.router, STAFF).await;
    let reply = send(&c.router, page("/console/carte", Some(&cookie))).await;
    assert!(
        reply
            .header(header::CONTENT_SECURITY_POLICY)
            .contains("img-src 'self' https://tile.example.org;")
    );
    assert!(
        reply
            .text()
            .contains("data-tuiles=\"https://tile.example.org/{z}/{x}/{y}.png\"")
    );

    // A URL the policy could not express is dropped, not half-used.
    let c = console_with(ConsoleConfig {
        tile_url: Some("https://tile.example.org/{z}/{x}/{y}.png'; img-src *".into()),
        ..ConsoleConfig::default()
    })
    .await;
    let cookie = login(&c.router, STAFF).await;
    let reply = send(&c.router, page("/console/carte", Some(&cookie))).await;
    assert!(
        reply
            .header(header::CONTENT_SECURITY_POLICY)
            .contains("img-src 'self';")
    );
    assert!(reply.text().contains("data-tuiles=\"\""));
}
