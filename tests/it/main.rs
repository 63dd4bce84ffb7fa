//! Passerelle's integration tests: one binary, one module per capability.

mod cli;
mod import_policy;
mod store_round_trip;
