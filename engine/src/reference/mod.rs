//! Reference data embedded in the binary: the 30 themes and the countries table.
//!
//! Both tables are parsed once, on first use, from the CSV files vendored in
//! `datasets/reference/` (see `datasets/README.md` for their sources). They are
//! read-only for the life of the process.

mod country;
mod language;
mod theme;

pub use country::{Countries, Country, CountryCode, LdcStatus};
pub use language::{LANGUAGES, Language};
pub use theme::{THEME_COUNT, ThemeCode, ThemeInfo, Themes};
