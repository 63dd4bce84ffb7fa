use super::*;
use crate::fiche::MAX_TEXT_CHARS;

/// The example line of `fiche.md`.
const BORDEAUX: &str = r#"{"id":"FR-COM-33063","country":"FR","kind":"commune","level":"local","name":"Bordeaux","admin":{"region":"75","departement":"33"},"location":{"lat":44.84,"lon":-0.58},"population":261804,"languages":["fr"],"activities":"Port, viticulture, université, aéronautique.","themes":[{"code":"eau-assainissement","weight":0.8},{"code":"culture-patrimoine","weight":0.6}],"offer":{"themes":["eau-assainissement","gouvernance-locale"],"text":"Régie de l'eau, appui à la maîtrise d'ouvrage communale."},"request":{"themes":["jeunesse"],"text":"Échanges de jeunes et volontariat en réciprocité."},"partnerships":[{"partner_name":"Oran","country":"DZ","kind":"jumelage","since":2003,"active":true}],"foreign_actors":[{"country":"SN","kind":"diaspora","name":"Association des Sénégalais de Gironde"}],"call":{"status":"open","published":"2026-02-01","expires":"2027-02-01"}}"#;

fn with(from: &str, to: &str) -> String {
    assert!(BORDEAUX.contains(from), "{from}");
    BORDEAUX.replacen(from, to, 1)
}

fn error_of(line: &str) -> LineError {
    parse_fiche(line).expect_err("the line must be rejected")
}

#[test]
fn the_example_of_the_spec_parses_and_round_trips() {
    let fiche = parse_fiche(BORDEAUX).unwrap();
    assert_eq!(fiche.name, "Bordeaux");
    assert_eq!(fiche.partnerships[0].country.unwrap().as_str(), "DZ");
    assert_eq!(to_line(&fiche), BORDEAUX);
}

#[test]
fn unknown_fields_are_named() {
    let error = error_of(&with(
        r#""population":261804"#,
        r#""population":261804,"mayor":"X""#,
    ));
    assert!(error.message.contains("unknown field `mayor`"), "{error:?}");
    let error = error_of(&with(r#""lon":-0.58"#, r#""lon":-0.58,"alt":12"#));
    assert_eq!(error.field.as_deref(), Some("location.alt"), "{error:?}");
    assert!(error.message.contains("`alt`"), "{error:?}");
}

#[test]
fn bad_codes_name_the_field_and_the_value() {
    let error = error_of(&with(
        r#""code":"culture-patrimoine""#,
        r#""code":"culture""#,
    ));
    assert_eq!(error.field.as_deref(), Some("themes[1].code"));
    assert!(error.message.contains("\"culture\""), "{error:?}");
    let error = error_of(&with(r#""country":"DZ""#, r#""country":"XX""#));
    assert_eq!(error.field.as_deref(), Some("partnerships[0].country"));
    assert!(error.message.contains("\"XX\""));
    let error = error_of(&with(r#""languages":["fr"]"#, r#""languages":["FRA"]"#));
    assert_eq!(error.field.as_deref(), Some("languages[0]"));
    let error = error_of(&with(
        r#""expires":"2027-02-01""#,
        r#""expires":"2027-02-31""#,
    ));
    assert_eq!(error.field.as_deref(), Some("call.expires"));
}

#[test]
fn ranges_and_cross_field_rules_name_the_field() {
    let cases = [
        (r#""lat":44.84"#, r#""lat":95"#, "location.lat", "95"),
        (
            r#""lon":-0.58"#,
            r#""lon":-180.5"#,
            "location.lon",
            "-180.5",
        ),
        (
            r#""weight":0.8"#,
            r#""weight":1.5"#,
            "themes[0].weight",
            "1.5",
        ),
        (
            r#""level":"local""#,
            r#""level":"regional""#,
            "level",
            "regional",
        ),
        (
            r#""kind":"commune""#,
            r#""kind":"municipality""#,
            "kind",
            "municipality",
        ),
        (
            r#""id":"FR-COM-33063""#,
            r#""id":"BJ-COM-33063""#,
            "id",
            "BJ-COM-33063",
        ),
        (
            r#""since":2003"#,
            r#""since":1789"#,
            "partnerships[0].since",
            "1789",
        ),
        (r#""name":"Bordeaux""#, r#""name":"""#, "name", "\"\""),
        (
            r#""published":"2026-02-01""#,
            r#""published":"2028-02-01""#,
            "call.expires",
            "2027",
        ),
    ];
    for (from, to, field, value) in cases {
        let error = error_of(&with(from, to));
        assert_eq!(error.field.as_deref(), Some(field), "{to}: {error:?}");
        assert!(error.message.contains(value), "{to}: {error:?}");
    }
}

#[test]
fn wrong_types_and_missing_fields_are_named() {
    let error = error_of(&with(r#""population":261804"#, r#""population":-3"#));
    assert_eq!(error.field.as_deref(), Some("population"));
    assert!(error.message.contains("-3"), "{error:?}");
    let error = error_of(&with(r#""name":"Bordeaux","#, ""));
    assert!(error.message.contains("missing field `name`"), "{error:?}");
}

#[test]
fn texts_are_capped() {
    let long = "a".repeat(MAX_TEXT_CHARS + 1);
    let error = error_of(&with("Port, viticulture, université, aéronautique.", &long));
    assert_eq!(error.field.as_deref(), Some("activities"));
}

#[test]
fn a_fiche_with_neither_offer_nor_request_is_valid_but_not_matchable() {
    let mut fiche = parse_fiche(BORDEAUX).unwrap();
    assert!(fiche.is_matchable());
    fiche.offer = None;
    fiche.request = Some(crate::fiche::Intent {
        themes: Vec::new(),
        text: Some("  ".into()),
    });
    fiche.validate().unwrap();
    assert!(!fiche.is_matchable());
    // Identity only: the line parses as it is.
    let identity = r#"{"id":"BJ-COM-BJ-OU-PNO","country":"BJ","kind":"municipality","level":"local","name":"Porto-Novo","location":{"lat":6.4969,"lon":2.6289},"population":264320}"#;
    let fiche = parse_fiche(identity).unwrap();
    assert!(!fiche.is_matchable());
    assert_eq!(to_line(&fiche), identity);
}

#[test]
fn bad_json_is_reported_with_its_column() {
    let error = error_of(r#"{"id": "FR-COM-1",, }"#);
    assert_eq!(error.field, None);
    assert!(error.message.starts_with("JSON invalide"), "{error:?}");
    assert!(error.message.contains("colonne"), "{error:?}");
    let error = error_of(&format!("{BORDEAUX} {{}}"));
    assert!(error.message.contains("trailing"), "{error:?}");
}

#[test]
fn lines_are_numbered_and_bad_utf8_stays_on_its_line() {
    let mut input = Vec::new();
    input.extend_from_slice(BORDEAUX.as_bytes());
    input.extend_from_slice(b"\n\n{\"name\": \"Caf\xe9\"}\n");
    input.extend_from_slice(with("FR-COM-33063", "FR-COM-33064").as_bytes());
    let lines: Vec<_> = FicheLines::new(&input[..]).map(Result::unwrap).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].0, 1);
    assert!(lines[0].1.is_ok());
    assert_eq!(lines[1].0, 3);
    assert!(
        lines[1]
            .1
            .as_ref()
            .unwrap_err()
            .message
            .contains("UTF-8 invalide")
    );
    assert_eq!(lines[2].0, 4);
    assert!(lines[2].1.is_ok());
}
