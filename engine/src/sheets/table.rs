//! The raw rows of one sheet: CSV (the `csv` crate), .xlsx (calamine, streamed cell
//! by cell, never held whole) and .ods (calamine, which reads an OpenDocument sheet
//! whole). Cells are typed as the file has them; nothing is interpreted here.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use calamine::{Data, DataRef, Reader, Sheets};
use chrono::NaiveDateTime;

use crate::error::{Error, Result};

/// A cell as the file has it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date (and time) cell.
    Date(NaiveDateTime),
    /// An error value (`#N/A`, `#DIV/0!`), as shown.
    Error(String),
}

impl Cell {
    /// Empty, or text of spaces only.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as errors quote it (bounded).
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => "(vide)".to_owned(),
            Cell::Text(text) => crate::quote::quote(text),
            Cell::Number(n) => crate::quote::shown(n),
            Cell::Bool(b) => if *b { "VRAI" } else { "FAUX" }.to_owned(),
            Cell::Date(d) => d.format("%Y-%m-%d %H:%M").to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A spreadsheet's file format, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    Xlsx,
    Ods,
}

impl SheetFormat {
    /// `.csv`, `.xlsx` or `.ods` (any case); `None` for anything else.
    pub fn of_path(path: &Path) -> Option<SheetFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(SheetFormat::Csv),
            "xlsx" => Some(SheetFormat::Xlsx),
            "ods" => Some(SheetFormat::Ods),
            _ => None,
        }
    }
}

/// The letters of a 0-based column index: 0 → `A`, 27 → `AB`.
pub fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// An open spreadsheet, positioned on one sheet.
pub struct Table {
    path: PathBuf,
    /// The sheet's name (a CSV file's name for CSV).
    pub sheet: String,
    content: Content,
}

enum Content {
    Csv,
    Workbook(Box<Sheets<BufReader<File>>>),
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("path", &self.path)
            .field("sheet", &self.sheet)
            .finish()
    }
}

impl Table {
    /// Opens `path` on `sheet` (a workbook's first sheet when `None`; a CSV file has
    /// one, which `sheet` must not name).
    pub fn open(path: &Path, format: SheetFormat, sheet: Option<&str>) -> Result<Table> {
        let unreadable = |message: String| Error::Sheet {
            file: path.display().to_string(),
            message,
        };
        match format {
            SheetFormat::Csv => {
                if let Some(sheet) = sheet {
                    return Err(unreadable(format!(
                        "un fichier CSV n'a pas de feuille « {sheet} » : retirez `sheet` de la correspondance"
                    )));
                }
                File::open(path).map_err(|source| Error::Io {
                    path: path.to_owned(),
                    source,
                })?;
                let name = path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                Ok(Table {
                    path: path.to_owned(),
                    sheet: name,
                    content: Content::Csv,
                })
            }
            SheetFormat::Xlsx | SheetFormat::Ods => {
                let workbook =
                    calamine::open_workbook_auto(path).map_err(|e| unreadable(e.to_string()))?;
                let names = workbook.sheet_names();
                let chosen = match sheet {
                    Some(wanted) => {
                        names
                            .iter()
                            .find(|n| *n == wanted)
                            .cloned()
                            .ok_or_else(|| {
                                unreadable(format!(
                                    "pas de feuille « {wanted} » ; les feuilles sont : {}",
                                    names.join(", ")
                                ))
                            })?
                    }
                    None => names
                        .first()
                        .cloned()
                        .ok_or_else(|| unreadable("le classeur n'a aucune feuille".into()))?,
                };
                Ok(Table {
                    path: path.to_owned(),
                    sheet: chosen,
                    content: Content::Workbook(Box::new(workbook)),
                })
            }
        }
    }

    /// Gives every row that has a cell to `visit`, in order, with its 1-based row
    /// number; stops at the first error `visit` returns.
    pub fn for_each_row(self, visit: &mut dyn FnMut(u64, Vec<Cell>) -> Result<()>) -> Result<()> {
        let path = self.path;
        let unreadable = |message: String| Error::Sheet {
            file: path.display().to_string(),
            message,
        };
        match self.content {
            Content::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_path(&path)
                    .map_err(|e| unreadable(e.to_string()))?;
                let mut record = csv::StringRecord::new();
                let mut row = 0;
                loop {
                    match reader.read_record(&mut record) {
                        Ok(false) => return Ok(()),
                        Ok(true) => {}
                        Err(e) => return Err(unreadable(e.to_string())),
                    }
                    row += 1;
                    let cells = record
                        .iter()
                        .map(|text| match text {
                            "" => Cell::Empty,
                            text => Cell::Text(text.to_owned()),
                        })
                        .collect();
                    visit(row, cells)?;
                }
            }
            Content::Workbook(mut workbook) => match &mut *workbook {
                Sheets::Xlsx(xlsx) => {
                    let mut cells = xlsx
                        .worksheet_cells_reader(&self.sheet)
                        .map_err(|e| unreadable(e.to_string()))?;
                    let mut current: Option<(u32, Vec<Cell>)> = None;
                    while let Some(cell) =
                        cells.next_cell().map_err(|e| unreadable(e.to_string()))?
                    {
                        let (row, column) = cell.get_position();
                        let value = from_ref(cell.get_value());
                        if current.as_ref().is_some_and(|(r, _)| *r != row) {
                            let (r, done) = current.take().expect("checked");
                            visit(u64::from(r) + 1, done)?;
                        }
                        let (_, cells) = current.get_or_insert_with(|| (row, Vec::new()));
                        place(cells, column as usize, value);
                    }
                    if let Some((r, done)) = current {
                        visit(u64::from(r) + 1, done)?;
                    }
                    Ok(())
                }
                other => {
                    let range = other
                        .worksheet_range(&self.sheet)
                        .map_err(|e| unreadable(e.to_string()))?;
                    let (top, left) = range.start().unwrap_or((0, 0));
                    for (offset, row) in range.rows().enumerate() {
                        let mut cells = vec![Cell::Empty; left as usize];
                        cells.extend(row.iter().map(from_data));
                        if cells.iter().all(Cell::is_blank) {
                            continue;
                        }
                        visit(u64::from(top) + offset as u64 + 1, cells)?;
                    }
                    Ok(())
                }
            },
        }
    }
}

/// Puts `value` in column `column` of a row being filled, blanks before it.
fn place(cells: &mut Vec<Cell>, column: usize, value: Cell) {
    if value == Cell::Empty {
        return;
    }
    if cells.len() <= column {
        cells.resize(column + 1, Cell::Empty);
    }
    cells[column] = value;
}

fn from_ref(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => d
            .as_datetime()
            .map_or_else(|| Cell::Number(d.as_f64()), Cell::Date),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
        DataRef::Empty => Cell::Empty,
    }
}

fn from_data(value: &Data) -> Cell {
    match value {
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => d
            .as_datetime()
            .map_or_else(|| Cell::Number(d.as_f64()), Cell::Date),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::Empty => Cell::Empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_count_like_a_spreadsheet() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
