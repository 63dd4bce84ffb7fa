//! The identity part of a fiche (id, kind, name, place, population), before anything is
//! generated: the one place that turns a geography row into a `Fiche`.

use std::collections::BTreeMap;

use passerelle_engine::fiche::{Admin, Fiche, FicheId, Kind, Location};
use passerelle_engine::reference::CountryCode;

use crate::DatasetError;

/// What the identity of a fiche is made of, before generation.
#[derive(Debug)]
pub struct Identity {
    pub id: String,
    pub country: CountryCode,
    pub kind: Kind,
    pub name: String,
    pub alt_names: Vec<String>,
    pub admin: Admin,
    pub location: Location,
    pub population: u64,
    /// Provenance of the real parts (`geography`, `location`, `population`).
    pub provenance: Vec<(&'static str, String)>,
}

impl Identity {
    /// The fiche with only its real parts; `file` and `row` name the source row in errors.
    pub fn into_fiche(self, file: &'static str, row: usize) -> Result<Fiche, DatasetError> {
        let id = FicheId::parse(&self.id).map_err(|reason| DatasetError::BadRow {
            file,
            row,
            reason,
        })?;
        let level = self
            .kind
            .required_level()
            .ok_or_else(|| DatasetError::BadRow {
                file,
                row,
                reason: format!("kind {} has no fixed level", self.kind.as_str()),
            })?;
        let admin = (self.admin != Admin::default()).then_some(self.admin);
        let mut provenance: BTreeMap<String, String> = self
            .provenance
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        provenance.insert("profile".to_owned(), GENERATED.to_owned());
        Ok(Fiche {
            id,
            country: self.country,
            kind: self.kind,
            level,
            name: self.name,
            alt_names: self.alt_names,
            admin,
            location: self.location,
            population: self.population,
            area_km2: None,
            languages: Vec::new(),
            contact: None,
            activities: None,
            themes: Vec::new(),
            offer: None,
            request: None,
            partnerships: Vec::new(),
            foreign_actors: Vec::new(),
            call: None,
            updated_at: None,
            provenance,
        })
    }
}

/// Provenance of everything that is not geography (see `datasets/README.md`).
pub const GENERATED: &str = "generated (languages, texts, themes, offer, request, links, call)";

/// The mean point of some points, if any.
pub fn mean_point(points: impl IntoIterator<Item = (f64, f64)>) -> Option<(f64, f64)> {
    let (mut lat, mut lon, mut n) = (0.0, 0.0, 0usize);
    for (a, b) in points {
        lat += a;
        lon += b;
        n += 1;
    }
    (n > 0).then(|| (round5(lat / n as f64), round5(lon / n as f64)))
}

/// Five decimals (about a metre): computed centroids do not pretend to more.
fn round5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}
