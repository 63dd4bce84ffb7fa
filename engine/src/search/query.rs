//! Turning a [`SearchQuery`] into a tantivy query and collecting the hits.

use std::ops::Bound;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocId, IndexReader, Score, SegmentReader, TantivyDocument, Term};

use super::schema::{Fields, day_number, level_str, side_str};
use crate::error::{Error, Result};
use crate::fiche::{FicheId, Level, Side};
use crate::reference::{CountryCode, Language, ThemeCode};
use crate::text;

/// Largest page a query may ask for.
pub const MAX_LIMIT: usize = 1000;
/// Deepest offset a query may ask for.
pub const MAX_OFFSET: usize = 100_000;
/// Query words beyond this many are ignored.
const MAX_WORDS: usize = 32;
const NAME_BOOST: Score = 2.0;
const ALT_NAME_BOOST: Score = 1.5;

/// Restrictions that select fiches without changing their scores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    pub country: Option<CountryCode>,
    /// The région code of French fiches (`admin.region`), the admin1 of foreign ones.
    pub admin1: Option<String>,
    pub level: Option<Level>,
    /// In the profile, the offer or the request.
    pub theme: Option<ThemeCode>,
    pub side: Option<Side>,
    /// Only fiches whose call is open on this date.
    pub open_on: Option<NaiveDate>,
    pub min_population: Option<u64>,
    pub max_population: Option<u64>,
}

/// A search: free text (empty: filters only), filters and a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub text: String,
    pub filters: SearchFilters,
    /// At most [`MAX_LIMIT`].
    pub limit: usize,
    /// At most [`MAX_OFFSET`].
    pub offset: usize,
}

impl SearchQuery {
    /// A query for `text`, no filters, first 20 hits.
    pub fn new(text: impl Into<String>) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            filters: SearchFilters::default(),
            limit: 20,
            offset: 0,
        }
    }
}

/// One fiche found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: FicheId,
    pub name: String,
    pub country: CountryCode,
    pub score: f32,
}

fn bad(message: impl Into<String>) -> Error {
    Error::BadQuery {
        message: message.into(),
    }
}

fn term_query(field: Field, text: &str, option: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), option))
}

/// The scoring part: for each query word, its folded form in the name fields and its
/// stem in each language field, summed over words.
fn text_query(fields: &Fields, text: &str) -> Result<Option<Box<dyn Query>>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let mut words = text::fold_tokens(text);
    if words.is_empty() {
        return Err(bad(format!("{text:?} has no searchable word")));
    }
    words.sort();
    words.dedup();
    words.truncate(MAX_WORDS);
    let freqs = IndexRecordOption::WithFreqs;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in &words {
        let name = term_query(fields.name, word, freqs);
        let alt = term_query(fields.alt_names, word, freqs);
        clauses.push((Occur::Should, Box::new(BoostQuery::new(name, NAME_BOOST))));
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(alt, ALT_NAME_BOOST)),
        ));
        for language in Language::ALL {
            for stem in text::analyse(word, language) {
                let field = fields.text[language.index()];
                clauses.push((Occur::Should, term_query(field, &stem, freqs)));
            }
        }
    }
    Ok(Some(Box::new(BooleanQuery::new(clauses))))
}

fn filter_queries(fields: &Fields, filters: &SearchFilters) -> Vec<Box<dyn Query>> {
    let basic = IndexRecordOption::Basic;
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if let Some(country) = filters.country {
        out.push(term_query(fields.country, country.as_str(), basic));
    }
    if let Some(admin1) = &filters.admin1 {
        out.push(term_query(fields.admin1, admin1.trim(), basic));
    }
    if let Some(level) = filters.level {
        out.push(term_query(fields.level, level_str(level), basic));
    }
    if let Some(theme) = filters.theme {
        out.push(term_query(fields.themes, theme.as_str(), basic));
    }
    if let Some(side) = filters.side {
        out.push(term_query(fields.side, side_str(side), basic));
    }
    if let Some(date) = filters.open_on {
        let from = Term::from_field_i64(fields.open_until, day_number(date));
        out.push(Box::new(RangeQuery::new(
            Bound::Included(from),
            Bound::Unbounded,
        )));
    }
    if filters.min_population.is_some() || filters.max_population.is_some() {
        let bound = |n: Option<u64>| {
            n.map_or(Bound::Unbounded, |n| {
                Bound::Included(Term::from_field_u64(fields.population, n))
            })
        };
        let range = RangeQuery::new(bound(filters.min_population), bound(filters.max_population));
        out.push(Box::new(range));
    }
    out
}

pub(super) fn run(
    reader: &IndexReader,
    fields: &Fields,
    query: &SearchQuery,
) -> Result<Vec<SearchHit>> {
    if query.limit > MAX_LIMIT {
        return Err(bad(format!("limit {} is above {MAX_LIMIT}", query.limit)));
    }
    if query.offset > MAX_OFFSET {
        return Err(bad(format!(
            "offset {} is above {MAX_OFFSET}",
            query.offset
        )));
    }
    let filters = &query.filters;
    if let (Some(min), Some(max)) = (filters.min_population, filters.max_population)
        && min > max
    {
        return Err(bad(format!(
            "minimum population {min} is above maximum {max}"
        )));
    }
    let scoring = text_query(fields, &query.text)?;
    if query.limit == 0 {
        return Ok(Vec::new());
    }
    let scoring = scoring.unwrap_or_else(|| Box::new(AllQuery));
    let mut clauses = vec![(Occur::Must, scoring)];
    for filter in filter_queries(fields, filters) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    let tantivy_query = BooleanQuery::new(clauses);
    let collector = TopDocs::with_limit(query.limit)
        .and_offset(query.offset)
        .tweak_score(|segment: &SegmentReader| {
            let ord = segment
                .fast_fields()
                .u64("ord")
                .ok()
                .map(|c| c.first_or_default_col(0));
            // Higher keys first: score descending, then id (its rank) ascending.
            move |doc: DocId, score: Score| {
                let rank = ord.as_ref().map_or(0, |ord| ord.get_val(doc));
                (score, u64::MAX - rank)
            }
        });
    let searcher = reader.searcher();
    let found = searcher.search(&tantivy_query, &collector)?;
    let mut hits = Vec::with_capacity(found.len());
    for ((score, _), address) in found {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text_of = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let id = text_of(fields.id);
        let corrupt = |what: &str| Error::IndexUnusable {
            path: Default::default(),
            reason: format!("stored {what} of a hit is invalid: {id:?}"),
        };
        hits.push(SearchHit {
            id: FicheId::parse(&id).map_err(|_| corrupt("id"))?,
            name: text_of(fields.name),
            country: CountryCode::parse(&text_of(fields.country))
                .ok_or_else(|| corrupt("country"))?,
            score,
        });
    }
    Ok(hits)
}
