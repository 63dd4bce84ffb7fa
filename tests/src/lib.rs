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
