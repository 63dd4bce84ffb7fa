//! French collectivités (INSEE COG via `@etalab/decoupage-administratif`, coordinates
//! from GeoNames) and the names of départements and régions.

use serde::Deserialize;

use super::parse;
use crate::DatasetError;

const COLLECTIVITES: &[u8] = include_bytes!("../../geography/fr_collectivites.csv.gz");
const DEPARTEMENTS: &[u8] = include_bytes!("../../geography/fr_departements.csv.gz");
const REGIONS: &[u8] = include_bytes!("../../geography/fr_regions.csv.gz");

/// The row kinds of `fr_collectivites.csv`: the EPCI are split by legal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrKind {
    Commune,
    EpciCc,
    EpciCa,
    EpciCu,
    EpciMetro,
    #[serde(rename = "epci-met69")]
    EpciMet69,
    Departement,
    Region,
}

impl FrKind {
    pub fn is_epci(self) -> bool {
        matches!(
            self,
            FrKind::EpciCc
                | FrKind::EpciCa
                | FrKind::EpciCu
                | FrKind::EpciMetro
                | FrKind::EpciMet69
        )
    }
}

/// Where a row's coordinates come from; only `geonames` is the place's own point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoordSource {
    Geonames,
    DepartementCentre,
    MembersCentre,
    CommunesCentre,
    None,
}

impl CoordSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CoordSource::Geonames => "geonames",
            CoordSource::DepartementCentre => "departement-centre",
            CoordSource::MembersCentre => "members-centre",
            CoordSource::CommunesCentre => "communes-centre",
            CoordSource::None => "none",
        }
    }
}

/// One row of `fr_collectivites.csv`: a commune, an EPCI, a département or a région.
#[derive(Debug, Clone, Deserialize)]
pub struct FrCollectivite {
    pub kind: FrKind,
    /// INSEE code, or the SIREN for an EPCI.
    pub code: String,
    pub siren: String,
    pub name: String,
    /// Empty for the uninhabited territories (TAAF, Clipperton).
    pub population: Option<u64>,
    pub departement: String,
    pub region: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub coord_source: CoordSource,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FrDepartement {
    pub code: String,
    pub name: String,
    pub region: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FrRegion {
    pub code: String,
    pub name: String,
}

pub(super) fn collectivites() -> Result<Vec<FrCollectivite>, DatasetError> {
    parse("fr_collectivites.csv.gz", COLLECTIVITES)
}

pub(super) fn departements() -> Result<Vec<FrDepartement>, DatasetError> {
    parse("fr_departements.csv.gz", DEPARTEMENTS)
}

pub(super) fn regions() -> Result<Vec<FrRegion>, DatasetError> {
    parse("fr_regions.csv.gz", REGIONS)
}
