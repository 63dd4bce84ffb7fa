//! Order keys: a `u32` per fiche that sorts like its id, so that the kernel breaks
//! ties by id while fiches stay in the slots they were given (an insertion must not
//! move every other fiche).
//!
//! The first build spreads the keys evenly over the lower half of `u32`, leaving the
//! upper half for ids that sort after all others (new ids often do). A new id takes a
//! key between those of its neighbours in id order: the middle of the gap, or one
//! spreading gap after its predecessor when it comes last. When two neighbours' keys
//! are adjacent, every key is given anew, evenly spread again: O(n), and rare — at
//! 199k fiches a gap of 2^31/n halves 13 times before that happens, and only when ids
//! keep arriving at the same place; appends at the end respread after n of them, so
//! they cost O(1) amortised.

use std::collections::{BTreeMap, HashMap};

use crate::fiche::FicheId;

/// The ids present, in id order, with their slots and keys.
#[derive(Debug, Default)]
pub struct IdOrder {
    /// Id → slot, in id order.
    slots: BTreeMap<FicheId, u32>,
    /// The key of each slot (meaningless for a free slot).
    key: Vec<u32>,
    /// Key → slot, for the slots in use.
    slot_of_key: HashMap<u32, u32>,
    /// Gap between keys at the last spreading.
    gap: u32,
    /// How many times every key was given anew (for tests).
    pub(super) respread: usize,
}

/// The gap that spreads `n` keys over the lower half of `u32`.
fn gap_for(n: usize) -> u32 {
    (u32::MAX as u64 / (2 * n as u64 + 2)).max(1) as u32
}

impl IdOrder {
    /// The order of `ids`, which are sorted and sit in slots `0..ids.len()`.
    pub fn sorted<'a>(ids: impl ExactSizeIterator<Item = &'a FicheId>) -> IdOrder {
        let mut order = IdOrder {
            gap: gap_for(ids.len()),
            ..IdOrder::default()
        };
        for (slot, id) in ids.enumerate() {
            let key = (slot as u32 + 1) * order.gap;
            order.slots.insert(id.clone(), slot as u32);
            order.set_key(slot as u32, key);
        }
        order
    }

    fn set_key(&mut self, slot: u32, key: u32) {
        let slot_index = slot as usize;
        if self.key.len() <= slot_index {
            self.key.resize(slot_index + 1, 0);
        }
        self.key[slot_index] = key;
        self.slot_of_key.insert(key, slot);
    }

    /// The key of the fiche in `slot`.
    #[inline]
    pub fn key(&self, slot: u32) -> u32 {
        self.key[slot as usize]
    }

    /// The slot of the fiche with order key `key`.
    pub fn slot(&self, key: u32) -> u32 {
        self.slot_of_key[&key]
    }

    /// Records `id` in `slot` and gives it a key. Returns `true` when every key was
    /// given anew to make room (the caller then refreshes the keys it copied).
    pub fn insert(&mut self, id: &FicheId, slot: u32) -> bool {
        debug_assert!(!self.slots.contains_key(id));
        let before = self
            .slots
            .range(..id)
            .next_back()
            .map_or(0, |(_, &s)| self.key(s));
        let after = self
            .slots
            .range(id..)
            .next()
            .map_or(u32::MAX, |(_, &s)| self.key(s));
        self.slots.insert(id.clone(), slot);
        if after - before < 2 {
            self.respread();
            return true;
        }
        let key = before + ((after - before) / 2).min(self.gap.max(1));
        self.set_key(slot, key);
        false
    }

    /// Forgets `id`; its slot's key is freed.
    pub fn remove(&mut self, id: &FicheId) {
        if let Some(slot) = self.slots.remove(id) {
            self.slot_of_key.remove(&self.key(slot));
        }
    }

    /// Gives every id a new key, evenly spread in id order.
    fn respread(&mut self) {
        self.respread += 1;
        self.gap = gap_for(self.slots.len());
        self.slot_of_key.clear();
        let slots: Vec<u32> = self.slots.values().copied().collect();
        for (i, slot) in slots.into_iter().enumerate() {
            let key = (i as u32 + 1) * self.gap;
            self.set_key(slot, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> FicheId {
        FicheId::parse(&format!("SN-GN-{text}")).unwrap()
    }

    /// Keys sort like ids, and each key leads back to its slot.
    fn check(order: &IdOrder) {
        let keys: Vec<u32> = order.slots.values().map(|&s| order.key(s)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        for &slot in order.slots.values() {
            assert_eq!(order.slot(order.key(slot)), slot);
        }
        assert_eq!(order.slot_of_key.len(), order.slots.len());
    }

    #[test]
    fn keys_follow_ids_through_insertions_anywhere_and_removals() {
        let ids: Vec<FicheId> = (0..100).map(|i| id(&format!("{:03}", i * 10))).collect();
        let mut order = IdOrder::sorted(ids.iter());
        check(&order);
        let mut next_slot = 100;
        // Ids that keep arriving at the same place: between "A" and "B", each after
        // the last one ("A", "AA", "AAA"… all sort before "B").
        order.insert(&id("B"), next_slot);
        next_slot += 1;
        for n in 1..=55 {
            order.insert(&id(&"A".repeat(n)), next_slot);
            next_slot += 1;
            check(&order);
        }
        assert!(order.respread >= 1, "adjacent keys forced a respread");
        // Before everything, after everything, and removals.
        order.insert(&id("0"), next_slot);
        order.insert(&id("ZZZ"), next_slot + 1);
        check(&order);
        for i in (0..100).step_by(3) {
            order.remove(&ids[i]);
        }
        check(&order);
        // Appends at the end take one gap each, not halves of what is left: about as
        // many appends as there are ids before a respread.
        let respread = order.respread;
        for n in 0..60 {
            order.insert(&id(&format!("ZZZ{n:04}")), next_slot + 2 + n);
        }
        check(&order);
        assert_eq!(order.respread, respread);
        for n in 60..1000 {
            order.insert(&id(&format!("ZZZ{n:04}")), next_slot + 2 + n);
        }
        check(&order);
        assert!(
            order.respread - respread <= 6,
            "{}",
            order.respread - respread
        );
    }
}
