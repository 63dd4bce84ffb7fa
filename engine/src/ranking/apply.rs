//! Incremental writes: [`Matcher::apply`] changes what a few fiches change, at a cost
//! proportional to them and not to the corpus.
//!
//! A fiche keeps its *slot* in the matcher's vectors from insertion to deletion (a
//! freed slot is reused); ties are broken by an order key that sorts like the id
//! ([`super::id_order`]), so rankings do not depend on slots. Removing a fiche
//! undoes everything it contributed: its column entry (swap-remove: the last
//! candidate moves into its place), its links in both directions, its partnerships in
//! the corpus context, its région's use count. Inserting does the reverse. When a
//! fiche's area appears, changes or goes, the fiches naming it as an active partner
//! get their partner areas again.
//!
//! Invariant (tested against a fresh build on the final corpus, with the same
//! vocabulary): after any sequence of writes, every suggestion, total and breakdown
//! is the one a matcher built from scratch would give.

use std::collections::HashMap;

use rayon::prelude::*;

use super::Matcher;
use super::build::{active_partner_ids, analyse_fiche, derived_of};
use super::columns::{Columns, NONE_U16, NONE_U32};
use super::id_order::{IdOrder, Moved};
use crate::fiche::{Fiche, FicheId, Side};
use crate::scoring::{AreaId, MatchFeatures};

/// What writes need beside the matcher's scoring data.
#[derive(Debug)]
pub(super) struct WriteIndex {
    /// Order keys of the fiches (the kernel's tie-break).
    pub order: IdOrder,
    /// Slots of deleted fiches, reused first.
    free: Vec<u32>,
    /// The index of each slot in its side's columns, or [`NONE_U32`] (no open call,
    /// or a free slot).
    column: Vec<u32>,
    /// For an id (in the corpus or not), the slots of the fiches naming it as a
    /// partner.
    named_by: HashMap<FicheId, Vec<u32>>,
    /// The ids of the active partnerships of each slot that has some, in order.
    active: HashMap<u32, Vec<FicheId>>,
    /// Index of each région in the matcher's list, and how many fiches name it.
    region_index: HashMap<String, u16>,
    region_users: Vec<u32>,
    /// Indices of régions no fiche names any more, reused first.
    free_regions: Vec<u16>,
}

impl WriteIndex {
    /// The index of a matcher built in one go (slots `0..features.len()`, in use).
    pub fn new(
        features: &[MatchFeatures],
        active: Vec<Vec<FicheId>>,
        order: IdOrder,
        regions: &[String],
        [french, foreign]: [&Columns; 2],
    ) -> WriteIndex {
        let mut column = vec![NONE_U32; features.len()];
        for columns in [french, foreign] {
            for (i, &slot) in columns.fiche.iter().enumerate() {
                column[slot as usize] = i as u32;
            }
        }
        let mut named_by: HashMap<FicheId, Vec<u32>> = HashMap::new();
        for (slot, fiche) in features.iter().enumerate() {
            for partner in &fiche.partner_ids {
                named_by
                    .entry(partner.clone())
                    .or_default()
                    .push(slot as u32);
            }
        }
        let region_index: HashMap<String, u16> = regions
            .iter()
            .enumerate()
            .filter(|&(i, _)| i < NONE_U16 as usize)
            .map(|(i, r)| (r.clone(), i as u16))
            .collect();
        let mut region_users = vec![0; regions.len()];
        for region in features.iter().filter_map(|f| f.region.as_ref()) {
            if let Some(&i) = region_index.get(region) {
                region_users[i as usize] += 1;
            }
        }
        WriteIndex {
            order,
            free: Vec::new(),
            column,
            named_by,
            active: active
                .into_iter()
                .enumerate()
                .filter(|(_, ids)| !ids.is_empty())
                .map(|(slot, ids)| (slot as u32, ids))
                .collect(),
            region_index,
            region_users,
            free_regions: Vec::new(),
        }
    }
}

/// A write analysed by [`Matcher::prepare`], to be committed by [`Matcher::commit`].
#[derive(Debug)]
pub struct PreparedWrite {
    /// Every id deleted or upserted, sorted.
    touched: Vec<FicheId>,
    /// The area of each touched id after the write (`None`: none, or deleted).
    areas: HashMap<FicheId, Option<AreaId>>,
    /// The upserted fiches' features and active partnerships.
    fresh: Vec<(MatchFeatures, Vec<FicheId>)>,
}

/// Adds `slot` to a sorted list of slots.
fn insert_sorted(list: &mut Vec<u32>, slot: u32) {
    if let Err(at) = list.binary_search(&slot) {
        list.insert(at, slot);
    }
}

impl Matcher {
    /// Applies upserts and deletions, in place: [`prepare`](Self::prepare) then
    /// [`commit`](Self::commit).
    pub fn apply(&mut self, upserts: &[Fiche], deletes: &[FicheId]) {
        let write = self.prepare(upserts, deletes);
        self.commit(write);
    }

    /// The expensive part of a write, through a shared reference (a caller holding
    /// the matcher behind a lock needs only its read side): the changed fiches
    /// analysed against the vocabulary of the first build (document frequencies are
    /// not recounted: a few changes do not move them) and their features computed
    /// with the areas as they will be once the write is committed. The last upsert
    /// of an id wins; an id both deleted and upserted is upserted. Unknown ids among
    /// `deletes` are ignored. Valid for [`commit`](Self::commit) as long as the
    /// matcher does not change in between.
    pub fn prepare(&self, upserts: &[Fiche], deletes: &[FicheId]) -> PreparedWrite {
        let mut last: HashMap<&FicheId, usize> = HashMap::new();
        for (i, fiche) in upserts.iter().enumerate() {
            last.insert(&fiche.id, i);
        }
        let upserts: Vec<&Fiche> = upserts
            .iter()
            .enumerate()
            .filter(|(i, f)| last[&f.id] == *i)
            .map(|(_, f)| f)
            .collect();
        let mut touched: Vec<FicheId> = deletes
            .iter()
            .chain(upserts.iter().map(|f| &f.id))
            .cloned()
            .collect();
        touched.sort();
        touched.dedup();
        // The areas after the write: deletions first, then upserts (which win).
        let mut areas: HashMap<FicheId, Option<AreaId>> = HashMap::new();
        for id in deletes {
            areas.insert(id.clone(), None);
        }
        for fiche in &upserts {
            areas.insert(fiche.id.clone(), AreaId::of_fiche(fiche));
        }
        let (today, vocabulary) = (self.context.today, &self.vocabulary);
        let area_of = |id: &FicheId| match areas.get(id) {
            Some(changed) => *changed,
            None => self.areas.get(id).copied(),
        };
        let fresh: Vec<(MatchFeatures, Vec<FicheId>)> = self.pool.install(|| {
            upserts
                .par_iter()
                .map(|fiche| {
                    let derived = derived_of(analyse_fiche(fiche), vocabulary);
                    let features = MatchFeatures::new(fiche, today, derived, &area_of);
                    (features, active_partner_ids(fiche))
                })
                .collect()
        });
        PreparedWrite {
            touched,
            areas,
            fresh,
        }
    }

    /// The cheap part of a write, in place: the prepared fiches take the place of
    /// the old ones, and the fiches naming a fiche whose area changed get their
    /// partner areas again.
    pub fn commit(&mut self, write: PreparedWrite) {
        let PreparedWrite {
            touched,
            areas,
            fresh,
        } = write;
        let old_areas: Vec<Option<AreaId>> = touched
            .iter()
            .map(|id| self.areas.get(id).copied())
            .collect();
        for (id, area) in areas {
            match area {
                Some(area) => self.areas.insert(id, area),
                None => self.areas.remove(&id),
            };
        }
        for id in &touched {
            if let Some(&slot) = self.by_id.get(id) {
                self.remove_slot(slot);
            }
        }
        for (features, active) in fresh {
            self.insert(features, active);
        }
        for (id, old) in touched.iter().zip(old_areas) {
            if self.areas.get(id).copied() != old {
                let namers = self.writes.named_by.get(id).cloned().unwrap_or_default();
                for slot in namers {
                    self.refresh_partner_areas(slot);
                }
            }
        }
    }

    /// The index of the fiche in `slot` in its side's columns, if it is there (an
    /// open call).
    pub(super) fn column_of(&self, slot: u32) -> Option<usize> {
        let column = *self.writes.column.get(slot as usize)?;
        (column != NONE_U32).then_some(column as usize)
    }

    /// Room for a sixteenth more fiches: without it the first insertion after a build
    /// would grow every vector and map at once (a pause of ~150 ms at 199k fiches).
    pub(super) fn reserve_for_writes(&mut self) {
        let more = self.fiches.len() / 16 + 256;
        self.fiches.reserve(more);
        self.links.reserve(more);
        self.by_id.reserve(more);
        self.writes.column.reserve(more);
        self.writes.order.reserve(more);
        self.french.reserve(more);
        self.foreign.reserve(more);
    }

    fn columns_mut(&mut self, side: Side) -> &mut Columns {
        match side {
            Side::French => &mut self.french,
            Side::Foreign => &mut self.foreign,
        }
    }

    /// Takes the fiche in `slot` out of everything; the slot is freed.
    fn remove_slot(&mut self, slot: u32) {
        let s = slot as usize;
        let fiche = &self.fiches[s];
        let (id, side, region) = (fiche.id.clone(), fiche.side, fiche.region.clone());
        let partners = fiche.partner_ids.clone();
        self.context.remove(&self.fiches[s]);
        let column = std::mem::replace(&mut self.writes.column[s], NONE_U32);
        if column != NONE_U32
            && let Some(moved) = self.columns_mut(side).swap_remove(column as usize)
        {
            self.writes.column[moved as usize] = column;
        }
        for other in std::mem::take(&mut self.links[s]) {
            self.links[other as usize].retain(|&x| x != slot);
        }
        for partner in &partners {
            if let Some(namers) = self.writes.named_by.get_mut(partner) {
                namers.retain(|&x| x != slot);
                if namers.is_empty() {
                    self.writes.named_by.remove(partner);
                }
            }
        }
        self.writes.active.remove(&slot);
        if let Some(region) = region {
            self.release_region(&region);
        }
        self.writes.order.remove(&id);
        self.by_id.remove(&id);
        self.writes.free.push(slot);
    }

    /// Puts a fiche in a free slot (or a new one) and into everything.
    fn insert(&mut self, features: MatchFeatures, active: Vec<FicheId>) {
        let slot = match self.writes.free.pop() {
            Some(slot) => {
                self.fiches[slot as usize] = features;
                slot
            }
            None => {
                self.fiches.push(features);
                self.links.push(Vec::new());
                self.writes.column.push(NONE_U32);
                (self.fiches.len() - 1) as u32
            }
        };
        let s = slot as usize;
        let id = self.fiches[s].id.clone();
        self.by_id.insert(id.clone(), slot);
        // The columns keep copies of the keys that moved to make room.
        match self.writes.order.insert(&id, slot) {
            Moved::None => {}
            Moved::Some(slots) => {
                for moved in slots {
                    let column = self.writes.column[moved as usize];
                    if column != NONE_U32 {
                        let key = self.writes.order.key(moved);
                        let side = self.fiches[moved as usize].side;
                        self.columns_mut(side).order[column as usize] = key;
                    }
                }
            }
            Moved::All => {
                for columns in [&mut self.french, &mut self.foreign] {
                    for (key, &fiche) in columns.order.iter_mut().zip(&columns.fiche) {
                        *key = self.writes.order.key(fiche);
                    }
                }
            }
        }
        let mut links: Vec<u32> = Vec::new();
        for partner in &self.fiches[s].partner_ids {
            if let Some(&other) = self.by_id.get(partner)
                && other != slot
            {
                links.push(other);
            }
        }
        links.extend(self.writes.named_by.get(&id).into_iter().flatten());
        links.sort_unstable();
        links.dedup();
        for &other in &links {
            insert_sorted(&mut self.links[other as usize], slot);
        }
        self.links[s] = links;
        for partner in &self.fiches[s].partner_ids {
            self.writes
                .named_by
                .entry(partner.clone())
                .or_default()
                .push(slot);
        }
        if !active.is_empty() {
            self.writes.active.insert(slot, active);
        }
        self.context.add(&self.fiches[s]);
        let region = match self.fiches[s].region.clone() {
            Some(region) => self.acquire_region(region),
            None => NONE_U16,
        };
        let fiche = &self.fiches[s];
        if fiche.suggestible() {
            let key = self.writes.order.key(slot);
            let columns = match fiche.side {
                Side::French => &mut self.french,
                Side::Foreign => &mut self.foreign,
            };
            columns.push(fiche, slot, key, region);
            self.writes.column[s] = (columns.len() - 1) as u32;
        }
    }

    /// Reads again the areas of the active partners of the fiche in `slot`.
    fn refresh_partner_areas(&mut self, slot: u32) {
        let areas: Vec<AreaId> = self
            .writes
            .active
            .get(&slot)
            .into_iter()
            .flatten()
            .filter_map(|id| self.areas.get(id).copied())
            .collect();
        let s = slot as usize;
        let column = self.writes.column[s];
        if column != NONE_U32 && self.fiches[s].side == Side::French {
            self.french.set_partner_areas(column as usize, &areas);
        }
        self.fiches[s].partner_areas = areas;
    }

    /// The index of `region` in the région list, counting one more fiche naming it.
    fn acquire_region(&mut self, region: String) -> u16 {
        let writes = &mut self.writes;
        if let Some(&i) = writes.region_index.get(&region) {
            writes.region_users[i as usize] += 1;
            return i;
        }
        let i = match writes.free_regions.pop() {
            Some(i) => i,
            // As many régions as a u16 can name: this one pools with none.
            None if self.regions.len() >= NONE_U16 as usize => return NONE_U16,
            None => {
                self.regions.push(String::new());
                writes.region_users.push(0);
                (self.regions.len() - 1) as u16
            }
        };
        writes.region_users[i as usize] = 1;
        self.regions[i as usize] = region.clone();
        writes.region_index.insert(region, i);
        i
    }

    /// One fiche fewer names `region`; a région no fiche names frees its index.
    fn release_region(&mut self, region: &str) {
        let Some(&i) = self.writes.region_index.get(region) else {
            return;
        };
        let users = &mut self.writes.region_users[i as usize];
        *users -= 1;
        if *users == 0 {
            self.writes.region_index.remove(region);
            self.writes.free_regions.push(i);
            self.regions[i as usize].clear();
        }
    }
}

#[cfg(test)]
impl Matcher {
    /// Nothing of any fiche is left: links, namers, partnerships, régions, context.
    pub(super) fn writes_are_empty(&self) -> bool {
        let countries = crate::reference::Countries::get().all();
        self.links.iter().all(Vec::is_empty)
            && self.writes.named_by.is_empty()
            && self.writes.active.is_empty()
            && self.writes.region_index.is_empty()
            && self.writes.region_users.iter().all(|&n| n == 0)
            && countries
                .iter()
                .all(|c| self.context.french_links(c.code) == 0)
    }
}
