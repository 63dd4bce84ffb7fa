//! Order keys: a `u32` per fiche that sorts like its id, so that the kernel breaks
//! ties by id while fiches stay in the slots they were given (an insertion must not
//! move every other fiche).
//!
//! The first build spreads the keys evenly over the lower half of `u32`, leaving the
//! upper half for ids that sort after all others (new ids often do). A new id takes a
//! key between those of its neighbours in id order: the middle of the gap, or one
//! spreading gap after its predecessor when it comes last. When two neighbours' keys
//! are adjacent (at 199k fiches a gap of 2^31/n halves 13 times before that, and only
//! when ids keep arriving at the same place), the keys of the smallest window of
//! neighbours around the new id that has room are spread anew — a few dozen keys,
//! found by doubling the window. Only when the whole order is that dense (millions of
//! ids) is every key given anew, in O(n).

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
    /// How many times every key was given anew, and a window of keys (for tests).
    pub(super) respread: usize,
    pub(super) relabels: usize,
}

/// Which keys, besides the new one's, an insertion changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    None,
    /// Those of these slots.
    Some(Vec<u32>),
    /// Every key.
    All,
}

/// Gap left between keys when a window of them is spread anew: about ten more ids
/// can arrive at one place before the next spreading.
const MIN_GAP: u32 = 1 << 10;

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

    /// Room for `more` ids.
    pub fn reserve(&mut self, more: usize) {
        self.key.reserve(more);
        self.slot_of_key.reserve(more);
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

    /// Records `id` in `slot` and gives it a key: the middle of the gap between its
    /// neighbours, or, when they are adjacent, keys spread anew over the smallest
    /// window of neighbours around it whose range leaves [`MIN_GAP`] between keys
    /// (every key when none does). Returns the other slots whose keys changed.
    pub fn insert(&mut self, id: &FicheId, slot: u32) -> Moved {
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
        if after - before >= 2 {
            let key = before + ((after - before) / 2).min(self.gap.max(1));
            self.set_key(slot, key);
            return Moved::None;
        }
        match self.window(id) {
            Some((lo, gap, window)) => {
                self.relabels += 1;
                for &s in &window {
                    if s != slot {
                        self.slot_of_key.remove(&self.key(s));
                    }
                }
                for (i, &s) in window.iter().enumerate() {
                    self.set_key(s, lo + gap * (i as u32 + 1));
                }
                Moved::Some(window.into_iter().filter(|&s| s != slot).collect())
            }
            None => {
                self.respread();
                Moved::All
            }
        }
    }

    /// The smallest window of slots around `id` (in id order, `id` included) that
    /// can take keys [`MIN_GAP`] apart between the keys around it: the key below the
    /// window, the gap, the slots. `None` when not even all of them can.
    fn window(&self, id: &FicheId) -> Option<(u32, u32, Vec<u32>)> {
        use std::ops::Bound::{Excluded, Unbounded};
        let mut width = 1;
        loop {
            let left: Vec<u32> = self
                .slots
                .range(..id)
                .rev()
                .take(width + 1)
                .map(|(_, &s)| s)
                .collect();
            let right: Vec<u32> = self
                .slots
                .range((Excluded(id), Unbounded))
                .take(width + 1)
                .map(|(_, &s)| s)
                .collect();
            // The neighbour beyond each side bounds the window; none: the ends of u32.
            let lo = if left.len() > width {
                self.key(left[width])
            } else {
                0
            };
            let hi = if right.len() > width {
                self.key(right[width])
            } else {
                u32::MAX
            };
            let (left, right) = (
                &left[..left.len().min(width)],
                &right[..right.len().min(width)],
            );
            let count = left.len() + 1 + right.len();
            let gap = (hi - lo) / (count as u32 + 1);
            let whole = left.len() < width && right.len() < width;
            if gap >= MIN_GAP || (whole && gap >= 2) {
                let mut window: Vec<u32> = left.iter().rev().copied().collect();
                window.push(self.slots[id]);
                window.extend_from_slice(right);
                return Some((lo, gap, window));
            }
            if whole {
                return None;
            }
            width *= 2;
        }
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

    /// Inserts, checking that exactly the keys said to have moved did.
    fn insert(order: &mut IdOrder, id: &FicheId, slot: u32) -> usize {
        let before: Vec<(u32, u32)> = order.slots.values().map(|&s| (s, order.key(s))).collect();
        let moved = order.insert(id, slot);
        let changed: Vec<u32> = before
            .into_iter()
            .filter(|&(s, k)| order.key(s) != k)
            .map(|(s, _)| s)
            .collect();
        check(order);
        match moved {
            Moved::None => {
                assert!(changed.is_empty());
                0
            }
            Moved::Some(mut slots) => {
                slots.sort_unstable();
                let mut changed = changed;
                changed.sort_unstable();
                assert!(
                    changed.iter().all(|s| slots.contains(s)),
                    "{changed:?} {slots:?}"
                );
                slots.len()
            }
            Moved::All => order.slots.len(),
        }
    }

    #[test]
    fn keys_follow_ids_through_insertions_anywhere_and_removals() {
        let ids: Vec<FicheId> = (0..100).map(|i| id(&format!("{:03}", i * 10))).collect();
        let mut order = IdOrder::sorted(ids.iter());
        check(&order);
        let mut next_slot = 100;
        // Ids that keep arriving at the same place: between "A" and "B", each after
        // the last one ("A", "AA", "AAA"… all sort before "B").
        insert(&mut order, &id("B"), next_slot);
        next_slot += 1;
        let mut widest = 0;
        for n in 1..=55 {
            widest = widest.max(insert(&mut order, &id(&"A".repeat(n)), next_slot));
            next_slot += 1;
        }
        assert!(order.relabels >= 1, "adjacent keys made room around them");
        assert!(widest < 64, "a window of {widest} keys");
        assert_eq!(order.respread, 0);
        // Before everything, after everything, and removals.
        insert(&mut order, &id("0"), next_slot);
        insert(&mut order, &id("ZZZ"), next_slot + 1);
        for i in (0..100).step_by(3) {
            order.remove(&ids[i]);
        }
        check(&order);
        // Appends at the end take one gap each, not halves of what is left.
        let mut moved = 0;
        for n in 0..2000 {
            moved += insert(&mut order, &id(&format!("ZZZ{n:04}")), next_slot + 2 + n);
        }
        assert!(moved < 40 * 2000, "{moved} keys moved for 2000 appends");
        assert_eq!(order.respread, 0);
    }

    #[test]
    fn random_insertions_and_removals_keep_keys_in_id_order() {
        let mut order = IdOrder::sorted([id("M")].iter());
        let mut present: Vec<FicheId> = vec![id("M")];
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for slot in 1..3000u32 {
            if next() % 4 == 0 && present.len() > 1 {
                let gone = present.swap_remove(next() % present.len());
                order.remove(&gone);
            } else {
                // Short ids over a small alphabet: many land side by side.
                let text: String = (0..1 + next() % 6)
                    .map(|_| (b'A' + (next() % 3) as u8) as char)
                    .collect();
                let new = id(&text);
                if present.contains(&new) {
                    continue;
                }
                insert(&mut order, &new, slot);
                present.push(new);
            }
        }
        check(&order);
        assert_eq!(order.slots.len(), present.len());
    }
}
