//! Writing .xlsx workbooks with typed cells (rust_xlsxwriter): numbers as numbers,
//! dates as dates, text as text; a bold, frozen header row in French; set column
//! widths.
//!
//! Text is data, never a formula: every text cell is written with `write_string`,
//! so `=HYPERLINK(…)` in a name shows as those characters and is never evaluated
//! (no formula is written anywhere). Sheets are written row by row in constant
//! memory, so a workbook of 200,000 fiches never sits whole in memory; a list longer
//! than a sheet's 1,048,575 rows goes on in a continuation sheet (`Paires (2)`).

use std::borrow::Cow;
use std::io::Write;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::error::{Error, Result};

/// A column: its header and its width (in characters).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
}

/// Shorthand for a column.
pub const fn column(header: &'static str, width: f64) -> Column {
    Column { header, width }
}

/// A typed cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Empty,
    Text(Cow<'a, str>),
    /// A number shown with four decimals (scores).
    Score(f64),
    /// A number shown as written (coordinates, weights, areas).
    Number(f64),
    /// A whole number (populations, counts, ranks).
    Integer(u64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Bool(bool),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Value<'a> {
        Value::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Value<'_> {
    fn from(text: String) -> Value<'static> {
        Value::Text(Cow::Owned(text))
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(value: Option<T>) -> Value<'a> {
        value.map_or(Value::Empty, Into::into)
    }
}

/// Rows a sheet holds below its header (Excel's limit less the header).
pub const MAX_DATA_ROWS: u32 = 1_048_575;

/// Excel's limit on a cell's text, in UTF-16 units.
const MAX_CELL_UTF16: usize = 32_767;
const TRUNCATED: &str = " […] (texte tronqué : limite d'une cellule Excel)";

fn failed(error: XlsxError) -> Error {
    Error::SheetWrite(error.to_string())
}

/// A workbook being written.
pub struct Book {
    workbook: Workbook,
    /// Text cells without a style ([`Book::plain_text`]).
    plain_text: bool,
    header: Format,
    score: Format,
    integer: Format,
    date: Format,
    datetime: Format,
    text: Format,
}

impl std::fmt::Debug for Book {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Book").finish_non_exhaustive()
    }
}

impl Default for Book {
    fn default() -> Self {
        Book::new()
    }
}

impl Book {
    pub fn new() -> Book {
        Book {
            workbook: Workbook::new(),
            plain_text: false,
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            score: Format::new().set_num_format("0.0000"),
            integer: Format::new().set_num_format("0"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            text: Format::new().set_align(FormatAlign::Top),
        }
    }

    /// Adds a sheet named `name` (at most 31 characters; `[]:*?/\` are replaced)
    /// with its header row, frozen, and its column widths; rows are added with
    /// [`Book::row`], sheet after sheet.
    pub fn sheet(&mut self, name: &str, columns: &'static [Column]) -> Result<Sheet> {
        let index = self.add_sheet(name, columns)?;
        Ok(Sheet {
            name: name.to_owned(),
            columns,
            index,
            part: 1,
            row: 0,
        })
    }

    fn add_sheet(&mut self, name: &str, columns: &[Column]) -> Result<usize> {
        let header = self.header.clone();
        let worksheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .map_err(failed)?;
        worksheet.set_name(sheet_name(name)).map_err(failed)?;
        for (col, column) in columns.iter().enumerate() {
            let col = col as u16;
            worksheet
                .set_column_width(col, column.width)
                .map_err(failed)?;
            worksheet
                .write_string_with_format(0, col, column.header, &header)
                .map_err(failed)?;
        }
        worksheet.set_freeze_panes(1, 0).map_err(failed)?;
        Ok(self.workbook.worksheets().len() - 1)
    }

    /// Compresses the workbook with the fastest level of deflate when it is saved,
    /// for the largest workbooks (a batch run's millions of pairs), where the
    /// default level's compression is most of their cost.
    pub fn compress_fast(&mut self) {
        self.workbook.set_zip_compression_level(1);
    }

    /// Text cells written without a style (aligned as Excel's default, at the
    /// bottom, instead of the top): for the largest workbooks, whose rows are one
    /// line high, where styling each cell would cost a hash of its whole style.
    pub fn plain_text(&mut self) {
        self.plain_text = true;
    }

    /// Writes the workbook to `out`.
    pub fn save(mut self, out: impl Write + Send) -> Result<()> {
        self.workbook.save_to_writer(out).map_err(failed)
    }

    /// The workbook's bytes (for a download).
    pub fn to_bytes(mut self) -> Result<Vec<u8>> {
        self.workbook.save_to_buffer().map_err(failed)
    }
}

/// Where a sheet being filled is: rows go after the last one written.
#[derive(Debug)]
pub struct Sheet {
    name: String,
    columns: &'static [Column],
    index: usize,
    part: u32,
    /// The last row written (0: the header).
    row: u32,
}

impl Book {
    /// Appends a row to `sheet`: one value per column, in order.
    pub fn row(&mut self, sheet: &mut Sheet, values: &[Value<'_>]) -> Result<()> {
        debug_assert!(values.len() <= sheet.columns.len());
        if sheet.row == MAX_DATA_ROWS {
            sheet.part += 1;
            let name = continued(&sheet.name, sheet.part);
            sheet.index = self.add_sheet(&name, sheet.columns)?;
            sheet.row = 0;
        }
        sheet.row += 1;
        let row = sheet.row;
        let worksheet: &mut Worksheet = self
            .workbook
            .worksheet_from_index(sheet.index)
            .map_err(failed)?;
        for (col, value) in values.iter().enumerate() {
            let col = col as u16;
            match value {
                Value::Empty => continue,
                Value::Text(text) if self.plain_text => {
                    worksheet.write_string(row, col, bounded(text))
                }
                Value::Text(text) => {
                    worksheet.write_string_with_format(row, col, bounded(text), &self.text)
                }
                Value::Score(n) => worksheet.write_number_with_format(row, col, *n, &self.score),
                Value::Number(n) => worksheet.write_number(row, col, *n),
                Value::Integer(n) => {
                    worksheet.write_number_with_format(row, col, *n as f64, &self.integer)
                }
                Value::Date(d) => worksheet.write_date_with_format(row, col, d, &self.date),
                Value::DateTime(d) => {
                    worksheet.write_datetime_with_format(row, col, d, &self.datetime)
                }
                Value::Bool(b) => worksheet.write_boolean(row, col, *b),
            }
            .map_err(failed)?;
        }
        Ok(())
    }
}

/// A text within a cell's limit: a longer one is cut and says so.
fn bounded(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_CELL_UTF16 || text.encode_utf16().count() <= MAX_CELL_UTF16 {
        return Cow::Borrowed(text);
    }
    let room = MAX_CELL_UTF16 - TRUNCATED.encode_utf16().count();
    let mut used = 0;
    let mut cut = String::new();
    for c in text.chars() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        cut.push(c);
    }
    cut.push_str(TRUNCATED);
    Cow::Owned(cut)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not
/// starting or ending with an apostrophe.
pub fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect();
    let trimmed = cleaned.trim_matches('\'');
    if trimmed.is_empty() {
        "Feuille".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The name of the `part`-th sheet of a list: `Paires (2)`.
fn continued(name: &str, part: u32) -> String {
    let suffix = format!(" ({part})");
    let head: String = name.chars().take(31 - suffix.chars().count()).collect();
    format!("{head}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excel_rules() {
        assert_eq!(sheet_name("Agenda 2026/12/03"), "Agenda 2026-12-03");
        assert_eq!(sheet_name(&"x".repeat(40)).chars().count(), 31);
        assert_eq!(sheet_name("''"), "Feuille");
        assert_eq!(continued(&"y".repeat(31), 2).chars().count(), 31);
    }

    #[test]
    fn a_text_beyond_a_cells_limit_is_cut_and_says_so() {
        let long = "😀".repeat(20_000);
        let cut = bounded(&long);
        assert!(cut.encode_utf16().count() <= MAX_CELL_UTF16);
        assert!(cut.ends_with(TRUNCATED));
        assert_eq!(bounded("court"), "court");
    }
}
