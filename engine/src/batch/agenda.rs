//! Meeting agenda: the assigned pairs placed in time slots and at tables, best pairs
//! first, nobody in two meetings at once.
//!
//! Greedy in order of score: each meeting takes the earliest slot where both
//! participants are free and a table is left. Slots must not overlap (checked), so
//! "free in a slot" is "not already seated in it". Meetings that find no slot are
//! reported, never dropped silently.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::BatchPair;
use crate::fiche::FicheId;

/// A time slot of the event; times are local to the event, written
/// `2026-12-03T09:00` in files and specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub label: String,
    #[serde(with = "minutes")]
    pub start: NaiveDateTime,
    #[serde(with = "minutes")]
    pub end: NaiveDateTime,
}

/// Slot times as `YYYY-MM-DDTHH:MM`, the form of the slots file.
mod minutes {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub const FORMAT: &str = "%Y-%m-%dT%H:%M";

    pub fn serialize<S: Serializer>(time: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.format(FORMAT).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_time(&text).map_err(serde::de::Error::custom)
    }
}

/// A slot time written `2026-12-03T09:00`; the error quotes the value.
pub fn parse_time(text: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(text.trim(), minutes::FORMAT).map_err(|_| {
        format!(
            "{} is not a time like 2026-12-03T09:00",
            crate::fiche::quote(text)
        )
    })
}

/// One placed meeting, with everything an export shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaRow {
    pub slot: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// 1-based table number.
    pub table: usize,
    pub french: FicheId,
    pub french_name: String,
    pub foreign: FicheId,
    pub foreign_name: String,
    pub score: f64,
}

/// The assigned pairs placed in time: the rows in slot then table order, and the
/// pairs that found no slot (best first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgendaPlan {
    pub rows: Vec<AgendaRow>,
    pub unplaced: Vec<BatchPair>,
}

/// Places `assigned` (best first) in `slots` at `tables` tables: what the CLI and
/// the server export.
pub fn plan(assigned: &[BatchPair], slots: &[Slot], tables: usize) -> AgendaPlan {
    let french = distinct(assigned.iter().map(|p| &p.french));
    let foreign = distinct(assigned.iter().map(|p| &p.foreign));
    let index = |ids: &[&FicheId], id: &FicheId| ids.binary_search(&id).unwrap_or(0);
    let meetings: Vec<Meeting> = assigned
        .iter()
        .map(|p| Meeting {
            french: index(&french, &p.french),
            foreign: index(&foreign, &p.foreign),
        })
        .collect();
    let planned = schedule(&meetings, slots, tables);
    let mut rows: Vec<AgendaRow> = planned
        .placements
        .iter()
        .map(|p| {
            let pair = &assigned[p.meeting];
            let slot = &slots[p.slot];
            AgendaRow {
                slot: slot.label.clone(),
                start: slot.start,
                end: slot.end,
                table: p.table + 1,
                french: pair.french.clone(),
                french_name: pair.french_name.clone(),
                foreign: pair.foreign.clone(),
                foreign_name: pair.foreign_name.clone(),
                score: pair.total,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.start.cmp(&b.start).then(a.table.cmp(&b.table)));
    AgendaPlan {
        rows,
        unplaced: planned
            .unplaced
            .iter()
            .map(|&i| assigned[i].clone())
            .collect(),
    }
}

fn distinct<'a>(ids: impl Iterator<Item = &'a FicheId>) -> Vec<&'a FicheId> {
    let mut ids: Vec<&FicheId> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A meeting to place: its two participants (indices on each side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meeting {
    pub french: usize,
    pub foreign: usize,
}

/// Where a meeting takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub meeting: usize,
    pub slot: usize,
    pub table: usize,
}

/// The agenda and the meetings left out for want of a slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agenda {
    pub placements: Vec<Placement>,
    pub unplaced: Vec<usize>,
}

/// Checks that slots are in order and do not overlap; names the first that does not.
pub fn check_slots(slots: &[Slot]) -> Result<(), String> {
    for (i, slot) in slots.iter().enumerate() {
        if slot.end <= slot.start {
            return Err(format!(
                "slot {} ends before it starts",
                crate::fiche::quote(&slot.label)
            ));
        }
        if i > 0 && slot.start < slots[i - 1].end {
            return Err(format!(
                "slot {} overlaps {} (slots must be in order, disjoint)",
                crate::fiche::quote(&slot.label),
                crate::fiche::quote(&slots[i - 1].label)
            ));
        }
    }
    Ok(())
}

/// Places `meetings` (best first) in `slots` at `tables` tables.
pub fn schedule(meetings: &[Meeting], slots: &[Slot], tables: usize) -> Agenda {
    let mut seated: Vec<usize> = vec![0; slots.len()];
    let mut busy_french: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    let mut busy_foreign: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    let mut agenda = Agenda::default();
    for (index, meeting) in meetings.iter().enumerate() {
        let free = (0..slots.len()).find(|&s| {
            seated[s] < tables
                && !busy_french[s].contains(&meeting.french)
                && !busy_foreign[s].contains(&meeting.foreign)
        });
        match free {
            Some(slot) => {
                agenda.placements.push(Placement {
                    meeting: index,
                    slot,
                    table: seated[slot],
                });
                seated[slot] += 1;
                busy_french[slot].push(meeting.french);
                busy_foreign[slot].push(meeting.foreign);
            }
            None => agenda.unplaced.push(index),
        }
    }
    agenda
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(n: usize) -> Vec<Slot> {
        (0..n)
            .map(|i| {
                let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                    .unwrap()
                    .and_hms_opt(9 + i as u32, 0, 0)
                    .unwrap();
                Slot {
                    label: format!("S{i}"),
                    start,
                    end: start + chrono::Duration::minutes(45),
                }
            })
            .collect()
    }

    #[test]
    fn nobody_is_double_booked_and_best_meetings_come_first() {
        let meetings: Vec<Meeting> = (0..12)
            .map(|i| Meeting {
                french: i % 3,
                foreign: i % 5,
            })
            .collect();
        let slots = slots(4);
        let agenda = schedule(&meetings, &slots, 2);
        for p in &agenda.placements {
            assert!(p.table < 2);
            for q in &agenda.placements {
                if p.meeting != q.meeting && p.slot == q.slot {
                    assert_ne!(meetings[p.meeting].french, meetings[q.meeting].french);
                    assert_ne!(meetings[p.meeting].foreign, meetings[q.meeting].foreign);
                    assert_ne!(p.table, q.table);
                }
            }
        }
        assert_eq!(
            agenda.placements.len() + agenda.unplaced.len(),
            meetings.len()
        );
        assert_eq!(
            agenda.placements[0],
            Placement {
                meeting: 0,
                slot: 0,
                table: 0
            }
        );
        assert_eq!(agenda.placements.len(), 8, "2 tables × 4 slots");
    }

    #[test]
    fn overlapping_slots_are_rejected() {
        let mut bad = slots(2);
        bad[1].start = bad[0].start;
        assert!(check_slots(&bad).unwrap_err().contains("overlaps"));
        assert!(check_slots(&slots(3)).is_ok());
    }
}
