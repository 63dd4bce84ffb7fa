//! # passerelle-engine
//!
//! The engine of Passerelle, a partner-matching recommendation engine for French
//! *coopération décentralisée*. A pure library: no async runtime, no gRPC.
//!
//! - [`fiche`]: the fiche de présentation (exchange format version 1) and its rules;
//! - [`reference`]: the embedded reference data (themes, countries with LDC status);
//! - [`jsonl`]: reading and writing fiches as JSON Lines with line-level errors;
//! - [`store`]: the SQLite system of record in a data directory;
//! - [`text`]: text analysis (folding, tokenising, stemming in fr/en/es/pt/ar);
//! - [`search`]: the full-text and filtered search index derived from the store;
//! - [`lookup`]: fuzzy lookup of collectivités by name, and name-or-id resolution;
//! - [`themes_from_text`]: theme codes recognised in free texts;
//! - [`scoring`]: pair scoring, one criterion per file, with explanations;
//! - [`ranking`]: the parallel top-k kernel over compact columns ([`ranking::Matcher`]);
//! - [`evaluation`]: recall, MRR and ablations against planted pairs, and the replay
//!   of staff decisions;
//! - [`tuning`]: the criterion weights fitted to staff decisions (logistic
//!   regression on an `ndarray` design matrix, with cross-validation);
//! - [`corpus`]: one data directory opened and answered for — the API every
//!   interface (command line, gRPC, console) calls;
//! - [`input`]: the one parser of codes people type (countries, themes, levels);
//! - [`atlas`]: the map's compact point set (columns of small numbers per fiche).
//!
//! See `ARCHITECTURE.md` at the repository root for the invariants.

pub mod atlas;
pub mod batch;
pub mod corpus;
pub mod error;
pub mod evaluation;
pub mod fiche;
pub mod french;
pub mod input;
pub mod jsonl;
pub mod lookup;
pub mod quote;
pub mod ranking;
pub mod reference;
pub mod scoring;
pub mod search;
pub mod sheets;
pub mod store;
pub mod text;
pub mod themes_from_text;
pub mod tuning;

pub use corpus::{Corpus, CorpusOptions};
pub use error::{Error, Result};
