//! The map's data as the browser receives it: the engine's [`Atlas`] encoded once per
//! store generation and date into one binary document (columns as little-endian
//! typed arrays after a JSON header with the tables and their French labels), kept
//! until the store changes and served with an ETag.
//!
//! Layout (every column starts on a multiple of its element size):
//!
//! ```text
//! "PSA1" | u32 header length H | header: JSON, padded with spaces to a multiple of 4
//! lat i32[n] | lon i32[n] (1e-4 degree) | themes u32[n] | country u16[n] | area u16[n]
//! | flags u8[n]: bit 0 foreign, bits 1-2 level, bits 3-5 call state, bit 6 under-served
//! ```

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use passerelle_engine::Result;
use passerelle_engine::atlas::{Atlas, AtlasArea, CallState, NO_AREA};
use passerelle_engine::fiche::{Level, Side};
use passerelle_engine::reference::Themes;
use serde::Serialize;

use super::corpus::ConsoleCorpus;
use crate::server::registry_lock;

/// The first bytes of the document (and its format's version).
pub const MAGIC: &[u8; 4] = b"PSA1";

/// The atlas of one generation and date, and its encoding.
#[derive(Debug)]
pub(crate) struct MapData {
    pub generation: u64,
    pub today: NaiveDate,
    pub atlas: Atlas,
    /// The document (shared by every response: cloning it copies nothing).
    pub bytes: axum::body::Bytes,
    /// A strong ETag: the generation and a hash of the bytes.
    pub etag: String,
}

/// The latest [`MapData`], rebuilt when the store's generation or the date changes.
#[derive(Debug, Default)]
pub(crate) struct MapCache {
    current: Mutex<Option<Arc<MapData>>>,
    /// Held while building, so concurrent requests build once.
    building: Mutex<()>,
}

#[derive(Serialize)]
struct Header<'a> {
    version: u32,
    generation: u64,
    today: String,
    count: usize,
    /// `[code, French name, under-served]`, by index.
    countries: Vec<(&'a str, &'a str, bool)>,
    /// `[country index, code, label]`, by index.
    areas: Vec<(u16, &'a str, String)>,
    no_area: u16,
    /// `[code, French label]`, by bit.
    themes: Vec<(&'a str, &'a str)>,
    /// French labels by level number.
    levels: Vec<&'static str>,
    /// French labels by call-state number.
    calls: Vec<&'static str>,
}

impl MapCache {
    /// The data for the store's current generation and `today`, built if needed
    /// (blocking: reading the store and building take seconds on the demo corpus).
    pub(crate) fn get(&self, corpus: &ConsoleCorpus, today: NaiveDate) -> Result<Arc<MapData>> {
        let generation = corpus.generation()?;
        if let Some(data) = self.fresh(generation, today) {
            return Ok(data);
        }
        let _building = registry_lock::lock(&self.building, "console map build");
        if let Some(data) = self.fresh(generation, today) {
            return Ok(data);
        }
        let started = std::time::Instant::now();
        let (generation, atlas) = corpus.atlas()?;
        let data = Arc::new(encode(generation, atlas));
        tracing::info!(
            points = data.atlas.len(),
            bytes = data.bytes.len(),
            generation,
            ms = started.elapsed().as_millis() as u64,
            "console map data built"
        );
        *registry_lock::lock(&self.current, "console map data") = Some(data.clone());
        Ok(data)
    }

    /// The data last built, whatever its generation.
    pub(crate) fn latest(&self) -> Option<Arc<MapData>> {
        registry_lock::lock(&self.current, "console map data").clone()
    }

    fn fresh(&self, generation: u64, today: NaiveDate) -> Option<Arc<MapData>> {
        self.latest()
            .filter(|data| data.generation == generation && data.today == today)
    }
}

/// An area's name, or its code when no fiche names it.
pub(crate) fn area_label(area: &AtlasArea) -> String {
    match &area.name {
        Some(name) => name.clone(),
        None => format!("division {}", area.code),
    }
}

pub(crate) fn level_label(level: Level) -> &'static str {
    match level {
        Level::Local => "local",
        Level::Intermediate => "intermédiaire",
        Level::Regional => "régional",
    }
}

fn level_number(level: Level) -> u8 {
    match level {
        Level::Local => 0,
        Level::Intermediate => 1,
        Level::Regional => 2,
    }
}

fn encode(generation: u64, atlas: Atlas) -> MapData {
    let n = atlas.len();
    let header = Header {
        version: 1,
        generation,
        today: atlas.today.to_string(),
        count: n,
        countries: atlas
            .countries
            .iter()
            .map(|c| (c.code.as_str(), c.name_fr.as_str(), c.underserved))
            .collect(),
        areas: atlas
            .areas
            .iter()
            .map(|a| (a.country, a.code.as_str(), area_label(a)))
            .collect(),
        no_area: NO_AREA,
        themes: Themes::get()
            .all()
            .map(|(code, info)| (code.as_str(), info.label_fr.as_str()))
            .collect(),
        levels: Level::ALL.into_iter().map(level_label).collect(),
        calls: CallState::ALL
            .into_iter()
            .map(CallState::label_fr)
            .collect(),
    };
    let mut json = serde_json::to_vec(&header).expect("the header serialises");
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let mut bytes = Vec::with_capacity(8 + json.len() + n * 17);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&json);
    for v in &atlas.lat {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for v in &atlas.lon {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for v in &atlas.themes {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for v in &atlas.country {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for v in &atlas.area {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for i in 0..n {
        let foreign = u8::from(atlas.side[i] == Side::Foreign);
        let flags = foreign
            | level_number(atlas.level[i]) << 1
            | atlas.call[i].index() << 3
            | u8::from(atlas.is_underserved(i)) << 6;
        bytes.push(flags);
    }
    let etag = format!(
        "\"carte-{generation}-{:016x}\"",
        super::assets::fnv64(&bytes)
    );
    MapData {
        generation,
        today: atlas.today,
        atlas,
        bytes: bytes.into(),
        etag,
    }
}
