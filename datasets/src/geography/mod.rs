//! The real geography the corpus is built from, embedded in the library.
//!
//! The gzip-compressed CSV files of `datasets/geography/` are compiled in with
//! `include_bytes!` so that the binary generates the corpus with no files around it
//! (a user's clone has no `../shared`). Each file is parsed into typed rows; the
//! generator never looks at raw CSV. Sources and licences: `datasets/README.md`.

mod benin;
mod corrections;
mod france;
mod morocco;
mod world;

use std::io::Read;

use flate2::read::GzDecoder;
use serde::de::DeserializeOwned;

pub use benin::BjCommune;
pub use corrections::Correction;
pub use france::{CoordSource, FrCollectivite, FrDepartement, FrKind, FrRegion};
pub use morocco::MaCommune;
pub use world::WorldPlace;

use crate::DatasetError;

/// Every vendored geography table, parsed.
#[derive(Debug)]
pub struct Geography {
    pub france: Vec<FrCollectivite>,
    pub departements: Vec<FrDepartement>,
    pub regions: Vec<FrRegion>,
    pub world: Vec<WorldPlace>,
    pub benin: Vec<BjCommune>,
    pub morocco: Vec<MaCommune>,
    pub corrections: Vec<Correction>,
}

impl Geography {
    /// Decompresses and parses every embedded table.
    pub fn load() -> Result<Geography, DatasetError> {
        Ok(Geography {
            france: france::collectivites()?,
            departements: france::departements()?,
            regions: france::regions()?,
            world: world::places()?,
            benin: benin::communes()?,
            morocco: morocco::communes()?,
            corrections: corrections::rows()?,
        })
    }
}

/// Parses an embedded CSV file (gzip-compressed when its name ends in `.gz`).
fn parse<T: DeserializeOwned>(
    file: &'static str,
    bytes: &'static [u8],
) -> Result<Vec<T>, DatasetError> {
    let input: Box<dyn Read> = if file.ends_with(".gz") {
        Box::new(GzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    csv::Reader::from_reader(input)
        .into_deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|source| DatasetError::Csv { file, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_have_their_documented_sizes() {
        let geo = Geography::load().unwrap();
        assert_eq!(geo.france.len(), 36_359);
        assert_eq!(geo.departements.len(), 109);
        assert_eq!(geo.regions.len(), 26);
        assert_eq!(geo.world.len(), 161_452);
        assert_eq!(geo.benin.len(), 77);
        assert_eq!(geo.morocco.len(), 1_503);
        assert!(geo.corrections.iter().any(|c| c.code == "989"));
    }

    #[test]
    fn names_with_commas_and_quotes_survive_parsing() {
        let geo = Geography::load().unwrap();
        let beaune = geo.france.iter().find(|c| c.code == "200006682").unwrap();
        assert_eq!(
            beaune.name,
            "CA Beaune, Côte et Sud - Communauté Beaune-Chagny-Nolay"
        );
        assert!(beaune.kind.is_epci());
    }
}
