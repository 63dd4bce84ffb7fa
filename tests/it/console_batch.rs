//! The console's batch runs (Sessions de mise en relation) through the router: the
//! form and its problems in French, corrected names confirmed before a run starts,
//! the Benin scenario run to done with its results, views and downloads (the same
//! bytes as the engine's export), a queued run cancelled, bad run ids.

use std::time::Duration;

use axum::http::{StatusCode, header};
use passerelle_engine::batch::export;
use passerelle_engine::batch::{RunId, RunStatus};
use passerelle_engine::store::Store;

use crate::console::{Reply, fetch, form, page, send};
use crate::console_pages::console_with_extras;

/// Fifteen French communes of the sample (the Assises scenario of `assises.rs`).
fn fifteen_communes() -> Vec<String> {
    passerelle_tests::sample_fiches()
        .iter()
        .filter(|f| f.id.as_str().starts_with("FR-COM-"))
        .take(15)
        .map(|f| f.id.to_string())
        .collect()
}

/// Two half-days of seven 30-minute slots, as the form takes them.
fn slots() -> String {
    let mut lines = Vec::new();
    for (half, hour) in [9, 14].iter().enumerate() {
        for slot in 0..7 {
            let start = hour * 60 + slot * 30;
            let end = start + 30;
            lines.push(format!(
                "D{half}-{slot}, 2026-12-03 {:02}:{:02}, 2026-12-03 {:02}:{:02}",
                start / 60,
                start % 60,
                end / 60,
                end % 60
            ));
        }
    }
    lines.join("\n")
}

/// Percent-encodes a form value (every byte but ASCII letters and digits).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The Benin form: 15 communes × Benin, k 20, 5 and 1 meetings, 14 slots, 15 tables.
fn benin_form() -> String {
    format!(
        "francais=liste&francais_noms={}&etranger=pays&etranger_code=BJ&k=20&capacite_francaise=5&capacite_etrangere=1&appariement=optimal&score_min=0&creneaux={}&tables=15",
        encode(&fifteen_communes().join("\n")),
        encode(&slots())
    )
}

async fn wait_until_finished(c: &crate::console::Console, cookie: &str, id: u64) -> Reply {
    for _ in 0..600 {
        let reply = send(
            &c.router,
            fetch(&format!("/console/sessions/{id}/progression"), Some(cookie)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        if reply.headers.contains_key("hx-refresh") {
            return reply;
        }
        assert!(
            reply.text().contains("hx-trigger=\"every 1s\""),
            "polled while running"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("run {id} did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_names_its_problems_in_french() {
    let (c, cookie) = console_with_extras().await;
    let reply = send(&c.router, page("/console/sessions/nouvelle", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(html.contains("Nouvelle session de mise en relation"));
    assert!(html.contains("value=\"BJ\""), "Benin by default");
    assert!(html.contains("heures locales de l'événement"));

    for (body, expected) in [
        (
            "francais=region&etranger=pays&etranger_code=ZZ",
            vec!["Périmètre français", "code de la région", "« ZZ »"],
        ),
        (
            "francais=tout&etranger=pays&etranger_code=BJ&k=0&tables=abc",
            vec!["Paires retenues par collectivité", "Tables par créneau"],
        ),
        (
            "francais=tout&etranger=pays&etranger_code=BJ&appariement=aucun&creneaux=a%2C2026-12-03+09%3A00%2C2026-12-03+09%3A30",
            vec!["un agenda place des paires appariées"],
        ),
        (
            "francais=tout&etranger=pays&etranger_code=BJ&creneaux=a%2C+demain%2C+apres",
            vec!["Créneaux", "ligne 1", "2026-12-03 09:00"],
        ),
        // The engine's check: names, scopes selecting nothing.
        (
            "francais=liste&francais_noms=Zzyzx+Qwv%0ASaint-Denis&etranger=pays&etranger_code=BJ",
            vec![
                "Périmètre français",
                "aucune collectivité ne s&#39;appelle « Zzyzx Qwv »",
                "Saint-Denis (93)",
                "Saint-Denis (974)",
            ],
        ),
        (
            "francais=departement&francais_code=333&etranger=tout",
            vec!["aucune fiche française du département"],
        ),
        (
            "francais=tout&etranger=pays&etranger_code=BJ&exclure=Nulle+Part+Ici",
            vec!["Collectivités exclues, ligne 1"],
        ),
    ] {
        let reply = send(&c.router, form("/console/sessions", body, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        let html = reply.text();
        assert!(html.contains("La session n'a pas été lancée"), "{body}");
        for text in expected {
            assert!(html.contains(text), "{body}: {text}\n{html}");
        }
        // What was typed is shown again.
        assert!(html.contains("name=\"etranger_code\""));
    }
    let reply = send(
        &c.router,
        form(
            "/console/sessions",
            "francais=tout&couleur=bleu",
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("Champ « couleur »"));
    let state = c.state.clone();
    let runs = tokio::task::spawn_blocking(move || state.corpus().batch_runs(10).unwrap())
        .await
        .unwrap();
    assert!(runs.is_empty(), "nothing was recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrected_names_are_confirmed_before_the_run_starts() {
    let (c, cookie) = console_with_extras().await;
    let body = "francais=liste&francais_noms=Narbone&etranger=liste&etranger_noms=Ouidha&appariement=aucun";
    let reply = send(&c.router, form("/console/sessions", body, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(
        html.contains("Périmètre français : « Narbone » compris comme Narbonne (FR-COM-11262)")
    );
    assert!(
        html.contains("Périmètre étranger : « Ouidha » compris comme Ouidah (BJ-COM-BJ-AQ-OUI)")
    );
    assert!(html.contains("<input type=\"hidden\" name=\"confirmer\" value=\"oui\">"));
    assert!(html.contains("Confirmer et lancer la session"));
    let state = c.state.clone();
    let runs = tokio::task::spawn_blocking(move || state.corpus().batch_runs(10).unwrap())
        .await
        .unwrap();
    assert!(runs.is_empty(), "not started before confirmation");
    let reply = send(
        &c.router,
        form(
            "/console/sessions",
            &format!("{body}&confirmer=oui"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header(header::LOCATION), "/console/sessions/1");
    wait_until_finished(&c, &cookie, 1).await;
    let html = send(&c.router, page("/console/sessions/1", Some(&cookie)))
        .await
        .text();
    assert!(html.contains("terminée"));
    assert!(html.contains("1 collectivité désignée"));
    assert!(!html.contains("Paires appariées"), "no pairing asked");
    assert!(html.contains("Paires retenues"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_benin_run_goes_to_done_with_its_results_and_downloads() {
    let (c, cookie) = console_with_extras().await;
    let reply = send(
        &c.router,
        form("/console/sessions", &benin_form(), Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    assert_eq!(reply.header(header::LOCATION), "/console/sessions/1");
    let finished = wait_until_finished(&c, &cookie, 1).await;
    assert!(finished.text().contains("terminée"));

    let data_dir = c.state.data_dir().to_owned();
    let results = tokio::task::spawn_blocking(move || {
        Store::open(&data_dir)
            .unwrap()
            .batch_results(RunId::new(1))
            .unwrap()
    })
    .await
    .unwrap();
    let result = &results.result;
    let agenda = results.agenda.as_ref().expect("slots were given");
    assert_eq!(result.french_count, 15);
    assert_eq!(result.foreign_count, 77);

    let reply = send(&c.router, page("/console/sessions/1", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(
        !html.contains("hx-trigger=\"every 1s\""),
        "no polling once done"
    );
    for expected in [
        "<span class=\"statut statut-terminee\">terminée</span>",
        "15 collectivités désignées",
        "Bénin",
        "5 par collectivité française, 1 par collectivité étrangère",
        "15 collectivités françaises × 77 collectivités étrangères",
        "/console/sessions/1/paires.csv",
        "/console/sessions/1/affectations.csv",
        "/console/sessions/1/sans-partenaire.csv",
        "/console/sessions/1/agenda.csv",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    // Default view: the assigned pairs, best first.
    assert_eq!(
        html.matches("<td class=\"nombre\">").count(),
        2 * result.assigned.len().min(100)
    );
    assert!(html.contains(&result.assigned[0].french_name));
    // Pairs kept, paged by 100.
    let html = send(
        &c.router,
        page("/console/sessions/1?vue=paires&page=2", Some(&cookie)),
    )
    .await
    .text();
    assert!(html.contains("lignes 101 à 200 sur"), "{html}");
    assert!(html.contains("<td class=\"nombre\">101</td>"));
    // Who is left without a partner, and why.
    let html = send(
        &c.router,
        page("/console/sessions/1?vue=sans-partenaire", Some(&cookie)),
    )
    .await
    .text();
    for u in &result.unassigned {
        assert!(
            html.contains(&u.reason.replace('\'', "&#39;")),
            "{}",
            u.reason
        );
    }
    // The agenda: slots × tables, searchable by participant.
    let someone = &agenda.rows[0].foreign_name;
    let html = send(
        &c.router,
        page(
            &format!(
                "/console/sessions/1?vue=agenda&participant={}",
                encode(someone)
            ),
            Some(&cookie),
        ),
    )
    .await
    .text();
    assert!(html.contains("<th>Table 15</th>") || agenda.rows.iter().all(|r| r.table < 15));
    assert!(html.contains("<th>Table 1</th>"));
    assert!(html.contains("D0-0"));
    assert!(
        html.contains("03/12/2026 09:00–09:30"),
        "times of the event"
    );
    assert!(html.contains(&format!("1 rendez-vous pour « {someone} »")));
    assert_eq!(html.matches("class=\"rdv trouve\"").count(), 1);
    assert_eq!(
        html.matches("class=\"rdv autre\"").count(),
        agenda.rows.len() - 1
    );
    let calendar_link = format!(
        "/console/sessions/1/calendriers/{}.ics",
        agenda.rows[0].foreign
    );
    assert!(html.contains(&calendar_link));

    // Downloads: the engine's export, byte for byte, after a byte order mark.
    let bom = "\u{feff}";
    // Fiches « à reconfirmer » on the server's date are flagged in the files.
    let stale = c.state.corpus().stale_fiches().unwrap();
    assert!(
        result
            .scored
            .iter()
            .any(|p| stale.contains(&p.french) || stale.contains(&p.foreign))
    );
    let mut expected = Vec::new();
    export::write_pairs_csv(&mut expected, &result.scored, &stale).unwrap();
    let reply = send(
        &c.router,
        fetch("/console/sessions/1/paires.csv", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        reply.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"session-1-paires.csv\""
    );
    assert!(result.scored.len() > 1000, "streamed in several chunks");
    assert_eq!(
        reply.text(),
        format!("{bom}{}", String::from_utf8(expected).unwrap())
    );
    let mut expected = Vec::new();
    export::write_pairs_csv(&mut expected, &result.assigned, &stale).unwrap();
    let reply = send(
        &c.router,
        fetch("/console/sessions/1/affectations.csv", Some(&cookie)),
    )
    .await;
    assert_eq!(
        reply.text(),
        format!("{bom}{}", String::from_utf8(expected).unwrap())
    );
    let mut expected = Vec::new();
    export::write_unassigned_csv(&mut expected, &result.unassigned).unwrap();
    let reply = send(
        &c.router,
        fetch("/console/sessions/1/sans-partenaire.csv", Some(&cookie)),
    )
    .await;
    assert_eq!(
        reply.text(),
        format!("{bom}{}", String::from_utf8(expected).unwrap())
    );
    let reply = send(
        &c.router,
        fetch("/console/sessions/1/agenda.csv", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.text(), format!("{bom}{}", export::csv(&agenda.rows)));
    assert!(reply.text().contains("créneau,début,fin,table"));

    // All the results as one workbook: the same pairs as the CSV files.
    let reply = send(
        &c.router,
        fetch("/console/sessions/1/resultats.xlsx", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"session-1-resultats.xlsx\""
    );
    {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(reply.body.clone())).unwrap();
        let names = book.sheet_names();
        assert_eq!(
            names[..3],
            ["Paires retenues", "Appariement", "Sans partenaire"]
        );
        assert!(names.iter().any(|n| n.starts_with("Agenda ")), "{names:?}");
        let kept = book.worksheet_range("Paires retenues").unwrap();
        assert_eq!(kept.height(), result.scored.len() + 1);
        let assigned = book.worksheet_range("Appariement").unwrap();
        assert_eq!(assigned.height(), result.assigned.len() + 1);
    }
    assert!(html.contains("/console/sessions/1/resultats.xlsx"));

    let reply = send(&c.router, fetch(&calendar_link, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "text/calendar; charset=utf-8"
    );
    let ics = reply.text();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
    assert!(ics.contains("DTSTART:20261203T090000"));
    let french = &agenda.rows[0].french;
    let meetings = agenda.rows.iter().filter(|r| &r.french == french).count();
    let reply = send(
        &c.router,
        fetch(
            &format!("/console/sessions/1/calendriers/{french}.ics"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.text().matches("BEGIN:VEVENT").count(), meetings);
    for (path, status) in [
        (
            "/console/sessions/1/calendriers/FR-COM-93066.ics",
            StatusCode::NOT_FOUND,
        ),
        (
            "/console/sessions/1/calendriers/%3Cx%3E.ics",
            StatusCode::BAD_REQUEST,
        ),
        ("/console/sessions/1?vue=tout", StatusCode::BAD_REQUEST),
        ("/console/sessions/1?participant=", StatusCode::OK),
    ] {
        let reply = send(&c.router, page(path, Some(&cookie))).await;
        assert_eq!(reply.status, status, "{path}");
    }
    let long = format!(
        "/console/sessions/1?vue=agenda&participant={}",
        "a".repeat(201)
    );
    assert_eq!(
        send(&c.router, page(&long, Some(&cookie))).await.status,
        StatusCode::BAD_REQUEST
    );

    // The list of runs.
    let html = send(&c.router, page("/console/sessions", Some(&cookie)))
        .await
        .text();
    assert!(html.contains("<a href=\"/console/sessions/1\">n° 1</a>"));
    assert!(html.contains("optimal (score total maximal)"));
    assert!(html.contains("console:dctciv"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_run_shows_its_place_and_is_cancelled_from_its_page() {
    let (c, cookie) = console_with_extras().await;
    let hold = c.state.batches().hold().await;
    let body = "francais=tout&etranger=pays&etranger_code=BJ&appariement=aucun";
    let reply = send(&c.router, form("/console/sessions", body, Some(&cookie))).await;
    assert_eq!(reply.header(header::LOCATION), "/console/sessions/1");
    let progress = send(
        &c.router,
        fetch("/console/sessions/1/progression", Some(&cookie)),
    )
    .await;
    let html = progress.text();
    assert!(html.contains("en attente de son tour"), "{html}");
    assert!(html.contains("hx-trigger=\"every 1s\""));
    assert!(html.contains("action=\"/console/sessions/1/annuler\""));
    assert!(!progress.headers.contains_key("hx-refresh"));
    let status = send(&c.router, page("/console/etat", Some(&cookie)))
        .await
        .text();
    assert!(status.contains("<a href=\"/console/sessions/1\">n° 1</a>"));
    assert!(status.contains("en attente"));
    // Files of an unfinished run are not there yet.
    let reply = send(
        &c.router,
        fetch("/console/sessions/1/paires.csv", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(reply.text().contains("n&#39;est pas terminée"));

    let reply = send(
        &c.router,
        form("/console/sessions/1/annuler", "", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header(header::LOCATION), "/console/sessions/1");
    let progress = send(
        &c.router,
        fetch("/console/sessions/1/progression", Some(&cookie)),
    )
    .await;
    assert!(progress.headers.contains_key("hx-refresh"));
    let html = send(&c.router, page("/console/sessions/1", Some(&cookie)))
        .await
        .text();
    assert!(html.contains("annulée"));
    assert!(!html.contains("every 1s"));
    drop(hold);
    let state = c.state.clone();
    let run = tokio::task::spawn_blocking(move || state.corpus().batch_run(RunId::new(1)).unwrap())
        .await
        .unwrap();
    assert_eq!(run.status, RunStatus::Cancelled);
    // Cancelling again says the run is finished.
    let reply = send(
        &c.router,
        form("/console/sessions/1/annuler", "", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(reply.text().contains("déjà"), "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_run_ids_are_explained() {
    let (c, cookie) = console_with_extras().await;
    for (path, status, text) in [
        (
            "/console/sessions/abc",
            StatusCode::BAD_REQUEST,
            "n&#39;est pas un numéro de session",
        ),
        (
            "/console/sessions/0",
            StatusCode::BAD_REQUEST,
            "numéro de session",
        ),
        (
            "/console/sessions/99999999999999999999",
            StatusCode::BAD_REQUEST,
            "numéro de session",
        ),
        (
            "/console/sessions/7",
            StatusCode::NOT_FOUND,
            "Aucune session de mise en relation n° 7",
        ),
        (
            "/console/sessions/7/progression",
            StatusCode::NOT_FOUND,
            "n° 7",
        ),
        (
            "/console/sessions/7/agenda.csv",
            StatusCode::NOT_FOUND,
            "n° 7",
        ),
        (
            "/console/sessions?page=2",
            StatusCode::BAD_REQUEST,
            "Champ « page »",
        ),
    ] {
        let reply = send(&c.router, page(path, Some(&cookie))).await;
        assert_eq!(reply.status, status, "{path}");
        assert!(reply.text().contains(text), "{path}: {}", reply.text());
    }
    let reply = send(
        &c.router,
        form("/console/sessions/7/annuler", "", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}
