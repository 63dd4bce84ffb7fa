//! Incremental writes: the fiches a store write changed, applied to the index and
//! committed with the store's new generation.

use std::collections::HashSet;

use tantivy::{Index, IndexWriter, Term};

use super::build::Payload;
use super::schema::Fields;
use crate::error::Result;
use crate::fiche::{Fiche, FicheId};

/// Memory of the long-lived writer: one thread, tantivy's smallest budget but one
/// notch; a write of a few fiches uses a fraction of it.
const MEMORY: usize = 20_000_000;

pub(super) fn open(index: &Index) -> Result<IndexWriter> {
    Ok(index.writer_with_num_threads(1, MEMORY)?)
}

/// Removes the documents of `deleted` and of `upserted` (by id), adds `upserted`
/// (the last of a repeated id wins), and commits with `generation` in the payload.
/// On error nothing is committed; the caller rolls the writer back.
pub(super) fn apply(
    writer: &mut IndexWriter,
    fields: &Fields,
    upserted: &[Fiche],
    deleted: &[FicheId],
    generation: u64,
) -> Result<()> {
    let ids = deleted.iter().chain(upserted.iter().map(|f| &f.id));
    let mut seen = HashSet::new();
    for id in ids {
        if seen.insert(id) {
            writer.delete_term(Term::from_field_text(fields.id, id.as_str()));
        }
    }
    let mut added = HashSet::new();
    for fiche in upserted.iter().rev() {
        if added.insert(&fiche.id) {
            writer.add_document(fields.document(fiche))?;
        }
    }
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&Payload::at(generation));
    commit.commit()?;
    Ok(())
}
