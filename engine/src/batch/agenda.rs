//! Meeting agenda: the assigned pairs placed in time slots and at tables, best pairs
//! first, nobody in two meetings at once.
//!
//! Greedy in order of score: each meeting takes the earliest slot where both
//! participants are free and a table is left. Slots must not overlap (checked), so
//! "free in a slot" is "not already seated in it". Meetings that find no slot are
//! reported, never dropped silently.

use chrono::NaiveDateTime;

/// A time slot of the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub label: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
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
            return Err(format!("slot {:?} ends before it starts", slot.label));
        }
        if i > 0 && slot.start < slots[i - 1].end {
            return Err(format!(
                "slot {:?} overlaps {:?} (slots must be in order, disjoint)",
                slot.label,
                slots[i - 1].label
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
