//! The workbooks Passerelle writes: fiches (the spreadsheet twin of the JSON Lines
//! export, read back by the built-in mapping), search results, suggestions with
//! their breakdown and reasons, staff decisions, and batch results (pairs kept,
//! assignment, fiches without a partner and why, the agenda one sheet per day).
//! Headers are French; the same interfaces — command line, console — call these.

use std::borrow::Cow;
use std::io::Write;

use chrono::NaiveDate;

use super::mapping::Field;
use super::write::{Book, Column, Sheet, Value, column};
use crate::batch::agenda::AgendaRow;
use crate::batch::export::StaleFiches;
use crate::batch::{BatchPair, ResultItem, Unassigned};
use crate::error::Result;
use crate::fiche::{CallStatus, Fiche};
use crate::ranking::Suggestion;
use crate::scoring::Criterion;
use crate::search::SearchPage;
use crate::store::Decision;

/// Widths of the fiche sheet's columns, in [`Field::ALL`] order less the two
/// completion inputs.
const FICHE_COLUMNS: [Column; 35] = {
    let widths = [
        22.0, 28.0, 20.0, 6.0, 13.0, 12.0, 8.0, 10.0, 16.0, 22.0, 10.0, 10.0, 8.0, 11.0, 10.0, 8.0,
        18.0, 16.0, 18.0, 16.0, 22.0, 18.0, 40.0, 24.0, 24.0, 40.0, 24.0, 40.0, 30.0, 30.0, 10.0,
        12.0, 12.0, 20.0, 30.0,
    ];
    let mut columns = [column("", 0.0); 35];
    let mut field = 0;
    let mut at = 0;
    while field < Field::ALL.len() {
        let f = Field::ALL[field];
        if !matches!(f, Field::Insee | Field::Geonames) {
            columns[at] = column(Field::header(f), widths[at]);
            at += 1;
        }
        field += 1;
    }
    columns
};

/// Header of the fiche sheet's last column: « oui » for a fiche to reconfirm on
/// the export's date. Derived (from `updated_at`, the freshness limit and the date),
/// not a field: the import's mapping does not read it.
pub const STALE_HEADER: &str = "À reconfirmer";

/// The fiche sheet's columns: every exported field, then [`STALE_HEADER`].
const FICHE_SHEET_COLUMNS: [Column; 36] = {
    let mut columns = [column("", 0.0); 36];
    let mut at = 0;
    while at < FICHE_COLUMNS.len() {
        columns[at] = FICHE_COLUMNS[at];
        at += 1;
    }
    columns[at] = column(STALE_HEADER, 13.0);
    columns
};

/// Name of the fiche sheet.
pub const FICHES_SHEET: &str = "Fiches";

/// Fiches as a workbook of one sheet, one fiche per row, every field of the
/// exchange format in its column (lists one item per line; partnerships, foreign
/// actors and provenance as JSON), so that [`super::Mapping::passerelle`] reads it
/// back to the same fiches. Contact data is written: callers export only to those
/// allowed to see it. Rows are written as fiches are given (constant memory).
#[derive(Debug)]
pub struct FichesBook {
    book: Book,
    sheet: Sheet,
    count: u64,
}

impl FichesBook {
    pub fn new() -> Result<FichesBook> {
        let mut book = Book::new();
        let sheet = book.sheet(FICHES_SHEET, &FICHE_SHEET_COLUMNS)?;
        Ok(FichesBook {
            book,
            sheet,
            count: 0,
        })
    }

    /// Appends a fiche, flagged « à reconfirmer » when `stale`.
    pub fn fiche(&mut self, fiche: &Fiche, stale: bool) -> Result<()> {
        fiche_row(&mut self.book, &mut self.sheet, fiche, stale)?;
        self.count += 1;
        Ok(())
    }

    /// Writes the workbook to `out`; how many fiches it holds.
    pub fn save(self, out: impl Write + Send) -> Result<u64> {
        self.book.save(out)?;
        Ok(self.count)
    }
}

/// Writes `fiches` as a [`FichesBook`] to `out`, those `is_stale` says flagged « à
/// reconfirmer »; how many were written.
pub fn write_fiches<'a>(
    fiches: impl IntoIterator<Item = &'a Fiche>,
    is_stale: impl Fn(&Fiche) -> bool,
    out: impl Write + Send,
) -> Result<u64> {
    let mut book = FichesBook::new()?;
    for fiche in fiches {
        book.fiche(fiche, is_stale(fiche))?;
    }
    book.save(out)
}

fn lines<'a>(items: impl Iterator<Item = &'a str>) -> Value<'static> {
    let joined = items.collect::<Vec<_>>().join("\n");
    if joined.is_empty() {
        Value::Empty
    } else {
        Value::Text(Cow::Owned(joined))
    }
}

fn json_cell<T: serde::Serialize + ?Sized>(value: &T, empty: bool) -> Value<'static> {
    if empty {
        Value::Empty
    } else {
        Value::Text(Cow::Owned(
            serde_json::to_string(value).expect("fiche parts serialise"),
        ))
    }
}

fn fiche_row(book: &mut Book, sheet: &mut Sheet, f: &Fiche, stale: bool) -> Result<()> {
    let admin = f.admin.clone().unwrap_or_default();
    let contact = f.contact.clone().unwrap_or_default();
    let text = |t: &Option<String>| Value::from(t.clone());
    let intent_themes = |i: &Option<crate::fiche::Intent>| {
        lines(i.iter().flat_map(|i| i.themes.iter().map(|t| t.as_str())))
    };
    let intent_text =
        |i: &Option<crate::fiche::Intent>| Value::from(i.as_ref().and_then(|i| i.text.clone()));
    let themes: Vec<String> = f
        .themes
        .iter()
        .map(|t| format!("{}:{}", t.code.as_str(), t.weight))
        .collect();
    let call = f.call.as_ref();
    book.row(
        sheet,
        &[
            Value::from(f.id.as_str()),
            Value::from(f.name.as_str()),
            lines(f.alt_names.iter().map(String::as_str)),
            Value::from(f.country.as_str()),
            Value::from(f.kind.as_str()),
            Value::from(f.level.as_str()),
            text(&admin.region),
            text(&admin.departement),
            text(&admin.admin1),
            text(&admin.admin1_name),
            Value::Number(f.location.lat),
            Value::Number(f.location.lon),
            Value::Bool(f.location.approximate),
            Value::Integer(f.population),
            f.area_km2.map_or(Value::Empty, Value::Number),
            lines(f.languages.iter().map(|l| l.as_str())),
            text(&contact.name),
            text(&contact.role),
            text(&contact.email),
            text(&contact.phone),
            text(&contact.address),
            text(&contact.website),
            text(&f.activities),
            lines(themes.iter().map(String::as_str)),
            intent_themes(&f.offer),
            intent_text(&f.offer),
            intent_themes(&f.request),
            intent_text(&f.request),
            json_cell(&f.partnerships, f.partnerships.is_empty()),
            json_cell(&f.foreign_actors, f.foreign_actors.is_empty()),
            call.map_or(Value::Empty, |c| {
                Value::from(match c.status {
                    CallStatus::Open => "ouvert",
                    CallStatus::Closed => "fermé",
                })
            }),
            call.and_then(|c| c.published)
                .map_or(Value::Empty, Value::Date),
            call.and_then(|c| c.expires)
                .map_or(Value::Empty, Value::Date),
            Value::from(f.updated_at.as_ref().map(|t| t.as_str().to_owned())),
            json_cell(&f.provenance, f.provenance.is_empty()),
            stale_cell(stale),
        ],
    )
}

/// « oui » for a fiche to reconfirm, empty otherwise.
fn stale_cell(stale: bool) -> Value<'static> {
    Value::from(stale.then_some("oui"))
}

const SEARCH_COLUMNS: [Column; 8] = [
    column("Rang", 6.0),
    column("Identifiant", 22.0),
    column("Collectivité", 30.0),
    column("Pays", 16.0),
    column("Pertinence", 11.0),
    column("Trouvé dans", 12.0),
    column("Extrait", 70.0),
    column("À reconfirmer", 13.0),
];

/// A page of search results: rank, fiche, relevance and why it matched.
/// `offset` is the rank of the page's first hit less one.
pub fn search_workbook(page: &SearchPage, offset: usize) -> Result<Book> {
    let mut book = Book::new();
    let mut sheet = book.sheet("Recherche", &SEARCH_COLUMNS)?;
    for (rank, hit) in page.hits.iter().enumerate() {
        book.row(
            &mut sheet,
            &[
                Value::Integer((offset + rank + 1) as u64),
                Value::from(hit.id.as_str()),
                Value::from(hit.name.as_str()),
                Value::from(hit.country.info().name_fr.as_str()),
                Value::Score(f64::from(hit.score)),
                Value::from(hit.snippet.as_ref().map(|s| s.field.label())),
                Value::from(hit.snippet.as_ref().map(|s| s.text.as_str())),
                stale_cell(hit.stale),
            ],
        )?;
    }
    Ok(book)
}

const SUGGESTION_COLUMNS: [Column; 11] = [
    column("Rang", 6.0),
    column("Identifiant", 22.0),
    column("Collectivité", 30.0),
    column("Pays", 16.0),
    column("Score total", 11.0),
    column("Thématique", 11.0),
    column("Géographie", 11.0),
    column("Taille", 9.0),
    column("Pays peu couverts", 11.0),
    column("Raisons", 90.0),
    column("À reconfirmer", 13.0),
];

/// Suggestions for one fiche (named in the sheet's title row is not needed: the
/// sheet is named after it): total, each criterion's score, and the reasons, one
/// per line, each after its criterion.
pub fn suggestions_workbook(for_name: &str, items: &[Suggestion]) -> Result<Book> {
    let mut book = Book::new();
    let mut sheet = book.sheet(&format!("Suggestions {for_name}"), &SUGGESTION_COLUMNS)?;
    {
        for (rank, s) in items.iter().enumerate() {
            let score = |c: Criterion| Value::Score(s.breakdown.get(c).score);
            let reasons: Vec<String> = s
                .interest
                .iter()
                .flat_map(|i| i.reasons.iter().map(|r| format!("intérêt : {r}")))
                .chain(s.breakdown.entries().flat_map(|(c, part)| {
                    part.reasons
                        .iter()
                        .map(move |r| format!("{} : {r}", c.label()))
                }))
                .collect();
            book.row(
                &mut sheet,
                &[
                    Value::Integer(rank as u64 + 1),
                    Value::from(s.id.as_str()),
                    Value::from(s.name.as_str()),
                    Value::from(s.country.info().name_fr.as_str()),
                    Value::Score(s.total),
                    score(Criterion::Thematic),
                    score(Criterion::Geography),
                    score(Criterion::Size),
                    score(Criterion::Underserved),
                    Value::from(reasons.join("\n")),
                    stale_cell(s.stale),
                ],
            )?;
        }
    }
    Ok(book)
}

const DECISION_COLUMNS: [Column; 8] = [
    column("N°", 7.0),
    column("Date", 17.0),
    column("Fiche A", 22.0),
    column("Fiche B", 22.0),
    column("Décision", 12.0),
    column("Motif", 18.0),
    column("Relecteur", 18.0),
    column("Note", 60.0),
];

/// The French word of a decision.
pub fn decision_label(kind: crate::store::DecisionKind) -> &'static str {
    use crate::store::DecisionKind;
    match kind {
        DecisionKind::Accept => "acceptée",
        DecisionKind::Reject => "rejetée",
        DecisionKind::Shortlist => "présélectionnée",
        DecisionKind::Contacted => "contactée",
    }
}

/// Staff decisions, oldest first: when (a date and time, UTC), the pair, the
/// decision, who and the note.
pub fn decisions_workbook(decisions: &[Decision]) -> Result<Book> {
    let mut book = Book::new();
    let mut sheet = book.sheet("Décisions", &DECISION_COLUMNS)?;
    {
        for d in decisions {
            let at = chrono::DateTime::parse_from_rfc3339(&d.at)
                .map_or(Value::from(d.at.as_str()), |t| {
                    Value::DateTime(t.naive_utc())
                });
            book.row(
                &mut sheet,
                &[
                    Value::Integer(d.id.max(0) as u64),
                    at,
                    Value::from(d.fiche_a.as_str()),
                    Value::from(d.fiche_b.as_str()),
                    Value::from(decision_label(d.kind)),
                    Value::from(d.reason.map(|r| r.label())),
                    Value::from(d.reviewer.as_str()),
                    Value::from(d.note.as_str()),
                ],
            )?;
        }
    }
    Ok(book)
}

const PAIR_COLUMNS: [Column; 7] = [
    column("Identifiant française", 20.0),
    column("Collectivité française", 30.0),
    column("Identifiant étrangère", 22.0),
    column("Collectivité étrangère", 30.0),
    column("Score", 9.0),
    column("À reconfirmer (française)", 13.0),
    column("À reconfirmer (étrangère)", 13.0),
];

const UNASSIGNED_COLUMNS: [Column; 3] = [
    column("Identifiant", 22.0),
    column("Collectivité", 30.0),
    column("Raison", 100.0),
];

const AGENDA_COLUMNS: [Column; 9] = [
    column("Créneau", 14.0),
    column("Début", 17.0),
    column("Fin", 17.0),
    column("Table", 7.0),
    column("Identifiant française", 20.0),
    column("Collectivité française", 30.0),
    column("Identifiant étrangère", 22.0),
    column("Collectivité étrangère", 30.0),
    column("Score", 9.0),
];

/// Sheet names of a batch workbook.
pub const BATCH_SHEETS: [&str; 4] = [
    "Paires retenues",
    "Appariement",
    "Sans partenaire",
    "Non placées",
];

/// A batch run's results as one workbook, written as they are read from the store
/// (in [`ResultItem`] order, each sheet filled before the next, so a national run's
/// millions of pairs are never held): `Paires retenues`, `Appariement`, `Sans
/// partenaire` (with the reason), then the agenda one sheet per day (`Agenda
/// 2026-12-03`), then the assigned pairs no slot could take (`Non placées`). Only
/// the agenda's rows (a few thousand at most) are kept until the end, to be split by
/// day.
#[derive(Debug)]
pub struct BatchBook {
    book: Book,
    /// The sheet being filled: its stage (index in [`BATCH_SHEETS`]) and cursor.
    current: Option<(usize, Sheet)>,
    agenda: Vec<AgendaRow>,
    unplaced: Vec<BatchPair>,
    /// Fiches flagged « à reconfirmer » in the pair sheets.
    stale: StaleFiches,
}

impl BatchBook {
    /// An empty workbook; the fiches of `stale` are flagged « à reconfirmer ».
    pub fn new(stale: StaleFiches) -> BatchBook {
        // Millions of rows: fast compression, unstyled text.
        let mut book = Book::new();
        book.compress_fast();
        book.plain_text();
        BatchBook {
            book,
            current: None,
            agenda: Vec::new(),
            unplaced: Vec::new(),
            stale,
        }
    }

    /// Makes the sheet of `stage` (0 pairs kept, 1 assignment, 2 without a
    /// partner) the current one, every earlier sheet created first (empty when it
    /// had no row).
    fn enter(&mut self, stage: usize) -> Result<()> {
        let mut next = self.current.as_ref().map_or(0, |(s, _)| s + 1);
        debug_assert!(next <= stage + 1, "results come in ResultItem order");
        while next <= stage {
            let columns: &'static [Column] = if next == 2 {
                &UNASSIGNED_COLUMNS
            } else {
                &PAIR_COLUMNS
            };
            let sheet = self.book.sheet(BATCH_SHEETS[next], columns)?;
            self.current = Some((next, sheet));
            next += 1;
        }
        Ok(())
    }

    /// Takes one result.
    pub fn item(&mut self, item: &ResultItem) -> Result<()> {
        let (stage, values): (usize, Vec<Value<'_>>) = match item {
            ResultItem::Scored(p) => (0, pair_values(p, &self.stale)),
            ResultItem::Assigned(p) => (1, pair_values(p, &self.stale)),
            ResultItem::Unassigned(u) => (2, unassigned_values(u)),
            ResultItem::Agenda(row) => {
                self.agenda.push(row.clone());
                return Ok(());
            }
            ResultItem::Unplaced(p) => {
                self.unplaced.push(p.clone());
                return Ok(());
            }
        };
        self.enter(stage)?;
        let (at, mut sheet) = self.current.take().expect("set by enter");
        let written = self.book.row(&mut sheet, &values);
        self.current = Some((at, sheet));
        written
    }

    /// The workbook, every sheet written.
    pub fn finish(mut self) -> Result<Book> {
        self.enter(2)?;
        let book = &mut self.book;
        let mut days: Vec<NaiveDate> = self.agenda.iter().map(|r| r.start.date()).collect();
        days.sort();
        days.dedup();
        for day in days {
            let mut sheet = book.sheet(&format!("Agenda {day}"), &AGENDA_COLUMNS)?;
            for row in self.agenda.iter().filter(|r| r.start.date() == day) {
                book.row(
                    &mut sheet,
                    &[
                        Value::from(row.slot.as_str()),
                        Value::DateTime(row.start),
                        Value::DateTime(row.end),
                        Value::Integer(row.table as u64),
                        Value::from(row.french.as_str()),
                        Value::from(row.french_name.as_str()),
                        Value::from(row.foreign.as_str()),
                        Value::from(row.foreign_name.as_str()),
                        Value::Score(row.score),
                    ],
                )?;
            }
        }
        if !self.unplaced.is_empty() {
            let mut sheet = book.sheet(BATCH_SHEETS[3], &PAIR_COLUMNS)?;
            for p in &self.unplaced {
                book.row(&mut sheet, &pair_values(p, &self.stale))?;
            }
        }
        Ok(self.book)
    }
}

fn pair_values<'a>(p: &'a BatchPair, stale: &StaleFiches) -> Vec<Value<'a>> {
    vec![
        Value::from(p.french.as_str()),
        Value::from(p.french_name.as_str()),
        Value::from(p.foreign.as_str()),
        Value::from(p.foreign_name.as_str()),
        Value::Score(p.total),
        stale_cell(stale.contains(&p.french)),
        stale_cell(stale.contains(&p.foreign)),
    ]
}

fn unassigned_values(u: &Unassigned) -> Vec<Value<'_>> {
    vec![
        Value::from(u.id.as_str()),
        Value::from(u.name.as_str()),
        Value::from(u.reason.as_str()),
    ]
}
