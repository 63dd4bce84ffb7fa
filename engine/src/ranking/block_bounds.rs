//! A bound on the totals of whole blocks of candidates, for the cross product: a
//! query skips a block (no first pass at all) when even this bound is below the
//! lower of its own threshold and the lowest threshold of the block's candidates.
//!
//! Each block keeps a summary of its candidates (unions of their theme sets and text
//! signatures, ranges of their sizes, the largest level part against each level);
//! the bound takes, term by term, the largest value any candidate of the summary
//! could give:
//!
//! - `reciprocal = ½·√(s_ab·s_ba) + ¼·(s_ab + s_ba)` rises with each share;
//!   `s_ab = |offer ∩ request| / |request| = Σ_{t ∈ offer ∩ request} 1/|request|` is
//!   at most the sum over the query's offer of the largest `1/|request|` among the
//!   block's requests with theme `t` (and at most 1); `s_ba` is at most the share of
//!   the query's request in the union of the block's offers.
//! - The profiles' Jaccard index `shared / (|a| + |b| − shared)` rises with `shared`
//!   (at most the query's profile in the union of the block's profiles, and at most
//!   `|b|`) and falls as `|b|` grows: at most `shared / (|a| + max(|b|min − shared,
//!   0))`.
//! - A texts' cosine `shared / √(a·b)`: `min(a, b) / √(a·b)` is 1 at `b = a` and
//!   falls on either side, so with `b` within the block's `low..=high` it is at most
//!   `min(1, √a/√low, √high/√a)`; and with `shared` at most the query's signature in
//!   the union of the block's, at most `shared / √(a·low)`.
//! - The size criterion: the largest level part, and the population part at the
//!   smallest distance between the query's and the block's range (½ when either is
//!   unknown).
//! - Geography and under-served: the block's country, with a shared language when
//!   any candidate of the block shares one with the query.
//!
//! So the bound is at least the largest exact total of the block. It is computed in
//! `f32` like the first pass, within [`super::approximate::ERROR`] of the exact
//! arithmetic; [`GROUP`] blocks at a time, in plain loops over arrays that the
//! compiler vectorises.
//!
//! Candidates are ordered within their country so that blocks gather similar fiches
//! ([`order_key`]): their bounds are then tight, and their floors close to each
//! other.

use super::approximate::{ApproximateColumns, ApproximateQuery};
use super::blocks::Blocks;
use crate::scoring::thematic::{PROFILE_SHARE, RECIPROCAL_SHARE, TEXT_SHARE};
use crate::scoring::{MatchFeatures, TextSignature};

/// Blocks bounded at once (the `f32` lanes of an AVX2 vector).
pub const GROUP: usize = 8;

/// Themes (the bits of a theme set).
const THEMES: usize = 32;

/// The key that orders candidates within a country: requests of the same size, then
/// the same requests and offers, side by side (the shares `1/|request|` of a block
/// then agree, and similar fiches have similar floors). National cross product,
/// share of the blocks skipped (provisional, under load): 5 % in position order,
/// 28 % by request then offer, 30 % with this key; adding the level, the population
/// or the texts to it changed nothing measurable.
pub fn order_key(fiche: &MatchFeatures) -> (u32, u32, u32) {
    (
        fiche.request.len(),
        fiche.request.bits(),
        fiche.offer.bits(),
    )
}

/// The text signatures of each block, as columns over blocks.
#[derive(Debug, Default)]
struct TextRanges {
    /// The union of the block's signatures, as four `u32` words.
    union: [Vec<u32>; 4],
    /// `1/√low` and `√high` for the range `low..=high` of the sizes of the block's
    /// non-empty signatures; both 0 when all are empty.
    inverse_root_low: Vec<f32>,
    root_high: Vec<f32>,
}

impl TextRanges {
    fn push(&mut self, signatures: impl Iterator<Item = TextSignature>) {
        let (mut union, mut low, mut high) = ([0u64; 2], u32::MAX, 0u32);
        for signature in signatures.filter(|s| !s.is_empty()) {
            let bits = signature.bits();
            union = [union[0] | bits[0], union[1] | bits[1]];
            low = low.min(signature.len());
            high = high.max(signature.len());
        }
        for (w, column) in words(TextSignature::from_bits(union))
            .into_iter()
            .zip(&mut self.union)
        {
            column.push(w);
        }
        self.inverse_root_low.push(if high == 0 {
            0.0
        } else {
            1.0 / (low as f32).sqrt()
        });
        self.root_high.push((high as f32).sqrt());
    }

    /// The largest cosine of `signature` (given with `√a` and `1/√a`, both 0 when
    /// empty) with a signature of each block of group `g` (see the module's notes).
    #[inline(always)]
    fn cosine_bounds(
        &self,
        g: usize,
        signature: TextSignature,
        root: f32,
        inverse_root: f32,
    ) -> [f32; GROUP] {
        let lanes = g * GROUP..(g + 1) * GROUP;
        let mut bounds = [0f32; GROUP];
        if signature.is_empty() {
            return bounds;
        }
        let mut shared = [0u32; GROUP];
        for (w, column) in words(signature).into_iter().zip(&self.union) {
            for (shared, union) in shared.iter_mut().zip(&column[lanes.clone()]) {
                *shared += (w & union).count_ones();
            }
        }
        let inverse_root_low = &self.inverse_root_low[lanes.clone()];
        let root_high = &self.root_high[lanes];
        for j in 0..GROUP {
            let sizes = min(
                min(root * inverse_root_low[j], root_high[j] * inverse_root),
                1.0,
            );
            bounds[j] = min(sizes, shared[j] as f32 * inverse_root * inverse_root_low[j]);
        }
        bounds
    }
}

fn words(signature: TextSignature) -> [u32; 4] {
    let [a, b] = signature.bits();
    [a as u32, (a >> 32) as u32, b as u32, (b >> 32) as u32]
}

/// `a.min(b)` without the NaN rules (one instruction in vectors).
#[inline(always)]
fn min(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

#[inline(always)]
fn max(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// The summaries of the blocks of some columns, as columns over blocks (padded to
/// whole groups; the padding is never bounded for a block that exists).
#[derive(Debug, Default)]
pub struct BlockSummaries {
    /// Blocks, padding included: the stride of the per-theme columns.
    stride: usize,
    /// `request_share[t * stride + b]`: the largest `1 / |request|` among the
    /// block's candidates whose request has theme `t`, 0 when none has.
    request_share: Vec<f32>,
    /// `offered[t * stride + b]`: 1 when a candidate of the block offers theme `t`,
    /// else 0; `profiled` likewise for the profiles.
    offered: Vec<f32>,
    profiled: Vec<f32>,
    /// The smallest profile.
    profile_min: Vec<f32>,
    languages: Vec<u32>,
    /// The largest level part against a query of each level.
    level: [Vec<f32>; 3],
    /// The range of known `scaled_ln` (`+∞, −∞` when none is known).
    ln_low: Vec<f32>,
    ln_high: Vec<f32>,
    /// ½ when a candidate's population is unknown, else 0.
    unknown_population: Vec<f32>,
    offer_text: TextRanges,
    request_text: TextRanges,
    country: Vec<u32>,
}

impl BlockSummaries {
    pub fn of(c: &ApproximateColumns, blocks: &Blocks) -> BlockSummaries {
        let stride = blocks.len().next_multiple_of(GROUP);
        let mut s = BlockSummaries {
            stride,
            request_share: vec![0.0; THEMES * stride],
            offered: vec![0.0; THEMES * stride],
            profiled: vec![0.0; THEMES * stride],
            ..BlockSummaries::default()
        };
        for b in 0..stride {
            let range = if b < blocks.len() {
                blocks.range(b)
            } else {
                0..0
            };
            let (mut profile_min, mut languages) = (f32::INFINITY, 0);
            let mut level = [0f32; 3];
            let (mut ln_low, mut ln_high, mut unknown) = (f32::INFINITY, f32::NEG_INFINITY, 0.0);
            for i in range.clone() {
                for t in 0..THEMES {
                    let column = t * stride + b;
                    if c.request[i] & (1 << t) != 0 {
                        s.request_share[column] = s.request_share[column].max(c.inverse_request[i]);
                    }
                    if c.offer[i] & (1 << t) != 0 {
                        s.offered[column] = 1.0;
                    }
                    if c.profile[i] & (1 << t) != 0 {
                        s.profiled[column] = 1.0;
                    }
                }
                profile_min = profile_min.min(c.profile_len[i]);
                languages |= c.languages[i];
                for (level, column) in level.iter_mut().zip(&c.levels) {
                    *level = level.max(column[i]);
                }
                let ln = c.scaled_ln[i];
                if ln.is_nan() {
                    unknown = 0.5;
                } else {
                    (ln_low, ln_high) = (ln_low.min(ln), ln_high.max(ln));
                }
            }
            s.profile_min.push(profile_min.min(f32::MAX));
            s.languages.push(languages);
            for (column, level) in s.level.iter_mut().zip(level) {
                column.push(level);
            }
            s.ln_low.push(ln_low);
            s.ln_high.push(ln_high);
            s.unknown_population.push(unknown);
            s.offer_text.push(range.clone().map(|i| c.offer_text[i]));
            s.request_text
                .push(range.clone().map(|i| c.request_text[i]));
            s.country.push(if b < blocks.len() {
                blocks.country(b)
            } else {
                0
            } as u32);
        }
        s
    }

    /// Groups of [`GROUP`] blocks (the last one padded).
    pub fn groups(&self) -> usize {
        self.stride / GROUP
    }

    /// For each block of group `g`, at least the largest total of `query` with a
    /// candidate of the block (less [`super::approximate::ERROR`]).
    #[inline(always)]
    pub fn bounds(&self, query: &ApproximateQuery, g: usize) -> [f32; GROUP] {
        let lanes = g * GROUP..(g + 1) * GROUP;
        let s_ab = self.sum(&self.request_share, query.offer, g);
        let s_ba = self.sum(&self.offered, query.request, g);
        let shared_profile = self.sum(&self.profiled, query.profile, g);
        let offer_text = self.request_text.cosine_bounds(
            g,
            query.offer_text,
            query.root_offer_text,
            query.inverse_root_offer_text,
        );
        let request_text = self.offer_text.cosine_bounds(
            g,
            query.request_text,
            query.root_request_text,
            query.inverse_root_request_text,
        );
        let profile_min = &self.profile_min[lanes.clone()];
        let languages = &self.languages[lanes.clone()];
        let level = &self.level[query.level][lanes.clone()];
        let ln_low = &self.ln_low[lanes.clone()];
        let ln_high = &self.ln_high[lanes.clone()];
        let unknown_population = &self.unknown_population[lanes.clone()];
        let country = &self.country[lanes];
        let mut place = [0f32; GROUP];
        for j in 0..GROUP {
            let [alone, shared_language] = query.rest_of(country[j] as usize);
            place[j] = if languages[j] & query.languages != 0 {
                max(alone, shared_language)
            } else {
                alone
            };
        }
        let known_population = !query.scaled_ln.is_nan();
        let mut bounds = [0f32; GROUP];
        for j in 0..GROUP {
            let s_ab = min(s_ab[j], 1.0);
            let s_ba = s_ba[j] * query.inverse_request;
            let reciprocal = 0.5 * (s_ab * s_ba).sqrt() + 0.25 * (s_ab + s_ba);
            let shared = shared_profile[j];
            let profiles = shared / max(query.profile_len + max(profile_min[j] - shared, 0.0), 1.0);
            let text = 0.5 * (offer_text[j] + request_text[j]);
            let thematic = min(
                RECIPROCAL_SHARE as f32 * reciprocal
                    + TEXT_SHARE as f32 * text
                    + PROFILE_SHARE as f32 * profiles,
                1.0,
            );
            let population = if known_population {
                // No known population in the block: `distance` is +∞ and this 0.
                let distance = max(
                    max(ln_low[j] - query.scaled_ln, query.scaled_ln - ln_high[j]),
                    0.0,
                );
                max(1.0 / (1.0 + distance * distance), unknown_population[j])
            } else {
                0.5
            };
            let size = 0.5 * population + 0.5 * level[j];
            bounds[j] = query.thematic_weight * thematic + query.size_weight * size + place[j];
        }
        bounds
    }

    /// For each block of group `g`, the sum of `column[t]` over the themes `t` of
    /// `set`.
    #[inline(always)]
    fn sum(&self, column: &[f32], mut set: u32, g: usize) -> [f32; GROUP] {
        let mut sum = [0f32; GROUP];
        while set != 0 {
            let t = set.trailing_zeros() as usize;
            set &= set - 1;
            let start = t * self.stride + g * GROUP;
            for (sum, value) in sum.iter_mut().zip(&column[start..start + GROUP]) {
                *sum += value;
            }
        }
        sum
    }
}
