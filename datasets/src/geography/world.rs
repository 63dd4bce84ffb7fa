//! GeoNames populated places of at least 1,000 inhabitants outside France
//! (`cities1000`): each stands for the municipality around it.

use serde::Deserialize;

use super::parse;
use crate::DatasetError;

const PLACES: &[u8] = include_bytes!("../../geography/world_places.csv.gz");

#[derive(Debug, Clone, Deserialize)]
pub struct WorldPlace {
    pub geonameid: u64,
    pub name: String,
    /// ISO 3166-1 alpha-2 as GeoNames gives it (French overseas territories have their own).
    pub country: String,
    /// GeoNames admin1 code; empty where unknown.
    pub admin1: String,
    pub population: u64,
    pub lat: f64,
    pub lon: f64,
}

pub(super) fn places() -> Result<Vec<WorldPlace>, DatasetError> {
    parse("world_places.csv.gz", PLACES)
}
