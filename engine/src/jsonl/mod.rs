//! JSON Lines: one fiche per line, UTF-8. Reading reports each bad line with its
//! number, the field and the value; writing gives the canonical form that the store
//! keeps and exports.

mod problem;
mod reader;

pub use problem::LineProblem;
pub use reader::{FicheLines, LineError, parse_fiche};

use crate::fiche::Fiche;

/// The canonical JSON of a fiche: one line, fields in the order of `fiche.md`, optional
/// fields omitted when empty.
pub fn to_line(fiche: &Fiche) -> String {
    serde_json::to_string(fiche).expect("a fiche always serialises")
}

#[cfg(test)]
mod tests;
