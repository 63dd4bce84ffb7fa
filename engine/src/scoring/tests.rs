//! Each criterion's contract: range, symmetry, monotonicity, missing data.

use chrono::NaiveDate;

use super::*;
use crate::jsonl::parse_fiche;
use crate::reference::ThemeCode;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn lyon() -> MatchFeatures {
    let line = r#"{"id":"FR-COM-69123","country":"FR","kind":"commune","level":"local","name":"Lyon","admin":{"region":"84","departement":"69"},"location":{"lat":45.76,"lon":4.83},"population":520000,"languages":["fr"],"themes":[{"code":"culture-patrimoine","weight":1.0}],"offer":{"themes":["eau-assainissement","gouvernance-locale","sante"]},"request":{"themes":["jeunesse"]},"partnerships":[{"partner_id":"BF-GN-2357048","partner_name":"Ouagadougou","country":"BF","kind":"cooperation","since":1999}],"foreign_actors":[{"country":"BJ","kind":"diaspora","name":"Association des ressortissants du Bénin"}],"call":{"status":"open"}}"#;
    MatchFeatures::new(
        &parse_fiche(line).unwrap(),
        today(),
        Derived::default(),
        &|_| None,
    )
}

fn porto_novo() -> MatchFeatures {
    let line = r#"{"id":"BJ-COM-BJ-OU-PNO","country":"BJ","kind":"municipality","level":"local","name":"Porto-Novo","location":{"lat":6.49,"lon":2.6},"population":264320,"languages":["fr"],"themes":[{"code":"culture-patrimoine","weight":0.5}],"offer":{"themes":["jeunesse"]},"request":{"themes":["eau-assainissement","sante"]},"call":{"status":"open","expires":"2027-06-30"}}"#;
    MatchFeatures::new(
        &parse_fiche(line).unwrap(),
        today(),
        Derived::default(),
        &|_| None,
    )
}

fn context() -> CorpusContext {
    CorpusContext::build(today(), [&lyon(), &porto_novo()])
}

fn theme(code: &str) -> ThemeCode {
    ThemeCode::parse(code).unwrap()
}

#[test]
fn every_criterion_is_in_range_and_symmetric() {
    let (a, b) = (lyon(), porto_novo());
    let weights = Weights::default();
    let ab = score_pair(&a, &b, &context(), &weights);
    let ba = score_pair(&b, &a, &context(), &weights);
    assert_eq!(ab, ba);
    assert!((0.0..=1.0).contains(&ab.total));
    assert_eq!(ab.breakdown.iter().count(), Criterion::ALL.len());
    for part in &ab.breakdown {
        assert!((0.0..=1.0).contains(&part.score), "{part:?}");
    }
}

#[test]
fn a_two_sided_match_is_explained_in_french() {
    let score = score_pair(&lyon(), &porto_novo(), &context(), &Weights::default());
    let reasons: Vec<&str> = score
        .breakdown
        .iter()
        .flat_map(|b| b.reasons.iter().map(String::as_str))
        .collect();
    assert!(
        reasons.contains(&"3 thèmes en commun : santé, eau et assainissement, jeunesse"),
        "{reasons:#?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("Diaspora originaire du pays (Bénin)")),
        "{reasons:#?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("Populations comparables : 520\u{a0}000 et 264\u{a0}320 hab.")),
        "{reasons:#?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("pays les moins avancés")),
        "{reasons:#?}"
    );
}

#[test]
fn a_two_sided_match_outranks_a_one_sided_one_of_equal_coverage() {
    let (mut a, mut b) = (lyon(), porto_novo());
    let context = context();
    let two_sided = thematic::explain(&a, &b).score;
    // Move the French request's answer away: only one direction is left, with the
    // same number of answered themes.
    a.request = ThemeSet::EMPTY;
    b.offer = ThemeSet::EMPTY;
    b.request.insert(theme("gouvernance-locale"));
    let one_sided = thematic::explain(&a, &b).score;
    assert!(two_sided > one_sided, "{two_sided} vs {one_sided}");
    let _ = context;
}

#[test]
fn adding_a_shared_theme_never_lowers_the_thematic_score() {
    let base_a = lyon();
    let base_b = porto_novo();
    for code in 0..crate::reference::THEME_COUNT {
        let code = ThemeCode::from_index(code).unwrap();
        let before = thematic::explain(&base_a, &base_b).score;
        let (mut a, mut b) = (base_a.clone(), base_b.clone());
        a.offer.insert(code);
        b.request.insert(code);
        let after = thematic::explain(&a, &b).score;
        assert!(after >= before - 1e-12, "{code}: {before} -> {after}");
    }
}

#[test]
fn missing_data_gives_defined_scores() {
    let (mut a, mut b) = (lyon(), porto_novo());
    a.population = None;
    let size = size::explain(&a, &b);
    assert!(
        size.reasons
            .iter()
            .any(|r| r.contains("Population inconnue"))
    );
    assert!((0.0..=1.0).contains(&size.score));
    for f in [&mut a, &mut b] {
        f.offer = ThemeSet::EMPTY;
        f.request = ThemeSet::EMPTY;
        f.profile = ThemeSet::EMPTY;
        f.languages = 0;
    }
    assert_eq!(thematic::explain(&a, &b).score, 0.0);
    let geo = geography::explain(&a, &b, &context());
    assert!((0.0..=1.0).contains(&geo.score));
}

#[test]
fn exclusions_cover_self_side_partners_and_calls() {
    let (a, mut b) = (lyon(), porto_novo());
    assert_eq!(
        exclusions::check(&a, &a, &NoVetoes),
        Err(Exclusion::SameFiche)
    );
    assert_eq!(exclusions::check(&a, &b, &NoVetoes), Ok(()));
    let mut c = b.clone();
    c.id = crate::fiche::FicheId::parse("FR-COM-1").unwrap();
    c.side = crate::fiche::Side::French;
    assert_eq!(
        exclusions::check(&a, &c, &NoVetoes),
        Err(Exclusion::SameSide)
    );
    b.partner_ids.push(a.id.clone());
    assert_eq!(
        exclusions::check(&a, &b, &NoVetoes),
        Err(Exclusion::AlreadyPartners)
    );
    b.partner_ids.clear();
    b.open_call = false;
    assert!(matches!(
        exclusions::check(&a, &b, &NoVetoes),
        Err(Exclusion::NoOpenCall(_))
    ));
}

#[test]
fn ldc_graduation_lowers_the_underserved_score_after_its_date() {
    let line = r#"{"id":"BD-GN-1185241","country":"BD","kind":"municipality","level":"local","name":"Dhaka","location":{"lat":23.7,"lon":90.4},"population":10356500,"request":{"themes":["sante"]}}"#;
    let dhaka = MatchFeatures::new(
        &parse_fiche(line).unwrap(),
        today(),
        Derived::default(),
        &|_| None,
    );
    let on = |date: &str| {
        let context = CorpusContext::build(date.parse().unwrap(), std::iter::empty());
        underserved::explain(&dhaka, &context).score
    };
    assert!(on("2026-11-23") > on("2026-11-24"));
}
