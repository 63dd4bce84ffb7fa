//! Foreign fiches from GeoNames populated places: one municipality per place.
//!
//! Benin and Morocco are left out (their official commune lists replace them, see
//! `communes.rs`), and so are the places GeoNames files under a French overseas
//! territory's own code: those are French communes already.

use passerelle_engine::fiche::{Admin, Fiche, Kind, Location};
use passerelle_engine::reference::CountryCode;

use super::base::Identity;
use super::french::OVERSEAS;
use crate::DatasetError;
use crate::geography::Geography;

const FILE: &str = "world_places.csv.gz";
const GEOGRAPHY: &str = "GeoNames cities1000 (CC-BY 4.0)";
/// Countries whose official commune lists replace GeoNames.
pub const REPLACED: [&str; 2] = ["BJ", "MA"];

/// The foreign GeoNames fiches, and the number of places skipped because their country
/// is not in the countries table.
pub fn fiches(geo: &Geography) -> Result<(Vec<Fiche>, usize), DatasetError> {
    let mut fiches = Vec::with_capacity(geo.world.len());
    let mut unknown_country = 0;
    for (i, place) in geo.world.iter().enumerate() {
        let code = place.country.as_str();
        if REPLACED.contains(&code) || OVERSEAS.iter().any(|(_, iso)| *iso == code) {
            continue;
        }
        let Some(country) = CountryCode::parse(code).filter(|c| *c != CountryCode::FRANCE) else {
            unknown_country += 1;
            continue;
        };
        let admin = Admin {
            admin1: (!place.admin1.is_empty()).then(|| place.admin1.clone()),
            ..Admin::default()
        };
        let identity = Identity {
            id: format!("{code}-GN-{}", place.geonameid),
            country,
            kind: Kind::Municipality,
            name: place.name.clone(),
            alt_names: Vec::new(),
            admin,
            location: Location {
                lat: place.lat,
                lon: place.lon,
                approximate: false,
            },
            population: place.population,
            provenance: vec![("geography", GEOGRAPHY.to_owned())],
        };
        fiches.push(identity.into_fiche(FILE, i + 2)?);
    }
    Ok((fiches, unknown_country))
}
