//! How well a fiche answers the words of a query: the scoring part of a search.
//!
//! Contract. A fiche's score is a sum over the query's distinct words; each word
//! counts once, for the best place it is found in, weighted by its rarity over whole
//! fiches (`idf`, see [`QueryWord`]):
//!
//! | found in                                   | weight × idf             |
//! |--------------------------------------------|--------------------------|
//! | the name ([`NAME`])                        | 1.5                      |
//! | an alternative name ([`ALT_NAME`])         | 1.25                     |
//! | offer, request or activities ([`TEXT`])    | 1                        |
//! | a theme of the fiche, declared or inferred, that the word is a keyword of ([`THEME`]) | 0.5 (the theme's idf if lower) |
//!
//! A run of consecutive query words that is the whole name (or an alternative name)
//! adds [`WHOLE_NAME`] × the idf of its words × their share of the query's idf,
//! once, for the best such run: the whole query naming a place earns the full bonus,
//! a part of it (`saint etienne` in `saint etienne bois`) a part, so that
//! *Saint-Étienne-du-Bois* outranks *Saint-Étienne* there.
//!
//! So a query's words found together in a fiche's texts outweigh one of them in a
//! name (`eau potable forages`: a request about drinking water and boreholes ranks
//! above *Eau Claire*), and a query that names a place puts it first (`Bordeaux`,
//! `Porto-Novo`: the name in full beats the names and texts that contain one word).
//! Rarity makes frequent words (`de`, `the`) count for little; a word found in more
//! than half of the fiches selects nothing on its own.
//!
//! Equal scores are told apart by population (see [`super::collector`]), then by id.

use tantivy::Score;
use tantivy::Term;
use tantivy::query::{BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use super::schema::{Fields, Key};
use super::terms::{QueryText, QueryWord};

pub const NAME: Score = 1.5;
pub const ALT_NAME: Score = 1.25;
pub const TEXT: Score = 1.0;
pub const THEME: Score = 0.5;
pub const WHOLE_NAME: Score = 1.0;

/// A query selecting the fiches that have `term`, scoring `score`.
fn constant(term: Term, score: Score) -> Box<dyn Query> {
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    Box::new(ConstScoreQuery::new(Box::new(query), score))
}

fn text_term(field: Field, value: &str) -> Term {
    Term::from_field_text(field, value)
}

/// The best place a word is found in.
fn word_query(fields: &Fields, text: &QueryText, index: usize) -> Box<dyn Query> {
    let word: &QueryWord = &text.words[index];
    let idf = word.idf;
    let mut places = vec![
        constant(text_term(fields.name, &word.folded), NAME * idf),
        constant(text_term(fields.alt_names, &word.folded), ALT_NAME * idf),
    ];
    for (field, stem) in fields.text.iter().zip(&word.stems) {
        if let Some(stem) = stem {
            places.push(constant(text_term(*field, stem), TEXT * idf));
        }
    }
    for theme in text.themes.iter().filter(|t| t.words.contains(&index)) {
        let score = THEME * idf.min(theme.idf);
        places.push(constant(
            Key::AnyTheme.term(fields, theme.code.as_str()),
            score,
        ));
    }
    Box::new(DisjunctionMaxQuery::new(places))
}

/// The bonus of a whole name that is the run of query `words`.
pub fn whole_name_bonus(text: &QueryText, words: &[usize]) -> Score {
    let idf: Score = words.iter().map(|&w| text.words[w].idf).sum();
    let all: Score = text.words.iter().map(|w| w.idf).sum();
    if all > 0.0 {
        WHOLE_NAME * idf * idf / all
    } else {
        0.0
    }
}

/// The best run of query words that is a whole name.
fn whole_name_query(fields: &Fields, text: &QueryText) -> Box<dyn Query> {
    let runs = text.runs.iter().map(|run| {
        constant(
            Key::Name.term(fields, &run.key),
            whole_name_bonus(text, &run.words),
        )
    });
    Box::new(DisjunctionMaxQuery::new(runs.collect()))
}

/// The scoring part of a search: what must match (the query's words that are not
/// common, or all of them) and what only adds to the score (the common ones).
pub fn query(fields: &Fields, text: &QueryText) -> (Box<dyn Query>, Vec<Box<dyn Query>>) {
    let all_common = text.words.iter().all(|w| w.common);
    let mut selecting = vec![(Occur::Should, whole_name_query(fields, text))];
    let mut adding = Vec::new();
    for (index, word) in text.words.iter().enumerate() {
        let query = word_query(fields, text, index);
        if word.common && !all_common {
            adding.push(query);
        } else {
            selecting.push((Occur::Should, query));
        }
    }
    (Box::new(BooleanQuery::new(selecting)), adding)
}
