//! Stemming each distinct word once: the stems of the folded words a thread has
//! seen, by language, remembered.
//!
//! Fiche texts share most of their words, and stemming was the largest part of
//! analysing them (building the index, inferring themes, building the matcher
//! without its cache, marking the words of a snippet). A word's stem does not depend
//! on its neighbours, so stemming a folded word or reusing the stem remembered for
//! it gives the same token.

use std::cell::RefCell;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::reference::{LANGUAGES, Language};

/// Most words a thread remembers the stem of, by language, before it forgets them
/// all: well above the vocabulary of a language's texts in the demo corpus, and a
/// bound on the memory of every thread's copy (a few megabytes).
const MAX_KNOWN: usize = 50_000;

struct Stems {
    /// One language's stemmer alone ([`super::stemmer`]).
    stemmers: [TextAnalyzer; LANGUAGES],
    known: [FxHashMap<String, String>; LANGUAGES],
}

thread_local! {
    static STEMS: RefCell<Option<Stems>> = const { RefCell::new(None) };
}

/// The stems of one language, as a thread remembers them: see [`with_stems`].
pub(super) struct KnownStems<'a> {
    stemmer: &'a mut TextAnalyzer,
    known: &'a mut FxHashMap<String, String>,
}

impl KnownStems<'_> {
    /// What `answer` says of the stem of the folded word `folded` (one hash lookup
    /// for a word already stemmed). The stem is empty when the stemmer leaves nothing
    /// of the word (the Arabic stemmer drops a particle alone).
    pub(super) fn answer<T>(&mut self, folded: &str, answer: impl FnOnce(&str) -> T) -> T {
        if let Some(stem) = self.known.get(folded) {
            return answer(stem);
        }
        if self.known.len() >= MAX_KNOWN {
            self.known.clear();
        }
        let stem = stem_of(self.stemmer, folded);
        let answered = answer(&stem);
        self.known.insert(folded.to_owned(), stem);
        answered
    }
}

/// Calls `f` with the stems this thread knows in `language` (once per text rather
/// than once per word: reaching them costs a thread-local access and a borrow).
///
/// `f` must not reach them again (they are borrowed meanwhile): [`super::analyse`]
/// inside it panics.
pub(super) fn with_stems<T>(language: Language, f: impl FnOnce(&mut KnownStems) -> T) -> T {
    STEMS.with_borrow_mut(|stems| {
        let stems = stems.get_or_insert_with(|| Stems {
            stemmers: Language::ALL.map(super::stemmer),
            known: Default::default(),
        });
        let l = language.index();
        f(&mut KnownStems {
            stemmer: &mut stems.stemmers[l],
            known: &mut stems.known[l],
        })
    })
}

/// The stem of one folded word.
fn stem_of(stemmer: &mut TextAnalyzer, word: &str) -> String {
    let mut stream = stemmer.token_stream(word);
    match stream.advance() {
        true => stream.token().text.clone(),
        false => String::new(),
    }
}
