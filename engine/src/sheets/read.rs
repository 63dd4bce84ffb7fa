//! A spreadsheet as an import source: its header row read through the mapping, then
//! each row turned into a fiche (or its problems) and handed to the store's import,
//! which applies the one policy — all or nothing, every problem named.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::complete::Gazetteer;
use super::mapping::{Field, Mapping};
use super::row::{CellProblem, Layout, RowReader, text_of};
use super::table::{Cell, SheetFormat, Table, column_letters};
use crate::error::{Error, Result};
use crate::jsonl::LineError;
use crate::store::{ImportRecord, ImportSource, RecordSource};

/// Opens a spreadsheet (.csv, .xlsx, .ods) as an import source: the sheet the
/// mapping names (or the first), its rows read through `mapping`; French
/// collectivités given by code or name, and GeoNames places, are completed from
/// `gazetteer` (without one, such a row is a problem). Problems name the file, the
/// sheet, the row, the column and the value.
pub fn import_source(
    path: &Path,
    mapping: &Mapping,
    gazetteer: Option<Arc<dyn Gazetteer>>,
) -> Result<ImportSource> {
    let format = SheetFormat::of_path(path).ok_or_else(|| Error::Sheet {
        file: path.display().to_string(),
        message: "extension inconnue : .csv, .xlsx ou .ods".into(),
    })?;
    let table = Table::open(path, format, mapping.sheet.as_deref())?;
    let name = match format {
        SheetFormat::Csv => path.display().to_string(),
        _ => format!("{}, feuille « {} »", path.display(), table.sheet),
    };
    Ok(ImportSource::records(
        name,
        None,
        Box::new(SheetRecords {
            table,
            mapping: mapping.clone(),
            gazetteer,
        }),
    ))
}

struct SheetRecords {
    table: Table,
    mapping: Mapping,
    gazetteer: Option<Arc<dyn Gazetteer>>,
}

impl RecordSource for SheetRecords {
    fn feed(self: Box<Self>, sink: &mut dyn FnMut(ImportRecord) -> Result<()>) -> Result<()> {
        let SheetRecords {
            table,
            mapping,
            gazetteer,
        } = *self;
        let header_row = u64::from(mapping.header_row);
        let mut layout: Option<Layout> = None;
        let mut rows = 0;
        table
            .for_each_row(&mut |row, cells| {
                if row < header_row {
                    return Ok(());
                }
                if row == header_row || layout.is_none() {
                    // The first row at or after `header_row` holds the headers.
                    return match header_layout(&mapping, &cells) {
                        Ok(found) => {
                            layout = Some(found);
                            Ok(())
                        }
                        Err(problems) => {
                            for (column, problem) in problems {
                                sink(ImportRecord {
                                    line: row,
                                    column,
                                    progress: rows,
                                    fiche: Err(problem),
                                })?;
                            }
                            // Without headers no row can be read: stop here.
                            Err(Error::Cancelled)
                        }
                    };
                }
                if cells.iter().all(Cell::is_blank) {
                    return Ok(());
                }
                rows += 1;
                let reader = RowReader {
                    layout: layout.as_ref().expect("set by the header row"),
                    gazetteer: gazetteer.as_deref(),
                };
                match reader.fiche(&cells) {
                    Ok(fiche) => sink(ImportRecord {
                        line: row,
                        column: None,
                        progress: rows,
                        fiche: Ok(fiche),
                    }),
                    Err(problems) => problems.into_iter().try_for_each(|(column, problem)| {
                        sink(ImportRecord {
                            line: row,
                            column,
                            progress: rows,
                            fiche: Err(problem),
                        })
                    }),
                }
            })
            .or_else(|error| match error {
                // The header problems are reported; the import is refused for them.
                Error::Cancelled if layout.is_none() => Ok(()),
                error => Err(error),
            })?;
        if layout.is_none() {
            sink(ImportRecord {
                line: header_row,
                column: None,
                progress: 0,
                fiche: Err(LineError {
                    field: None,
                    message: format!(
                        "aucune ligne d'en-têtes : la feuille est vide à partir de la ligne {header_row}"
                    ),
                }),
            })?;
        }
        Ok(())
    }
}

/// Where each mapped header is, or every header that is missing or repeated.
fn header_layout(mapping: &Mapping, cells: &[Cell]) -> Result<Layout, Vec<CellProblem>> {
    let headers: Vec<String> = cells.iter().map(|c| fold_header(&text_of(c))).collect();
    let mut columns = BTreeMap::new();
    let mut problems = Vec::new();
    for (field, header) in &mapping.columns {
        let wanted = fold_header(header);
        let found: Vec<usize> = (0..headers.len())
            .filter(|&i| headers[i] == wanted)
            .collect();
        let place = |i: usize| format!("{} « {} »", column_letters(i), text_of(&cells[i]).trim());
        match found[..] {
            [index] => {
                columns.insert(*field, (index, place(index)));
            }
            [] => problems.push((
                Some(format!("« {header} »")),
                LineError {
                    field: Some(field.key().to_owned()),
                    message: format!(
                        "colonne absente de la ligne d'en-têtes (correspondance : {} = « {header} »)",
                        field.key()
                    ),
                },
            )),
            _ => problems.push((
                Some(found.iter().map(|&i| place(i)).collect::<Vec<_>>().join(", ")),
                LineError {
                    field: Some(field.key().to_owned()),
                    message: "en-tête répété : la colonne de ce champ est ambiguë".into(),
                },
            )),
        }
    }
    if problems.is_empty() {
        Ok(Layout {
            columns,
            defaults: mapping.defaults.clone(),
            separator: mapping.list_separator.clone(),
        })
    } else {
        Err(problems)
    }
}

/// A header as compared: case, accents and surrounding spaces ignored.
fn fold_header(text: &str) -> String {
    crate::text::fold(text.trim())
}

/// Headers the built-in mapping expects, for messages.
pub fn passerelle_headers() -> Vec<&'static str> {
    Field::ALL
        .iter()
        .filter(|f| f.exported())
        .map(|f| f.header())
        .collect()
}
