//! The demo corpus as a whole: size, order, validity, determinism, symmetric links,
//! texts in the right language, and the committed sample.

use std::collections::HashMap;
use std::sync::OnceLock;

use passerelle_datasets::{
    DEMO_CORPUS_LEN, DemoCorpus, demo_corpus_date, generate, sample_of, write_jsonl,
};
use passerelle_engine::fiche::{CallStatus, Fiche, Side};
use passerelle_engine::reference::Language;

fn corpus() -> &'static DemoCorpus {
    static CORPUS: OnceLock<DemoCorpus> = OnceLock::new();
    CORPUS.get_or_init(|| generate(42).expect("the corpus generates"))
}

fn jsonl(fiches: &[Fiche]) -> Vec<u8> {
    let mut out = Vec::new();
    write_jsonl(fiches, &mut out).unwrap();
    out
}

fn count(prefix: &str) -> usize {
    corpus()
        .fiches
        .iter()
        .filter(|f| f.id.as_str().starts_with(prefix))
        .count()
}

#[test]
fn corpus_has_one_fiche_per_collectivite() {
    let fiches = &corpus().fiches;
    assert_eq!(fiches.len(), DEMO_CORPUS_LEN);
    assert_eq!(fiches.len(), 198_563);
    assert!((198_000..=199_500).contains(&fiches.len()));
    assert_eq!(corpus().skipped_places, 0);
    assert_eq!(count("FR-"), 36_359);
    assert_eq!(count("FR-COM-"), 34_969);
    assert_eq!(count("FR-EPCI-"), 1_255);
    assert_eq!(count("FR-DEP-"), 109);
    assert_eq!(count("FR-REG-"), 26);
    assert_eq!(count("BJ-"), 77);
    assert_eq!(count("BJ-COM-"), 77);
    assert_eq!(count("MA-"), 1_503);
    for overseas in [
        "GP-", "MQ-", "GF-", "RE-", "YT-", "PM-", "BL-", "MF-", "TF-", "WF-", "PF-", "NC-",
    ] {
        assert_eq!(
            count(overseas),
            0,
            "{overseas} places are French communes already"
        );
    }
}

#[test]
fn every_fiche_is_valid_and_sorted_and_reads_back() {
    let fiches = &corpus().fiches;
    assert!(
        fiches.windows(2).all(|pair| pair[0].id < pair[1].id),
        "sorted by id, unique"
    );
    for (i, fiche) in fiches.iter().enumerate() {
        fiche
            .validate()
            .unwrap_or_else(|e| panic!("{}: {e}", fiche.id));
        assert!(
            !fiche.themes.is_empty() && fiche.themes.len() <= 6,
            "{}",
            fiche.id
        );
        assert!(
            fiche
                .contact
                .as_ref()
                .is_none_or(|c| c.email.is_none() && c.name.is_none())
        );
        if i % 97 == 0 {
            let line = passerelle_engine::jsonl::to_line(fiche);
            assert_eq!(
                &passerelle_engine::jsonl::parse_fiche(&line).unwrap(),
                fiche
            );
        }
    }
}

#[test]
fn same_seed_same_bytes() {
    // Other seeds are covered by the profile's unit tests: a third generation would
    // double the time of this file in debug builds.
    // Equal fiches give equal bytes (`to_line` is a pure function); comparing the
    // values avoids serialising 170 MB twice in a debug build.
    let again = generate(42).unwrap();
    assert!(
        corpus().fiches == again.fiches,
        "seed 42 is not reproducible"
    );
    assert_eq!(
        jsonl(&sample_of(&corpus().fiches)),
        jsonl(&sample_of(&again.fiches))
    );
}

#[test]
fn partnerships_are_symmetric_and_join_the_two_sides() {
    let fiches = &corpus().fiches;
    let by_id: HashMap<&str, &Fiche> = fiches.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut links = 0;
    for fiche in fiches {
        for link in &fiche.partnerships {
            let partner_id = link
                .partner_id
                .as_ref()
                .expect("generated links name the partner");
            let partner = by_id[partner_id.as_str()];
            assert_ne!(partner.side(), fiche.side());
            assert_eq!(link.country, Some(partner.country));
            assert_eq!(link.partner_name.as_deref(), Some(partner.name.as_str()));
            let back = partner
                .partnerships
                .iter()
                .find(|p| p.partner_id.as_ref() == Some(&fiche.id))
                .unwrap_or_else(|| panic!("{} -> {} has no way back", fiche.id, partner.id));
            assert_eq!(
                (back.kind, back.since, back.active),
                (link.kind, link.since, link.active)
            );
            assert!((1960..=2025).contains(&link.since.unwrap()));
            links += 1;
        }
    }
    assert!(links > 10_000, "{links} link entries");
    let paris = by_id["FR-COM-75056"];
    assert!(
        paris.partnerships.len() >= 3,
        "a capital city has several partners"
    );
    let small_without = fiches
        .iter()
        .filter(|f| f.side() == Side::French && f.population < 500)
        .filter(|f| f.partnerships.is_empty())
        .count();
    let small = fiches
        .iter()
        .filter(|f| f.side() == Side::French && f.population < 500)
        .count();
    assert!(
        small_without * 100 > small * 95,
        "most small communes have no partner"
    );
}

fn largest(country: &str) -> &'static Fiche {
    corpus()
        .fiches
        .iter()
        .filter(|f| f.country.as_str() == country)
        .max_by_key(|f| f.population)
        .unwrap()
}

/// Request and offer texts use the keywords of their themes in the fiche's language.
fn assert_written_in(fiche: &Fiche, language: Language) {
    assert_eq!(fiche.languages[0].as_str(), language.code(), "{}", fiche.id);
    for intent in [&fiche.offer, &fiche.request].into_iter().flatten() {
        let text = intent.text.as_deref().unwrap();
        for theme in &intent.themes {
            let keywords = theme.info().keywords(language);
            assert!(
                keywords.iter().any(|k| text.contains(k.as_str())),
                "{}: {text}",
                fiche.id
            );
        }
    }
}

#[test]
fn texts_are_in_the_language_of_the_country() {
    assert_written_in(largest("MX"), Language::Es);
    assert_written_in(largest("BR"), Language::Pt);
    assert_written_in(largest("BJ"), Language::Fr);
    assert_written_in(largest("GB"), Language::En);
    assert_written_in(largest("FR"), Language::Fr);
    let cotonou = corpus()
        .fiches
        .iter()
        .find(|f| f.id.as_str() == "BJ-COM-BJ-LI-COT")
        .unwrap();
    assert_written_in(cotonou, Language::Fr);
    assert!(cotonou.activities.as_deref().unwrap().contains("habitants"));
    let text_only = corpus()
        .fiches
        .iter()
        .filter(|f| f.side() == Side::Foreign)
        .filter(|f| {
            f.request
                .as_ref()
                .is_some_and(|r| r.themes.is_empty() && r.text.is_some())
        })
        .count();
    assert!(
        (15_000..25_000).contains(&text_only),
        "{text_only} requests with text only"
    );
}

#[test]
fn calls_are_dated_around_the_reference_date() {
    let today = demo_corpus_date();
    let calls: Vec<_> = corpus().fiches.iter().filter_map(|f| f.call).collect();
    let open_now = calls.iter().filter(|c| c.is_open_on(today)).count();
    let open_expired = calls
        .iter()
        .filter(|c| c.status == CallStatus::Open && !c.is_open_on(today))
        .count();
    let closed = calls
        .iter()
        .filter(|c| c.status == CallStatus::Closed)
        .count();
    assert!(open_now > 20_000 && open_expired > 1_000 && closed > 5_000);
    assert!(calls.iter().all(|c| c.published.unwrap() <= today));
    let big: Vec<_> = corpus()
        .fiches
        .iter()
        .filter(|f| f.population > 200_000)
        .collect();
    let big_open = big.iter().filter(|f| f.has_open_call(today)).count();
    assert!(
        big_open * 2 > big.len(),
        "most big fiches have an open call"
    );
}

#[test]
fn places_without_coordinates_get_an_approximate_point() {
    let get = |id: &str| {
        corpus()
            .fiches
            .iter()
            .find(|f| f.id.as_str() == id)
            .unwrap()
    };
    let clipperton = get("FR-COM-98901");
    assert!(clipperton.location.approximate);
    assert!(
        (clipperton.location.lat - 10.30).abs() < 0.01
            && (clipperton.location.lon + 109.22).abs() < 0.01
    );
    let papeete = get("FR-COM-98735");
    assert!(papeete.location.lat < 0.0 && papeete.location.lon < -130.0);
    let lyon = get("FR-COM-69123");
    assert!(!lyon.location.approximate);
    let karimama = corpus()
        .fiches
        .iter()
        .find(|f| f.name == "Karimama")
        .unwrap();
    assert!(karimama.location.approximate);
    let tanger = get("MA-COM-01.511.01.0");
    assert_eq!(tanger.alt_names, ["طنجة"]);
    assert_eq!(tanger.population, 1_275_428);
}

#[test]
fn the_sample_has_benin_and_variety() {
    let sample = sample_of(&corpus().fiches);
    assert!(
        (300..=400).contains(&sample.len()),
        "{} fiches",
        sample.len()
    );
    assert!(sample.windows(2).all(|pair| pair[0].id < pair[1].id));
    let of = |prefix: &str| {
        sample
            .iter()
            .filter(|f| f.id.as_str().starts_with(prefix))
            .count()
    };
    assert_eq!(of("BJ-COM-"), 77);
    assert_eq!(of("FR-REG-"), 26);
    assert!(of("FR-DEP-") >= 10 && of("FR-EPCI-") >= 8 && of("FR-COM-") >= 50);
    for country in [
        "MA-", "SN-", "ES-", "BR-", "MX-", "GB-", "DE-", "MG-", "VN-",
    ] {
        assert!(of(country) >= 5, "{country}");
    }
    let french_with_benin = sample
        .iter()
        .filter(|f| {
            f.side() == Side::French
                && f.partnerships
                    .iter()
                    .any(|p| p.country.is_some_and(|c| c.as_str() == "BJ"))
        })
        .count();
    assert!(french_with_benin >= 10);
}

#[test]
fn the_committed_sample_is_up_to_date() {
    let committed = include_bytes!("../../datasets/sample/sample.jsonl");
    let expected = jsonl(&sample_of(&corpus().fiches));
    assert!(
        committed.as_slice() == expected.as_slice(),
        "sample/sample.jsonl is stale: run `cargo run -p passerelle-datasets --example write_sample --release`"
    );
}
