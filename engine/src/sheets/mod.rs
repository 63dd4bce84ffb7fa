//! Spreadsheets in and out.
//!
//! In: `passerelle import` reads .csv, .xlsx and .ods files through a [`Mapping`]
//! (a TOML file saying which column holds which field; [`Mapping::passerelle`] reads
//! Passerelle's own export with none). Each row becomes a fiche or its problems —
//! each naming the sheet, the row, the column and the value — and goes through the
//! store's one import policy: all or nothing ([`import_source`] makes an
//! [`crate::store::ImportSource`] of a sheet). A French collectivité given only by
//! its INSEE code or its name, or a foreign place by its GeoNames id, is completed
//! from the embedded geography through a [`Gazetteer`], and its provenance says so.
//!
//! Out: typed .xlsx workbooks (numbers as numbers, dates as dates, text as text and
//! never a formula), French headers in a frozen row, set column widths: fiches
//! ([`write_fiches`], read back by the built-in mapping), search results,
//! suggestions with their breakdown and reasons, staff decisions and batch results
//! (the agenda one sheet per day).
//!
//! Readers: calamine (maintained, pure Rust; .xlsx streamed cell by cell); the
//! `csv` crate. Writer: rust_xlsxwriter (pure Rust), in constant memory.

mod books;
mod complete;
mod mapping;
mod read;
mod row;
mod table;
mod write;

pub use books::{
    BATCH_SHEETS, BatchBook, FICHES_SHEET, FichesBook, STALE_HEADER, decision_label,
    decisions_workbook, search_workbook, suggestions_workbook, write_fiches,
};
pub use complete::{COMPLETION_KEY, Gazetteer, french_id};
pub use mapping::{Field, Mapping};
pub use read::{import_source, passerelle_headers};
pub use table::{Cell, SheetFormat, column_letters};
pub use write::{Book, Column, MAX_DATA_ROWS, Sheet, Value, column, sheet_name};

#[cfg(test)]
mod tests;
