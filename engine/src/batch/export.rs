//! Agenda exports: one CSV for the organisers, one iCalendar (RFC 5545) per
//! participant.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

pub use super::agenda::AgendaRow;
use crate::fiche::FicheId;

/// The agenda as CSV, one meeting per row, in slot then table order.
pub fn csv(rows: &[AgendaRow]) -> String {
    let mut out =
        String::from("slot,start,end,table,french_id,french_name,foreign_id,foreign_name,score\n");
    for row in rows {
        let fields = [
            row.slot.clone(),
            row.start.format("%Y-%m-%dT%H:%M").to_string(),
            row.end.format("%Y-%m-%dT%H:%M").to_string(),
            row.table.to_string(),
            row.french.to_string(),
            row.french_name.clone(),
            row.foreign.to_string(),
            row.foreign_name.clone(),
            format!("{:.4}", row.score),
        ];
        let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// One calendar per participant (by id), each with that participant's meetings.
/// `stamp` is the DTSTAMP of every event, so that a run gives the same files.
pub fn icalendars(
    rows: &[AgendaRow],
    event: &str,
    stamp: NaiveDateTime,
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
    by_participant
        .into_iter()
        .map(|(id, meetings)| {
            let mut lines = vec![
                "BEGIN:VCALENDAR".to_owned(),
                "VERSION:2.0".to_owned(),
                "PRODID:-//Passerelle//Agenda//FR".to_owned(),
                format!("X-WR-CALNAME:{}", escape(event)),
            ];
            for row in meetings {
                lines.extend([
                    "BEGIN:VEVENT".to_owned(),
                    format!(
                        "UID:{}-{}-{}@passerelle",
                        row.french,
                        row.foreign,
                        row.start.format("%Y%m%dT%H%M")
                    ),
                    format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%S")),
                    format!("DTSTART:{}", row.start.format("%Y%m%dT%H%M%S")),
                    format!("DTEND:{}", row.end.format("%Y%m%dT%H%M%S")),
                    format!(
                        "SUMMARY:{}",
                        escape(&format!("{} – {}", row.french_name, row.foreign_name))
                    ),
                    format!(
                        "LOCATION:{}",
                        escape(&format!("{event}, table {}", row.table))
                    ),
                    format!(
                        "DESCRIPTION:{}",
                        escape(&format!(
                            "Créneau {}. Score de la paire : {:.2}",
                            row.slot, row.score
                        ))
                    ),
                    "END:VEVENT".to_owned(),
                ]);
            }
            lines.push("END:VCALENDAR".to_owned());
            let body: String = lines.iter().map(|line| fold(line) + "\r\n").collect();
            (id, body)
        })
        .collect()
}

/// RFC 5545 text escaping.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (continuation lines start with a space),
/// never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
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

    fn row() -> AgendaRow {
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
            french_name: "Narbonne, ville".into(),
            foreign: FicheId::parse("BJ-COM-BJ-BO-PER").unwrap(),
            foreign_name: "Pèrèrè".into(),
            score: 0.6471,
        }
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let text = csv(&[row()]);
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains("\"Narbonne, ville\""));
        assert!(text.contains("2026-12-03T09:00,2026-12-03T09:30,3,FR-COM-11262"));
    }

    #[test]
    fn each_participant_gets_a_valid_calendar() {
        let stamp = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let calendars = icalendars(&[row()], "Assises franco-béninoises", stamp);
        assert_eq!(calendars.len(), 2);
        for ics in calendars.values() {
            assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
            assert!(ics.contains("DTSTART:20261203T090000\r\n"));
            assert!(ics.contains("SUMMARY:Narbonne\\, ville – Pèrèrè"));
            assert!(ics.split("\r\n").all(|line| line.len() <= 75));
        }
    }
}
