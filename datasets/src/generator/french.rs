//! French fiches: one per commune, EPCI, département and région of the INSEE COG.
//!
//! Coordinates come from GeoNames where the commune matched, else from a centre computed
//! by the data preparation. Rows with none (overseas collectivités) fall back to the
//! département's row, then to the territory's centroid in the countries table, then to
//! `corrections.csv` (Clipperton); any point that is not the place's own is approximate.

use std::collections::HashMap;

use passerelle_engine::fiche::{Admin, Fiche, Kind, Location};
use passerelle_engine::reference::{Countries, CountryCode};

use super::base::Identity;
use crate::DatasetError;
use crate::geography::{CoordSource, FrCollectivite, FrKind, Geography};

const FILE: &str = "fr_collectivites.csv.gz";
const GEOGRAPHY: &str = "INSEE COG (@etalab/decoupage-administratif)";

/// Overseas collectivités and their own ISO 3166-1 code, whose centroid stands in for
/// their communes when GeoNames has no point.
pub const OVERSEAS: [(&str, &str); 12] = [
    ("971", "GP"),
    ("972", "MQ"),
    ("973", "GF"),
    ("974", "RE"),
    ("975", "PM"),
    ("976", "YT"),
    ("977", "BL"),
    ("978", "MF"),
    ("984", "TF"),
    ("986", "WF"),
    ("987", "PF"),
    ("988", "NC"),
];

/// Every French fiche, in the order of the source file.
pub fn fiches(geo: &Geography) -> Result<Vec<Fiche>, DatasetError> {
    let fallback = Fallback::new(geo);
    let region_names: HashMap<&str, &str> = geo
        .regions
        .iter()
        .map(|r| (r.code.as_str(), r.name.as_str()))
        .collect();
    geo.france
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let row_number = i + 2;
            let (location, location_source) =
                fallback.locate(row).ok_or_else(|| DatasetError::BadRow {
                    file: FILE,
                    row: row_number,
                    reason: format!("no coordinates for {} and no fallback", row.code),
                })?;
            let (kind, id) = match row.kind {
                FrKind::Commune => (Kind::Commune, format!("FR-COM-{}", row.code)),
                FrKind::Departement => (Kind::Departement, format!("FR-DEP-{}", row.code)),
                FrKind::Region => (Kind::Region, format!("FR-REG-{}", row.code)),
                _ => (Kind::Epci, format!("FR-EPCI-{}", siren(row))),
            };
            let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            let admin = Admin {
                region: non_empty(&row.region),
                departement: non_empty(&row.departement),
                admin1: None,
                admin1_name: region_names
                    .get(row.region.as_str())
                    .map(|n| (*n).to_owned()),
            };
            let mut provenance = vec![
                ("geography", GEOGRAPHY.to_owned()),
                ("location", location_source.to_owned()),
            ];
            if row.population.is_none() {
                provenance.push(("population", "unknown".to_owned()));
            }
            Identity {
                id,
                country: CountryCode::FRANCE,
                kind,
                name: row.name.clone(),
                alt_names: Vec::new(),
                admin,
                location,
                population: row.population.unwrap_or(0),
                provenance,
            }
            .into_fiche(FILE, row_number)
        })
        .collect()
}

fn siren(row: &FrCollectivite) -> &str {
    if row.siren.is_empty() {
        &row.code
    } else {
        &row.siren
    }
}

/// The chain of stand-in points for rows without coordinates.
struct Fallback {
    departements: HashMap<String, (f64, f64)>,
    territories: HashMap<String, ((f64, f64), &'static str)>,
}

impl Fallback {
    fn new(geo: &Geography) -> Fallback {
        let departements = geo
            .france
            .iter()
            .filter(|row| row.kind == FrKind::Departement)
            .filter_map(|row| Some((row.code.clone(), (row.lat?, row.lon?))))
            .collect();
        let countries = Countries::get();
        let mut territories: HashMap<String, ((f64, f64), &'static str)> = OVERSEAS
            .iter()
            .filter_map(|(code, iso)| {
                let country = countries.find(iso)?;
                let source = "centroid of the territory, countries table (approximate)";
                Some(((*code).to_owned(), ((country.lat, country.lon), source)))
            })
            .collect();
        for correction in geo.corrections.iter().filter(|c| c.scope == "fr-territory") {
            territories.entry(correction.code.clone()).or_insert((
                (correction.lat, correction.lon),
                "corrections.csv (approximate)",
            ));
        }
        Fallback {
            departements,
            territories,
        }
    }

    /// The point of a row and where it comes from.
    fn locate(&self, row: &FrCollectivite) -> Option<(Location, &'static str)> {
        let own = row.lat.zip(row.lon);
        let (point, source) = if let Some(point) = own {
            let source = match row.coord_source {
                CoordSource::Geonames => "GeoNames",
                CoordSource::DepartementCentre => "centre of the département (approximate)",
                CoordSource::MembersCentre => "centre of the member communes (approximate)",
                CoordSource::CommunesCentre | CoordSource::None => {
                    "centre of the communes (approximate)"
                }
            };
            (point, source)
        } else if let Some(point) = self.departements.get(&row.departement) {
            (*point, "centre of the département (approximate)")
        } else {
            let territory = if row.departement.is_empty() {
                &row.region
            } else {
                &row.departement
            };
            *self.territories.get(territory)?
        };
        let approximate = own.is_none() || row.coord_source != CoordSource::Geonames;
        Some((
            Location {
                lat: point.0,
                lon: point.1,
                approximate,
            },
            source,
        ))
    }
}
