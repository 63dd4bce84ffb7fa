//! A search: its checks, its scoring (the scorer, or tantivy queries for filters
//! only), the pending documents and the page of hits.

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;
use tantivy::DocAddress;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query};

use super::collector::{self, Found, TieKey, TopById, tie_broken};
use super::columns::ColumnCache;
use super::filters::Filters;
use super::key_sets::KeySets;
use super::pending::{PendingDoc, View};
use super::relevance::Plan;
use super::schema::{Fields, prior};
use super::scorer;
use super::snippet::{Highlighter, Matched, Snippet};
use super::stored::{Corrupt, Part, Stored};
use super::term_infos::TermInfos;
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
    /// Relevance, higher first; 0 for a search by filters only.
    pub score: f32,
    /// Why it matched; `None` for a search by filters only.
    pub snippet: Option<Snippet>,
    /// The fiche is older than the freshness limit ("à reconfirmer"): set by the
    /// corpus from its settings ([`crate::Corpus::search`]); the index leaves it
    /// `false`.
    pub stale: bool,
}

fn bad(message: impl Into<String>) -> Error {
    Error::BadQuery {
        message: message.into(),
    }
}

/// The query of a search as tantivy queries: a plan's (see [`Plan::query`]), or
/// every fiche scoring 0, with the filters. Runs searches by filters only, and is
/// the oracle the scorer of text searches is tested against.
fn tantivy_query(fields: &Fields, plan: Option<&Plan>, filters: &Filters) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    match plan {
        Some(plan) => {
            let (selecting, adding) = plan.query();
            clauses.push((Occur::Must, selecting));
            clauses.extend(adding.into_iter().map(|q| (Occur::Should, q)));
        }
        // Every fiche, scoring 0 (tantivy scores `AllQuery` 1 alone, 0 with filters).
        None => clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
        )),
    }
    for filter in filters.queries(fields) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    BooleanQuery::new(clauses)
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

/// A hit before its document is read: from the index, or pending.
enum Source {
    Committed {
        address: DocAddress,
        matched: Matched,
    },
    Pending(Arc<PendingDoc>),
}

/// How a text search is scored: by the scorer (see [`super::scorer`]), or by the
/// plan's tantivy query (the scorer's oracle in tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scoring {
    Postings,
    #[cfg_attr(not(test), allow(dead_code))]
    Tantivy,
}

pub(super) fn run(
    view: &View,
    fields: &Fields,
    key_sets: &KeySets,
    columns: &ColumnCache,
    query: &SearchQuery,
    by: Scoring,
) -> Result<SearchPage> {
    check(query)?;
    let segment_columns = columns.of(&view.searcher)?;
    let infos = TermInfos::new(&segment_columns);
    let text = QueryText::analyse(&query.text, view, fields, &infos)?;
    let plan = text.as_ref().map(|text| Plan::new(fields, text));
    let filters = Filters::new(fields, &query.filters);
    let keep = query.offset + query.limit;
    let collector = TopById::new(
        keep,
        plan.is_some(),
        view.shadowed.clone(),
        segment_columns.clone(),
    );
    let collected = match &plan {
        Some(plan) if by == Scoring::Postings => {
            scorer::collect(view, plan, &filters, key_sets, &collector)?
        }
        _ => (view.searcher).search(&tantivy_query(fields, plan.as_ref(), &filters), &collector)?,
    };
    let mut total = collected.matches as usize;
    let mut found: Vec<Found<Source>> = (collected.ranked.into_iter())
        .map(|r| Found {
            score: r.score,
            key: TieKey::Committed {
                segment: r.address.segment_ord,
                ord: r.ord,
            },
            item: Source::Committed {
                address: r.address,
                matched: match r.themes_only {
                    true => Matched::ThemesOnly,
                    false => Matched::Anywhere,
                },
            },
        })
        .collect();
    for doc in view.pending.docs().filter(|doc| filters.admit(doc)) {
        let score = match &plan {
            None => Some(0.0),
            Some(plan) => plan
                .score(doc)
                .map(|s| tie_broken(s, prior(doc.population))),
        };
        if let Some(score) = score {
            total += 1;
            found.push(Found {
                score,
                key: TieKey::Pending(doc.id.to_string()),
                item: Source::Pending(doc.clone()),
            });
        }
    }
    collector::order(&mut found, keep, &collected.ids)?;
    // Reading a hit's document and finding its extract are independent per hit.
    let page: Vec<_> = found.into_iter().skip(query.offset).collect();
    let highlighter = text.as_ref().map(Highlighter::new);
    let hits = (page.into_par_iter())
        .map(|found| hit(view, fields, highlighter.as_ref(), found))
        .collect::<Result<Vec<_>>>()?;
    Ok(SearchPage { total, hits })
}

/// A hit whose stored record is invalid (`what` says which part).
fn corrupt(what: &str) -> Error {
    Error::IndexUnusable {
        path: Default::default(),
        reason: format!("the stored {what} of a hit is invalid"),
    }
}

/// The hit of `found`: its stored document read, its snippet found.
fn hit(
    view: &View,
    fields: &Fields,
    highlighter: Option<&Highlighter>,
    Found { score, item, .. }: Found<Source>,
) -> Result<SearchHit> {
    let (stored, matched): (Stored, _) = match item {
        Source::Committed { address, matched } => (view.searcher.doc(address)?, matched),
        Source::Pending(pending) => (
            Stored::of_document(&pending.doc, fields.shown).map_err(|Corrupt| corrupt("record"))?,
            Matched::Anywhere,
        ),
    };
    let snippet = highlighter.and_then(|h| h.snippet(&stored, matched));
    let id = stored.first(Part::Id).unwrap_or_default();
    let invalid = |what: &str| corrupt(&format!("{what} {id:?}"));
    let country = stored.first(Part::Country).unwrap_or_default();
    Ok(SearchHit {
        id: FicheId::parse(id).map_err(|_| invalid("id"))?,
        name: stored.first(Part::Name).unwrap_or_default().to_owned(),
        country: CountryCode::parse(country).ok_or_else(|| invalid("country"))?,
        score,
        snippet,
        stale: false,
    })
}
