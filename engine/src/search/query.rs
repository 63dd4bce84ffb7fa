//! A search: its checks, its filters, the tantivy query and the page of hits.

use std::ops::Bound;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use super::collector::TopById;
use super::relevance;
use super::schema::{Fields, Key, day_number, level_str, side_str};
use super::snippet::{Highlighter, Snippet};
use super::terms::QueryText;
use crate::error::{Error, Result};
use crate::fiche::{FicheId, Level, Side};
use crate::reference::{CountryCode, ThemeCode};

/// Largest page a query may ask for.
pub const MAX_LIMIT: usize = 1000;
/// Deepest offset a query may ask for.
pub const MAX_OFFSET: usize = 100_000;

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

/// One page of a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchPage {
    /// Number of fiches matching the query and its filters, over all pages.
    pub total: usize,
    /// The page asked for: score descending, then id ascending.
    pub hits: Vec<SearchHit>,
}

/// One fiche found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: FicheId,
    pub name: String,
    pub country: CountryCode,
    pub score: f32,
    /// Why it matched; `None` for a search by filters only.
    pub snippet: Option<Snippet>,
}

fn bad(message: impl Into<String>) -> Error {
    Error::BadQuery {
        message: message.into(),
    }
}

fn filter_queries(fields: &Fields, filters: &SearchFilters) -> Vec<Box<dyn Query>> {
    let basic = IndexRecordOption::Basic;
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let mut key = |kind: Key, value: &str| {
        let term = kind.term(fields, value);
        out.push(Box::new(TermQuery::new(term, basic)) as Box<dyn Query>);
    };
    if let Some(country) = filters.country {
        key(Key::Country, country.as_str());
    }
    if let Some(admin1) = &filters.admin1 {
        key(Key::Admin1, admin1.trim());
    }
    if let Some(level) = filters.level {
        key(Key::Level, level_str(level));
    }
    if let Some(theme) = filters.theme {
        key(Key::Theme, theme.as_str());
    }
    if let Some(side) = filters.side {
        key(Key::Side, side_str(side));
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

fn check(query: &SearchQuery) -> Result<()> {
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
    Ok(())
}

pub(super) fn run(searcher: &Searcher, fields: &Fields, query: &SearchQuery) -> Result<SearchPage> {
    check(query)?;
    let text = QueryText::analyse(&query.text, searcher, fields)?;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    match &text {
        Some(text) => {
            let (selecting, adding) = relevance::query(fields, text);
            clauses.push((Occur::Must, selecting));
            clauses.extend(adding.into_iter().map(|q| (Occur::Should, q)));
        }
        None => clauses.push((Occur::Must, Box::new(AllQuery))),
    }
    for filter in filter_queries(fields, &query.filters) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    let collector = TopById::new(query.offset + query.limit, text.is_some());
    let (total, ranked) = searcher.search(&BooleanQuery::new(clauses), &collector)?;
    let mut highlighter = text.as_ref().map(Highlighter::new);
    let mut hits = Vec::with_capacity(ranked.len().saturating_sub(query.offset));
    for ranked in ranked.into_iter().skip(query.offset) {
        let doc: TantivyDocument = searcher.doc(ranked.address)?;
        let text_of = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let corrupt = |what: &str| Error::IndexUnusable {
            path: Default::default(),
            reason: format!("stored {what} of a hit is invalid: {:?}", ranked.id),
        };
        hits.push(SearchHit {
            id: FicheId::parse(&ranked.id).map_err(|_| corrupt("id"))?,
            name: text_of(fields.name),
            country: CountryCode::parse(&text_of(fields.country))
                .ok_or_else(|| corrupt("country"))?,
            score: ranked.score,
            snippet: highlighter.as_mut().and_then(|h| h.snippet(&doc, fields)),
        });
    }
    Ok(SearchPage {
        total: total as usize,
        hits,
    })
}
