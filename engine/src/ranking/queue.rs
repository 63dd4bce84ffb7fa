//! The size of the review queue over all its pages, without ranking anyone.
//!
//! The queue (`corpus::review`) gives each French fiche its best suggestions that no
//! decision has settled, at most `per_fiche` of them. Suggestions are drawn from the
//! foreign candidates the filters admit, less the fiche's partners and vetoed pairs;
//! asking for `per_fiche` plus the number of settled partners and dropping the
//! settled ones leaves `min(per_fiche, |admitted \ (partners ∪ settled)|)` — whatever
//! the scores. So the count needs the admitted set once and, per French fiche, only
//! its partners and settled pairs.

use std::collections::HashMap;

use super::columns::Columns;
use super::{CandidateFilters, Matcher};
use crate::fiche::{FicheId, Side};

impl Matcher {
    /// How many pairs the review queue holds: for each French fiche of the région
    /// `region` (all French fiches when `None`), `min(per_fiche, n)` where `n` counts
    /// the foreign candidates `filters` admit that are neither its partners nor in
    /// `settled[id]` (the partners of its decided pairs, rejections included).
    pub fn queue_size(
        &self,
        region: Option<&str>,
        filters: &CandidateFilters,
        per_fiche: usize,
        settled: &HashMap<FicheId, Vec<FicheId>>,
    ) -> u64 {
        let mut admitted = vec![false; self.fiches.len()];
        let mut candidates = 0usize;
        for i in 0..self.foreign.fiche.len() {
            if passes(filters, &self.foreign, i) {
                admitted[self.foreign.fiche[i] as usize] = true;
                candidates += 1;
            }
        }
        let mut total = 0u64;
        for (id, &slot) in &self.by_id {
            let fiche = &self.fiches[slot as usize];
            if fiche.side != Side::French
                || region.is_some_and(|r| fiche.region.as_deref() != Some(r))
            {
                continue;
            }
            let mut taken: Vec<u32> = self.links[slot as usize]
                .iter()
                .copied()
                .chain(
                    settled
                        .get(id)
                        .into_iter()
                        .flatten()
                        .filter_map(|partner| self.by_id.get(partner).copied()),
                )
                .filter(|&other| admitted[other as usize])
                .collect();
            taken.sort_unstable();
            taken.dedup();
            total += per_fiche.min(candidates - taken.len()) as u64;
        }
        total
    }
}

/// Whether candidate `i` passes the filters: the kernel's test (`QueryPlan::admits`)
/// without its exclusions.
fn passes(filters: &CandidateFilters, c: &Columns, i: usize) -> bool {
    filters
        .country
        .is_none_or(|country| usize::from(c.country[i]) == country.index())
        && filters.level.is_none_or(|level| c.level[i] == level)
        && filters.theme.is_none_or(|theme| {
            let t = &c.themes[i];
            (t.offer.bits() | t.request.bits() | t.profile.bits()) & theme.bit() != 0
        })
        && (filters.min_population.unwrap_or(0)..=filters.max_population.unwrap_or(u64::MAX))
            .contains(&c.population[i])
        && filters
            .updated_since
            .is_none_or(|day| c.updated_day[i] >= super::columns::day_number(day))
}
