//! A query's filters, in the three forms a search needs: tantivy queries (searches
//! by filters only, and the oracle of the scorer's tests), the test the scorer
//! applies to committed documents (see [`super::scorer`]) and a test of a pending
//! document.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::pending::PendingDoc;
use super::query::SearchFilters;
use super::schema::{Fields, Key, day_number, level_str, side_str};

/// The filters of a query.
pub struct Filters {
    pub keys: Vec<Term>,
    /// Only calls open until this day or later.
    pub open_from: Option<i64>,
    pub population: (Option<u64>, Option<u64>),
}

impl Filters {
    pub fn new(fields: &Fields, filters: &SearchFilters) -> Filters {
        let mut keys = Vec::new();
        let mut key = |kind: Key, value: &str| keys.push(kind.term(fields, value));
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
        Filters {
            keys,
            open_from: filters.open_on.map(day_number),
            population: (filters.min_population, filters.max_population),
        }
    }

    /// Whether the filters admit every document.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.open_from.is_none() && self.population == (None, None)
    }

    pub fn queries(&self, fields: &Fields) -> Vec<Box<dyn Query>> {
        let basic = IndexRecordOption::Basic;
        let mut out: Vec<Box<dyn Query>> = (self.keys.iter())
            .map(|term| Box::new(TermQuery::new(term.clone(), basic)) as Box<dyn Query>)
            .collect();
        if let Some(day) = self.open_from {
            let from = Term::from_field_i64(fields.open_until, day);
            out.push(Box::new(RangeQuery::new(
                Bound::Included(from),
                Bound::Unbounded,
            )));
        }
        if let (None, None) = self.population {
            return out;
        }
        let bound = |n: Option<u64>| {
            n.map_or(Bound::Unbounded, |n| {
                Bound::Included(Term::from_field_u64(fields.population, n))
            })
        };
        let (min, max) = self.population;
        out.push(Box::new(RangeQuery::new(bound(min), bound(max))));
        out
    }

    pub fn admit(&self, doc: &PendingDoc) -> bool {
        let (min, max) = self.population;
        self.keys.iter().all(|term| doc.has(term))
            && self.open_from.is_none_or(|day| doc.open_until >= day)
            && min.is_none_or(|min| doc.population >= min)
            && max.is_none_or(|max| doc.population <= max)
    }
}
