//! Blocks of candidates for the cross product: the foreign columns of a batch are
//! ordered by country (then similar fiches side by side: [`order_key`]) and cut into
//! blocks of at most [`BLOCK`] candidates of one country. Within a block the
//! geography and under-served criteria take at most two values for a French fiche
//! (with or without a shared language; see [`super::approximate`]), and a block's
//! candidates fit one `u64` mask.

use std::collections::HashMap;
use std::ops::Range;

use super::block_bounds::order_key;
use super::columns::{Columns, NONE_U32};
use crate::scoring::MatchFeatures;

/// Candidates per block at most (the bits of a `u64`).
pub const BLOCK: usize = 64;

/// The blocks of some columns.
#[derive(Debug)]
pub struct Blocks {
    ranges: Vec<Range<usize>>,
    country: Vec<u16>,
    /// For each area id of the candidates, the countries it belongs to (an area is
    /// a hash: nothing may assume it names one country).
    area_countries: HashMap<u32, Vec<u16>>,
}

impl Blocks {
    /// The order that makes blocks: by country, then [`order_key`], then position.
    /// Returns indices into
    /// `positions` (fiche positions in `fiches`).
    pub fn order(fiches: &[MatchFeatures], positions: &[usize]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..positions.len()).collect();
        order.sort_by_key(|&i| {
            let fiche = &fiches[positions[i]];
            (fiche.country.index(), order_key(fiche), positions[i])
        });
        order
    }

    /// The blocks of `columns`, which are in [`Blocks::order`].
    pub fn of(columns: &Columns) -> Blocks {
        let mut ranges = Vec::new();
        let mut start = 0;
        for i in 1..=columns.len() {
            if i == columns.len()
                || i - start == BLOCK
                || columns.country[i] != columns.country[start]
            {
                ranges.push(start..i);
                start = i;
            }
        }
        let country = ranges.iter().map(|r| columns.country[r.start]).collect();
        let mut area_countries: HashMap<u32, Vec<u16>> = HashMap::new();
        for (i, &area) in columns.area.iter().enumerate() {
            if area != NONE_U32 {
                let list = area_countries.entry(area).or_default();
                if !list.contains(&columns.country[i]) {
                    list.push(columns.country[i]);
                }
            }
        }
        Blocks {
            ranges,
            country,
            area_countries,
        }
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// The candidates of block `b`.
    pub fn range(&self, b: usize) -> Range<usize> {
        self.ranges[b].clone()
    }

    /// The country (index) of block `b`'s candidates.
    pub fn country(&self, b: usize) -> usize {
        usize::from(self.country[b])
    }

    /// The countries where candidates are in `area`.
    pub fn countries_of_area(&self, area: u32) -> &[u16] {
        self.area_countries.get(&area).map_or(&[], Vec::as_slice)
    }
}
