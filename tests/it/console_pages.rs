//! The console's pages of phase 2 driven through the router: Fiche, decisions,
//! Paire, File de revue, Recherche and État — sessions, the CSRF refusal on every
//! form, escaping of texts from outside, bad parameters named in French, names
//! corrected or ambiguous said plainly, contacts for staff. Batch runs are in
//! `console_batch.rs`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use passerelle_engine::fiche::{Fiche, FicheId};

use crate::console::{Console, console, fetch, form, login, page, send};
use crate::grpc::STAFF;

/// Fiches the sample lacks: an ambiguous name (two Saint-Denis), a contact with a
/// name and an address, a name that a spreadsheet would read as a formula.
fn extra_fiches() -> Vec<Fiche> {
    [
        r#"{"id":"FR-COM-93066","country":"FR","kind":"commune","level":"local","name":"Saint-Denis","admin":{"region":"11","departement":"93","admin1_name":"Île-de-France"},"location":{"lat":48.93,"lon":2.35},"population":113000,"contact":{"name":"Camille Martin","email":"camille.martin@example.org","phone":"+33 1 00 00 00 00"},"request":{"themes":["sante"],"text":"Coopération en santé"},"call":{"status":"open","expires":"2027-06-30"}}"#,
        r#"{"id":"FR-COM-97411","country":"FR","kind":"commune","level":"local","name":"Saint-Denis","admin":{"region":"04","departement":"974","admin1_name":"La Réunion"},"location":{"lat":-20.88,"lon":55.45},"population":153000,"request":{"text":"Coopération culturelle"}}"#,
        r#"{"id":"SN-GN-9990002","country":"SN","kind":"municipality","level":"local","name":"=HYPERLINK(\"http://evil.example\",\"Kaolack\")","location":{"lat":14.15,"lon":-16.07},"population":1000,"request":{"text":"forages et eau potable pour les villages"},"call":{"status":"open"}}"#,
    ]
    .iter()
    .map(|line| passerelle_engine::jsonl::parse_fiche(line).unwrap())
    .collect()
}

/// The sample, the hostile fiche and [`extra_fiches`], logged in as staff.
pub(crate) async fn console_with_extras() -> (Console, String) {
    let c = console().await;
    let state = c.state.clone();
    tokio::task::spawn_blocking(move || state.corpus().upsert(&extra_fiches()).unwrap())
        .await
        .unwrap();
    let cookie = login(&c.router, STAFF).await;
    (c, cookie)
}

/// A request made by htmx from a console page.
fn htmx(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header("hx-request", "true")
        .header("sec-fetch-mode", "cors")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

/// A form posted by htmx from a console page.
fn htmx_form(path: &str, body: &str, cookie: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header("sec-fetch-mode", "cors")
        .header("hx-request", "true")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// The ids of the suggestions listed in a page.
fn suggested(html: &str) -> Vec<String> {
    html.split("data-partenaire=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

const FRENCH: &str = "FR-COM-11262"; // Narbonne, open call

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_phase_two_needs_a_session() {
    let c = console().await;
    for path in [
        "/console/fiches/FR-COM-11262",
        "/console/fiches/FR-COM-11262/suggestions",
        "/console/fiches/FR-COM-11262/historique",
        "/console/fiches?nom=Narbonne",
        "/console/paire?a=Narbonne&b=Ouidah",
        "/console/revue",
        "/console/revue/restant",
        "/console/recherche?q=eau",
        "/console/recherche.csv?q=eau",
        "/console/recherche.xlsx?q=eau",
        "/console/fiches/FR-COM-11262/suggestions.xlsx",
        "/console/decisions.xlsx",
        "/console/sessions",
        "/console/sessions/nouvelle",
        "/console/sessions/1",
        "/console/sessions/1/progression",
        "/console/sessions/1/paires.csv",
        "/console/sessions/1/resultats.xlsx",
        "/console/sessions/1/calendriers/FR-COM-11262.ics",
        "/console/etat",
    ] {
        let reply = send(&c.router, page(path, None)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.header(header::LOCATION), "/console/connexion");
        let reply = send(&c.router, fetch(path, None)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in [
        "/console/decisions",
        "/console/sessions",
        "/console/sessions/1/annuler",
    ] {
        let reply = send(&c.router, form(path, "", None)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.header(header::LOCATION), "/console/connexion");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_posted_from_elsewhere_are_refused_and_change_nothing() {
    let (c, cookie) = console_with_extras().await;
    let partner = suggested(
        &send(
            &c.router,
            page(&format!("/console/fiches/{FRENCH}"), Some(&cookie)),
        )
        .await
        .text(),
    )[0]
    .clone();
    let decision = format!("fiche={FRENCH}&partenaire={partner}&decision=rejeter&depuis=fiche");
    for (path, body) in [
        ("/console/decisions", decision.as_str()),
        (
            "/console/sessions",
            "francais=tout&etranger=pays&etranger_code=BJ",
        ),
        ("/console/sessions/1/annuler", ""),
    ] {
        for site in ["cross-site", "same-site"] {
            let request = Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", site)
                .header(header::COOKIE, cookie.as_str())
                .body(Body::from(body.to_owned()))
                .unwrap();
            let reply = send(&c.router, request).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path} {site}");
            assert!(reply.text().contains("falsification"));
        }
    }
    let state = c.state.clone();
    let (decisions, runs) = tokio::task::spawn_blocking(move || {
        let corpus = state.corpus();
        (
            corpus
                .decisions(&FicheId::parse(FRENCH).unwrap(), None)
                .unwrap(),
            corpus.batch_runs(10).unwrap(),
        )
    })
    .await
    .unwrap();
    assert!(decisions.is_empty());
    assert!(runs.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fiche_page_shows_every_section_and_explained_suggestions() {
    let (c, cookie) = console_with_extras().await;
    let reply = send(
        &c.router,
        page("/console/fiches/FR-COM-93066", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    crate::console::assert_security_headers(&reply);
    let html = reply.text();
    for expected in [
        "<h1>Saint-Denis</h1>",
        "commune · France · région 11, département 93, Île-de-France",
        "Identité",
        "113\u{a0}000 habitants",
        // Contacts, for staff.
        "Camille Martin",
        "camille.martin@example.org",
        "Profil thématique",
        "Demande",
        "Coopération en santé",
        "Partenariats existants",
        "Acteurs étrangers présents sur le territoire",
        "Historique des décisions",
        "Aucune décision enregistrée.",
        "Partenaires suggérés",
        // Breakdowns per criterion, French names, weights' shares.
        "Thématique",
        "Géographie",
        "Taille",
        "Pays peu couverts",
        "52,6\u{a0}%",
        "Rejeter : la paire ne sera plus jamais suggérée.",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    let partners = suggested(&html);
    assert_eq!(partners.len(), 10, "ten suggestions by default");
    assert!(
        partners.iter().all(|p| !p.starts_with("FR-")),
        "{partners:?}"
    );
    assert!(!html.contains("style="), "no inline style");
    assert!(!html.contains("<script>"), "no inline script");
    let timing = reply.header(header::HeaderName::from_static("server-timing"));
    assert!(timing.starts_with("page;dur="), "{timing}");

    // An admin session sees the same page, contacts included.
    let admin = login(&c.router, crate::grpc::ADMIN).await;
    let html = send(
        &c.router,
        page("/console/fiches/FR-COM-93066", Some(&admin)),
    )
    .await
    .text();
    assert!(html.contains("camille.martin@example.org"));
    assert!(html.contains("(administration)"));

    // A foreign fiche's suggestions are French.
    let reply = send(
        &c.router,
        page("/console/fiches/BJ-COM-BJ-AQ-OUI", Some(&cookie)),
    )
    .await;
    let partners = suggested(&reply.text());
    assert!(!partners.is_empty());
    assert!(
        partners.iter().all(|p| p.starts_with("FR-")),
        "{partners:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_and_settings_change_the_suggestions_in_place() {
    let (c, cookie) = console_with_extras().await;
    let base = format!("/console/fiches/{FRENCH}");
    let default = suggested(&send(&c.router, page(&base, Some(&cookie))).await.text());
    let size_only =
        "p_thematique=0&p_geographie=0&p_taille=1&p_pays_peu_couverts=0&nombre=5&pays=BJ";
    let reply = send(
        &c.router,
        htmx(&format!("{base}/suggestions?{size_only}"), &cookie),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::HeaderName::from_static("hx-push-url")),
        format!("{base}?{size_only}")
    );
    let html = reply.text();
    assert!(!html.contains("<html"), "a fragment");
    assert!(html.contains("100,0\u{a0}%"), "the size weighs everything");
    let reweighted = suggested(&html);
    assert_eq!(reweighted.len(), 5);
    assert!(reweighted.iter().all(|p| p.starts_with("BJ-")));
    assert_ne!(reweighted, default[..5]);
    // The page itself takes the same settings.
    let page_html = send(
        &c.router,
        page(&format!("{base}?{size_only}"), Some(&cookie)),
    )
    .await
    .text();
    assert_eq!(suggested(&page_html), reweighted);
    assert!(page_html.contains("<option value=\"BJ\" selected>Bénin</option>"));

    for (query, field) in [
        ("p_taille=abc", "p_taille"),
        ("p_taille=11", "p_taille"),
        (
            "p_thematique=0&p_geographie=0&p_taille=0&p_pays_peu_couverts=0",
            "p_thematique",
        ),
        ("nombre=0", "nombre"),
        ("nombre=51", "nombre"),
        ("pays=XX", "pays"),
        ("theme=plomberie", "theme"),
        ("couleur=bleu", "couleur"),
    ] {
        let reply = send(&c.router, page(&format!("{base}?{query}"), Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            reply.text().contains(&format!("Champ « {field} »")),
            "{query}: {}",
            reply.text()
        );
        let reply = send(
            &c.router,
            htmx(&format!("{base}/suggestions?{query}"), &cookie),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(reply.text().contains("Revenir aux réglages par défaut"));
    }
    for (path, status) in [
        ("/console/fiches/FR-COM-00000", StatusCode::NOT_FOUND),
        ("/console/fiches/pas%20un%20id", StatusCode::BAD_REQUEST),
        ("/console/fiches/%3Cscript%3E", StatusCode::BAD_REQUEST),
    ] {
        let reply = send(&c.router, page(path, Some(&cookie))).await;
        assert_eq!(reply.status, status, "{path}");
        assert!(!reply.text().contains("<script>"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reject_is_answered_in_place_and_the_pair_never_comes_back() {
    let (c, cookie) = console_with_extras().await;
    let base = format!("/console/fiches/{FRENCH}");
    let before = suggested(&send(&c.router, page(&base, Some(&cookie))).await.text());
    let (rejected, shortlisted) = (before[0].clone(), before[1].clone());

    let body = format!(
        "fiche={FRENCH}&partenaire={rejected}&decision=rejeter&note=hors+sujet&depuis=fiche"
    );
    let reply = send(&c.router, htmx_form("/console/decisions", &body, &cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(
        reply.header(header::HeaderName::from_static("hx-trigger")),
        "decision-enregistree"
    );
    let answer = reply.text();
    assert!(!answer.contains("<html"), "answered in place");
    assert!(
        answer.contains("ne sera plus jamais suggérée avec Narbonne"),
        "{answer}"
    );
    assert!(answer.contains("Note : « hors sujet »"));

    // A shortlist from a browser without scripts: back to the fiche.
    let body = format!("fiche={FRENCH}&partenaire={shortlisted}&decision=preselectionner");
    let reply = send(&c.router, form("/console/decisions", &body, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header(header::LOCATION), base);

    let html = send(&c.router, page(&base, Some(&cookie))).await.text();
    let after = suggested(&html);
    assert!(!after.contains(&rejected), "never suggested again");
    assert!(after.contains(&shortlisted), "a shortlist is no veto");
    assert!(html.contains("rejetée") && html.contains("présélectionnée"));
    assert!(html.contains("hors sujet") && html.contains("dctciv"));
    let history = send(&c.router, htmx(&format!("{base}/historique"), &cookie))
        .await
        .text();
    assert!(history.contains("rejetée"), "{history}");
    // The pair says why it is never suggested.
    let pair = send(
        &c.router,
        page(
            &format!("/console/paire?a={FRENCH}&b={rejected}"),
            Some(&cookie),
        ),
    )
    .await
    .text();
    assert!(pair.contains("Cette paire n'est jamais suggérée : paire rejetée"));

    for (body, field) in [
        (
            format!("fiche={FRENCH}&partenaire={rejected}&decision=peut-etre"),
            "decision",
        ),
        (format!("fiche={FRENCH}&partenaire={rejected}"), "decision"),
        (
            format!("fiche=x&partenaire={rejected}&decision=accepter"),
            "fiche",
        ),
        (
            format!("fiche={FRENCH}&partenaire={rejected}&decision=accepter&depuis=http://evil"),
            "depuis",
        ),
        (
            format!(
                "fiche={FRENCH}&partenaire={rejected}&decision=accepter&note={}",
                "n".repeat(2001)
            ),
            "note",
        ),
        (format!("fiche={FRENCH}&autre=1"), "autre"),
    ] {
        let reply = send(&c.router, htmx_form("/console/decisions", &body, &cookie)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            reply.text().contains(&format!("Champ « {field} »")),
            "{body}: {}",
            reply.text()
        );
    }
    let body = format!("fiche={FRENCH}&partenaire=FR-COM-00000&decision=accepter");
    let reply = send(&c.router, htmx_form("/console/decisions", &body, &cookie)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.text().contains("FR-COM-00000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texts_from_outside_are_shown_as_text_everywhere() {
    let (c, cookie) = console_with_extras().await;
    let hostile = "VU-GN-9990001";
    let french = "FR-COM-93066";
    for path in [
        format!("/console/fiches/{hostile}"),
        format!("/console/paire?a={french}&b={hostile}"),
        "/console/recherche?q=Port-Vila".to_owned(),
        "/console/recherche?q=Vila&pays=VU&region=%3Cb%3ESEE%3C%2Fb%3E".to_owned(),
        format!("/console/fiches/{french}?pays=VU"),
    ] {
        let reply = send(&c.router, page(&path, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        let html = reply.text();
        assert!(
            html.contains("&#60;img src=x onerror=&#34;window.__xss=1&#34;&#62;Port-Vila"),
            "{path}"
        );
        for raw in ["<script>window.__xss", "<img src=x", "<b>SEE</b>"] {
            assert!(!html.contains(raw), "{path}: {raw}");
        }
    }
    // The fiche's own page shows its request and admin area escaped too.
    let html = send(
        &c.router,
        page(&format!("/console/fiches/{hostile}"), Some(&cookie)),
    )
    .await
    .text();
    assert!(html.contains("&#60;script&#62;window.__xss=4&#60;/script&#62;"));
    assert!(
        html.contains("&#60;script&#62;window.__xss=3&#60;/script&#62;Shefa &#38; &#34;Tafea&#34;")
    );
    // What is typed comes back escaped.
    let reply = send(
        &c.router,
        page(
            "/console/paire?a=%3Cscript%3Ex%3C/script%3E&b=Ouidah",
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("&#60;script&#62;x&#60;/script&#62;"));
    assert!(!reply.text().contains("<script>x"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_resolved_with_corrections_and_ambiguities_said() {
    let (c, cookie) = console_with_extras().await;
    // Opening a fiche by name.
    let reply = send(
        &c.router,
        page("/console/fiches?nom=Narbone", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let to = reply.header(header::LOCATION).to_owned();
    assert_eq!(to, "/console/fiches/FR-COM-11262?compris=Narbone");
    let html = send(&c.router, page(&to, Some(&cookie))).await.text();
    assert!(html.contains(
        "« Narbone » compris comme Narbonne (FR-COM-11262), par rapprochement orthographique."
    ));
    let reply = send(
        &c.router,
        page("/console/fiches?nom=Saint-Denis", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let html = reply.text();
    assert!(html.contains("désigne plusieurs collectivités"));
    for qualified in ["Saint-Denis (93)", "Saint-Denis (974)"] {
        assert!(html.contains(qualified), "{qualified}: {html}");
    }
    assert!(html.contains("href=\"/console/fiches/FR-COM-93066\""));
    let reply = send(
        &c.router,
        page("/console/fiches?nom=Saint-Denis+%2893%29", Some(&cookie)),
    )
    .await;
    assert_eq!(
        reply.header(header::LOCATION),
        "/console/fiches/FR-COM-93066"
    );
    let reply = send(
        &c.router,
        page("/console/fiches?nom=Zzyzx+Qwv", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(
        reply
            .text()
            .contains("Aucune collectivité ne s&#39;appelle « Zzyzx Qwv »")
    );
    let reply = send(&c.router, page("/console/fiches", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("Champ « nom »"));

    // The pair page: each side resolved among its own side.
    let reply = send(
        &c.router,
        page("/console/paire?a=Narbone&b=Ouidha", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(html.contains("« Narbone » compris comme Narbonne (FR-COM-11262)"));
    assert!(html.contains("« Ouidha » compris comme Ouidah (BJ-COM-BJ-AQ-OUI)"));
    assert!(html.contains("Score de la paire"));
    assert!(html.contains("Française : <a href=\"/console/fiches/FR-COM-11262\">Narbonne</a>"));
    let html = send(
        &c.router,
        page("/console/paire?a=Saint-Denis&b=Ouidah", Some(&cookie)),
    )
    .await
    .text();
    assert!(html.contains("Collectivité française (champ « a »)"));
    assert!(html.contains("Saint-Denis (93)"));
    // A foreign fiche is no French side.
    let reply = send(
        &c.router,
        page("/console/paire?a=BJ-COM-BJ-AQ-OUI&b=Ouidah", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply
            .text()
            .contains("aucune fiche française n&#39;a l&#39;identifiant BJ-COM-BJ-AQ-OUI")
    );
    // A qualified name settles the ambiguity.
    let html = send(
        &c.router,
        page("/console/paire?a=Saint-Denis+(974)&b=Ouidah", Some(&cookie)),
    )
    .await
    .text();
    assert!(
        html.contains("<p class=\"identifiant\">FR-COM-97411</p>"),
        "{html}"
    );
    let reply = send(
        &c.router,
        page(
            &format!("/console/paire?a=Narbonne&b={}", "x".repeat(201)),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("Champ « b »"), "{}", reply.text());
    // The empty form.
    let reply = send(&c.router, page("/console/paire", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.text().contains("Comparer une paire"));
}

/// The count the review page gives (`N paires restent…`).
fn remaining(html: &str) -> u64 {
    let text = html
        .split("<strong>")
        .nth(1)
        .and_then(|rest| rest.split("</strong>").next())
        .unwrap();
    if text.starts_with("Aucune") {
        return 0;
    }
    text.split(' ')
        .next()
        .unwrap()
        .replace('\u{a0}', "")
        .parse()
        .unwrap_or_else(|_| panic!("{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_queue_counts_what_remains_over_all_its_pages() {
    let (c, cookie) = console_with_extras().await;
    for filters in [
        "",
        "pays=BJ",
        "region=76&par_fiche=2",
        "theme=sante&par_fiche=1",
    ] {
        let first = send(
            &c.router,
            page(&format!("/console/revue?{filters}"), Some(&cookie)),
        )
        .await;
        assert_eq!(first.status, StatusCode::OK, "{filters}: {}", first.text());
        let total = remaining(&first.text());
        let mut listed = 0;
        for n in 1.. {
            let html = send(
                &c.router,
                page(&format!("/console/revue?{filters}&page={n}"), Some(&cookie)),
            )
            .await
            .text();
            listed += suggested(&html).len() as u64;
            if !html.contains("Page suivante") {
                break;
            }
        }
        assert_eq!(total, listed, "{filters}");
    }
    // A decision from the queue: answered in place, and the count follows.
    let html = send(&c.router, page("/console/revue?pays=BJ", Some(&cookie)))
        .await
        .text();
    let before = remaining(&html);
    assert!(html.contains("hx-get=\"/console/revue/restant?pays=BJ\""));
    let subject = html
        .split("<p class=\"pour\">Pour <a href=\"/console/fiches/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let partner = suggested(&html)[0].clone();
    let body = format!("fiche={subject}&partenaire={partner}&decision=accepter&depuis=revue");
    let reply = send(&c.router, htmx_form("/console/decisions", &body, &cookie)).await;
    assert!(
        reply
            .text()
            .contains("Décision enregistrée : paire acceptée")
    );
    let reply = send(&c.router, form("/console/decisions", &body, Some(&cookie))).await;
    assert_eq!(reply.header(header::LOCATION), "/console/revue");
    let count = send(&c.router, htmx("/console/revue/restant?pays=BJ", &cookie)).await;
    let after = remaining(&count.text());
    assert!(after <= before, "{before} → {after}");
    let html = send(&c.router, page("/console/revue?pays=BJ", Some(&cookie)))
        .await
        .text();
    assert!(
        !html.contains(&format!("id=\"s-{subject}-{partner}\"")),
        "a decided pair leaves the queue"
    );

    for (query, field) in [
        ("region=99", "region"),
        ("pays=ZZ", "pays"),
        ("theme=x", "theme"),
        ("par_fiche=11", "par_fiche"),
        ("page=0", "page"),
        ("tri=score", "tri"),
    ] {
        let reply = send(
            &c.router,
            page(&format!("/console/revue?{query}"), Some(&cookie)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            reply.text().contains(&format!("Champ « {field} »")),
            "{query}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_filters_and_exports_safe_csv() {
    let (c, cookie) = console_with_extras().await;
    let reply = send(&c.router, page("/console/recherche", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        !reply.text().contains("resultats-recherche"),
        "nothing asked yet"
    );

    let html = send(
        &c.router,
        page(
            "/console/recherche?q=eau+potable&pays=BJ&par_page=20",
            Some(&cookie),
        ),
    )
    .await
    .text();
    assert!(
        html.contains("fiche(s) trouvée(s) ; fiches 1 à 20."),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"extrait\"><span class=\"champ\">"),
        "snippets"
    );
    assert!(html.contains("<mark>eau</mark>") || html.contains("<mark>potable</mark>"));
    let rows = html.matches("<span class=\"identifiant\">BJ-").count();
    assert_eq!(rows, 20);
    assert!(html.contains("href=\"/console/recherche?q=eau%20potable&#38;pays=BJ&#38;page=2\""));
    let page2 = send(
        &c.router,
        page(
            "/console/recherche?q=eau+potable&pays=BJ&page=2",
            Some(&cookie),
        ),
    )
    .await
    .text();
    assert!(page2.contains("fiches 21 à"));
    let html = send(
        &c.router,
        page(
            "/console/recherche?cote=francais&niveau=regional&ouvert=oui",
            Some(&cookie),
        ),
    )
    .await
    .text();
    assert!(html.contains("région"), "{html}");
    assert!(!html.contains("<span class=\"identifiant\">BJ-"));

    // The export: every fiche found, French headers, formulas neutralised.
    let reply = send(
        &c.router,
        fetch("/console/recherche.csv?q=forages+eau", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "text/csv; charset=utf-8"
    );
    assert!(
        reply
            .header(header::CONTENT_DISPOSITION)
            .starts_with("attachment;")
    );
    let csv = reply.text();
    let csv = csv.strip_prefix('\u{feff}').expect("a byte order mark");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "identifiant,collectivité,pays,nature,échelon,région ou division,population,appel à partenariat,pertinence"
    );
    let evil = csv
        .lines()
        .find(|l| l.starts_with("SN-GN-9990002"))
        .expect("the fiche is found");
    assert!(
        evil.starts_with(
            "SN-GN-9990002,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Kaolack\"\")\""
        ),
        "{evil}"
    );
    assert!(csv.lines().count() > 20, "more than a page");

    for (query, field) in [
        ("niveau=geant", "niveau"),
        ("pays=ZZ", "pays"),
        ("region=53", "region"),
        ("pays=BJ&region=ZZ", "region"),
        ("cote=milieu", "cote"),
        ("ouvert=peut-etre", "ouvert"),
        ("pop_min=abc", "pop_min"),
        ("pop_min=10&pop_max=5", "pop_max"),
        ("par_page=30", "par_page"),
        ("page=0", "page"),
        ("tri=nom", "tri"),
    ] {
        let reply = send(
            &c.router,
            page(&format!("/console/recherche?{query}"), Some(&cookie)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            reply.text().contains(&format!("Champ « {field} »")),
            "{query}"
        );
    }
    let long = format!("/console/recherche?q={}", "mot+".repeat(200));
    let reply = send(&c.router, page(&long, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("Champ « q »"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_counts_the_corpus_and_its_state() {
    let (c, cookie) = console_with_extras().await;
    let total = passerelle_tests::sample_fiches().len() + 1 + extra_fiches().len();
    let reply = send(&c.router, page("/console/etat", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(html.contains(&format!("<span class=\"chiffre\">{total}</span> fiches")));
    let state = c.state.clone();
    let generation = tokio::task::spawn_blocking(move || state.corpus().generation().unwrap())
        .await
        .unwrap();
    assert!(html.contains(&format!("<dd id=\"generation\">{generation}</dd>")));
    assert!(
        html.contains("<dd id=\"index\" class=\"ok\">à jour</dd>"),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<dd id=\"version\">{}</dd>",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(html.contains("Aucune session en cours ni en attente."));
    assert!(html.contains("Bénin"));
    let reply = send(&c.router, page("/console/etat?x=1", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

/// The workbook of a download: its content type checked, opened with calamine.
fn workbook(reply: &crate::console::Reply) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        reply
            .header(header::CONTENT_DISPOSITION)
            .starts_with("attachment; filename=\""),
    );
    calamine::open_workbook_from_rs(std::io::Cursor::new(reply.body.clone())).unwrap()
}

/// A sheet's cells as text, rows first.
fn cells(range: &calamine::Range<calamine::Data>) -> Vec<Vec<String>> {
    range
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_suggestions_and_decisions_download_as_workbooks() {
    use calamine::{Data, Reader};
    let (c, cookie) = console_with_extras().await;

    // Search: the same fiches as the CSV export, in its order, formulas kept as text.
    let csv = send(
        &c.router,
        fetch("/console/recherche.csv?q=forages+eau", Some(&cookie)),
    )
    .await
    .text();
    let csv_ids: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    let reply = send(
        &c.router,
        fetch("/console/recherche.xlsx?q=forages+eau", Some(&cookie)),
    )
    .await;
    let mut book = workbook(&reply);
    let rows = cells(&book.worksheet_range("Recherche").unwrap());
    assert_eq!(rows[0][..3], ["Rang", "Identifiant", "Collectivité"]);
    let ids: Vec<String> = rows[1..].iter().map(|r| r[1].clone()).collect();
    assert_eq!(ids, csv_ids);
    let evil = rows.iter().find(|r| r[1] == "SN-GN-9990002").unwrap();
    assert!(evil[2].starts_with("=HYPERLINK"), "a text cell: {evil:?}");
    let listed = send(&c.router, page("/console/recherche?q=eau", Some(&cookie)))
        .await
        .text();
    assert!(
        listed.contains("/console/recherche.xlsx?"),
        "linked from the page"
    );

    // Suggestions with the page's settings: the same fiches as the page, scores
    // as numbers.
    let settings = "nombre=5&p_thematique=0.8";
    let html = send(
        &c.router,
        page(
            &format!("/console/fiches/{FRENCH}?{settings}"),
            Some(&cookie),
        ),
    )
    .await
    .text();
    let link = format!("/console/fiches/{FRENCH}/suggestions.xlsx?");
    assert!(html.contains(&link), "linked from the page");
    let reply = send(
        &c.router,
        fetch(
            &format!("/console/fiches/{FRENCH}/suggestions.xlsx?{settings}"),
            Some(&cookie),
        ),
    )
    .await;
    let mut book = workbook(&reply);
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let rows = cells(&range);
    assert_eq!(rows[0][4], "Score total");
    let ids: Vec<String> = rows[1..].iter().map(|r| r[1].clone()).collect();
    assert_eq!(ids, suggested(&html));
    assert!(matches!(range.get((1, 4)), Some(Data::Float(_))));
    let reply = send(
        &c.router,
        fetch(
            &format!("/console/fiches/{FRENCH}/suggestions.xlsx?nombre=0"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.text().contains("Champ « nombre »"),
        "{}",
        reply.text()
    );

    // Decisions: every one recorded, with its French label.
    let partner = suggested(&html)[0].clone();
    let body = format!("fiche={FRENCH}&partenaire={partner}&decision=rejeter&note=hors+sujet");
    let reply = send(&c.router, htmx_form("/console/decisions", &body, &cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let reply = send(&c.router, fetch("/console/decisions.xlsx", Some(&cookie))).await;
    let mut book = workbook(&reply);
    let rows = cells(&book.worksheet_range("Décisions").unwrap());
    assert_eq!(rows.len(), 2, "a header and the decision: {rows:?}");
    assert!(rows[1].contains(&partner) && rows[1].contains(&"hors sujet".to_owned()));
    let review = send(&c.router, page("/console/revue", Some(&cookie)))
        .await
        .text();
    assert!(
        review.contains("/console/decisions.xlsx"),
        "linked from the queue"
    );
    let reply = send(
        &c.router,
        fetch("/console/decisions.xlsx?tri=date", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

/// A région is checked even before the map's data was first built (at start, in the
/// background): a router made outside a runtime starts no such build, so the page
/// must build it itself rather than take any code unchecked.
#[test]
fn a_region_is_checked_before_the_map_data_is_first_built() {
    let dir = tempfile::tempdir().unwrap();
    passerelle_tests::store_sample(dir.path());
    let options = passerelle::server::StateOptions {
        today: Some("2026-09-01".parse().unwrap()),
        threads: 2,
        writer: None,
        ..Default::default()
    };
    let state = passerelle::server::State::load(dir.path(), &options).unwrap();
    let router = passerelle::console::router(
        std::sync::Arc::new(state),
        crate::grpc::tokens(),
        passerelle::console::ConsoleConfig::default(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cookie = login(&router, STAFF).await;
        let unknown = "/console/recherche?pays=BJ&region=ZZ";
        let reply = send(&router, page(unknown, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.text().contains("Champ « region »"));
        let known = "/console/recherche?pays=FR&region=53";
        let reply = send(&router, page(known, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    });
}
