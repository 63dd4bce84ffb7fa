//! Why a fiche matched: the field that answers the query best and a short extract of
//! it, as plain text with the ranges of the words that matched.
//!
//! The stored name and texts of a hit are analysed again as the index analyses them
//! (folding for names, the fiche's language for texts; stems of words remembered,
//! see [`text::for_each_stem`]), so a highlighted word is exactly a word the
//! index matched (`forages` for the query `forage`). The field
//! shown is the one whose matched words weigh most, with the weights of
//! [`super::relevance`]; on equal weight: name, request, offer, activities. A fiche
//! that matched only through a theme shows the theme's French label. Highlights are
//! byte ranges into `text`, never markup: each front end escapes the text and marks
//! the ranges its own way.

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;
use tantivy::Score;

use super::relevance::{ALT_NAME, NAME, TEXT, whole_name_bonus};
use super::stored::{Part, Stored};
use super::terms::QueryText;
use crate::reference::{LANGUAGES, Language, ThemeCode};
use crate::text;

/// Longest extract, in bytes, before the ellipses.
pub const MAX_SNIPPET_BYTES: usize = 240;
/// Context kept before the first highlighted word of a cut extract.
const CONTEXT_BYTES: usize = 40;
const ELLIPSIS: &str = "…";

/// The part of a fiche a snippet is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedField {
    Name,
    Request,
    Offer,
    Activities,
    Themes,
}

impl MatchedField {
    /// The field's name as staff read it.
    pub fn label(self) -> &'static str {
        match self {
            MatchedField::Name => "nom",
            MatchedField::Request => "demande",
            MatchedField::Offer => "offre",
            MatchedField::Activities => "activités",
            MatchedField::Themes => "thèmes",
        }
    }
}

/// Why a fiche matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub field: MatchedField,
    /// An extract of the field, `…` where it was cut.
    pub text: String,
    /// Byte ranges of `text` (on character boundaries) of the words that matched,
    /// in order, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

/// Words of a text that match the query: ranges and the query words they are.
struct Marks {
    ranges: Vec<Range<usize>>,
    words: Vec<usize>,
}

/// Where a hit matched, as far as the search knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// Anywhere: its name and texts are looked at.
    Anywhere,
    /// Through themes only (see `scorer::collect`): no name or text of it holds a
    /// word of the query, so they are not looked at (9 of the 19 hits of
    /// `eau potable forages` among Senegal's open calls in the demo corpus).
    ThemesOnly,
}

/// What snippets need of a search: its analysed query.
pub struct Highlighter<'q> {
    query: &'q QueryText,
    /// By language, the first bytes of the query's stems, where a word's stem always
    /// begins as the word does (see [`FirstBytes`]).
    first_bytes: [Option<FirstBytes>; LANGUAGES],
}

/// The bytes a language's stems of the query words begin with.
///
/// The Snowball stemmers (French, English, Spanish, Portuguese) only take endings
/// off a folded word or change its last letters: a stem begins with the word's first
/// byte (tested on every word of the sample corpus). So a word whose first byte is
/// none of these cannot stem to a query's stem: it is not even folded, let alone
/// stemmed (most of a text's words; see [`text::for_each_folded_token_from`]). The
/// Arabic stemmer takes prefixes off (the article, a conjunction): no such test for
/// it.
struct FirstBytes([bool; 256]);

impl FirstBytes {
    fn of(query: &QueryText, language: Language) -> Option<FirstBytes> {
        if language == Language::Ar {
            return None;
        }
        let mut firsts = [false; 256];
        for word in &query.words {
            if let Some(stem) = &word.stems[language.index()] {
                firsts[usize::from(*stem.as_bytes().first()?)] = true;
            }
        }
        Some(FirstBytes(firsts))
    }

    /// Whether a folded word beginning with `byte` may stem to a query stem.
    fn admits(&self, byte: u8) -> bool {
        self.0[usize::from(byte)]
    }
}

impl<'q> Highlighter<'q> {
    pub fn new(query: &'q QueryText) -> Highlighter<'q> {
        Highlighter {
            query,
            first_bytes: Language::ALL.map(|language| FirstBytes::of(query, language)),
        }
    }

    /// Marks the tokens of `value` that are query words: folded tokens against the
    /// words (`language` none), stems against the words' stems otherwise.
    fn marks(&self, value: &str, language: Option<Language>) -> Marks {
        let query = self.query;
        let mut marks = Marks {
            ranges: Vec::new(),
            words: Vec::new(),
        };
        let mut mark = |range: Range<usize>, word: Option<usize>| {
            if let Some(word) = word {
                marks.ranges.push(range);
                marks.words.push(word);
            }
        };
        let Some(language) = language else {
            text::for_each_folded_token(value, |range, token| {
                mark(range, query.words.iter().position(|w| w.folded == token))
            });
            return marks;
        };
        let l = language.index();
        // Words that cannot stem to a query stem are not even folded.
        let firsts = self.first_bytes[l].as_ref();
        let admits = |byte| firsts.is_none_or(|firsts| firsts.admits(byte));
        text::for_each_stem(value, language, admits, |range, stem| {
            mark(
                range,
                (query.words.iter()).position(|w| w.stems[l].as_deref() == Some(stem)),
            )
        });
        marks
    }

    /// The weight of the distinct words marked, at `weight` per unit of idf.
    fn weight(&self, words: &[usize], weight: Score) -> Score {
        let mut distinct = words.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        distinct
            .iter()
            .map(|&w| weight * self.query.words[w].idf)
            .sum()
    }

    /// The snippet of a hit; `None` when nothing of the query is found in it.
    pub fn snippet(&self, doc: &Stored, matched: Matched) -> Option<Snippet> {
        if matched == Matched::ThemesOnly {
            return self.themes_part(doc);
        }
        let mut best: Option<Best> = None;
        let (weight, name, marks) = self.name_part(doc);
        consider(
            &mut best,
            (weight, MatchedField::Name, Cow::Owned(name), marks),
        );
        let language = (doc.first(Part::Language))
            .and_then(Language::from_iso639_1)
            .unwrap_or(Language::Fr);
        let texts = [
            (MatchedField::Request, Part::Request),
            (MatchedField::Offer, Part::Offer),
            (MatchedField::Activities, Part::Activities),
        ];
        // No text can weigh more than all the query's words: once the best weighs
        // that, the texts left cannot replace it (analysing them would change nothing).
        let all: Vec<usize> = (0..self.query.words.len()).collect();
        let most = self.weight(&all, TEXT);
        for (field, part) in texts {
            if best.as_ref().is_some_and(|(weight, ..)| *weight >= most) {
                break;
            }
            if let Some(value) = doc.first(part) {
                let marks = self.marks(value, Some(language));
                let weight = self.weight(&marks.words, TEXT);
                consider(&mut best, (weight, field, Cow::Borrowed(value), marks));
            }
        }
        match best {
            Some((_, field, text, marks)) => Some(extract(field, &text, &marks.ranges)),
            None => self.themes_part(doc),
        }
    }

    /// The name, then each alternative name that adds matched words, separated by
    /// ` · `; and their weight.
    fn name_part(&self, doc: &Stored) -> (Score, String, Marks) {
        let name = doc.first(Part::Name).unwrap_or_default();
        let mut marks = self.marks(name, None);
        let mut weight = self.weight(&marks.words, NAME);
        let mut whole = self.whole_name(name);
        let mut text = name.to_owned();
        for alt in doc.all(Part::AltName) {
            let alt_marks = self.marks(alt, None);
            let new: Vec<usize> = (alt_marks.words.iter())
                .filter(|w| !marks.words.contains(w))
                .copied()
                .collect();
            if new.is_empty() {
                continue;
            }
            weight += self.weight(&new, ALT_NAME);
            whole = whole.max(self.whole_name(alt));
            text.push_str(" · ");
            let shift = text.len();
            text.push_str(alt);
            let shifted = alt_marks
                .ranges
                .iter()
                .map(|r| r.start + shift..r.end + shift);
            marks.ranges.extend(shifted);
            marks.words.extend(alt_marks.words);
        }
        (weight + whole, text, marks)
    }

    /// The whole-name bonus of `name` when the query has it as a run of words.
    fn whole_name(&self, name: &str) -> Score {
        let key = text::fold(name);
        let run = self.query.runs.iter().find(|run| run.key == key);
        run.map_or(0.0, |run| whole_name_bonus(self.query, &run.words))
    }

    /// The French labels of the query's themes that the fiche has.
    fn themes_part(&self, doc: &Stored) -> Option<Snippet> {
        let codes: Vec<&str> = doc.all(Part::Theme).collect();
        let mut text = String::new();
        let mut highlights = Vec::new();
        for theme in &self.query.themes {
            if !codes.contains(&theme.code.as_str()) {
                continue;
            }
            if !text.is_empty() {
                text.push_str(", ");
            }
            let label = &ThemeCode::info(theme.code).label_fr;
            highlights.push(text.len()..text.len() + label.len());
            text.push_str(label);
        }
        (!text.is_empty()).then_some(Snippet {
            field: MatchedField::Themes,
            text,
            highlights,
        })
    }
}

/// The field shown so far: its weight, what it is, its text and marks.
type Best<'d> = (Score, MatchedField, Cow<'d, str>, Marks);

/// Keeps `candidate` if it weighs more than the best so far (earlier wins ties).
fn consider<'d>(best: &mut Option<Best<'d>>, candidate: Best<'d>) {
    let weight = candidate.0;
    if weight > 0.0 && best.as_ref().is_none_or(|(w, ..)| weight > *w) {
        *best = Some(candidate);
    }
}

/// Cuts `text` around its densest group of highlights, at word boundaries.
fn extract(field: MatchedField, text: &str, ranges: &[Range<usize>]) -> Snippet {
    if text.len() <= MAX_SNIPPET_BYTES || ranges.is_empty() {
        let (start, end) = (0, text.len().min(MAX_SNIPPET_BYTES));
        return cut(field, text, ranges, start, end);
    }
    // The highlight that starts the window holding the most highlights.
    let anchor = (0..ranges.len())
        .max_by_key(|&i| {
            let limit = ranges[i].start + MAX_SNIPPET_BYTES - CONTEXT_BYTES;
            let inside = ranges[i..].iter().take_while(|r| r.end <= limit).count();
            (inside, std::cmp::Reverse(i))
        })
        .unwrap_or(0);
    let first = ranges[anchor].start;
    let mut start = floor_boundary(text, first.saturating_sub(CONTEXT_BYTES));
    if start > 0 && !text[..start].ends_with(char::is_whitespace) {
        // Begin at a word, not within one.
        start = text[start..first]
            .find(char::is_whitespace)
            .map_or(first, |i| start + i);
    }
    start = first - text[start..first].trim_start().len();
    let mut end = floor_boundary(text, (start + MAX_SNIPPET_BYTES).min(text.len()));
    if end < text.len() {
        // End before a space, not within a word (unless one word fills the window).
        if let Some(space) = text[start..end].rfind(char::is_whitespace)
            && space > 0
        {
            end = start + space;
        }
    }
    cut(field, text, ranges, start, end)
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `text[start..end]` with ellipses where it was cut, and the highlights inside it.
fn cut(
    field: MatchedField,
    text: &str,
    ranges: &[Range<usize>],
    start: usize,
    end: usize,
) -> Snippet {
    let mut out = String::new();
    if start > 0 {
        out.push_str(ELLIPSIS);
    }
    let shift = out.len();
    out.push_str(&text[start..end]);
    if end < text.len() {
        out.push_str(ELLIPSIS);
    }
    let highlights = ranges
        .iter()
        .filter(|r| r.start >= start && r.end <= end)
        .map(|r| r.start - start + shift..r.end - start + shift)
        .collect();
    Snippet {
        field,
        text: out,
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;
    use crate::text::tokens;

    /// The stem of one folded word (empty when the stemmer leaves nothing of it).
    fn stem(stemmer: &mut TextAnalyzer, folded: &str) -> String {
        tokens(stemmer, folded)
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    /// What [`FirstBytes`] relies on: a Snowball stem begins with its word's first
    /// byte, for every word of the sample corpus's names and texts (and more).
    #[test]
    fn snowball_stems_begin_as_their_words_do() {
        let sample = include_str!("../../../datasets/sample/sample.jsonl");
        let mut words: Vec<String> = text::fold_tokens(
            "yeux y ya yes yet you young dying lying tying skies skis news idly gently \
             ugly early only singly ugliness aaa eau élèves ôter être œuvre ñandú ão",
        );
        for line in sample.lines() {
            let fiche: crate::fiche::Fiche = serde_json::from_str(line).unwrap();
            let texts = [fiche.name.clone()]
                .into_iter()
                .chain(fiche.activities.clone());
            let texts = texts.chain(
                fiche
                    .offer
                    .iter()
                    .chain(&fiche.request)
                    .filter_map(|i| i.text.clone()),
            );
            for value in texts {
                words.extend(text::fold_tokens(&value));
            }
        }
        for theme in crate::reference::Themes::get().all().map(|(_, info)| info) {
            for language in Language::ALL {
                for keyword in theme.keywords(language) {
                    words.extend(text::fold_tokens(keyword));
                }
            }
        }
        let mut checked = 0;
        for language in Language::ALL.into_iter().filter(|l| *l != Language::Ar) {
            let mut stemmer = text::stemmer(language);
            for word in &words {
                let stemmed = stem(&mut stemmer, word);
                assert!(
                    stemmed.is_empty() || stemmed.as_bytes()[0] == word.as_bytes()[0],
                    "{language:?}: {word:?} stems to {stemmed:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    /// Folding then stemming each word alone gives the tokens of the language's
    /// analyser, so snippets mark exactly the words the index matched.
    #[test]
    fn folded_words_stem_as_the_index_analyses() {
        let sample = include_str!("../../../datasets/sample/sample.jsonl");
        let mut texts: Vec<String> =
            vec!["Œuvres ①② ½ ﬁnancement Straße l'eau, les forages — ÉCOLES d’été 3ème".into()];
        for line in sample.lines() {
            let fiche: crate::fiche::Fiche = serde_json::from_str(line).unwrap();
            texts.push(fiche.name.clone());
            texts.extend(fiche.activities.clone());
            texts.extend(
                fiche
                    .offer
                    .iter()
                    .chain(&fiche.request)
                    .filter_map(|i| i.text.clone()),
            );
        }
        let mut folded = text::folded_analyzer();
        for language in Language::ALL {
            let mut stemmer = text::stemmer(language);
            let mut analyzer = text::analyzer(language);
            for value in &texts {
                let by_word: Vec<String> = (tokens(&mut folded, value).iter())
                    .map(|word| stem(&mut stemmer, word))
                    .filter(|stem| !stem.is_empty())
                    .collect();
                assert_eq!(by_word, tokens(&mut analyzer, value), "{value:?}");
                assert_eq!(text::analyse(value, language), by_word, "{value:?}");
            }
        }
    }
}
