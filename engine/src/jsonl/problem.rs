//! A rejected line of an import.

use std::fmt;

/// Why one line of a file was rejected: where (`source`, 1-based `line`), which field
/// (a path like `partnerships[0].country`, when known) and what is wrong. A row of a
/// spreadsheet has its sheet in `source` (`fiches.xlsx, feuille « Fiches »`), its row
/// number in `line` and its column (`C « Population »`) in `column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub source: String,
    pub line: u64,
    pub column: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(
                f,
                "{}, ligne {}, colonne {column} : ",
                self.source, self.line
            )?,
            None => write!(f, "{}:{}: ", self.source, self.line)?,
        }
        if let Some(field) = &self.field {
            write!(f, "champ `{field}` : ")?;
        }
        f.write_str(&self.message)
    }
}
