//! Facts the sources lack, vendored by hand in `geography/corrections.csv` with their
//! source (today: the position of Clipperton, which has neither a GeoNames match nor a
//! row in the countries table).

use serde::Deserialize;

use super::parse;
use crate::DatasetError;

const CORRECTIONS: &[u8] = include_bytes!("../../geography/corrections.csv");

#[derive(Debug, Clone, Deserialize)]
pub struct Correction {
    /// What the code names: `fr-territory` is a French département/territory code.
    pub scope: String,
    pub code: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub source: String,
}

pub(super) fn rows() -> Result<Vec<Correction>, DatasetError> {
    parse("corrections.csv", CORRECTIONS)
}
