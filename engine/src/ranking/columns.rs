//! The ranking kernel's data: for each side, the fiches that can be suggested (open
//! call, an offer or a request: `MatchFeatures::suggestible`) as parallel columns of plain numbers, in a dense order — no strings, no
//! pointers, a few dozen bytes per candidate read front to back.

use crate::fiche::{Level, Side};
use crate::reference::Countries;
use crate::scoring::thematic::ThemeSide;
use crate::scoring::{AreaId, MatchFeatures};

/// A set of countries as a bitset over the countries table (250 rows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountrySet([u64; 4]);

impl CountrySet {
    pub fn insert(&mut self, index: usize) {
        self.0[index / 64] |= 1 << (index % 64);
    }

    #[inline]
    pub fn contains(&self, index: usize) -> bool {
        self.0[index / 64] & (1 << (index % 64)) != 0
    }
}

/// Marks a value as absent in `u32` and `u16` columns.
pub const NONE_U32: u32 = u32::MAX;
pub const NONE_U16: u16 = u16::MAX;

/// The candidates of one side.
#[derive(Debug, Default)]
pub struct Columns {
    /// Slot of each candidate in the matcher's fiches.
    pub fiche: Vec<u32>,
    /// Tie-break key of each candidate: sorts like its id (the matcher's order key;
    /// the slot in columns made by [`Columns::of`]).
    pub order: Vec<u32>,
    pub themes: Vec<ThemeSide>,
    pub country: Vec<u16>,
    pub level: Vec<Level>,
    /// `ln(population)`, NaN when unknown.
    pub ln_population: Vec<f64>,
    pub population: Vec<u64>,
    pub languages: Vec<u8>,
    /// Foreign side: the candidate's area (`AreaId` bits), or [`NONE_U32`].
    pub area: Vec<u32>,
    /// The day of the candidate's last update ([`day_number`]), or `i32::MIN` when
    /// its fiche does not say: the freshness filter.
    pub updated_day: Vec<i32>,
    /// French side: index of the région in the matcher's région list, or [`NONE_U16`].
    pub region: Vec<u16>,
    /// French side: countries of active partnerships, diaspora and other actors.
    pub partner_countries: Vec<CountrySet>,
    pub diaspora: Vec<CountrySet>,
    pub other_actors: Vec<CountrySet>,
    /// French side: areas of active partnerships, `partner_areas[start..end]` for
    /// `(start, end) = partner_area_ranges[i]`. A candidate whose areas change gets a
    /// new range at the end; the old one is garbage until [`Columns::compact_areas`].
    pub partner_area_ranges: Vec<(u32, u32)>,
    pub partner_areas: Vec<u32>,
    garbage_areas: usize,
}

pub fn country_set(countries: &[crate::reference::CountryCode]) -> CountrySet {
    let mut set = CountrySet::default();
    for country in countries {
        set.insert(country.index());
    }
    set
}

/// A day as a number that orders like dates (days since 1970-01-01).
pub fn day_number(day: chrono::NaiveDate) -> i32 {
    (day - chrono::NaiveDate::default()).num_days() as i32
}

/// The région index of a French fiche in `regions`.
fn region_index(fiche: &MatchFeatures, regions: &[String]) -> u16 {
    fiche
        .region
        .as_ref()
        .and_then(|r| regions.iter().position(|x| x == r))
        .filter(|&r| r < NONE_U16 as usize)
        .map_or(NONE_U16, |r| r as u16)
}

impl Columns {
    /// The candidates of `side` among `fiches` (slots `0..fiches.len()`, all in use):
    /// those that can be suggested, in slot order, each with its order key.
    pub fn build(
        fiches: &[MatchFeatures],
        side: Side,
        regions: &[String],
        order: &dyn Fn(u32) -> u32,
    ) -> Columns {
        let mut columns = Columns::default();
        for (slot, fiche) in fiches.iter().enumerate() {
            if fiche.side == side && fiche.suggestible() {
                let region = region_index(fiche, regions);
                columns.push(fiche, slot as u32, order(slot as u32), region);
            }
        }
        columns
    }

    /// The columns of the fiches at `positions` (all of `side`), calls or not; the
    /// order key is the slot.
    pub fn of(
        fiches: &[MatchFeatures],
        positions: impl IntoIterator<Item = usize>,
        side: Side,
        regions: &[String],
    ) -> Columns {
        let mut columns = Columns::default();
        for position in positions {
            let fiche = &fiches[position];
            debug_assert_eq!(fiche.side, side);
            let region = region_index(fiche, regions);
            columns.push(fiche, position as u32, position as u32, region);
        }
        columns
    }

    /// Appends a candidate: the fiche in `slot`, with its order key and (French side)
    /// the index of its région.
    pub fn push(&mut self, fiche: &MatchFeatures, slot: u32, order: u32, region: u16) {
        debug_assert!(Countries::get().all().len() <= 256);
        self.fiche.push(slot);
        self.order.push(order);
        self.themes.push(ThemeSide::of(fiche));
        self.country.push(fiche.country.index() as u16);
        self.level.push(fiche.level);
        self.ln_population
            .push(fiche.ln_population.unwrap_or(f64::NAN));
        self.population.push(fiche.population.unwrap_or(0));
        self.languages.push(fiche.languages);
        self.area.push(fiche.area.map_or(NONE_U32, AreaId::bits));
        self.updated_day
            .push(fiche.updated_on.map_or(i32::MIN, day_number));
        if fiche.side == Side::French {
            self.region.push(region);
            self.partner_countries
                .push(country_set(&fiche.partner_countries));
            self.diaspora.push(country_set(&fiche.diaspora));
            self.other_actors.push(country_set(&fiche.other_actors));
            let start = self.partner_areas.len() as u32;
            self.partner_areas
                .extend(fiche.partner_areas.iter().map(|&a| a.bits()));
            self.partner_area_ranges
                .push((start, self.partner_areas.len() as u32));
        }
    }

    /// Removes candidate `i`, moving the last one into its place: returns the slot
    /// of the candidate moved (now at `i`), if any.
    pub fn swap_remove(&mut self, i: usize) -> Option<u32> {
        let last = self.len() - 1;
        self.fiche.swap_remove(i);
        self.order.swap_remove(i);
        self.themes.swap_remove(i);
        self.country.swap_remove(i);
        self.level.swap_remove(i);
        self.ln_population.swap_remove(i);
        self.population.swap_remove(i);
        self.languages.swap_remove(i);
        self.area.swap_remove(i);
        self.updated_day.swap_remove(i);
        if !self.partner_area_ranges.is_empty() {
            let (start, end) = self.partner_area_ranges.swap_remove(i);
            self.garbage_areas += (end - start) as usize;
            self.region.swap_remove(i);
            self.partner_countries.swap_remove(i);
            self.diaspora.swap_remove(i);
            self.other_actors.swap_remove(i);
            self.compact_areas_if_wasteful();
        }
        (i < last).then(|| self.fiche[i])
    }

    /// French side: the areas where candidate `i` now has partners.
    pub fn set_partner_areas(&mut self, i: usize, areas: &[AreaId]) {
        let (start, end) = self.partner_area_ranges[i];
        self.garbage_areas += (end - start) as usize;
        let start = self.partner_areas.len() as u32;
        self.partner_areas.extend(areas.iter().map(|&a| a.bits()));
        self.partner_area_ranges[i] = (start, self.partner_areas.len() as u32);
        self.compact_areas_if_wasteful();
    }

    /// Rewrites the partner areas without garbage once garbage outweighs them, so
    /// that their memory stays proportional to the live ones (amortised O(1)).
    fn compact_areas_if_wasteful(&mut self) {
        if self.garbage_areas <= self.partner_areas.len() / 2 + 1024 {
            return;
        }
        self.compact_areas();
    }

    pub fn compact_areas(&mut self) {
        let mut areas = Vec::with_capacity(self.partner_areas.len() - self.garbage_areas);
        for range in &mut self.partner_area_ranges {
            let start = areas.len() as u32;
            areas.extend_from_slice(&self.partner_areas[range.0 as usize..range.1 as usize]);
            *range = (start, areas.len() as u32);
        }
        self.partner_areas = areas;
        self.garbage_areas = 0;
    }

    pub fn len(&self) -> usize {
        self.fiche.len()
    }

    /// Room for `more` candidates.
    pub fn reserve(&mut self, more: usize) {
        self.fiche.reserve(more);
        self.order.reserve(more);
        self.themes.reserve(more);
        self.country.reserve(more);
        self.level.reserve(more);
        self.ln_population.reserve(more);
        self.population.reserve(more);
        self.languages.reserve(more);
        self.area.reserve(more);
        self.updated_day.reserve(more);
        if !self.partner_area_ranges.is_empty() {
            self.region.reserve(more);
            self.partner_countries.reserve(more);
            self.diaspora.reserve(more);
            self.other_actors.reserve(more);
            self.partner_area_ranges.reserve(more);
        }
    }

    /// French side: the areas where candidate `i` has partners.
    #[inline]
    pub fn partner_areas_of(&self, i: usize) -> &[u32] {
        let (start, end) = self.partner_area_ranges[i];
        &self.partner_areas[start as usize..end as usize]
    }
}
