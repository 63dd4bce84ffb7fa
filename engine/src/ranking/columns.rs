//! The ranking kernel's data: for each side, the fiches that can be suggested (open
//! call) as parallel columns of plain numbers, in a dense order — no strings, no
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
    /// Position of each candidate in the matcher's fiches.
    pub fiche: Vec<u32>,
    pub themes: Vec<ThemeSide>,
    pub country: Vec<u16>,
    pub level: Vec<Level>,
    /// `ln(population)`, NaN when unknown.
    pub ln_population: Vec<f64>,
    pub population: Vec<u64>,
    pub languages: Vec<u8>,
    /// Foreign side: the candidate's area (`AreaId` bits), or [`NONE_U32`].
    pub area: Vec<u32>,
    /// French side: index of the région in the matcher's région list, or [`NONE_U16`].
    pub region: Vec<u16>,
    /// French side: countries of active partnerships, diaspora and other actors.
    pub partner_countries: Vec<CountrySet>,
    pub diaspora: Vec<CountrySet>,
    pub other_actors: Vec<CountrySet>,
    /// French side: areas of active partnerships, `partner_areas[offsets[i]..offsets[i+1]]`.
    pub partner_area_offsets: Vec<u32>,
    pub partner_areas: Vec<u32>,
}

pub fn country_set(countries: &[crate::reference::CountryCode]) -> CountrySet {
    let mut set = CountrySet::default();
    for country in countries {
        set.insert(country.index());
    }
    set
}

impl Columns {
    /// The candidates of `side` among `fiches`: those with an open call.
    pub fn build(fiches: &[MatchFeatures], side: Side, regions: &[String]) -> Columns {
        let suggestible =
            (0..fiches.len()).filter(|&p| fiches[p].side == side && fiches[p].open_call);
        Columns::of(fiches, suggestible, side, regions)
    }

    /// The columns of the fiches at `positions` (all of `side`), calls or not.
    pub fn of(
        fiches: &[MatchFeatures],
        positions: impl IntoIterator<Item = usize>,
        side: Side,
        regions: &[String],
    ) -> Columns {
        debug_assert!(Countries::get().all().len() <= 256);
        let mut columns = Columns {
            partner_area_offsets: vec![0],
            ..Columns::default()
        };
        for position in positions {
            let fiche = &fiches[position];
            debug_assert_eq!(fiche.side, side);
            columns.fiche.push(position as u32);
            columns.themes.push(ThemeSide::of(fiche));
            columns.country.push(fiche.country.index() as u16);
            columns.level.push(fiche.level);
            columns
                .ln_population
                .push(fiche.ln_population.unwrap_or(f64::NAN));
            columns.population.push(fiche.population.unwrap_or(0));
            columns.languages.push(fiche.languages);
            columns.area.push(fiche.area.map_or(NONE_U32, AreaId::bits));
            if side == Side::French {
                let region = fiche
                    .region
                    .as_ref()
                    .and_then(|r| regions.iter().position(|x| x == r));
                columns.region.push(region.map_or(NONE_U16, |r| r as u16));
                columns
                    .partner_countries
                    .push(country_set(&fiche.partner_countries));
                columns.diaspora.push(country_set(&fiche.diaspora));
                columns.other_actors.push(country_set(&fiche.other_actors));
                columns
                    .partner_areas
                    .extend(fiche.partner_areas.iter().map(|&a| a.bits()));
                columns
                    .partner_area_offsets
                    .push(columns.partner_areas.len() as u32);
            }
        }
        columns
    }

    pub fn len(&self) -> usize {
        self.fiche.len()
    }

    /// French side: the areas where candidate `i` has partners.
    #[inline]
    pub fn partner_areas_of(&self, i: usize) -> &[u32] {
        let (start, end) = (
            self.partner_area_offsets[i],
            self.partner_area_offsets[i + 1],
        );
        &self.partner_areas[start as usize..end as usize]
    }
}
