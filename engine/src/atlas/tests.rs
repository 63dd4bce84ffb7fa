use chrono::NaiveDate;

use super::*;
use crate::jsonl::parse_fiche;
use crate::reference::ThemeCode;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn fiche(line: &str) -> Fiche {
    parse_fiche(line).unwrap()
}

/// A French commune partnering with Benin, a Beninese commune, a Moroccan one with
/// an unnamed admin1, a Chinese municipality; calls in every state on 2026-09-01.
fn corpus() -> Vec<Fiche> {
    [
        r#"{"id":"BJ-COM-BJ-AK-BOU","country":"BJ","kind":"municipality","level":"local","name":"Boukoumbé","admin":{"admin1":"BJ-AK","admin1_name":"Atacora"},"location":{"lat":10.17789,"lon":1.10451},"population":100,"themes":[{"code":"sante","weight":1.0}],"call":{"status":"open","expires":"2026-09-20"}}"#,
        r#"{"id":"CN-GN-1","country":"CN","kind":"municipality","level":"local","name":"A","location":{"lat":30.0,"lon":120.0},"population":0,"call":{"status":"open","expires":"2026-08-31"}}"#,
        r#"{"id":"FR-COM-35238","country":"FR","kind":"commune","level":"local","name":"Rennes","admin":{"region":"53","departement":"35","admin1_name":"Bretagne"},"location":{"lat":48.11198,"lon":-1.67429},"population":220000,"offer":{"themes":["eau-assainissement"]},"request":{"themes":["culture-patrimoine"]},"partnerships":[{"partner_id":"BJ-COM-BJ-AK-BOU","kind":"cooperation"}],"call":{"status":"open","expires":"2026-12-31"}}"#,
        r#"{"id":"MA-GN-2","country":"MA","kind":"municipality","level":"local","name":"B","admin":{"admin1":"07"},"location":{"lat":31.63,"lon":-7.99},"population":0,"call":{"status":"closed"}}"#,
        r#"{"id":"MA-GN-3","country":"MA","kind":"province","level":"intermediate","name":"C","admin":{"admin1":"07","admin1_name":"Marrakech-Safi"},"location":{"lat":31.5,"lon":-8.0},"population":0}"#,
    ]
    .into_iter()
    .map(|line| {
        if line.contains("\"request\"") {
            fiche(line)
        } else {
            fiche(&line.replace("\"location\"", "\"request\":{\"text\":\"partenariat\"},\"location\""))
        }
    })
    .collect()
}

#[test]
fn columns_follow_the_fiches() {
    let fiches = corpus();
    let atlas = Atlas::build(&fiches, date("2026-09-01"));
    assert_eq!(atlas.len(), 5);
    for column in [
        atlas.lat.len(),
        atlas.lon.len(),
        atlas.side.len(),
        atlas.level.len(),
        atlas.call.len(),
        atlas.country.len(),
        atlas.area.len(),
        atlas.themes.len(),
    ] {
        assert_eq!(column, 5);
    }
    assert_eq!(atlas.ids[2].as_str(), "FR-COM-35238");
    assert_eq!((atlas.lat[2], atlas.lon[2]), (481_120, -16_743));
    assert_eq!(atlas.side[2], Side::French);
    assert_eq!(atlas.level[4], Level::Intermediate);
    let rennes_themes = atlas.themes[2];
    let bit = |code: &str| ThemeCode::parse(code).unwrap().bit();
    assert_eq!(
        rennes_themes,
        bit("eau-assainissement") | bit("culture-patrimoine")
    );
    assert_eq!(atlas.themes[0], bit("sante"));
}

#[test]
fn calls_are_judged_on_the_date() {
    let atlas = Atlas::build(&corpus(), date("2026-09-01"));
    assert_eq!(
        atlas.call,
        [
            CallState::Expiring,
            CallState::Expired,
            CallState::Open,
            CallState::Closed,
            CallState::None,
        ]
    );
    let open = |expires: &str| crate::fiche::Call {
        status: crate::fiche::CallStatus::Open,
        published: None,
        expires: Some(date(expires)),
    };
    let today = date("2026-09-01");
    assert_eq!(
        CallState::of(Some(&open("2026-09-01")), today),
        CallState::Expiring
    );
    assert_eq!(
        CallState::of(Some(&open("2026-10-01")), today),
        CallState::Expiring
    );
    assert_eq!(
        CallState::of(Some(&open("2026-10-02")), today),
        CallState::Open
    );
    assert_eq!(
        CallState::of(Some(&open("2026-08-31")), today),
        CallState::Expired
    );
    for (state, call) in [
        (CallState::Expiring, open("2026-09-01")),
        (CallState::Expired, open("2026-08-31")),
    ] {
        assert_eq!(state.is_open(), call.is_open_on(today));
    }
}

#[test]
fn countries_and_areas_are_tables_of_codes_and_names() {
    let atlas = Atlas::build(&corpus(), date("2026-09-01"));
    let codes: Vec<&str> = atlas.countries.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["BJ", "CN", "FR", "MA"]);
    assert_eq!(atlas.countries[0].name_fr, "Bénin");
    let area = |i: usize| &atlas.areas[usize::from(atlas.area[i])];
    assert_eq!(
        (area(0).code.as_str(), area(0).name.as_deref()),
        ("BJ-AK", Some("Atacora"))
    );
    assert_eq!(
        (area(2).code.as_str(), area(2).name.as_deref()),
        ("53", Some("Bretagne"))
    );
    // The first Moroccan fiche leaves 07 unnamed, the second names it.
    assert_eq!(atlas.area[3], atlas.area[4]);
    assert_eq!(area(3).name.as_deref(), Some("Marrakech-Safi"));
    assert_eq!(atlas.area[1], NO_AREA);
    assert_eq!(atlas.areas.len(), 3);
}

#[test]
fn under_served_is_the_criterion_above_one_half_on_the_foreign_side() {
    let today = date("2026-09-01");
    let fiches = corpus();
    let atlas = Atlas::build(&fiches, today);
    for country in &atlas.countries {
        let links = u32::from(country.code.as_str() == "BJ");
        let ldc = country.code.info().ldc_status(today).is_ldc();
        let score = crate::scoring::underserved::value(links, ldc);
        assert_eq!(country.underserved_score, score, "{:?}", country.code);
        assert_eq!(
            country.underserved,
            country.code != CountryCode::FRANCE && score >= UNDERSERVED_THRESHOLD
        );
    }
    // Benin: one French partnership, an LDC; France is never under-served.
    assert!(atlas.is_underserved(0));
    assert!(!atlas.is_underserved(2));
}

#[test]
fn the_same_fiches_give_the_same_atlas() {
    let fiches = corpus();
    let a = Atlas::build(&fiches, date("2026-09-01"));
    let b = Atlas::build(&fiches, date("2026-09-01"));
    assert_eq!(a.ids, b.ids);
    assert_eq!(a.areas, b.areas);
    assert_eq!(a.countries, b.countries);
    assert_eq!((a.lat, a.lon, a.themes), (b.lat, b.lon, b.themes));
}
