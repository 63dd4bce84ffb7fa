//! Exports of a run: CSV for the organisers (agenda, pairs, fiches without a
//! partner) and one iCalendar (RFC 5545) per participant.
//!
//! Both formats carry names written by collectivités, so both are escaped for the
//! programs that open them:
//! - CSV: a text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return
//!   would be read as a formula by a spreadsheet (`=HYPERLINK(…)`); it gets a leading
//!   `'`, as the OWASP advice on CSV injection says ([`text_cell`]). Numbers (scores,
//!   table numbers) are written as numbers, never prefixed. Cells holding a comma, a
//!   quote or a line break are quoted.
//! - iCalendar: TEXT values escape backslash, semicolon, comma and line feed, and
//!   lose carriage returns and other control characters ([`ics_text`]), so that no
//!   value can open a property of its own; content lines are folded at 75 octets,
//!   never inside a UTF-8 character ([`fold`]).
//!
//! Headers and texts are in French: staff open these files.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashSet;

pub use super::agenda::AgendaRow;
use super::{BatchPair, Unassigned};
use crate::fiche::FicheId;

/// Header of `agenda.csv`.
pub const AGENDA_HEADER: [&str; 9] = [
    "créneau",
    "début",
    "fin",
    "table",
    "id française",
    "collectivité française",
    "id étrangère",
    "collectivité étrangère",
    "score",
];

/// Header of `pairs.csv` and `assignment.csv`: the « à reconfirmer » columns say
/// « oui » for a fiche to reconfirm with its collectivité, as the workbooks do.
pub const PAIRS_HEADER: [&str; 7] = [
    "id française",
    "collectivité française",
    "id étrangère",
    "collectivité étrangère",
    "score",
    "à reconfirmer (française)",
    "à reconfirmer (étrangère)",
];

/// The fiches « à reconfirmer » on a day (older than the freshness limit, or
/// undated), as the exports of a run flag them: `Corpus::stale_fiches` builds it
/// with the corpus's freshness policy and date. Cheap to clone (shared). Looked up
/// twice per pair written (millions in a large run): a fast hash of ids that come
/// from the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaleFiches(Arc<FxHashSet<FicheId>>);

impl StaleFiches {
    pub fn new(ids: impl IntoIterator<Item = FicheId>) -> StaleFiches {
        StaleFiches(Arc::new(ids.into_iter().collect()))
    }

    pub fn contains(&self, id: &FicheId) -> bool {
        self.0.contains(id)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// « oui » for a fiche to reconfirm, empty otherwise (the workbooks' cell).
pub fn stale_text(stale: bool) -> &'static str {
    if stale { "oui" } else { "" }
}

/// Header of `unassigned.csv`.
pub const UNASSIGNED_HEADER: [&str; 3] = ["id", "collectivité", "raison"];

/// A text cell safe to open in a spreadsheet: one that would start a formula gets
/// a leading `'`. Quoting (commas, quotes, line breaks) is the CSV writer's.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A score as a CSV number.
fn number(score: f64) -> String {
    format!("{score:.4}")
}

fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out)
}

/// The agenda as CSV, one meeting per row, in slot then table order.
pub fn csv(rows: &[AgendaRow]) -> String {
    let mut out = writer(Vec::new());
    let written = (|| -> csv::Result<()> {
        out.write_record(AGENDA_HEADER)?;
        for row in rows {
            out.write_record([
                text_cell(&row.slot).as_ref(),
                &row.start.format("%Y-%m-%dT%H:%M").to_string(),
                &row.end.format("%Y-%m-%dT%H:%M").to_string(),
                &row.table.to_string(),
                &text_cell(row.french.as_str()),
                &text_cell(&row.french_name),
                &text_cell(row.foreign.as_str()),
                &text_cell(&row.foreign_name),
                &number(row.score),
            ])?;
        }
        out.flush()?;
        Ok(())
    })();
    written.expect("writing to memory cannot fail");
    let bytes = out.into_inner().expect("flushed above");
    String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out")
}

/// `pairs.csv` or `assignment.csv`, written row by row as results arrive: a national
/// run keeps millions of pairs, never gathered in memory.
#[derive(Debug)]
pub struct PairsCsv<W: Write> {
    out: csv::Writer<W>,
    stale: StaleFiches,
}

impl<W: Write> PairsCsv<W> {
    /// The file with its header; the fiches of `stale` are flagged « à reconfirmer ».
    pub fn new(out: W, stale: StaleFiches) -> std::io::Result<PairsCsv<W>> {
        let mut out = writer(out);
        out.write_record(PAIRS_HEADER)?;
        Ok(PairsCsv { out, stale })
    }

    pub fn pair(&mut self, p: &BatchPair) -> std::io::Result<()> {
        self.out.write_record([
            text_cell(p.french.as_str()).as_ref(),
            &text_cell(&p.french_name),
            &text_cell(p.foreign.as_str()),
            &text_cell(&p.foreign_name),
            &number(p.total),
            stale_text(self.stale.contains(&p.french)),
            stale_text(self.stale.contains(&p.foreign)),
        ])?;
        Ok(())
    }

    /// Everything written out.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// `unassigned.csv`: the fiches without a partner and why, row by row.
#[derive(Debug)]
pub struct UnassignedCsv<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> UnassignedCsv<W> {
    /// The file with its header.
    pub fn new(out: W) -> std::io::Result<UnassignedCsv<W>> {
        let mut out = writer(out);
        out.write_record(UNASSIGNED_HEADER)?;
        Ok(UnassignedCsv { out })
    }

    pub fn fiche(&mut self, u: &Unassigned) -> std::io::Result<()> {
        self.out.write_record([
            text_cell(u.id.as_str()).as_ref(),
            &text_cell(&u.name),
            &text_cell(&u.reason),
        ])?;
        Ok(())
    }

    /// Everything written out.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Writes pairs (`pairs.csv`, `assignment.csv`) as CSV, the fiches of `stale`
/// flagged « à reconfirmer ».
pub fn write_pairs_csv(
    out: impl Write,
    pairs: &[BatchPair],
    stale: &StaleFiches,
) -> std::io::Result<()> {
    let mut csv = PairsCsv::new(out, stale.clone())?;
    pairs.iter().try_for_each(|p| csv.pair(p))?;
    csv.finish()
}

/// Writes the fiches without a partner (`unassigned.csv`) and why, as CSV.
pub fn write_unassigned_csv(out: impl Write, unassigned: &[Unassigned]) -> std::io::Result<()> {
    let mut csv = UnassignedCsv::new(out)?;
    unassigned.iter().try_for_each(|u| csv.fiche(u))?;
    csv.finish()
}

/// One calendar per participant (by id), each with that participant's meetings.
/// `stamp` is the DTSTAMP of every event (when the calendars were made, in UTC);
/// meeting times are the event's local times (floating times of RFC 5545).
pub fn icalendars(
    rows: &[AgendaRow],
    event: &str,
    stamp: DateTime<Utc>,
) -> BTreeMap<FicheId, String> {
    let mut by_participant: BTreeMap<FicheId, Vec<&AgendaRow>> = BTreeMap::new();
    for row in rows {
        by_participant
            .entry(row.french.clone())
            .or_default()
            .push(row);
        by_participant
            .entry(row.foreign.clone())
            .or_default()
            .push(row);
    }
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    by_participant
        .into_iter()
        .map(|(id, meetings)| {
            let mut lines = vec![
                "BEGIN:VCALENDAR".to_owned(),
                "VERSION:2.0".to_owned(),
                "PRODID:-//Passerelle//Agenda//FR".to_owned(),
                format!("X-WR-CALNAME:{}", ics_text(event)),
            ];
            for row in meetings {
                lines.extend(event_lines(row, event, &stamp));
            }
            lines.push("END:VCALENDAR".to_owned());
            let body: String = lines.iter().map(|line| fold(line) + "\r\n").collect();
            (id, body)
        })
        .collect()
}

fn event_lines(row: &AgendaRow, event: &str, stamp: &str) -> [String; 9] {
    [
        "BEGIN:VEVENT".to_owned(),
        format!(
            "UID:{}-{}-{}@passerelle",
            row.french,
            row.foreign,
            row.start.format("%Y%m%dT%H%M")
        ),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART:{}", row.start.format("%Y%m%dT%H%M%S")),
        format!("DTEND:{}", row.end.format("%Y%m%dT%H%M%S")),
        format!(
            "SUMMARY:{}",
            ics_text(&format!("{} – {}", row.french_name, row.foreign_name))
        ),
        format!(
            "LOCATION:{}",
            ics_text(&format!("{event}, table {}", row.table))
        ),
        format!("DESCRIPTION:{}", ics_text(&description(row))),
        "END:VEVENT".to_owned(),
    ]
}

/// `Créneau J1-09h00, table 3. Score de la paire : 0,65.` — the slot's label is
/// not prefixed with "Créneau" when it already says so.
fn description(row: &AgendaRow) -> String {
    let label = row.slot.trim();
    let says_slot = crate::text::fold(label).starts_with("creneau");
    let slot = if says_slot {
        label.to_owned()
    } else {
        format!("Créneau {label}")
    };
    let score = format!("{:.2}", row.score).replace('.', ",");
    format!("{slot}, table {}. Score de la paire : {score}.", row.table)
}

/// An RFC 5545 TEXT value: backslash, semicolon and comma escaped, a line feed as
/// `\n`; carriage returns and other control characters (tab aside) dropped.
pub fn ics_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (continuation lines start with a space, which
/// counts in their 75), never inside a UTF-8 character.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(french_name: &str, foreign_name: &str) -> AgendaRow {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        AgendaRow {
            slot: "J1-09h00".into(),
            start,
            end: start + chrono::Duration::minutes(30),
            table: 3,
            french: FicheId::parse("FR-COM-11262").unwrap(),
            french_name: french_name.into(),
            foreign: FicheId::parse("BJ-COM-BJ-BO-PER").unwrap(),
            foreign_name: foreign_name.into(),
            score: 0.6471,
        }
    }

    fn stamp() -> DateTime<Utc> {
        "2026-11-22T08:30:00Z".parse().unwrap()
    }

    /// Reads a CSV file back as a spreadsheet or a script would.
    fn read_back(path: &std::path::Path) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    const FORMULA: &str = "=HYPERLINK(\"http://x\")";

    #[test]
    fn csv_cells_that_would_be_formulas_are_neutralised_and_numbers_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = vec![row(FORMULA, "Pèrèrè, ville; \"sud\"\r\nligne")];
        rows[0].slot = "+1 créneau".into();
        rows.push(row("@SUM(A1)", "-2+3"));
        rows[1].score = -0.5;
        let agenda = dir.path().join("agenda.csv");
        std::fs::write(&agenda, csv(&rows)).unwrap();
        let back = read_back(&agenda);
        assert_eq!(back[0], AGENDA_HEADER);
        assert_eq!(
            back.len(),
            3,
            "a line break inside a name stays in its cell"
        );
        assert_eq!(back[1][0], "'+1 créneau");
        assert_eq!(back[1][5], format!("'{FORMULA}"));
        assert_eq!(back[1][7], "Pèrèrè, ville; \"sud\"\r\nligne");
        assert_eq!(back[1][8], "0.6471");
        assert_eq!(back[2][5], "'@SUM(A1)");
        assert_eq!(back[2][7], "'-2+3");
        assert_eq!(back[2][8], "-0.5000", "a number is never prefixed");
        assert_eq!(back[2][3], "3");

        let pairs = dir.path().join("pairs.csv");
        let pair = BatchPair {
            french: rows[0].french.clone(),
            french_name: FORMULA.into(),
            foreign: rows[0].foreign.clone(),
            foreign_name: "\tTab".into(),
            total: 0.25,
        };
        let other = BatchPair {
            french: FicheId::parse("FR-COM-33063").unwrap(),
            ..pair.clone()
        };
        let stale = StaleFiches::new([rows[0].foreign.clone(), other.french.clone()]);
        write_pairs_csv(
            std::fs::File::create(&pairs).unwrap(),
            &[pair, other],
            &stale,
        )
        .unwrap();
        let back = read_back(&pairs);
        assert_eq!(back[0], PAIRS_HEADER);
        assert_eq!(
            back[1],
            [
                "FR-COM-11262",
                &format!("'{FORMULA}"),
                "BJ-COM-BJ-BO-PER",
                "'\tTab",
                "0.2500",
                "",
                "oui"
            ]
        );
        assert_eq!(back[2][0], "FR-COM-33063");
        assert_eq!(back[2][5..], ["oui", "oui"]);

        let unassigned = dir.path().join("unassigned.csv");
        let u = Unassigned {
            id: rows[0].french.clone(),
            name: "=1+1".into(),
            reason: "aucune paire, capacité atteinte".into(),
        };
        write_unassigned_csv(std::fs::File::create(&unassigned).unwrap(), &[u]).unwrap();
        let back = read_back(&unassigned);
        assert_eq!(
            back[1],
            ["FR-COM-11262", "'=1+1", "aucune paire, capacité atteinte"]
        );
    }

    /// The content lines of a calendar, unfolded (RFC 5545 3.1).
    fn unfolded(ics: &str) -> Vec<String> {
        assert!(ics.ends_with("\r\n"));
        let physical: Vec<&str> = ics.trim_end_matches("\r\n").split("\r\n").collect();
        for line in &physical {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
            assert!(!line.contains(['\r', '\n']), "{line:?}");
        }
        let mut lines: Vec<String> = Vec::new();
        for line in physical {
            match line.strip_prefix(' ') {
                Some(rest) => lines.last_mut().unwrap().push_str(rest),
                None => lines.push(line.to_owned()),
            }
        }
        lines
    }

    fn property<'a>(lines: &'a [String], name: &str) -> &'a str {
        let prefix = format!("{name}:");
        let found: Vec<&String> = lines.iter().filter(|l| l.starts_with(&prefix)).collect();
        assert_eq!(found.len(), 1, "{name} in {lines:?}");
        &found[0][prefix.len()..]
    }

    #[test]
    fn icalendar_values_are_escaped_and_cannot_open_a_property() {
        let hostile = "Narbonne, ville;\r\nATTENDEE:mailto:x@y\\z";
        let calendars = icalendars(
            &[row(hostile, "Pèrèrè")],
            "Assises franco-béninoises",
            stamp(),
        );
        assert_eq!(calendars.len(), 2);
        for ics in calendars.values() {
            let lines = unfolded(ics);
            assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
            assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
            assert!(
                lines.iter().all(|l| !l.starts_with("ATTENDEE")),
                "{lines:?}"
            );
            assert_eq!(
                property(&lines, "SUMMARY"),
                "Narbonne\\, ville\\;\\nATTENDEE:mailto:x@y\\\\z – Pèrèrè"
            );
            assert_eq!(property(&lines, "DTSTAMP"), "20261122T083000Z");
            assert_eq!(property(&lines, "DTSTART"), "20261203T090000");
            assert_eq!(
                property(&lines, "DESCRIPTION"),
                "Créneau J1-09h00\\, table 3. Score de la paire : 0\\,65."
            );
            assert_eq!(
                property(&lines, "LOCATION"),
                "Assises franco-béninoises\\, table 3"
            );
        }
    }

    #[test]
    fn long_multibyte_lines_fold_on_character_boundaries() {
        let long = "Ségou-Ébène-東京-ꦱꦼꦩꦫꦁ-".repeat(12);
        let calendars = icalendars(&[row(&long, "Pèrèrè")], "Assises", stamp());
        let ics = &calendars[&FicheId::parse("FR-COM-11262").unwrap()];
        let lines = unfolded(ics);
        assert_eq!(property(&lines, "SUMMARY"), format!("{long} – Pèrèrè"));
        assert!(ics.split("\r\n").filter(|l| l.starts_with(' ')).count() >= 5);
    }

    #[test]
    fn a_slot_that_says_creneau_is_not_said_twice() {
        let mut meeting = row("A", "B");
        meeting.slot = "Créneau 1 (9 h)".into();
        assert_eq!(
            description(&meeting),
            "Créneau 1 (9 h), table 3. Score de la paire : 0,65."
        );
    }
}
