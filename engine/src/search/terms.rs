//! A query's text analysed once, against one searcher: its words with their stems and
//! rarity, the runs of words that may name a place, and the themes the words evoke.
//! Scoring ([`super::relevance`]) and snippets ([`super::snippet`]) both read it.

use tantivy::Term;

use super::pending::View;
use super::schema::{Fields, Key};
use super::term_infos::TermInfos;
use crate::error::{Error, Result};
use crate::reference::{LANGUAGES, Language, ThemeCode};
use crate::text;
use crate::themes_from_text::matched_keyword_stems;

/// Longest query text, in bytes, checked before any analysis.
pub const MAX_QUERY_BYTES: usize = 1_000;
/// Query words beyond this many are ignored.
pub const MAX_WORDS: usize = 32;
/// Longest run of words tried as a whole name.
const MAX_RUN_WORDS: usize = 8;

/// One distinct word of the query.
#[derive(Debug)]
pub struct QueryWord {
    /// As the name fields index it (folded, not stemmed).
    pub folded: String,
    /// Its stem in each language, in [`Language::ALL`] order.
    pub stems: [Option<String>; LANGUAGES],
    /// Rarity over whole fiches (names and texts): `ln(1 + (N − df + ½) / (df + ½))`,
    /// with `df` the fiches whose name, alternative names or texts contain the word.
    pub idf: f32,
    /// Found in more than half of the fiches: it adds to scores but selects nothing
    /// on its own (unless every word of the query is common).
    pub common: bool,
}

/// A theme whose keywords (in any of the five languages) occur in the query.
#[derive(Debug)]
pub struct QueryTheme {
    pub code: ThemeCode,
    /// The words its keywords cover, as indexes in [`QueryText::words`].
    pub words: Vec<usize>,
    /// Rarity of the theme among fiches (declared or inferred).
    pub idf: f32,
}

/// Consecutive query words, folded and joined by spaces, and the words they span.
#[derive(Debug)]
pub struct Run {
    pub key: String,
    pub words: Vec<usize>,
}

/// The analysed text of a query.
#[derive(Debug)]
pub struct QueryText {
    /// Distinct words, in order of first appearance.
    pub words: Vec<QueryWord>,
    pub runs: Vec<Run>,
    pub themes: Vec<QueryTheme>,
}

fn bad(message: String) -> Error {
    Error::BadQuery { message }
}

fn idf(docs: u64, df: u64) -> f32 {
    let (n, df) = (docs as f64, df.min(docs) as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln() as f32
}

impl QueryText {
    /// Analyses `text`; `None` when it is blank (a filter-only search).
    /// The dictionary entries of its terms are looked up through `infos`.
    pub fn analyse(
        text: &str,
        view: &View,
        fields: &Fields,
        infos: &TermInfos,
    ) -> Result<Option<QueryText>> {
        if text.len() > MAX_QUERY_BYTES {
            return Err(bad(format!(
                "the text is {} bytes long, above {MAX_QUERY_BYTES}",
                text.len()
            )));
        }
        if text.trim().is_empty() {
            return Ok(None);
        }
        let mut sequence = text::fold_tokens(text);
        if sequence.is_empty() {
            return Err(bad(format!("{text:?} has no searchable word")));
        }
        sequence.truncate(MAX_WORDS);
        let mut distinct: Vec<String> = Vec::new();
        let positions: Vec<usize> = sequence
            .iter()
            .map(|token| match distinct.iter().position(|w| w == token) {
                Some(i) => i,
                None => {
                    distinct.push(token.clone());
                    distinct.len() - 1
                }
            })
            .collect();
        let docs = view.num_docs();
        let stems: Vec<[Option<String>; LANGUAGES]> = (distinct.iter())
            .map(|folded| Language::ALL.map(|l| text::analyse(folded, l).into_iter().next()))
            .collect();
        // Each word's terms: as a name, an alternative name, and a stem in each language.
        let terms: Vec<Vec<Term>> = (distinct.iter().zip(&stems))
            .map(|(folded, stems)| {
                let names =
                    [fields.name, fields.alt_names].map(|f| Term::from_field_text(f, folded));
                let texts = Language::ALL.into_iter().filter_map(|language| {
                    let stem = stems[language.index()].as_deref()?;
                    Some(Term::from_field_text(fields.text[language.index()], stem))
                });
                names.into_iter().chain(texts).collect()
            })
            .collect();
        infos.look_up_all(view.searcher.segment_readers(), &terms.concat())?;
        let mut words = Vec::with_capacity(distinct.len());
        for ((folded, stems), terms) in distinct.into_iter().zip(stems).zip(&terms) {
            let mut df = 0;
            for term in terms {
                df += view.doc_freq(term, infos)?;
            }
            words.push(QueryWord {
                folded,
                stems,
                idf: idf(docs, df),
                common: df.saturating_mul(2) > docs,
            });
        }
        let runs = runs(&sequence, &positions);
        let mut themes = Vec::new();
        for (code, covered) in themes_of(&words, &positions) {
            let df = view.doc_freq(&Key::AnyTheme.term(fields, code.as_str()), infos)?;
            themes.push(QueryTheme {
                code,
                words: covered,
                idf: idf(docs, df),
            });
        }
        Ok(Some(QueryText {
            words,
            runs,
            themes,
        }))
    }
}

/// Every run of 1 to [`MAX_RUN_WORDS`] consecutive words, once each.
fn runs(sequence: &[String], positions: &[usize]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for start in 0..sequence.len() {
        for end in start + 1..=(start + MAX_RUN_WORDS).min(sequence.len()) {
            let key = sequence[start..end].join(" ");
            if out.iter().all(|run| run.key != key) {
                let mut words = positions[start..end].to_vec();
                words.sort_unstable();
                words.dedup();
                out.push(Run { key, words });
            }
        }
    }
    out
}

/// The themes whose keywords occur in the query, in any language, each with the
/// words its matched keywords cover; by theme code.
fn themes_of(words: &[QueryWord], positions: &[usize]) -> Vec<(ThemeCode, Vec<usize>)> {
    let mut found: Vec<(ThemeCode, Vec<usize>)> = Vec::new();
    for language in Language::ALL {
        let l = language.index();
        // Stems in query order; a word without a stem keeps its place but matches nothing.
        let stems: Vec<&str> = positions
            .iter()
            .map(|&w| words[w].stems[l].as_deref().unwrap_or_default())
            .collect();
        for (code, keyword_stems) in matched_keyword_stems(&stems, language) {
            let covered = (0..words.len()).filter(|&w| {
                words[w].stems[l]
                    .as_ref()
                    .is_some_and(|s| keyword_stems.contains(s))
            });
            match found.iter_mut().find(|(known, _)| *known == code) {
                Some((_, list)) => list.extend(covered),
                None => found.push((code, covered.collect())),
            }
        }
    }
    for (_, list) in &mut found {
        list.sort_unstable();
        list.dedup();
    }
    found.retain(|(_, list)| !list.is_empty());
    found.sort_by_key(|(code, _)| *code);
    found
}
