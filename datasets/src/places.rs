//! The embedded geography as a [`Gazetteer`]: the identity of every collectivité of
//! the demo corpus (French communes, EPCI, départements, régions; GeoNames places;
//! the communes of Benin and Morocco) by id, by GeoNames id and, for French ones, by
//! name — what `passerelle import` completes a spreadsheet's rows from.
//!
//! It lives here, not in the engine, because the tables are here and this crate
//! depends on the engine: the engine defines the [`Gazetteer`] trait and the command
//! line hands this implementation in.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use passerelle_engine::fiche::{Fiche, FicheId};
use passerelle_engine::sheets::Gazetteer;

use crate::DatasetError;
use crate::generator::identities;
use crate::geography::Geography;

/// What completed fiches say they come from.
pub const PLACES_SOURCE: &str =
    "la géographie embarquée (INSEE COG, GeoNames, communes du Bénin et du Maroc)";

/// Every collectivité's identity, indexed.
#[derive(Debug)]
pub struct Places {
    by_id: HashMap<FicheId, Fiche>,
    geonames: HashMap<String, FicheId>,
    /// Folded name → French ids.
    french_names: HashMap<String, Vec<FicheId>>,
}

impl Places {
    /// Decompresses and indexes the embedded tables (a second or two).
    pub fn load() -> Result<Places, DatasetError> {
        let geo = Geography::load()?;
        let (fiches, _) = identities(&geo)?;
        let mut places = Places {
            by_id: HashMap::with_capacity(fiches.len()),
            geonames: HashMap::new(),
            french_names: HashMap::new(),
        };
        for mut fiche in fiches {
            // Only the real parts: nothing was generated for a completed fiche.
            fiche.provenance.remove("profile");
            let id = fiche.id.clone();
            if let Some((_, geonames)) = id.as_str().split_once("-GN-") {
                places.geonames.insert(geonames.to_owned(), id.clone());
            }
            if fiche.country.as_str() == "FR" {
                places
                    .french_names
                    .entry(passerelle_engine::text::fold(&fiche.name))
                    .or_default()
                    .push(id.clone());
            }
            places.by_id.insert(id, fiche);
        }
        for ids in places.french_names.values_mut() {
            ids.sort();
        }
        Ok(places)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

impl Gazetteer for Places {
    fn by_id(&self, id: &FicheId) -> Option<Fiche> {
        self.by_id.get(id).cloned()
    }

    fn by_geonames(&self, geonames_id: &str) -> Option<Fiche> {
        self.geonames
            .get(geonames_id.trim())
            .and_then(|id| self.by_id.get(id))
            .cloned()
    }

    fn french_by_name(&self, name: &str) -> Vec<Fiche> {
        self.french_names
            .get(&passerelle_engine::text::fold(name))
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id).cloned())
            .collect()
    }

    fn source(&self) -> &str {
        PLACES_SOURCE
    }
}

/// [`Places`] loaded on first use: an import that completes nothing never pays for
/// the tables.
#[derive(Debug, Default)]
pub struct LazyPlaces(OnceLock<Places>);

impl LazyPlaces {
    /// A gazetteer to hand to `passerelle_engine::sheets::import_source`.
    pub fn shared() -> Arc<dyn Gazetteer> {
        Arc::new(LazyPlaces::default())
    }

    fn places(&self) -> &Places {
        self.0
            .get_or_init(|| Places::load().expect("the embedded geography parses (tested)"))
    }
}

impl Gazetteer for LazyPlaces {
    fn by_id(&self, id: &FicheId) -> Option<Fiche> {
        self.places().by_id(id)
    }

    fn by_geonames(&self, geonames_id: &str) -> Option<Fiche> {
        self.places().by_geonames(geonames_id)
    }

    fn french_by_name(&self, name: &str) -> Vec<Fiche> {
        self.places().french_by_name(name)
    }

    fn source(&self) -> &str {
        PLACES_SOURCE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_found_by_code_geonames_id_and_name() {
        let places = Places::load().unwrap();
        assert_eq!(places.len(), crate::DEMO_CORPUS_LEN);
        let bordeaux = places
            .by_id(&FicheId::parse("FR-COM-33063").unwrap())
            .unwrap();
        assert_eq!(bordeaux.name, "Bordeaux");
        assert!(bordeaux.population > 200_000);
        assert!(bordeaux.offer.is_none() && !bordeaux.provenance.contains_key("profile"));
        bordeaux.validate().unwrap();
        let dakar = places.by_geonames("2253354").unwrap();
        assert_eq!(dakar.id.as_str(), "SN-GN-2253354");
        let saint_denis = places.french_by_name("saint denis");
        assert!(saint_denis.len() >= 2, "{saint_denis:?}");
        assert_eq!(places.french_by_name("Bordeaux").len(), 1);
    }
}
