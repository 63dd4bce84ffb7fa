//! The demo-corpus generator: real geography in, one fiche per collectivité out, with a
//! generated profile. Each stage draws from its own random stream keyed by the seed and
//! the fiche id, so the same seed always gives the same corpus, byte for byte.

mod actors;
mod base;
mod calls;
mod communes;
mod foreign;
mod french;
mod languages;
mod partnerships;
mod profile;
mod size;
pub(crate) mod texts;
mod theme_weights;

use passerelle_engine::fiche::Fiche;

use crate::geography::Geography;
use crate::{DatasetError, demo_corpus_date};

pub use languages::{arabic_speaking, text_language, working_languages};

/// A generated corpus and what was left out of it.
#[derive(Debug)]
pub struct DemoCorpus {
    /// Every fiche, sorted by id, each valid.
    pub fiches: Vec<Fiche>,
    /// GeoNames places skipped because their country is not in the countries table.
    pub skipped_places: usize,
}

/// The identity of every collectivité (nothing generated yet), in source order —
/// what [`crate::Places`] completes spreadsheet rows from — and the number of
/// GeoNames places skipped (country not in the countries table).
pub(crate) fn identities(geo: &Geography) -> Result<(Vec<Fiche>, usize), DatasetError> {
    let (mut fiches, skipped_places) = foreign::fiches(geo)?;
    fiches.extend(french::fiches(geo)?);
    fiches.extend(communes::benin(geo)?);
    fiches.extend(communes::morocco(geo)?);
    Ok((fiches, skipped_places))
}

/// Builds the corpus for a seed.
pub fn generate(seed: u64) -> Result<DemoCorpus, DatasetError> {
    let geo = Geography::load()?;
    let (mut fiches, skipped_places) = identities(&geo)?;
    drop(geo);
    fiches.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = fiches.windows(2).find(|pair| pair[0].id == pair[1].id) {
        return Err(DatasetError::DuplicateId(pair[0].id.to_string()));
    }

    let today = demo_corpus_date();
    let weights = theme_weights::ThemeWeights::new()?;
    for fiche in &mut fiches {
        profile::fill(fiche, seed, &weights, today);
    }
    partnerships::link(&mut fiches, seed, &weights);
    for fiche in &mut fiches {
        actors::fill(fiche, seed);
        calls::fill(fiche, seed, today);
        fiche
            .validate()
            .map_err(|source| DatasetError::InvalidFiche {
                id: fiche.id.to_string(),
                source,
            })?;
    }
    Ok(DemoCorpus {
        fiches,
        skipped_places,
    })
}
