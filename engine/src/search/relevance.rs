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

use tantivy::query::{BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Term};

use super::pending::PendingDoc;
use super::schema::{Fields, Key};
use super::terms::QueryText;

pub const NAME: Score = 1.5;
pub const ALT_NAME: Score = 1.25;
pub const TEXT: Score = 1.0;
pub const THEME: Score = 0.5;
pub const WHOLE_NAME: Score = 1.0;

/// Every score a plan gives is a multiple of 1/4096: sums of them are exact in `f32`
/// (below 4096, far above any score), so they do not depend on the order tantivy
/// adds them in, and a pending document scores exactly as it will once committed.
fn points(score: Score) -> Score {
    (score * 4096.0).round() / 4096.0
}

/// A term and what finding it is worth.
#[derive(Debug, Clone)]
pub struct Place {
    pub term: Term,
    pub score: Score,
    /// A theme the word is a keyword of: worth less than any other place of the word
    /// (half its idf at most, where a text is worth its idf), so always last among
    /// them; its postings are the longest.
    pub theme: bool,
}

/// The scoring of a text query: for each word, the places it may be found in (the
/// best one counts) and whether it selects fiches; the whole names it may be.
#[derive(Debug)]
pub struct Plan {
    words: Vec<(Vec<Place>, bool)>,
    whole_names: Vec<Place>,
}

fn text_term(field: Field, value: &str) -> Term {
    Term::from_field_text(field, value)
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

/// A query selecting the fiches that have the place's term, scoring its score.
fn constant(place: &Place) -> Box<dyn Query> {
    let query = TermQuery::new(place.term.clone(), IndexRecordOption::Basic);
    Box::new(ConstScoreQuery::new(Box::new(query), place.score))
}

fn best_of(places: &[Place]) -> Box<dyn Query> {
    Box::new(DisjunctionMaxQuery::new(
        places.iter().map(constant).collect(),
    ))
}

/// The best score among the places `doc` has.
fn best_in(places: &[Place], doc: &PendingDoc) -> Option<Score> {
    places
        .iter()
        .filter(|p| doc.has(&p.term))
        .map(|p| p.score)
        .max_by(f32::total_cmp)
}

impl Plan {
    pub fn new(fields: &Fields, text: &QueryText) -> Plan {
        let all_common = text.words.iter().all(|w| w.common);
        let words = text.words.iter().enumerate().map(|(index, word)| {
            let idf = word.idf;
            let place = |term, weight: Score| Place {
                term,
                score: points(weight * idf),
                theme: false,
            };
            let mut places = vec![
                place(text_term(fields.name, &word.folded), NAME),
                place(text_term(fields.alt_names, &word.folded), ALT_NAME),
            ];
            for (field, stem) in fields.text.iter().zip(&word.stems) {
                if let Some(stem) = stem {
                    places.push(place(text_term(*field, stem), TEXT));
                }
            }
            for theme in text.themes.iter().filter(|t| t.words.contains(&index)) {
                places.push(Place {
                    term: Key::AnyTheme.term(fields, theme.code.as_str()),
                    score: points(THEME * idf.min(theme.idf)),
                    theme: true,
                });
            }
            // Best first: the exact scorer credits a word at its first place found.
            places.sort_by(|a, b| b.score.total_cmp(&a.score));
            (places, all_common || !word.common)
        });
        let mut whole_names: Vec<Place> = (text.runs.iter())
            .map(|run| Place {
                term: Key::Name.term(fields, &run.key),
                score: points(whole_name_bonus(text, &run.words)),
                theme: false,
            })
            .collect();
        whole_names.sort_by(|a, b| b.score.total_cmp(&a.score));
        Plan {
            words: words.collect(),
            whole_names,
        }
    }

    /// What the score sums: the whole names, then each word; for each, its places
    /// from the best down (only the first found counts) and whether finding it
    /// selects the fiche.
    pub fn clauses(&self) -> impl Iterator<Item = (&[Place], bool)> {
        let words = (self.words.iter()).map(|(places, selects)| (places.as_slice(), *selects));
        std::iter::once((self.whole_names.as_slice(), true)).chain(words)
    }

    /// The index's query: what must match (a whole name, or a word that is not
    /// common, or any word when all are), and what only adds to the score.
    pub fn query(&self) -> (Box<dyn Query>, Vec<Box<dyn Query>>) {
        let mut selecting = vec![(Occur::Should, best_of(&self.whole_names))];
        let mut adding = Vec::new();
        for (places, selects) in &self.words {
            if *selects {
                selecting.push((Occur::Should, best_of(places)));
            } else {
                adding.push(best_of(places));
            }
        }
        (Box::new(BooleanQuery::new(selecting)), adding)
    }

    /// The score of a pending document, `None` when the query does not select it:
    /// what [`query`](Self::query) gives it once committed.
    pub fn score(&self, doc: &PendingDoc) -> Option<Score> {
        let mut selected = false;
        let mut total: Score = 0.0;
        if let Some(score) = best_in(&self.whole_names, doc) {
            selected = true;
            total += score;
        }
        for (places, selects) in &self.words {
            if let Some(score) = best_in(places, doc) {
                selected |= *selects;
                total += score;
            }
        }
        selected.then_some(total)
    }
}
