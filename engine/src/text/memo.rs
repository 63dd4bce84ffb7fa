//! Stemming each distinct word once: the last step of a language's analyser, with
//! the stems of the words it has seen remembered.
//!
//! Fiche texts share most of their words, and stemming was the largest part of
//! analysing them (building the index, inferring themes, building the matcher
//! without its cache). A word's stem does not depend on its neighbours, so stemming
//! a token or reusing the stem remembered for the same folded word gives the same
//! token.

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// Most words an analyser remembers the stem of before it forgets them all: well
/// above the vocabulary of a language's texts in the demo corpus, and a bound on
/// the memory of every analyser copy (a few megabytes).
const MAX_KNOWN: usize = 50_000;

/// A token filter stemming with `stemmer` (a whole input as one token, stemmed: see
/// [`super::stemmer`]), remembering stems.
#[derive(Clone)]
pub struct Memoised {
    pub stemmer: TextAnalyzer,
}

impl TokenFilter for Memoised {
    type Tokenizer<T: Tokenizer> = MemoisedFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoisedFilter<T> {
        MemoisedFilter {
            inner: tokenizer,
            stemmer: self.stemmer,
            known: FxHashMap::default(),
        }
    }
}

pub struct MemoisedFilter<T> {
    inner: T,
    stemmer: TextAnalyzer,
    known: FxHashMap<String, String>,
}

/// A copy starts with nothing remembered: tantivy copies analysers per field and
/// per segment, and copying what one has learnt would cost more than relearning it.
impl<T: Clone> Clone for MemoisedFilter<T> {
    fn clone(&self) -> Self {
        MemoisedFilter {
            inner: self.inner.clone(),
            stemmer: self.stemmer.clone(),
            known: FxHashMap::default(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for MemoisedFilter<T> {
    type TokenStream<'a> = MemoisedStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoisedStream {
            inner: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            known: &mut self.known,
        }
    }
}

pub struct MemoisedStream<'a, S> {
    inner: S,
    stemmer: &'a mut TextAnalyzer,
    known: &'a mut FxHashMap<String, String>,
}

impl<S: TokenStream> TokenStream for MemoisedStream<'_, S> {
    /// A word the stemmer leaves nothing of (the Arabic stemmer drops a word made
    /// of a particle alone) is dropped, as the stemmer's own stream drops it.
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            let token = self.inner.token_mut();
            match self.known.get(&token.text) {
                Some(stem) => token.text.clone_from(stem),
                None => {
                    if self.known.len() >= MAX_KNOWN {
                        self.known.clear();
                    }
                    let stem = stem_of(self.stemmer, &token.text);
                    let word = std::mem::replace(&mut token.text, stem.clone());
                    self.known.insert(word, stem);
                }
            }
            if !token.text.is_empty() {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// The stem of one folded word.
fn stem_of(stemmer: &mut TextAnalyzer, word: &str) -> String {
    let mut stream = stemmer.token_stream(word);
    match stream.advance() {
        true => stream.token().text.clone(),
        false => String::new(),
    }
}
