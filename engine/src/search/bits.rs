//! Sets of the documents of one segment, one bit each: marking a posting is an `or`,
//! with no branch and no score to find, and sets combine 64 documents at a time.

use tantivy::DocId;

#[derive(Debug, Default, Clone)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// Empties the set and sizes it for `max_doc` documents.
    pub fn reset(&mut self, max_doc: usize) {
        self.words.clear();
        self.words.resize(max_doc.div_ceil(64), 0);
    }

    /// Makes this set a copy of `other`.
    pub fn copy_from(&mut self, other: &Bits) {
        self.words.clear();
        self.words.extend_from_slice(&other.words);
    }

    #[inline]
    pub fn insert(&mut self, doc: DocId) {
        self.words[doc as usize / 64] |= 1 << (doc % 64);
    }

    /// Inserts `docs`, in doc order: the bits of one word are gathered before it is
    /// written (postings are dense: neighbours often share a word).
    pub fn insert_sorted(&mut self, docs: &[DocId]) {
        let Some(&first) = docs.first() else {
            return;
        };
        let (mut index, mut word) = (first as usize / 64, 0u64);
        for &doc in docs {
            let i = doc as usize / 64;
            if i != index {
                self.words[index] |= word;
                (index, word) = (i, 0);
            }
            word |= 1 << (doc % 64);
        }
        self.words[index] |= word;
    }

    #[inline]
    pub fn contains(&self, doc: DocId) -> bool {
        self.words[doc as usize / 64] & (1 << (doc % 64)) != 0
    }

    /// Adds the documents of `other` (of the same size).
    pub fn union_with(&mut self, other: &Bits) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a |= b);
    }

    /// Keeps the documents that `other` (of the same size) holds too.
    pub fn intersect_with(&mut self, other: &Bits) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a &= b);
    }

    pub fn words(&self) -> &[u64] {
        &self.words
    }

    pub fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words
    }

    /// How many documents the set holds.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The documents of the set, in doc order.
    pub fn docs(&self) -> Vec<DocId> {
        let mut docs = Vec::with_capacity(self.len());
        for_each_bit(&self.words, |doc| docs.push(doc));
        docs
    }
}

/// Calls `f` with the document of every bit set in `words`, in doc order.
#[inline]
pub fn for_each_bit(words: &[u64], mut f: impl FnMut(DocId)) {
    for (i, &word) in words.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            f((i * 64) as DocId + word.trailing_zeros());
            word &= word - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_gives_back_its_documents_in_order() {
        let mut bits = Bits::default();
        bits.reset(200);
        for doc in [199, 0, 64] {
            bits.insert(doc);
        }
        bits.insert_sorted(&[5, 63, 64, 199]);
        assert_eq!(bits.docs(), vec![0, 5, 63, 64, 199]);
        assert_eq!(bits.len(), 5);
        assert!(bits.contains(63) && !bits.contains(62));
        bits.reset(10);
        assert_eq!(bits.len(), 0);
    }
}
