//! A first pass for the cross product: every pair of a block gets an approximate
//! total in `f32`, computed branch-free over plain arrays so that the compiler
//! vectorises it (eight pairs at a time with AVX2). It is not the total a pair is
//! ranked by — that one is computed in `f64` by the kernel, bit for bit as `suggest`
//! and the explanations do — only a filter: a pair whose approximate total is below
//! the floors in play, by more than [`ERROR`], cannot be kept, and the exact total is
//! computed for the others only (well under 1 % of the pairs of the national cross
//! product).
//!
//! Two steps: every criterion but the text similarity for the whole block in vectors,
//! plus the most the texts could add; then, for the few pairs still in play, the
//! texts (a few `popcount`s each). The first step is written twice: here in plain
//! Rust that the compiler vectorises, and with AVX2 intrinsics
//! ([`super::approximate_avx2`], chosen at run time) for what the compiler cannot
//! do on its own: approximate reciprocals instead of divisions and square roots,
//! and the comparisons' bits gathered by one `movemask` per eight pairs.
//!
//! Contract: for every pair, `approximate ≥ exact − ERROR`. Each criterion is computed
//! with the same formula in `f32` (relative error ~1e-7 per operation on values in
//! [0, 1]), or bounded from above; where the exact criterion needs data the pass does
//! not carry (the area a partnership is in), the pass takes the criterion's largest
//! possible value. The integration test `cross_product` checks the whole against
//! scoring every pair, and `ranking::tests` checks the contract of both versions.

use super::blocks::{BLOCK, Blocks};
use super::columns::Columns;
use super::kernel::QueryPlan;
use super::nibbles::{NibblePlanes, NibbleTables};
use crate::fiche::Level;
use crate::scoring::TextSignature;
use crate::scoring::geography;
use crate::scoring::thematic::{PROFILE_SHARE, RECIPROCAL_SHARE, TEXT_SHARE};

/// Far above the accumulated rounding of the `f32` pass (~1e-6), far below any gap
/// between scores that matters. The pass compares its totals with *thresholds*:
/// floors lowered by `ERROR` ([`threshold`]).
pub const ERROR: f32 = 1e-4;

/// The threshold of a floor: a pair whose approximate total is below it cannot reach
/// the floor.
#[inline]
pub fn threshold(floor: f64) -> f32 {
    floor as f32 - ERROR
}

/// `f32` lanes of an AVX2 vector.
pub const LANES: usize = 8;

/// Inert candidates after the last one, so that every block can be read as a whole
/// [`BLOCK`] (the candidates past a block's end are masked off).
pub const PADDING: usize = BLOCK;

/// The foreign side of a cross product as `f32`/`u32` arrays.
#[derive(Debug, Default)]
pub struct ApproximateColumns {
    pub(super) offer: Vec<u32>,
    pub(super) request: Vec<u32>,
    pub(super) profile: Vec<u32>,
    /// The same sets as nibble planes, for the AVX2 pass.
    pub(super) offer_planes: NibblePlanes,
    pub(super) request_planes: NibblePlanes,
    pub(super) profile_planes: NibblePlanes,
    /// `1 / |request|`, 0 for an empty request.
    pub(super) inverse_request: Vec<f32>,
    pub(super) profile_len: Vec<f32>,
    /// Text signatures, read one candidate at a time: only for the candidates that
    /// the rest of the total leaves in play.
    pub(super) offer_text: Vec<TextSignature>,
    pub(super) request_text: Vec<TextSignature>,
    /// `1 / √|signature|`, 0 for an empty one.
    pub(super) inverse_root_offer_text: Vec<f32>,
    pub(super) inverse_root_request_text: Vec<f32>,
    /// `√|signature|`, for a bound on the texts' similarity from their sizes alone.
    pub(super) root_offer_text: Vec<f32>,
    pub(super) root_request_text: Vec<f32>,
    /// `ln(population) / ln 4`, NaN when unknown.
    pub(super) scaled_ln: Vec<f32>,
    /// The level part of the size criterion (1, ½ or 0) of each candidate against a
    /// query of each level: a load instead of arithmetic in the inner loop.
    pub(super) levels: [Vec<f32>; 3],
    pub(super) languages: Vec<u32>,
}

/// The level part of the size criterion: the same values as
/// `scoring::size` (1 for the same level, ½ for adjacent ones, else 0).
fn level_part(a: Level, b: Level) -> f32 {
    (1.0 - 0.5 * (f32::from(a as u8) - f32::from(b as u8)).abs()).max(0.0)
}

fn inverse_root(signature: TextSignature) -> f32 {
    match signature.len() {
        0 => 0.0,
        n => 1.0 / (n as f32).sqrt(),
    }
}

fn root(signature: TextSignature) -> f32 {
    (signature.len() as f32).sqrt()
}

impl ApproximateColumns {
    pub fn of(columns: &Columns) -> ApproximateColumns {
        let mut a = ApproximateColumns::default();
        for i in 0..columns.len() {
            let t = &columns.themes[i];
            a.offer.push(t.offer.bits());
            a.request.push(t.request.bits());
            a.profile.push(t.profile.bits());
            a.offer_planes.push(t.offer.bits());
            a.request_planes.push(t.request.bits());
            a.profile_planes.push(t.profile.bits());
            a.inverse_request.push(match t.request.len() {
                0 => 0.0,
                n => 1.0 / n as f32,
            });
            a.profile_len.push(t.profile.len() as f32);
            a.offer_text.push(t.texts.offer);
            a.request_text.push(t.texts.request);
            a.inverse_root_offer_text.push(inverse_root(t.texts.offer));
            a.inverse_root_request_text
                .push(inverse_root(t.texts.request));
            a.root_offer_text.push(root(t.texts.offer));
            a.root_request_text.push(root(t.texts.request));
            a.scaled_ln
                .push((columns.ln_population[i] / (2.0 * std::f64::consts::LN_2)) as f32);
            for query in Level::ALL {
                a.levels[query as usize].push(level_part(query, columns.level[i]));
            }
            a.languages.push(u32::from(columns.languages[i]));
        }
        a.pad();
        a
    }

    /// [`PADDING`] inert candidates at the end.
    fn pad(&mut self) {
        for _ in 0..PADDING {
            for column in [&mut self.offer, &mut self.request, &mut self.profile] {
                column.push(0);
            }
            for planes in [
                &mut self.offer_planes,
                &mut self.request_planes,
                &mut self.profile_planes,
            ] {
                planes.push(0);
            }
            self.offer_text.push(TextSignature::default());
            self.request_text.push(TextSignature::default());
            for column in [
                &mut self.inverse_request,
                &mut self.profile_len,
                &mut self.inverse_root_offer_text,
                &mut self.inverse_root_request_text,
                &mut self.root_offer_text,
                &mut self.root_request_text,
                &mut self.scaled_ln,
            ] {
                column.push(0.0);
            }
            for column in &mut self.levels {
                column.push(0.0);
            }
            self.languages.push(0);
        }
    }
}

/// One French query's constants for the pass.
#[derive(Debug)]
pub struct ApproximateQuery {
    pub(super) offer: u32,
    pub(super) request: u32,
    pub(super) profile: u32,
    /// The same sets as tables for the candidates' nibble planes, for the AVX2 pass.
    pub(super) offer_tables: NibbleTables,
    pub(super) request_tables: NibbleTables,
    pub(super) profile_tables: NibbleTables,
    pub(super) inverse_request: f32,
    pub(super) profile_len: f32,
    pub(super) offer_text: TextSignature,
    pub(super) request_text: TextSignature,
    pub(super) inverse_root_offer_text: f32,
    pub(super) inverse_root_request_text: f32,
    /// `√|signature|`.
    pub(super) root_offer_text: f32,
    pub(super) root_request_text: f32,
    /// The sizes of the signatures.
    pub(super) offer_text_len: f32,
    pub(super) request_text_len: f32,
    /// The most each direction of the texts adds per unit of [`text_bound`]'s
    /// factor: `½ · text weight / √|signature|`.
    pub(super) offer_text_weight: f32,
    pub(super) request_text_weight: f32,
    /// NaN when unknown.
    pub(super) scaled_ln: f32,
    /// Which of [`ApproximateColumns::levels`] applies.
    pub(super) level: usize,
    pub(super) languages: u32,
    /// The weights of thematic and size, normalised, and the texts' part of the
    /// thematic weight.
    pub(super) thematic_weight: f32,
    pub(super) text_weight: f32,
    pub(super) size_weight: f32,
    /// Weighted geography + under-served per country index, without and with a
    /// shared language (`f32` rounding is within [`ERROR`]); side by side, one
    /// load for a block.
    rest: Vec<[f32; 2]>,
}

impl ApproximateQuery {
    pub fn new(plan: &QueryPlan, blocks: &Blocks) -> ApproximateQuery {
        let themes = &plan.themes;
        let n = plan.normalized;
        // Pooling at the scale of an area is the criterion's best case: taken for
        // every candidate of a country where the fiche has a partner area.
        let mut pool = plan.pool_by_country.clone();
        for &area in &plan.partner_areas {
            for &country in blocks.countries_of_area(area) {
                pool[usize::from(country)] = geography::pooling(true, true, 0);
            }
        }
        let rest = |c: usize, shared_language: bool| -> f32 {
            (n[1] * geography::value(pool[c], plan.diaspora_by_country[c], shared_language)
                + n[3] * plan.underserved_by_country[c]) as f32
        };
        ApproximateQuery {
            rest: (0..pool.len())
                .map(|c| [rest(c, false), rest(c, true)])
                .collect(),
            offer: themes.offer.bits(),
            request: themes.request.bits(),
            profile: themes.profile.bits(),
            offer_tables: NibbleTables::of(themes.offer.bits()),
            request_tables: NibbleTables::of(themes.request.bits()),
            profile_tables: NibbleTables::of(themes.profile.bits()),
            inverse_request: match themes.request.len() {
                0 => 0.0,
                len => 1.0 / len as f32,
            },
            profile_len: themes.profile.len() as f32,
            offer_text: themes.texts.offer,
            request_text: themes.texts.request,
            inverse_root_offer_text: inverse_root(themes.texts.offer),
            inverse_root_request_text: inverse_root(themes.texts.request),
            root_offer_text: root(themes.texts.offer),
            root_request_text: root(themes.texts.request),
            offer_text_len: themes.texts.offer.len() as f32,
            request_text_len: themes.texts.request.len() as f32,
            offer_text_weight: (0.5 * n[0] * TEXT_SHARE) as f32 * inverse_root(themes.texts.offer),
            request_text_weight: (0.5 * n[0] * TEXT_SHARE) as f32
                * inverse_root(themes.texts.request),
            scaled_ln: plan
                .ln_population
                .map_or(f32::NAN, |ln| (ln / (2.0 * std::f64::consts::LN_2)) as f32),
            level: plan.level as usize,
            languages: u32::from(plan.languages),
            thematic_weight: n[0] as f32,
            text_weight: (n[0] * TEXT_SHARE) as f32,
            size_weight: n[2] as f32,
        }
    }

    /// The numbers of nibble tables of the query's sets: batches are scored in this
    /// order ([`super::nibbles`]).
    pub fn tables(&self) -> [usize; 3] {
        [
            self.offer_tables.len(),
            self.request_tables.len(),
            self.profile_tables.len(),
        ]
    }

    /// Weighted geography + under-served for block `b`'s country, without and with
    /// a shared language.
    #[inline(always)]
    pub(super) fn rest(&self, blocks: &Blocks, b: usize) -> [f32; 2] {
        self.rest_of(blocks.country(b))
    }

    /// Weighted geography + under-served for a country (index), without and with a
    /// shared language.
    #[inline(always)]
    pub(super) fn rest_of(&self, country: usize) -> [f32; 2] {
        self.rest[country]
    }

    /// The candidates of block `b` whose approximate total may reach
    /// `min(own_threshold, thresholds[i])`, as a bit mask over the block. Two steps:
    /// the total without the texts plus a bound on what they add, for all the block
    /// in vectors; then the texts of those still in play, one at a time (few are).
    #[inline(always)]
    pub fn candidates(
        &self,
        c: &ApproximateColumns,
        blocks: &Blocks,
        b: usize,
        own_threshold: f32,
        thresholds: &[f32],
    ) -> u64 {
        let range = blocks.range(b);
        // Whole vectors: the columns and `thresholds` have `PADDING` entries of
        // padding.
        let padded = range.len().next_multiple_of(LANES);
        let mut totals = [0f32; BLOCK];
        let mut bounds = [0f32; BLOCK];
        self.totals_without_texts(
            c,
            range.start,
            self.rest(blocks, b),
            &mut totals[..padded],
            &mut bounds[..padded],
        );
        let thresholds = &thresholds[range.start..range.start + padded];
        let mut mask = 0u64;
        for (chunk, (bounds, thresholds)) in bounds[..padded]
            .chunks_exact(LANES)
            .zip(thresholds.chunks_exact(LANES))
            .enumerate()
        {
            let mut bits = 0u64;
            for lane in 0..LANES {
                bits |= u64::from(bounds[lane] >= own_threshold.min(thresholds[lane])) << lane;
            }
            mask |= bits << (chunk * LANES);
        }
        mask &= u64::MAX >> (BLOCK - range.len());
        self.texts(c, range.start, mask, &totals, own_threshold, thresholds)
    }

    /// The candidates of `mask` (over the block starting at `start`) still in play
    /// with their texts, one at a time: `totals` are their totals without the texts,
    /// `thresholds` the block's.
    #[inline(always)]
    pub(super) fn texts(
        &self,
        c: &ApproximateColumns,
        start: usize,
        mut mask: u64,
        totals: &[f32; BLOCK],
        own_threshold: f32,
        thresholds: &[f32],
    ) -> u64 {
        let mut kept = mask;
        while mask != 0 {
            let j = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let i = start + j;
            let text = 0.5
                * (self.offer_text.shared(c.request_text[i]) as f32
                    * self.inverse_root_offer_text
                    * c.inverse_root_request_text[i]
                    + c.offer_text[i].shared(self.request_text) as f32
                        * c.inverse_root_offer_text[i]
                        * self.inverse_root_request_text);
            if totals[j] + self.text_weight * text < own_threshold.min(thresholds[j]) {
                kept &= !(1 << j);
            }
        }
        kept
    }

    /// The approximate totals with a text similarity of 0 (its thematic part capped
    /// at 1 without the texts: adding them back can only add less than their share),
    /// and the same plus the most the texts could add ([`text_bound`]).
    #[inline(always)]
    fn totals_without_texts(
        &self,
        c: &ApproximateColumns,
        start: usize,
        rest: [f32; 2],
        out: &mut [f32],
        bounds: &mut [f32],
    ) {
        let end = start + out.len();
        let root_offer_text = &c.root_offer_text[start..end];
        let root_request_text = &c.root_request_text[start..end];
        let inverse_root_offer_text = &c.inverse_root_offer_text[start..end];
        let inverse_root_request_text = &c.inverse_root_request_text[start..end];
        let offer = &c.offer[start..end];
        let request = &c.request[start..end];
        let profile = &c.profile[start..end];
        let inverse_request = &c.inverse_request[start..end];
        let profile_len = &c.profile_len[start..end];
        let scaled_ln = &c.scaled_ln[start..end];
        let levels = &c.levels[self.level][start..end];
        let languages = &c.languages[start..end];
        for j in 0..out.len() {
            let s_ab = (self.offer & request[j]).count_ones() as f32 * inverse_request[j];
            let s_ba = (offer[j] & self.request).count_ones() as f32 * self.inverse_request;
            let reciprocal = 0.5 * (s_ab * s_ba).sqrt() + 0.25 * (s_ab + s_ba);
            let shared = (self.profile & profile[j]).count_ones() as f32;
            let union = self.profile_len + profile_len[j] - shared;
            let profiles = shared / union.max(1.0);
            let thematic =
                (RECIPROCAL_SHARE as f32 * reciprocal + PROFILE_SHARE as f32 * profiles).min(1.0);
            let distance = self.scaled_ln - scaled_ln[j];
            let population = 1.0 / (1.0 + distance * distance);
            // NaN (an unknown population on either side) fails the comparison.
            let population = if population >= 0.0 { population } else { 0.5 };
            let size = 0.5 * population + 0.5 * levels[j];
            let geography_and_underserved = if self.languages & languages[j] != 0 {
                rest[1]
            } else {
                rest[0]
            };
            out[j] = self.thematic_weight * thematic
                + self.size_weight * size
                + geography_and_underserved;
            bounds[j] = out[j]
                + self.offer_text_weight
                    * text_bound(
                        self.offer_text_len,
                        root_request_text[j],
                        inverse_root_request_text[j],
                    )
                + self.request_text_weight
                    * text_bound(
                        self.request_text_len,
                        root_offer_text[j],
                        inverse_root_offer_text[j],
                    );
        }
    }
}

/// With `a` and `b` the sizes of two text signatures, `min(a, b) / √b`, which times
/// `1 / √a` bounds their cosine (`shared / √(a·b)`, and at most `min(a, b)` bits
/// are shared) — 0 when either is empty. Most fiches have one text of the two
/// (foreign offers, French requests) empty, and most others are short: the bound
/// usually halves what the texts could add, and the texts are then looked at for
/// fewer pairs.
#[inline(always)]
pub(super) fn text_bound(a: f32, root_b: f32, inverse_root_b: f32) -> f32 {
    (a * inverse_root_b).min(root_b)
}
