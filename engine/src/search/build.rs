//! Building the index from the store into a temporary folder, then swapping it in;
//! opening an existing one and judging whether it is fresh.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy};

use super::directory::UnsyncedDirectory;
use super::schema::Fields;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::text;

/// Bumped whenever the schema or the analysis changes: older indexes are rebuilt.
const FORMAT: u32 = 9;
/// Indexing threads and total writer memory of a full build, sized for a small machine.
const WRITER_THREADS: usize = 2;
const WRITER_MEMORY: usize = 300_000_000;
/// Fiches whose documents are made together.
const BATCH: usize = 4096;

/// What the index records about itself, in tantivy's commit payload.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Payload {
    pub format: u32,
    /// The store generation the index reflects.
    pub generation: u64,
}

impl Payload {
    pub fn at(generation: u64) -> String {
        let payload = Payload {
            format: FORMAT,
            generation,
        };
        serde_json::to_string(&payload).expect("the payload serialises")
    }

    /// The payload of the last commit of `index`, if it is one of ours.
    pub fn of(index: &Index) -> Option<Payload> {
        let metas = index.load_metas().ok()?;
        serde_json::from_str(metas.payload.as_deref()?).ok()
    }
}

/// Why an index was (re)built rather than opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebuildReason {
    /// There was no index.
    Missing,
    /// It was built from another generation of the store, or by another format.
    Stale,
    /// It could not be opened or failed its checks.
    Corrupt,
}

/// An index opened and checked.
pub(super) struct Opened {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Opens the index in `dir` if it reflects `generation` of the store, holds `docs`
/// documents and passes its checksums; otherwise says why not.
pub(super) fn open_fresh(dir: &Path, generation: u64, docs: u64) -> Result<Opened, RebuildReason> {
    if !dir.join("meta.json").exists() {
        return Err(if dir.exists() {
            RebuildReason::Corrupt
        } else {
            RebuildReason::Missing
        });
    }
    let corrupt = |_| RebuildReason::Corrupt;
    let directory = UnsyncedDirectory::open(dir).map_err(|_| RebuildReason::Corrupt)?;
    let index = Index::open(directory).map_err(corrupt)?;
    let payload = Payload::of(&index).ok_or(RebuildReason::Corrupt)?;
    if payload.format != FORMAT || payload.generation != generation {
        return Err(RebuildReason::Stale);
    }
    let fields = Fields::from_schema(&index.schema()).ok_or(RebuildReason::Corrupt)?;
    text::register(index.tokenizers());
    if !index.validate_checksum().map_err(corrupt)?.is_empty() {
        return Err(RebuildReason::Corrupt);
    }
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .doc_store_cache_num_blocks(DOC_STORE_CACHE_BLOCKS)
        .try_into()
        .map_err(corrupt)?;
    if reader.searcher().num_docs() != docs {
        return Err(RebuildReason::Corrupt);
    }
    Ok(Opened {
        index,
        reader,
        fields,
    })
}

/// What a build put in the index.
#[derive(Debug, Clone, Copy)]
pub(super) struct Built {
    /// The generation recorded: the store's when the build started. If the store
    /// changed while it was read, the index is stale from the start (and says so).
    pub generation: u64,
    pub docs: u64,
}

/// Builds the index of `store` and puts it in `dir`, replacing whatever was there.
/// The build happens in a sibling temporary folder renamed into place at the end, so
/// an interrupted build leaves no half index in `dir`.
pub(super) fn build(store: &Store, dir: &Path) -> Result<Built> {
    let tmp = temporary_dir(dir);
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
    let built = build_in(store, &tmp);
    if built.is_err() {
        // Best effort: the error that matters is the build's.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let built = built?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::rename(&tmp, dir).map_err(io(dir))?;
    Ok(built)
}

/// Decompressed blocks of stored documents each segment keeps: tantivy keeps 100
/// of its 16 KiB blocks; blocks of 4 KiB (see [`settings`]) are kept as many bytes'
/// worth, so the hits of recent searches are read again without decompressing.
const DOC_STORE_CACHE_BLOCKS: usize = 400;

/// Stored documents in blocks of 4 KiB rather than tantivy's 16 KiB: a search reads
/// the stored document of each hit of its page, each in a block of its own as a
/// rule, and decompressing whole 16 KiB blocks was a sixth of a search's time; the
/// index is a little larger.
fn settings() -> IndexSettings {
    IndexSettings {
        docstore_blocksize: 4096,
        ..IndexSettings::default()
    }
}

fn build_in(store: &Store, tmp: &Path) -> Result<Built> {
    // The generation is read first: a write made while the fiches are read leaves
    // the index labelled with an older generation than its contents, hence stale,
    // never labelled newer than them.
    let generation = store.generation()?;
    let (schema, fields) = Fields::schema();
    let directory = UnsyncedDirectory::open(tmp).map_err(tantivy::TantivyError::from)?;
    let index = Index::create(directory, schema, settings())?;
    text::register(index.tokenizers());
    let mut writer: IndexWriter = index.writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)?;
    let mut docs = 0u64;
    // Fiches are decoded and their documents made on the pool (theme inference
    // analyses every text), by chunks, while tantivy's threads index the previous ones.
    store.for_each_chunk(
        BATCH,
        |fiche| fields.document(&fiche),
        |made| {
            docs += made.len() as u64;
            for doc in made {
                writer.add_document(doc)?;
            }
            Ok(())
        },
    )?;
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&Payload::at(generation));
    commit.commit()?;
    writer.wait_merging_threads()?;
    Ok(Built { generation, docs })
}

fn temporary_dir(dir: &Path) -> PathBuf {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("index");
    dir.with_file_name(format!("{name}.tmp-{}", std::process::id()))
}
