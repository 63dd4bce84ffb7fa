//! A set of themes as a bitset: the 30 codes fit in a `u32`, so overlaps are a
//! `popcount` away.

use crate::reference::ThemeCode;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ThemeSet(u32);

impl ThemeSet {
    pub const EMPTY: ThemeSet = ThemeSet(0);

    pub fn from_bits(bits: u32) -> ThemeSet {
        ThemeSet(bits)
    }

    pub fn bits(self) -> u32 {
        self.0
    }

    pub fn insert(&mut self, code: ThemeCode) {
        self.0 |= code.bit();
    }

    pub fn contains(self, code: ThemeCode) -> bool {
        self.0 & code.bit() != 0
    }

    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn intersection(self, other: ThemeSet) -> ThemeSet {
        ThemeSet(self.0 & other.0)
    }

    pub fn union(self, other: ThemeSet) -> ThemeSet {
        ThemeSet(self.0 | other.0)
    }

    /// The codes, in table order.
    pub fn iter(self) -> impl Iterator<Item = ThemeCode> {
        (0..32)
            .filter(move |bit| self.0 & (1 << bit) != 0)
            .filter_map(|bit| ThemeCode::from_index(bit as usize))
    }
}

impl FromIterator<ThemeCode> for ThemeSet {
    fn from_iter<I: IntoIterator<Item = ThemeCode>>(codes: I) -> Self {
        let mut set = ThemeSet::EMPTY;
        for code in codes {
            set.insert(code);
        }
        set
    }
}
