//! The ranking kernel: one query's fixed parts folded into tables, then a scan over a
//! side's columns computing each candidate's total with the criteria's own `value`
//! functions — the same arithmetic as the explanations, so a suggestion's total is
//! bit for bit the total of its breakdown.
//!
//! The scan is compiled twice: once for the baseline target and once with POPCNT and
//! AVX2 enabled; the best the CPU supports is chosen at run time (no
//! `target-cpu=native` needed).

use std::collections::HashMap;
use std::ops::{Range, RangeInclusive};

use super::columns::{Columns, NONE_U16, NONE_U32, country_set};
use super::top_k::{Scored, TopK};
use super::{CandidateFilters, Matcher};
use crate::fiche::{Level, Side};
use crate::reference::Countries;
use crate::scoring::thematic::ThemeSide;
use crate::scoring::{Criterion, MatchFeatures, Weights, geography, size, thematic};

/// Everything about one query that does not depend on the candidate.
#[derive(Debug)]
pub struct QueryPlan<'m> {
    pub columns: &'m Columns,
    french_query: bool,
    pub(super) themes: ThemeSide,
    pub(super) ln_population: Option<f64>,
    pub(super) level: Level,
    pub(super) languages: u8,
    /// The weights divided by their sum.
    pub(super) normalized: [f64; 4],
    filter_country: u16,
    filter_level: Option<Level>,
    filter_themes: u32,
    /// The population filter; `None` when there is none, so that the scan does not
    /// read the population column for nothing.
    population: Option<RangeInclusive<u64>>,
    /// Candidates last updated before this day ([`super::columns::day_number`]) are
    /// left out; `i32::MIN` keeps them all.
    min_updated_day: i32,
    /// Fiche positions never to suggest (partners, vetoed), sorted.
    excluded: Vec<u32>,
    // A French query: per country index.
    pub(super) pool_by_country: Vec<f64>,
    pub(super) diaspora_by_country: Vec<f64>,
    pub(super) partner_areas: Vec<u32>,
    pub(super) underserved_by_country: &'m [f64],
    // A foreign query.
    country: usize,
    area: u32,
    region_links: Vec<u32>,
    underserved: f64,
}

impl<'m> QueryPlan<'m> {
    /// A query against the suggestible fiches of the other side.
    pub fn new(
        matcher: &'m Matcher,
        query: &MatchFeatures,
        filters: &CandidateFilters,
        weights: Weights,
        excluded: Vec<u32>,
    ) -> QueryPlan<'m> {
        let columns = if query.side == Side::French {
            &matcher.foreign
        } else {
            &matcher.french
        };
        QueryPlan::over(matcher, columns, query, filters, weights, excluded)
    }

    /// A query against given columns (of the other side).
    pub fn over(
        matcher: &'m Matcher,
        columns: &'m Columns,
        query: &MatchFeatures,
        filters: &CandidateFilters,
        weights: Weights,
        mut excluded: Vec<u32>,
    ) -> QueryPlan<'m> {
        excluded.sort_unstable();
        excluded.dedup();
        let french_query = query.side == Side::French;
        let context = &matcher.context;
        let countries = Countries::get().all();
        let (mut pool_by_country, mut diaspora_by_country, mut partner_areas) =
            (Vec::new(), Vec::new(), Vec::new());
        if french_query {
            let partners = country_set(&query.partner_countries);
            let diaspora = country_set(&query.diaspora);
            let others = country_set(&query.other_actors);
            // The région's row looked up once, not once per country (a cross product
            // plans every French fiche of its scope).
            let links_by_country = query
                .region
                .as_deref()
                .and_then(|r| context.region_links_by_country(r));
            for country in countries {
                let i = country.code.index();
                let links = links_by_country.map_or(0, |links| links[i]);
                pool_by_country.push(geography::pooling(false, partners.contains(i), links));
                diaspora_by_country.push(geography::diaspora(
                    diaspora.contains(i),
                    others.contains(i),
                ));
            }
            partner_areas = query.partner_areas.iter().map(|a| a.bits()).collect();
            partner_areas.sort_unstable();
        }
        let region_links = if french_query {
            Vec::new()
        } else {
            matcher
                .regions
                .iter()
                .map(|region| context.region_links(region, query.country))
                .collect()
        };
        QueryPlan {
            columns,
            french_query,
            themes: ThemeSide::of(query),
            ln_population: query.ln_population,
            level: query.level,
            languages: query.languages,
            normalized: weights.normalized(),
            filter_country: filters.country.map_or(NONE_U16, |c| c.index() as u16),
            filter_level: filters.level,
            filter_themes: filters.theme.map_or(0, |t| t.bit()),
            population: (filters.min_population.is_some() || filters.max_population.is_some())
                .then(|| {
                    filters.min_population.unwrap_or(0)..=filters.max_population.unwrap_or(u64::MAX)
                }),
            min_updated_day: filters
                .updated_since
                .map_or(i32::MIN, super::columns::day_number),
            excluded,
            pool_by_country,
            diaspora_by_country,
            partner_areas,
            underserved_by_country: context.underserved_table(),
            country: query.country.index(),
            area: query.area.map_or(NONE_U32, |a| a.bits()),
            region_links,
            underserved: context.underserved(query.country),
        }
    }

    /// Whether candidate `i` passes the filters and is not excluded.
    #[inline(always)]
    pub(super) fn admits(&self, i: usize) -> bool {
        self.passes_filters(i)
            && (self.excluded.is_empty()
                || self.excluded.binary_search(&self.columns.fiche[i]).is_err())
    }

    /// Whether candidate `i` passes the filters (exclusions aside).
    #[inline(always)]
    pub(super) fn passes_filters(&self, i: usize) -> bool {
        let c = self.columns;
        (self.filter_country == NONE_U16 || c.country[i] == self.filter_country)
            && self.filter_level.is_none_or(|level| c.level[i] == level)
            && (self.filter_themes == 0 || {
                let t = &c.themes[i];
                (t.offer.bits() | t.request.bits() | t.profile.bits()) & self.filter_themes != 0
            })
            && (self.population.as_ref()).is_none_or(|range| range.contains(&c.population[i]))
            && (self.min_updated_day == i32::MIN || c.updated_day[i] >= self.min_updated_day)
    }

    /// The total of candidate `i`.
    #[inline(always)]
    pub fn total(&self, i: usize) -> f64 {
        let (themes, [geography, size, underserved]) = self.parts(i);
        let thematic = thematic::value(themes.0, themes.1);
        Weights::total_normalized(&self.normalized, [thematic, geography, size, underserved])
    }

    /// The total of candidate `i` if it can reach `floor`: the cheap criteria and a
    /// bound on the thematic one come first, and the text similarity is computed only
    /// when the bound may reach the floor. The total returned is computed exactly as
    /// [`QueryPlan::total`] computes it.
    #[inline(always)]
    pub(super) fn total_above(&self, i: usize, floor: f64) -> Option<f64> {
        let (themes, [geography, size, underserved]) = self.parts(i);
        let others =
            Weights::total_normalized(&self.normalized, [0.0, geography, size, underserved]);
        let thematic_weight = self.normalized[Criterion::Thematic as usize];
        if !thematic::bound_may_reach(themes.0, themes.1, thematic_weight, floor - others) {
            return None;
        }
        let thematic = thematic::value(themes.0, themes.1);
        Some(Weights::total_normalized(
            &self.normalized,
            [thematic, geography, size, underserved],
        ))
    }

    /// What the total of candidate `i` is made of: the two sides of the thematic
    /// criterion (French side first), and the scores of geography, size and
    /// under-served.
    #[inline(always)]
    fn parts(&self, i: usize) -> ((&ThemeSide, &ThemeSide), [f64; 3]) {
        let c = self.columns;
        let ln = c.ln_population[i];
        let ln = (!ln.is_nan()).then_some(ln);
        let shared_language = self.languages & c.languages[i] != 0;
        // (French side, foreign side) for the thematic criterion, then the others.
        if self.french_query {
            let country = c.country[i] as usize;
            let area = c.area[i];
            let pool = if area != NONE_U32 && self.partner_areas.binary_search(&area).is_ok() {
                geography::pooling(true, true, 0)
            } else {
                self.pool_by_country[country]
            };
            (
                (&self.themes, &c.themes[i]),
                [
                    geography::value(pool, self.diaspora_by_country[country], shared_language),
                    size::value(self.ln_population, ln, self.level, c.level[i]),
                    self.underserved_by_country[country],
                ],
            )
        } else {
            let same_area = self.area != NONE_U32 && c.partner_areas_of(i).contains(&self.area);
            let region = c.region[i];
            let links = if region == NONE_U16 {
                0
            } else {
                self.region_links[region as usize]
            };
            let pool = geography::pooling(
                same_area,
                c.partner_countries[i].contains(self.country),
                links,
            );
            let diaspora = geography::diaspora(
                c.diaspora[i].contains(self.country),
                c.other_actors[i].contains(self.country),
            );
            (
                (&c.themes[i], &self.themes),
                [
                    geography::value(pool, diaspora, shared_language),
                    size::value(ln, self.ln_population, c.level[i], self.level),
                    self.underserved,
                ],
            )
        }
    }

    #[inline(always)]
    fn scan_body(&self, range: Range<usize>, k: usize) -> TopK {
        let mut top = TopK::new(k);
        for i in range {
            if !self.admits(i) {
                continue;
            }
            if let Some(total) = self.total_above(i, top.floor())
                && top.admits(total)
            {
                // The order key, not the slot: ties are broken by id.
                top.push(Scored {
                    total,
                    position: self.columns.order[i],
                });
            }
        }
        top
    }

    #[inline(always)]
    fn scan_capped_body(&self, range: Range<usize>, cap: usize) -> HashMap<u16, TopK> {
        let mut by_country: HashMap<u16, TopK> = HashMap::new();
        for i in range {
            if self.admits(i) {
                let scored = Scored {
                    total: self.total(i),
                    position: self.columns.order[i],
                };
                by_country
                    .entry(self.columns.country[i])
                    .or_insert_with(|| TopK::new(cap))
                    .push(scored);
            }
        }
        by_country
    }

    /// The best `k` candidates of `range`, each with its column's order key (which
    /// sorts like the id) as its position.
    pub fn scan(&self, range: Range<usize>, k: usize, cpu: Cpu) -> TopK {
        match cpu {
            #[cfg(target_arch = "x86_64")]
            Cpu::Avx2 => {
                #[allow(unsafe_code)]
                // SAFETY: `Cpu::Avx2` is only ever detected at run time (`Cpu::detect`).
                unsafe {
                    self.scan_avx2(range, k)
                }
            }
            _ => self.scan_body(range, k),
        }
    }

    /// The best `cap` candidates of each country in `range`.
    pub fn scan_capped(&self, range: Range<usize>, cap: usize, cpu: Cpu) -> HashMap<u16, TopK> {
        match cpu {
            #[cfg(target_arch = "x86_64")]
            Cpu::Avx2 => {
                #[allow(unsafe_code)]
                // SAFETY: `Cpu::Avx2` is only ever detected at run time (`Cpu::detect`).
                unsafe {
                    self.scan_capped_avx2(range, cap)
                }
            }
            _ => self.scan_capped_body(range, cap),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt,avx2")]
    fn scan_avx2(&self, range: Range<usize>, k: usize) -> TopK {
        self.scan_body(range, k)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt,avx2")]
    fn scan_capped_avx2(&self, range: Range<usize>, cap: usize) -> HashMap<u16, TopK> {
        self.scan_capped_body(range, cap)
    }
}

/// The instruction set the kernel runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cpu {
    Baseline,
    /// POPCNT, AVX2 and FMA are available (FMA for the cross product's first pass,
    /// [`super::approximate_avx2`]; every CPU with AVX2 but a few VIA ones has it).
    Avx2,
}

impl Cpu {
    pub fn detect() -> Cpu {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("popcnt")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            return Cpu::Avx2;
        }
        Cpu::Baseline
    }
}
