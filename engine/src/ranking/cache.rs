//! The matcher's cache: the text analysis of every fiche (inferred themes, text
//! signatures) and the corpus vocabulary, in a small binary file of the data
//! directory, valid for one store generation. Reading it instead of analysing ~199k
//! fiches' texts is what makes a service start fast.
//!
//! Layout (little-endian): magic `PSMC`, version, store generation, fiche count; per
//! fiche in id order: id, inferred offer and request theme bits, offer and request
//! signatures; then the vocabulary's text count and (stem, frequency) entries.

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::fiche::Fiche;
use crate::scoring::{
    Derived, InferredThemes, TextSignature, TextSignatures, ThemeSet, Vocabulary,
};

const MAGIC: &[u8; 4] = b"PSMC";
const VERSION: u32 = 2;

/// Where the cache lives and which store generation it must match.
#[derive(Debug, Clone)]
pub struct MatcherCache {
    pub path: PathBuf,
    pub generation: u64,
}

/// Name of the matcher's cache (derived, rebuildable) inside the data directory.
pub const MATCHER_CACHE_FILE: &str = "matcher.cache";

impl MatcherCache {
    /// The cache in the store's data directory, for the store's current contents.
    pub fn for_store(store: &crate::store::Store) -> Result<MatcherCache> {
        Ok(MatcherCache {
            path: store.data_dir().join(MATCHER_CACHE_FILE),
            generation: store.generation()?,
        })
    }

    /// The cached analysis of `fiches` (sorted by id), if the file is there, intact,
    /// of this generation and of exactly these fiches.
    pub(super) fn read(&self, fiches: &[Fiche]) -> Option<(Vec<Derived>, Vocabulary)> {
        let mut input = BufReader::with_capacity(1 << 20, std::fs::File::open(&self.path).ok()?);
        let mut magic = [0; 4];
        input.read_exact(&mut magic).ok()?;
        if &magic != MAGIC || u32(&mut input)? != VERSION || u64(&mut input)? != self.generation {
            return None;
        }
        if u64(&mut input)? != fiches.len() as u64 {
            return None;
        }
        let mut derived = Vec::with_capacity(fiches.len());
        for fiche in fiches {
            if text(&mut input)? != fiche.id.as_str() {
                return None;
            }
            let inferred = InferredThemes {
                offer: ThemeSet::from_bits(u32(&mut input)?),
                request: ThemeSet::from_bits(u32(&mut input)?),
            };
            let offer = TextSignature::from_bits([u64(&mut input)?, u64(&mut input)?]);
            let request = TextSignature::from_bits([u64(&mut input)?, u64(&mut input)?]);
            derived.push(Derived {
                inferred,
                texts: TextSignatures { offer, request },
            });
        }
        let texts = u64(&mut input)?;
        let entries = u64(&mut input)?;
        let mut frequency = HashMap::with_capacity(entries as usize);
        for _ in 0..entries {
            frequency.insert(text(&mut input)?, u32(&mut input)?);
        }
        Some((derived, Vocabulary::from_parts(texts, frequency)))
    }

    /// Writes the cache beside its place and renames it in, so a reader never sees a
    /// half-written file.
    pub(super) fn write(
        &self,
        fiches: &[Fiche],
        derived: &[Derived],
        vocabulary: &Vocabulary,
    ) -> Result<()> {
        let temp = self.path.with_extension("tmp");
        let io = |source| Error::Io {
            path: temp.clone(),
            source,
        };
        let file = crate::store::permissions::create_private_file(&temp)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let mut bytes = Vec::with_capacity(64 * fiches.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&self.generation.to_le_bytes());
        bytes.extend_from_slice(&(fiches.len() as u64).to_le_bytes());
        for (fiche, derived) in fiches.iter().zip(derived) {
            put_text(&mut bytes, fiche.id.as_str());
            bytes.extend_from_slice(&derived.inferred.offer.bits().to_le_bytes());
            bytes.extend_from_slice(&derived.inferred.request.bits().to_le_bytes());
            for signature in [derived.texts.offer, derived.texts.request] {
                for word in signature.bits() {
                    bytes.extend_from_slice(&word.to_le_bytes());
                }
            }
        }
        let (texts, frequency) = vocabulary.parts();
        bytes.extend_from_slice(&texts.to_le_bytes());
        bytes.extend_from_slice(&(frequency.len() as u64).to_le_bytes());
        let mut entries: Vec<(&String, &u32)> = frequency.iter().collect();
        entries.sort();
        for (stem, count) in entries {
            put_text(&mut bytes, stem);
            bytes.extend_from_slice(&count.to_le_bytes());
        }
        out.write_all(&bytes)
            .and_then(|()| out.flush())
            .map_err(io)?;
        drop(out);
        std::fs::rename(&temp, &self.path).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })
    }
}

fn put_text(bytes: &mut Vec<u8>, text: &str) {
    bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
    bytes.extend_from_slice(text.as_bytes());
}

fn u32(input: &mut impl Read) -> Option<u32> {
    let mut bytes = [0; 4];
    input.read_exact(&mut bytes).ok()?;
    Some(u32::from_le_bytes(bytes))
}

fn u64(input: &mut impl Read) -> Option<u64> {
    let mut bytes = [0; 8];
    input.read_exact(&mut bytes).ok()?;
    Some(u64::from_le_bytes(bytes))
}

fn text(input: &mut impl Read) -> Option<String> {
    let len = u32(input)? as usize;
    if len > 1 << 16 {
        return None;
    }
    let mut bytes = vec![0; len];
    input.read_exact(&mut bytes).ok()?;
    String::from_utf8(bytes).ok()
}
