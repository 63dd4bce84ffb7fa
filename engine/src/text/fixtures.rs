//! Small in-memory fiches for the tests of the search, lookup and theme modules.

use serde_json::{Value, json};

use crate::fiche::Fiche;
use crate::jsonl::parse_fiche;

/// A valid fiche: `id` decides the country; French ids make a commune, others a
/// municipality; `extra` adds or overrides fields.
pub(crate) fn fiche(id: &str, name: &str, extra: Value) -> Fiche {
    let country = &id[..2];
    let kind = if country == "FR" {
        "commune"
    } else {
        "municipality"
    };
    let mut base = json!({
        "id": id, "country": country, "kind": kind, "level": "local", "name": name,
        "location": {"lat": 1.0, "lon": 2.0}, "population": 1000,
        "request": {"text": "coopération"},
    });
    for (key, value) in extra.as_object().expect("extra is an object") {
        base[key] = value.clone();
    }
    parse_fiche(&base.to_string()).unwrap_or_else(|e| panic!("bad test fiche {id}: {e:?}"))
}

/// A small mixed corpus in four languages.
pub(crate) fn corpus() -> Vec<Fiche> {
    let open = |expires: &str| json!({"status": "open", "expires": expires});
    vec![
        fiche(
            "FR-COM-42218",
            "Saint-Étienne",
            json!({
            "admin": {"region": "84", "departement": "42"}, "population": 170_000,
            "languages": ["fr"],
            "offer": {"themes": ["eau-assainissement"], "text": "Expertise en forages et eau potable."},
            "call": open("2027-01-01")}),
        ),
        fiche(
            "FR-COM-93066",
            "Saint-Denis",
            json!({
            "admin": {"region": "11", "departement": "93"}, "population": 110_000,
            "request": {"themes": ["jeunesse"], "text": "Échanges culturels et jeunesse."},
            "call": {"status": "closed"}}),
        ),
        fiche(
            "FR-COM-97411",
            "Saint-Denis",
            json!({
            "admin": {"region": "04", "departement": "974"}, "population": 150_000}),
        ),
        fiche(
            "FR-DEP-42",
            "Loire",
            json!({
            "kind": "departement", "level": "intermediate",
            "admin": {"region": "84"}, "population": 765_000}),
        ),
        fiche(
            "BJ-COM-BJ-OU-PNO",
            "Porto-Novo",
            json!({
            "admin": {"admin1": "OU", "admin1_name": "Ouémé"}, "population": 264_000,
            "alt_names": ["Hogbonou", "Adjacé"],
            "activities": "Besoin d'un forage et de puits, d'assainissement.",
            "request": {"themes": ["eau-assainissement"]},
            "call": {"status": "open"}}),
        ),
        fiche(
            "SN-COM-DKR",
            "Dakar",
            json!({
            "admin": {"admin1": "DK"}, "population": 1_100_000,
            "request": {"text": "Eau potable, forages ruraux."}, "call": open("2025-01-01")}),
        ),
        fiche(
            "MX-COM-OAX",
            "Oaxaca de Juárez",
            json!({
            "population": 270_000, "request": {"text": "Agua potable y saneamiento."}}),
        ),
        fiche(
            "BR-COM-REC",
            "Recife",
            json!({
            "languages": ["pt"], "population": 1_500_000,
            "request": {"text": "Abastecimento de água e saneamento; escolas."}}),
        ),
        fiche(
            "GH-COM-ACC",
            "Accra",
            json!({
            "population": 2_300_000, "request": {"text": "Drinking water boreholes."}}),
        ),
    ]
}
