//! The stages of the analysers that tantivy does not provide: the tokeniser
//! (tantivy's simple one, but with Arabic marks kept inside words), the Arabic
//! normalisation filter and the Arabic light stemmer.

use std::str::CharIndices;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::arabic;

/// Splits on every character that is not a letter, a digit or an Arabic mark
/// ([`arabic::is_word_char`]): on Latin text, exactly tantivy's `SimpleTokenizer`.
#[derive(Debug, Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

pub struct WordStream<'a> {
    text: &'a str,
    chars: CharIndices<'a>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            chars: text.char_indices(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        while let Some((start, c)) = self.chars.next() {
            if arabic::is_word_char(c) {
                let end = self
                    .chars
                    .find(|(_, c)| !arabic::is_word_char(*c))
                    .map_or(self.text.len(), |(offset, _)| offset);
                self.token.offset_from = start;
                self.token.offset_to = end;
                self.token.text.push_str(&self.text[start..end]);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// A filter that rewrites each token with `rewrite` (`None`: unchanged); a token
/// that becomes empty is dropped.
#[derive(Debug, Clone, Copy)]
pub struct Rewrite(fn(&str) -> Option<String>);

/// Normalises the Arabic script of each token ([`arabic::normalise`]); a token made
/// only of marks becomes empty and is dropped.
pub const ARABIC_NORMALISER: Rewrite = Rewrite(arabic::normalise);

/// Light-stems each Arabic token ([`arabic::stem`]).
pub const ARABIC_STEMMER: Rewrite = Rewrite(arabic::stem);

impl TokenFilter for Rewrite {
    type Tokenizer<T: Tokenizer> = RewriteFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> RewriteFilter<T> {
        RewriteFilter(tokenizer, self.0)
    }
}

#[derive(Debug, Clone)]
pub struct RewriteFilter<T>(T, fn(&str) -> Option<String>);

impl<T: Tokenizer> Tokenizer for RewriteFilter<T> {
    type TokenStream<'a> = RewriteStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RewriteStream(self.0.token_stream(text), self.1)
    }
}

pub struct RewriteStream<S>(S, fn(&str) -> Option<String>);

impl<S: TokenStream> TokenStream for RewriteStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if let Some(rewritten) = (self.1)(&self.0.token().text) {
                self.0.token_mut().text = rewritten;
            }
            if !self.0.token().text.is_empty() {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}
