//! The console and issue 13: a mutual interest is shown first in the review queue,
//! marked and explained in French; a fiche to reconfirm says so on its page.

use axum::http::StatusCode;
use passerelle_engine::fiche::FicheId;
use passerelle_engine::ranking::SuggestOptions;
use passerelle_engine::store::{DecisionReason, InterestKind, NewInterest};

use crate::console::{console, form, login, page, send};
use crate::grpc::STAFF;

const NARBONNE: &str = "FR-COM-11262"; // open call, updated in 2026
const MARSEILLE: &str = "FR-COM-13055"; // last updated in 2023

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_shows_mutual_interests_first_and_fiches_to_reconfirm_say_so() {
    let c = console().await;
    let state = c.state.clone();
    let partner = tokio::task::spawn_blocking(move || {
        let corpus = state.corpus();
        let narbonne = FicheId::parse(NARBONNE).unwrap();
        let options = SuggestOptions {
            k: 8,
            ..corpus.suggest_options()
        };
        let partner = corpus.suggest(&narbonne, &options).unwrap().items[7]
            .id
            .clone();
        let declined = corpus.suggest(&narbonne, &options).unwrap().items[1]
            .id
            .clone();
        for (fiche, candidate, kind) in [
            (&partner, &narbonne, InterestKind::Interested),
            (&narbonne, &partner, InterestKind::Interested),
            (&narbonne, &declined, InterestKind::NotInterested),
        ] {
            corpus
                .record_interest(&NewInterest {
                    fiche: fiche.clone(),
                    candidate: candidate.clone(),
                    kind,
                    note: String::new(),
                    actor: "portail".into(),
                    at: chrono::Utc::now(),
                })
                .unwrap();
        }
        partner
    })
    .await
    .unwrap();
    let cookie = login(&c.router, STAFF).await;

    let reply = send(&c.router, page("/console/revue", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    let first = html.split("<div class=\"entree-revue\">").nth(1).unwrap();
    assert!(
        first.contains(&format!("/console/fiches/{NARBONNE}\"")),
        "{first}"
    );
    assert!(
        first.contains(&format!("data-partenaire=\"{partner}\"")),
        "{first}"
    );
    assert!(first.contains("Intérêt mutuel"), "{first}");
    assert!(
        first.contains("s&#39;est déclarée intéressée par un partenariat avec")
            || first.contains("s&#x27;est déclarée intéressée par un partenariat avec"),
        "{first}"
    );
    let second = html.split("<div class=\"entree-revue\">").nth(2).unwrap();
    assert!(!second.contains("Intérêt mutuel"), "{second}");
    assert!(first.contains("<select name=\"motif\">"), "{first}");

    // What remains is what the pages list, the match counted once, the declined
    // candidate not at all.
    for filters in ["", "region=76&par_fiche=2"] {
        let first = send(
            &c.router,
            page(&format!("/console/revue?{filters}"), Some(&cookie)),
        )
        .await;
        let total = remaining(&first.text());
        let mut listed = 0;
        for n in 1.. {
            let html = send(
                &c.router,
                page(&format!("/console/revue?{filters}&page={n}"), Some(&cookie)),
            )
            .await
            .text();
            listed += html.matches("data-partenaire=\"").count() as u64;
            // The pair itself (its block's id) is listed once, first.
            let block = format!("id=\"s-{NARBONNE}-{partner}\"");
            assert_eq!(
                html.matches(&block).count(),
                usize::from(n == 1),
                "{filters}"
            );
            if !html.contains("Page suivante") {
                break;
            }
        }
        assert_eq!(total, listed, "{filters}");
    }

    // A decision with a reason code (« motif ») from the queue; an unknown code is
    // refused naming the field.
    let bad =
        format!("fiche={NARBONNE}&partenaire={partner}&decision=rejeter&motif=humeur&depuis=revue");
    let reply = send(&c.router, form("/console/decisions", &bad, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("motif"), "{}", reply.text());
    let body = format!(
        "fiche={NARBONNE}&partenaire={partner}&decision=rejeter&motif=political_context&depuis=revue"
    );
    let reply = send(&c.router, form("/console/decisions", &body, Some(&cookie))).await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{}",
        reply.text()
    );
    let state = c.state.clone();
    let (narbonne, chosen) = (FicheId::parse(NARBONNE).unwrap(), partner.clone());
    let recorded = tokio::task::spawn_blocking(move || {
        state.corpus().decisions(&narbonne, Some(&chosen)).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(recorded[0].reason, Some(DecisionReason::PoliticalContext));

    let stale = send(
        &c.router,
        page(&format!("/console/fiches/{MARSEILLE}"), Some(&cookie)),
    )
    .await;
    assert!(stale.text().contains("class=\"info a-reconfirmer\""));
    let fresh = send(
        &c.router,
        page(&format!("/console/fiches/{NARBONNE}"), Some(&cookie)),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK);
    let fresh = fresh.text();
    assert!(!fresh.contains("class=\"info a-reconfirmer\""));
    // Its history lists both interests.
    let section = fresh
        .split("<section class=\"bloc\" id=\"interets\">")
        .nth(1)
        .unwrap();
    let section = section.split("</section>").next().unwrap();
    assert_eq!(
        section.matches("<td>intéressée</td>").count(),
        2,
        "{section}"
    );
}

/// The count of pairs that remain, as the page says it.
fn remaining(html: &str) -> u64 {
    let text = html
        .split("<strong>")
        .nth(1)
        .and_then(|rest| rest.split("</strong>").next())
        .unwrap();
    text.split(' ')
        .next()
        .unwrap()
        .replace('\u{a0}', "")
        .parse()
        .unwrap_or_else(|_| panic!("{text}"))
}
