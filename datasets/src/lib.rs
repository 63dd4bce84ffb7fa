//! # passerelle-datasets
//!
//! Vendored real geography (INSEE COG, GeoNames, the commune lists of Benin and
//! Morocco) and the deterministic generator of Passerelle's demo corpus: one fiche per
//! collectivité, about 199,000 in all, with a generated thematic profile, partnerships,
//! foreign actors and calls. The geography is embedded, so the corpus is generated
//! with no file around; the same seed always gives the same bytes.
//!
//! See `datasets/README.md` for the sources, their licences, the corrections made and
//! which fields of a fiche are generated.

mod error;
mod generator;
pub mod geography;
mod places;
mod planted;
mod random;
mod sample;

use chrono::NaiveDate;
use passerelle_engine::fiche::Fiche;

pub use error::DatasetError;
pub use generator::{DemoCorpus, arabic_speaking, generate, text_language, working_languages};
pub use places::{LazyPlaces, PLACES_SOURCE, Places};
pub use planted::{EvaluationCorpus, PlantedPair, plant_pairs};
pub use sample::sample_of;

/// The seed of the published demo corpus and of `sample/sample.jsonl`.
pub const DEFAULT_SEED: u64 = 42;

/// The fixed "today" of the generator: call dates and update times are set around it,
/// never from the clock, so that a seed gives the same corpus on any day.
pub const DEMO_CORPUS_DATE: &str = "2026-09-01";

/// Number of fiches of the demo corpus (any seed): 36,359 French collectivités,
/// 160,624 GeoNames places (161,452 less 566 in Benin and Morocco and 262 in French
/// overseas territories), 77 communes of Benin and 1,503 of Morocco.
pub const DEMO_CORPUS_LEN: usize = 198_563;

/// [`DEMO_CORPUS_DATE`] as a date.
pub fn demo_corpus_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 1).expect("a valid calendar date")
}

/// The demo corpus for a seed: sorted by id, every fiche valid, byte-identical for the
/// same seed.
pub fn generate_demo_corpus(seed: u64) -> Result<Vec<Fiche>, DatasetError> {
    generate(seed).map(|corpus| corpus.fiches)
}

/// Writes fiches as JSON Lines in the canonical form of the engine, one per line.
pub fn write_jsonl(fiches: &[Fiche], out: &mut impl std::io::Write) -> std::io::Result<()> {
    for fiche in fiches {
        out.write_all(passerelle_engine::jsonl::to_line(fiche).as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
