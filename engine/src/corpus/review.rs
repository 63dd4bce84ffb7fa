//! The review queue: French fiches in scope, a page at a time, each with its best
//! suggestions that no staff decision has settled yet, best pairs first — after the
//! mutual interests (both collectivités said "interested") of the scope that no
//! decision has settled, which come first on the first page: they are matches.

use std::collections::{HashMap, HashSet};

use super::Corpus;
use crate::error::{Error, Result};
use crate::fiche::{FicheId, Side};
use crate::ranking::{CandidateFilters, MAX_K, SuggestOptions, Suggestion};
use crate::search::{SearchFilters, SearchQuery};

/// A French fiche and one undecided suggestion for it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    pub fiche_id: FicheId,
    pub fiche_name: String,
    pub partner: Suggestion,
    /// Both collectivités said "interested": a match, listed first.
    pub mutual: bool,
}

/// What the review queue covers, and which page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueQuery {
    /// The French fiches' région code.
    pub region: Option<String>,
    /// Which partners (country, theme…).
    pub filters: CandidateFilters,
    /// Undecided suggestions per French fiche.
    pub per_fiche: usize,
    /// French fiches per page.
    pub page_size: usize,
    pub offset: usize,
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewPage {
    /// Mutual interests first (first page only), then best pair first; ties by French
    /// id, then partner id.
    pub entries: Vec<QueueEntry>,
    /// French fiches in scope, all pages together.
    pub fiches_in_scope: usize,
    /// Whether another page follows.
    pub more: bool,
}

impl Corpus {
    /// The partners the queue may show: the query's filters, and the fresh fiches
    /// only when the configuration turns stale ones off (`suggest_stale = false`),
    /// as in every suggestion ([`Corpus::suggest_options`]).
    fn queue_filters(&self, query: &QueueQuery) -> CandidateFilters {
        let mut filters = query.filters.clone();
        if let Some(since) = self.suggest_options().filters.updated_since {
            filters.updated_since = Some(filters.updated_since.map_or(since, |s| s.max(since)));
        }
        filters
    }

    /// The undecided mutual interests whose French fiche is in the queue's scope and
    /// whose partner passes its filters, best first.
    fn mutual_entries(&self, query: &QueueQuery) -> Result<Vec<QueueEntry>> {
        let mutual = self.mutual_interests()?;
        let filters = self.queue_filters(query);
        let options = SuggestOptions {
            filters: filters.clone(),
            ..self.suggest_options()
        };
        let mut entries = self.with_matcher(|matcher| {
            let interests = self.interests()?;
            let mut entries = Vec::new();
            for pair in mutual.iter().filter(|m| !m.decided) {
                let (Ok(french), Ok(foreign)) = (
                    matcher.features(&pair.french),
                    matcher.features(&pair.foreign),
                ) else {
                    continue;
                };
                let in_region = query
                    .region
                    .as_deref()
                    .is_none_or(|r| french.region.as_deref() == Some(r));
                if !in_region || !filters.accepts(foreign) {
                    continue;
                }
                let partner =
                    matcher.suggestion_for(&french.id, &foreign.id, &options, &*interests)?;
                entries.push(QueueEntry {
                    fiche_id: french.id.clone(),
                    fiche_name: french.name.clone(),
                    partner,
                    mutual: true,
                });
            }
            Ok::<_, Error>(entries)
        })??;
        entries.sort_by(queue_order);
        Ok(entries)
    }

    /// One page of the review queue.
    pub fn review_queue(&self, query: &QueueQuery) -> Result<ReviewPage> {
        self.review_queue_until(query, &|| false)
    }

    /// One page of the review queue, given up ([`Error::Cancelled`]) as soon as
    /// `stop` says so — checked before each fiche's suggestions (a page is up to a
    /// hundred of them), so a server stops working for a client that is gone.
    pub fn review_queue_until(
        &self,
        query: &QueueQuery,
        stop: &dyn Fn() -> bool,
    ) -> Result<ReviewPage> {
        // Shown on the first page only, and never again among their French fiche's
        // own entries, on whichever page that fiche is.
        let mutual = self.mutual_entries(query)?;
        let scope = SearchQuery {
            text: String::new(),
            filters: SearchFilters {
                side: Some(Side::French),
                admin1: query.region.clone(),
                ..SearchFilters::default()
            },
            limit: query.page_size,
            offset: query.offset,
        };
        let found = self.search(&scope)?;
        let page = &found.hits;
        let filters = self.queue_filters(query);
        let decided: Vec<HashSet<FicheId>> = {
            let store = self.store()?;
            page.iter()
                .map(|hit| {
                    let decisions = store.decisions_for_fiche(&hit.id)?;
                    Ok(decisions
                        .iter()
                        .map(|d| d.partner_of(&hit.id).clone())
                        .collect())
                })
                .collect::<Result<_>>()?
        };
        let mut entries = Vec::new();
        for (hit, decided) in page.iter().zip(&decided) {
            if stop() {
                return Err(Error::Cancelled);
            }
            let matched: HashSet<&FicheId> = mutual
                .iter()
                .filter(|m| m.fiche_id == hit.id)
                .map(|m| &m.partner.id)
                .collect();
            let options = SuggestOptions {
                k: (query.per_fiche + decided.len() + matched.len()).clamp(1, MAX_K),
                filters: filters.clone(),
                ..self.suggest_options()
            };
            let suggestions = match self.suggest(&hit.id, &options) {
                Ok(found) => found.items,
                // Deleted since the index was read; or nothing to match (neither
                // offer nor request): no pair to review.
                Err(Error::NotFound(_) | Error::NothingToMatch { .. }) => continue,
                Err(e) => return Err(e),
            };
            entries.extend(
                suggestions
                    .into_iter()
                    .filter(|s| !decided.contains(&s.id))
                    .filter(|s| !matched.contains(&s.id))
                    .take(query.per_fiche)
                    .map(|partner| QueueEntry {
                        fiche_id: hit.id.clone(),
                        fiche_name: hit.name.clone(),
                        partner,
                        mutual: false,
                    }),
            );
        }
        entries.sort_by(queue_order);
        let shown = if query.offset == 0 {
            mutual
        } else {
            Vec::new()
        };
        Ok(ReviewPage {
            entries: shown.into_iter().chain(entries).collect(),
            fiches_in_scope: found.total,
            more: query.offset + page.len() < found.total,
        })
    }

    /// How many pairs the whole queue holds, over all its pages: what
    /// [`Corpus::review_queue`] would list page after page, counted without ranking
    /// (see `Matcher::queue_size`). A candidate a French fiche said it is not
    /// interested in is never in its part of the queue; the undecided mutual
    /// interests in scope are counted once each, apart from their French fiche's
    /// own entries. Stale partners the configuration turns off are not counted,
    /// as the queue does not list them.
    pub fn review_remaining(&self, query: &QueueQuery) -> Result<u64> {
        let mutual = self.mutual_entries(query)?;
        let pairs = self.store()?.decided_pairs()?;
        let mut settled: HashMap<FicheId, Vec<FicheId>> = HashMap::new();
        for (a, b) in pairs {
            settled.entry(a.clone()).or_default().push(b.clone());
            settled.entry(b).or_default().push(a);
        }
        for (by, declined) in self.interests()?.declined_by_each() {
            settled
                .entry(by.clone())
                .or_default()
                .extend(declined.into_iter().cloned());
        }
        for m in &mutual {
            settled
                .entry(m.fiche_id.clone())
                .or_default()
                .push(m.partner.id.clone());
        }
        let filters = self.queue_filters(query);
        let own = self.with_matcher(|matcher| {
            matcher.queue_size(query.region.as_deref(), &filters, query.per_fiche, &settled)
        })?;
        Ok(own + mutual.len() as u64)
    }
}

/// Best pair first; ties by French id, then partner id.
fn queue_order(a: &QueueEntry, b: &QueueEntry) -> std::cmp::Ordering {
    b.partner
        .total
        .total_cmp(&a.partner.total)
        .then_with(|| a.fiche_id.cmp(&b.fiche_id))
        .then_with(|| a.partner.id.cmp(&b.partner.id))
}
