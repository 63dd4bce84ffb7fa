//! The first step of [`super::approximate`] with AVX2 and FMA intrinsics, eight
//! pairs at a time: what the compiler does not do from plain Rust, since it keeps
//! every `f32` operation exact.
//!
//! - Divisions and the square root become approximate reciprocals (`rcp`, `rsqrt`:
//!   relative error at most 1.5 × 2⁻¹² on Intel and AMD alike), whose terms are
//!   multiplied by [`UPWARD`] so that each stays at or above its exact value: the
//!   pass stays an upper bound, a little looser (by less than 10⁻³ of a total).
//! - The themes a pair shares are counted 32 candidates at a time on nibble planes
//!   ([`super::nibbles`]), and the comparisons of eight pairs give eight bits at
//!   once (`movemask`).
//! - The thematic part is not capped at 1 (capping only lowers it).
//!
//! Nothing here is `unsafe`: intrinsics are safe inside functions compiled for their
//! features, and vectors are built from array slices (one load each once optimised).
//! The caller's dispatch (`Cpu::Avx2`, detected at run time) is the only `unsafe`.

use std::arch::x86_64::*;

use super::approximate::{ApproximateColumns, ApproximateQuery, LANES};
use super::blocks::{BLOCK, Blocks};
use super::nibbles::{NibblePlanes, NibbleTables};
use crate::scoring::thematic::{PROFILE_SHARE, RECIPROCAL_SHARE};

/// Makes an approximate reciprocal's term an upper bound of the exact one:
/// `(1 − 1.5 × 2⁻¹²)(1 + 2⁻¹¹) > 1`.
const UPWARD: f32 = 1.0 + 1.0 / 2048.0;

impl ApproximateQuery {
    /// [`ApproximateQuery::candidates`] with AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub fn candidates_avx2(
        &self,
        c: &ApproximateColumns,
        blocks: &Blocks,
        b: usize,
        own_threshold: f32,
        thresholds: &[f32],
    ) -> u64 {
        let range = blocks.range(b);
        let start = range.start;
        let offered = shared_counts(&c.request_planes, &self.offer_tables, start);
        let requested = shared_counts(&c.offer_planes, &self.request_tables, start);
        let profiled = shared_counts(&c.profile_planes, &self.profile_tables, start);
        let window = start..start + BLOCK;
        // Whole blocks: the columns and `thresholds` have `PADDING` entries of
        // padding.
        let c_inverse_request = block(&c.inverse_request[window.clone()]);
        let c_profile_len = block(&c.profile_len[window.clone()]);
        let c_scaled_ln = block(&c.scaled_ln[window.clone()]);
        let c_levels = block(&c.levels[self.level][window.clone()]);
        let c_languages = block(&c.languages[window.clone()]);
        let c_root_offer_text = block(&c.root_offer_text[window.clone()]);
        let c_root_request_text = block(&c.root_request_text[window.clone()]);
        let c_inverse_root_offer_text = block(&c.inverse_root_offer_text[window.clone()]);
        let c_inverse_root_request_text = block(&c.inverse_root_request_text[window.clone()]);
        let thresholds = block(&thresholds[window]);

        let inverse_request = _mm256_set1_ps(self.inverse_request);
        let profile_len = _mm256_set1_ps(self.profile_len);
        let scaled_ln = _mm256_set1_ps(self.scaled_ln);
        let languages = _mm256_set1_epi32(self.languages as i32);
        let [alone, shared_language] = self.rest(blocks, b);
        let (alone, shared_language) = (_mm256_set1_ps(alone), _mm256_set1_ps(shared_language));
        // The weights of each term: reciprocal = ½·√(s_ab·s_ba) + ¼·(s_ab + s_ba).
        let reciprocal = self.thematic_weight * RECIPROCAL_SHARE as f32;
        let root_weight = _mm256_set1_ps(0.5 * reciprocal * UPWARD);
        let sum_weight = _mm256_set1_ps(0.25 * reciprocal);
        let profile_weight = _mm256_set1_ps(self.thematic_weight * PROFILE_SHARE as f32 * UPWARD);
        let population_weight = _mm256_set1_ps(0.5 * self.size_weight * UPWARD);
        let level_weight = _mm256_set1_ps(0.5 * self.size_weight);
        let one = _mm256_set1_ps(1.0);
        let half = _mm256_set1_ps(0.5);
        let own = _mm256_set1_ps(own_threshold);
        let offer_text_len = _mm256_set1_ps(self.offer_text_len);
        let request_text_len = _mm256_set1_ps(self.request_text_len);
        let offer_text_weight = _mm256_set1_ps(self.offer_text_weight);
        let request_text_weight = _mm256_set1_ps(self.request_text_weight);

        let mut totals = [0f32; BLOCK];
        let mut mask = 0u64;
        for chunk in 0..range.len().div_ceil(LANES).min(BLOCK / LANES) {
            let lanes = chunk * LANES..(chunk + 1) * LANES;
            let s_ab = _mm256_mul_ps(
                counts(&offered[lanes.clone()]),
                floats(&c_inverse_request[lanes.clone()]),
            );
            let s_ba = _mm256_mul_ps(counts(&requested[lanes.clone()]), inverse_request);
            let product = _mm256_mul_ps(s_ab, s_ba);
            // √p = p / √p, and 0 for p = 0 (the smallest positive product is 1/900).
            let root = _mm256_mul_ps(
                product,
                _mm256_rsqrt_ps(_mm256_max_ps(product, _mm256_set1_ps(f32::MIN_POSITIVE))),
            );
            let shared = counts(&profiled[lanes.clone()]);
            let union = _mm256_sub_ps(
                _mm256_add_ps(profile_len, floats(&c_profile_len[lanes.clone()])),
                shared,
            );
            let profiles = _mm256_mul_ps(shared, _mm256_rcp_ps(_mm256_max_ps(union, one)));
            let distance = _mm256_sub_ps(scaled_ln, floats(&c_scaled_ln[lanes.clone()]));
            let population = _mm256_rcp_ps(_mm256_fmadd_ps(distance, distance, one));
            // NaN (an unknown population on either side) fails the comparison: ½.
            let known = _mm256_cmp_ps::<_CMP_GE_OQ>(population, _mm256_setzero_ps());
            let population = _mm256_blendv_ps(half, population, known);
            let no_shared_language = _mm256_cmpeq_epi32(
                _mm256_and_si256(languages, integers(&c_languages[lanes.clone()])),
                _mm256_setzero_si256(),
            );
            let place = _mm256_blendv_ps(
                shared_language,
                alone,
                _mm256_castsi256_ps(no_shared_language),
            );
            // Summed as a tree, not a chain: the chain's latency, not the arithmetic,
            // would set the pace.
            let reciprocal = _mm256_fmadd_ps(
                sum_weight,
                _mm256_add_ps(s_ab, s_ba),
                _mm256_mul_ps(root_weight, root),
            );
            let profiles_and_place = _mm256_fmadd_ps(profile_weight, profiles, place);
            let size = _mm256_fmadd_ps(
                level_weight,
                floats(&c_levels[lanes.clone()]),
                _mm256_mul_ps(population_weight, population),
            );
            let total = _mm256_add_ps(_mm256_add_ps(reciprocal, profiles_and_place), size);
            store(&mut totals[lanes.clone()], total);
            // Plus the most the texts could add (`approximate::text_bound`).
            let offer_text = _mm256_min_ps(
                _mm256_mul_ps(
                    offer_text_len,
                    floats(&c_inverse_root_request_text[lanes.clone()]),
                ),
                floats(&c_root_request_text[lanes.clone()]),
            );
            let request_text = _mm256_min_ps(
                _mm256_mul_ps(
                    request_text_len,
                    floats(&c_inverse_root_offer_text[lanes.clone()]),
                ),
                floats(&c_root_offer_text[lanes.clone()]),
            );
            let bound = _mm256_add_ps(
                total,
                _mm256_fmadd_ps(
                    offer_text_weight,
                    offer_text,
                    _mm256_mul_ps(request_text_weight, request_text),
                ),
            );
            let threshold = _mm256_min_ps(own, floats(&thresholds[lanes]));
            // Unordered (NaN) passes: the pass never drops a pair it cannot bound.
            let pass = _mm256_cmp_ps::<_CMP_NLT_UQ>(bound, threshold);
            mask |= u64::from(_mm256_movemask_ps(pass) as u8) << (chunk * LANES);
        }
        mask &= u64::MAX >> (BLOCK - range.len());
        self.texts(c, start, mask, &totals, own_threshold, thresholds)
    }
}

/// Candidates counted at once by [`shared_counts`]: the bytes of a vector.
const HALF: usize = 32;

/// The themes each of the `BLOCK` candidates from `start` shares with a query's set:
/// one table lookup per nibble of the set with a theme ([`super::nibbles`]).
#[inline]
#[target_feature(enable = "avx2")]
fn shared_counts(planes: &NibblePlanes, tables: &NibbleTables, start: usize) -> [u8; BLOCK] {
    let (mut low, mut high) = (_mm256_setzero_si256(), _mm256_setzero_si256());
    for (p, table) in tables.iter() {
        let table = table_of(table);
        let nibbles = block(&planes.plane(*p)[start..start + BLOCK]);
        low = _mm256_add_epi8(low, _mm256_shuffle_epi8(table, bytes(&nibbles[..HALF])));
        high = _mm256_add_epi8(high, _mm256_shuffle_epi8(table, bytes(&nibbles[HALF..])));
    }
    let mut counts = [0u8; BLOCK];
    store_bytes(&mut counts[..HALF], low);
    store_bytes(&mut counts[HALF..], high);
    counts
}

/// A block's window of a column (`BLOCK` entries: bounds checked once).
#[inline(always)]
fn block<T>(column: &[T]) -> &[T; BLOCK] {
    column
        .try_into()
        .expect("columns are padded by a whole block")
}

/// Eight `f32` (one unaligned load once optimised, like the other conversions
/// between vectors and arrays below).
#[inline]
#[target_feature(enable = "avx2")]
fn floats(a: &[f32]) -> __m256 {
    _mm256_setr_ps(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
}

/// Eight `u32`.
#[inline]
#[target_feature(enable = "avx2")]
fn integers(a: &[u32]) -> __m256i {
    let a: [i32; LANES] = std::array::from_fn(|i| a[i] as i32);
    _mm256_setr_epi32(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
}

/// Eight counts (bytes) as `f32`.
#[inline]
#[target_feature(enable = "avx2")]
fn counts(a: &[u8]) -> __m256 {
    let eight = u64::from_le_bytes(a[..LANES].try_into().expect("eight counts"));
    _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(eight as i64)))
}

/// 32 bytes.
#[inline]
#[target_feature(enable = "avx2")]
fn bytes(a: &[u8]) -> __m256i {
    let a: [i8; HALF] = std::array::from_fn(|i| a[i] as i8);
    _mm256_setr_epi8(
        a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13],
        a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], a[24], a[25], a[26],
        a[27], a[28], a[29], a[30], a[31],
    )
}

/// A 16-entry table in both halves of a vector (`pshufb` looks up within halves).
#[inline]
#[target_feature(enable = "avx2")]
fn table_of(t: &[u8; 16]) -> __m256i {
    let t: [i8; 16] = std::array::from_fn(|i| t[i] as i8);
    _mm256_setr_epi8(
        t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11], t[12], t[13],
        t[14], t[15], t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11],
        t[12], t[13], t[14], t[15],
    )
}

/// Writes eight `f32` (one unaligned store).
#[inline]
#[target_feature(enable = "avx2")]
fn store(out: &mut [f32], v: __m256) {
    let mut lanes = [0f32; LANES];
    let (low, high) = (_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    for (i, half) in [low, high].into_iter().enumerate() {
        lanes[4 * i] = _mm_cvtss_f32(half);
        lanes[4 * i + 1] = _mm_cvtss_f32(_mm_shuffle_ps::<0b01>(half, half));
        lanes[4 * i + 2] = _mm_cvtss_f32(_mm_shuffle_ps::<0b10>(half, half));
        lanes[4 * i + 3] = _mm_cvtss_f32(_mm_shuffle_ps::<0b11>(half, half));
    }
    out.copy_from_slice(&lanes);
}

/// Writes 32 bytes (one unaligned store).
#[inline]
#[target_feature(enable = "avx2")]
fn store_bytes(out: &mut [u8], v: __m256i) {
    let (low, high) = (_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
    let words = [
        _mm_cvtsi128_si64(low),
        _mm_extract_epi64::<1>(low),
        _mm_cvtsi128_si64(high),
        _mm_extract_epi64::<1>(high),
    ];
    for (out, word) in out.chunks_exact_mut(8).zip(words) {
        out.copy_from_slice(&word.to_le_bytes());
    }
}
