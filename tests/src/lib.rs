//! Fixtures shared by the integration tests of `it/`.

use std::path::{Path, PathBuf};

/// The committed sample of the demo corpus.
pub fn sample_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/sample/sample.jsonl")
}

/// The sample's lines, as committed.
pub fn sample_lines() -> Vec<String> {
    std::fs::read_to_string(sample_path())
        .expect("the committed sample is readable")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The sample's fiches, parsed.
pub fn sample_fiches() -> Vec<passerelle_engine::fiche::Fiche> {
    sample_lines()
        .iter()
        .map(|line| passerelle_engine::jsonl::parse_fiche(line).expect("the sample is valid"))
        .collect()
}

/// Writes the sample's fiches into the store in `data_dir` (created if missing).
pub fn store_sample(data_dir: &Path) {
    passerelle_engine::store::Store::open(data_dir)
        .and_then(|mut store| store.upsert(&sample_fiches()))
        .expect("the sample is stored");
}
