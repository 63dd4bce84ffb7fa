//! Completing a French collectivité (or a GeoNames place) given only by its code or
//! its name from the embedded geography.
//!
//! The geography is not the engine's: `passerelle-datasets` embeds it and depends on
//! the engine, so the engine asks for it through [`Gazetteer`], which the datasets
//! crate implements and the command line hands in. The engine stays free of the
//! 10 MB of tables, and there is no dependency cycle.

use crate::fiche::{Fiche, FicheId, Kind};

/// Where the identity of a collectivité (id, kind, level, name, admin, location,
/// population, provenance of those) is found by code or name. Each answer is a
/// valid fiche with its identity only.
pub trait Gazetteer: Send + Sync {
    /// The collectivité of this id (`FR-COM-33063`, `FR-EPCI-243300316`,
    /// `FR-DEP-33`, `FR-REG-75`, `SN-GN-2253354`).
    fn by_id(&self, id: &FicheId) -> Option<Fiche>;
    /// The foreign place of this GeoNames id.
    fn by_geonames(&self, geonames_id: &str) -> Option<Fiche>;
    /// The French collectivités whose name is `name`, without regard to case,
    /// accents and punctuation.
    fn french_by_name(&self, name: &str) -> Vec<Fiche>;
    /// The source named in the provenance of completed fiches.
    fn source(&self) -> &str;
}

/// The id of a French collectivité given by its code: a département's or a
/// région's with that kind, an EPCI's SIREN (nine digits), a commune's INSEE code
/// otherwise.
pub fn french_id(code: &str, kind: Option<Kind>) -> Result<FicheId, String> {
    let code = code.trim();
    let id = match kind {
        Some(Kind::Departement) => format!("FR-DEP-{code}"),
        Some(Kind::Region) => format!("FR-REG-{code}"),
        Some(Kind::Epci) => format!("FR-EPCI-{code}"),
        _ if code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit()) => {
            format!("FR-EPCI-{code}")
        }
        _ => format!("FR-COM-{code}"),
    };
    FicheId::parse(&id)
}

/// The provenance entry a completed fiche gets.
pub const COMPLETION_KEY: &str = "completion";

/// What it says.
pub fn completion_note(source: &str) -> String {
    format!(
        "identifiant, type, niveau, rattachements, position et population complétés depuis {source} par passerelle import"
    )
}
