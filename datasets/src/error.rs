//! The crate's one error type. Every failure is a defect of the vendored data or of the
//! generator (the inputs are embedded), so the errors name the file, row or fiche to fix.

use passerelle_engine::fiche::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// An embedded file cannot be decompressed or parsed as CSV.
    #[error("embedded {file}: {source}")]
    Csv {
        file: &'static str,
        #[source]
        source: csv::Error,
    },
    /// An embedded row parses but holds a value the generator cannot use.
    #[error("embedded {file}, row {row}: {reason}")]
    BadRow {
        file: &'static str,
        row: usize,
        reason: String,
    },
    /// A theme code written in the generator's tables is not in `themes.csv`.
    #[error("the generator uses theme code {0:?}, which is not in themes.csv")]
    UnknownTheme(&'static str),
    /// A generated fiche breaks a rule of the exchange format.
    #[error("generated fiche {id} is invalid: {source}")]
    InvalidFiche {
        id: String,
        #[source]
        source: FieldError,
    },
    /// Two generated fiches share an id.
    #[error("two generated fiches share the id {0}")]
    DuplicateId(String),
}
