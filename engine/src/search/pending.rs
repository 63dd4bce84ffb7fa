//! Writes applied but not yet committed to tantivy, and the view searches read: the
//! last committed snapshot of the index plus those writes.
//!
//! A tantivy commit costs milliseconds of work whatever its size (a new segment, its
//! term dictionaries and files, the deletes applied to the large segment): too much to
//! pay before acknowledging each write. So a write becomes a [`PendingDoc`] (the
//! document the index will hold, with every term it will have, analysed by the index's
//! own tokenisers) in the [`View`] that searches read, and a background thread
//! commits the pending writes (see [`super::writer`]). Until then, the view hides the
//! committed documents those writes replace or delete, matches and scores the pending
//! documents with the same plan as the index (see [`super::relevance::Plan`]), and
//! counts them in document frequencies: a search gives the same page before and
//! after the commit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use tantivy::schema::{FieldType, IndexRecordOption, Value};
use tantivy::tokenizer::{TokenStream, TokenizerManager};
use tantivy::{DocId, DocSet, Searcher, SegmentOrdinal, TERMINATED, TantivyDocument, Term};

use super::schema::Fields;
use super::term_infos::TermInfos;
use crate::error::{Error, Result};
use crate::fiche::{Fiche, FicheId};

/// A fiche written but not committed yet: its document and every term it has.
#[derive(Debug)]
pub struct PendingDoc {
    pub id: FicheId,
    pub doc: TantivyDocument,
    terms: HashSet<Term>,
    pub population: u64,
    pub open_until: i64,
}

impl PendingDoc {
    /// The document of `fiche` and its terms, by the tokenisers the index uses.
    pub fn new(fiche: &Fiche, fields: &Fields, index: &tantivy::Index) -> Result<PendingDoc> {
        let doc = fields.document(fiche);
        let terms = terms_of(&doc, &index.schema(), index.tokenizers())?;
        Ok(PendingDoc {
            id: fiche.id.clone(),
            doc,
            terms,
            population: fiche.population,
            open_until: super::schema::open_until(fiche),
        })
    }

    pub fn has(&self, term: &Term) -> bool {
        self.terms.contains(term)
    }
}

/// The terms tantivy would index for `doc`.
fn terms_of(
    doc: &TantivyDocument,
    schema: &tantivy::schema::Schema,
    tokenizers: &TokenizerManager,
) -> Result<HashSet<Term>> {
    let mut terms = HashSet::new();
    for (field, value) in doc.field_values() {
        let FieldType::Str(options) = schema.get_field_entry(field).field_type() else {
            continue;
        };
        let (Some(indexing), Some(text)) = (options.get_indexing_options(), value.as_str()) else {
            continue;
        };
        let mut analyzer =
            tokenizers
                .get(indexing.tokenizer())
                .ok_or_else(|| Error::IndexUnusable {
                    path: Default::default(),
                    reason: format!("no tokeniser {:?}", indexing.tokenizer()),
                })?;
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            terms.insert(Term::from_field_text(field, &stream.token().text));
        }
    }
    Ok(terms)
}

/// One pending write: its sequence number and the document (`None`: a delete).
#[derive(Debug, Clone)]
pub struct Entry {
    pub sequence: u64,
    pub doc: Option<Arc<PendingDoc>>,
}

/// The pending writes, by id: the last write of each id.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    entries: BTreeMap<FicheId, Entry>,
}

impl Pending {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn insert(&mut self, id: FicheId, entry: Entry) {
        self.entries.insert(id, entry);
    }

    pub fn entries(&self) -> impl Iterator<Item = (&FicheId, &Entry)> {
        self.entries.iter()
    }

    /// The documents written (not the deletes), in id order.
    pub fn docs(&self) -> impl Iterator<Item = &Arc<PendingDoc>> {
        self.entries.values().filter_map(|e| e.doc.as_ref())
    }

    /// These writes less those `committed` holds (same id, same sequence number):
    /// what is still pending once `committed` is in the index.
    pub fn without(&self, committed: &Pending) -> Pending {
        let entries = self.entries.iter().filter(|(id, entry)| {
            committed
                .entries
                .get(*id)
                .is_none_or(|c| c.sequence != entry.sequence)
        });
        Pending {
            entries: entries.map(|(id, e)| (id.clone(), e.clone())).collect(),
        }
    }
}

/// What a search reads: a committed snapshot and the writes pending on top of it.
pub struct View {
    pub searcher: Searcher,
    pub pending: Pending,
    /// Committed documents that pending writes replace or delete, by segment, sorted.
    pub shadowed: HashMap<SegmentOrdinal, Vec<DocId>>,
    /// The store generation the view reflects (committed and pending writes).
    pub generation: u64,
}

impl View {
    pub fn new(
        searcher: Searcher,
        pending: Pending,
        generation: u64,
        fields: &Fields,
    ) -> Result<View> {
        let mut shadowed: HashMap<SegmentOrdinal, Vec<DocId>> = HashMap::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(fields.id)?;
            let mut docs = Vec::new();
            for (id, _) in pending.entries() {
                let term = Term::from_field_text(fields.id, id.as_str());
                let Some(mut postings) = inverted
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(io)?
                else {
                    continue;
                };
                while postings.doc() != TERMINATED {
                    if segment
                        .alive_bitset()
                        .is_none_or(|a| a.is_alive(postings.doc()))
                    {
                        docs.push(postings.doc());
                    }
                    postings.advance();
                }
            }
            if !docs.is_empty() {
                docs.sort_unstable();
                shadowed.insert(ord as SegmentOrdinal, docs);
            }
        }
        Ok(View {
            searcher,
            pending,
            shadowed,
            generation,
        })
    }

    /// Number of fiches: committed, less those shadowed, plus those pending.
    pub fn num_docs(&self) -> u64 {
        let hidden: usize = self.shadowed.values().map(Vec::len).sum();
        self.searcher.num_docs() - hidden as u64 + self.pending.docs().count() as u64
    }

    /// Fiches that have `term`, deleted and shadowed documents left out, pending ones
    /// counted: the same count whatever the history of writes and commits, so scores
    /// do not depend on when segments were merged or writes committed.
    ///
    /// The term's dictionary entries are read from `infos` (see [`TermInfos`]).
    pub fn doc_freq(&self, term: &Term, infos: &TermInfos) -> Result<u64> {
        let mut total = 0u64;
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let ord = ord as SegmentOrdinal;
            let Some(info) = infos.get(ord, segment, term)? else {
                continue;
            };
            let shadowed = self.shadowed.get(&ord);
            if segment.alive_bitset().is_none() && shadowed.is_none() {
                total += u64::from(info.doc_freq);
                continue;
            }
            let inverted = segment.inverted_index(term.field())?;
            let mut postings = inverted
                .read_postings_from_terminfo(&info, IndexRecordOption::Basic)
                .map_err(io)?;
            let alive = segment.alive_bitset();
            let hidden = shadowed.map_or(&[][..], Vec::as_slice);
            while postings.doc() != TERMINATED {
                let doc = postings.doc();
                if alive.is_none_or(|a| a.is_alive(doc)) && hidden.binary_search(&doc).is_err() {
                    total += 1;
                }
                postings.advance();
            }
        }
        let pending = self.pending.docs().filter(|d| d.has(term)).count();
        Ok(total + pending as u64)
    }
}

fn io(error: std::io::Error) -> Error {
    Error::Index(error.into())
}
