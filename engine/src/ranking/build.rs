//! Building a [`Matcher`]: the scoring view of every fiche (themes inferred from
//! texts, text signatures against the corpus's vocabulary), the corpus context, and
//! the kernel's columns. Parallel on the matcher's own pool; the result does not
//! depend on the number of threads. Later writes are applied in place
//! ([`super::apply`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::Matcher;
use super::apply::WriteIndex;
use super::cache::MatcherCache;
use super::columns::Columns;
use super::id_order::IdOrder;
use super::kernel::Cpu;
use crate::error::Result;
use crate::fiche::{Fiche, FicheId, Side};
use crate::scoring::{
    AreaId, CorpusContext, Derived, InferredThemes, MatchFeatures, TextSignatures, ThemeSet,
    Vocabulary,
};
use crate::text::{analyse, fiche_language};
use crate::themes_from_text::infer_from_tokens;

/// A fiche's analysed offer and request texts, and the themes they name.
pub(super) type Analysed = (Vec<String>, Vec<String>, InferredThemes);

impl Matcher {
    /// Builds the matcher for `today` on a pool of `threads` threads (0: one per core).
    pub fn new(fiches: Vec<Fiche>, today: NaiveDate, threads: usize) -> Result<Matcher> {
        let pool = pool(threads)?;
        let (derived, vocabulary) = pool.install(|| derive(&fiches));
        Ok(Matcher::from_derived(
            &fiches, derived, vocabulary, today, pool,
        ))
    }

    /// Like [`Matcher::new`], reusing the text analysis cached at `cache.path` when it
    /// was written for the same store generation and the same fiches, and writing it
    /// otherwise: the analysis is most of a build's time. A missing, stale or corrupt
    /// cache is rebuilt; it is derived data, never the only copy of anything.
    pub fn with_cache(
        fiches: Vec<Fiche>,
        today: NaiveDate,
        threads: usize,
        cache: &MatcherCache,
    ) -> Result<Matcher> {
        let mut fiches = fiches;
        fiches.sort_by(|a, b| a.id.cmp(&b.id));
        Matcher::with_cache_sorted(&fiches, today, threads, cache)
    }

    /// [`Matcher::with_cache`] of fiches already in id order, borrowed: a caller can
    /// build something else from the same fiches meanwhile (the name table at a
    /// server's start).
    pub fn with_cache_sorted(
        fiches: &[Fiche],
        today: NaiveDate,
        threads: usize,
        cache: &MatcherCache,
    ) -> Result<Matcher> {
        debug_assert!(fiches.is_sorted_by(|a, b| a.id <= b.id));
        let pool = pool(threads)?;
        let (derived, vocabulary) = match cache.read(fiches) {
            Some(cached) => cached,
            None => {
                let (derived, vocabulary) = pool.install(|| derive(fiches));
                cache.write(fiches, &derived, &vocabulary)?;
                (derived, vocabulary)
            }
        };
        Ok(Matcher::from_derived(
            fiches, derived, vocabulary, today, pool,
        ))
    }

    fn from_derived(
        fiches: &[Fiche],
        derived: Vec<Derived>,
        vocabulary: Vocabulary,
        today: NaiveDate,
        pool: rayon::ThreadPool,
    ) -> Matcher {
        let areas: HashMap<FicheId, AreaId> = fiches
            .iter()
            .filter_map(|f| AreaId::of_fiche(f).map(|area| (f.id.clone(), area)))
            .collect();
        let features = pool.install(|| {
            fiches
                .par_iter()
                .zip(derived)
                .map(|(fiche, derived)| {
                    let features =
                        MatchFeatures::new(fiche, today, derived, &|id| areas.get(id).copied());
                    (features, active_partner_ids(fiche))
                })
                .collect()
        });
        Matcher::assemble(features, vocabulary, areas, today, pool)
    }

    /// The matcher of `features` (each with its fiche's active partner ids), built in
    /// one go: fiches in id order, so that slot order is id order at first.
    fn assemble(
        mut features: Vec<(MatchFeatures, Vec<FicheId>)>,
        vocabulary: Vocabulary,
        areas: HashMap<FicheId, AreaId>,
        today: NaiveDate,
        pool: rayon::ThreadPool,
    ) -> Matcher {
        features.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let (features, active): (Vec<MatchFeatures>, Vec<Vec<FicheId>>) =
            features.into_iter().unzip();
        let by_id: HashMap<FicheId, u32> = features
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i as u32))
            .collect();
        let links = symmetric_links(&features, &by_id);
        let context = CorpusContext::build(today, &features);
        let mut regions: Vec<String> = features.iter().filter_map(|f| f.region.clone()).collect();
        regions.sort();
        regions.dedup();
        let order = IdOrder::sorted(features.iter().map(|f| &f.id));
        let key = |slot: u32| order.key(slot);
        let french = Columns::build(&features, Side::French, &regions, &key);
        let foreign = Columns::build(&features, Side::Foreign, &regions, &key);
        let writes = WriteIndex::new(&features, active, order, &regions, [&french, &foreign]);
        let mut matcher = Matcher {
            fiches: features,
            by_id,
            links,
            context,
            regions,
            french,
            foreign,
            vocabulary,
            areas,
            pool,
            cpu: Cpu::detect(),
            writes,
        };
        matcher.reserve_for_writes();
        matcher
    }

    /// A matcher built from scratch on `fiches`, with this one's vocabulary, date and
    /// number of threads: what incremental writes must be indistinguishable from.
    #[cfg(test)]
    pub(super) fn rebuilt(&self, fiches: &[Fiche]) -> Matcher {
        let pool = pool(self.pool.current_num_threads()).expect("a pool starts");
        let derived = fiches
            .iter()
            .map(|f| derived_of(analyse_fiche(f), &self.vocabulary))
            .collect();
        let vocabulary =
            Vocabulary::from_parts(self.vocabulary.parts().0, self.vocabulary.parts().1.clone());
        Matcher::from_derived(fiches, derived, vocabulary, self.context.today, pool)
    }
}

/// The ids of a fiche's active partnerships in the corpus, in its order (what its
/// `partner_areas` are read from).
pub(super) fn active_partner_ids(fiche: &Fiche) -> Vec<FicheId> {
    fiche
        .partnerships
        .iter()
        .filter(|p| p.active)
        .filter_map(|p| p.partner_id.clone())
        .collect()
}

fn text_of(intent: Option<&crate::fiche::Intent>) -> &str {
    intent.and_then(|i| i.text.as_deref()).unwrap_or("")
}

/// Each text is analysed once, for both its signature and theme inference (which
/// follows `themes_from_text::effective_*_themes`: the offer's themes are read in the
/// offer text and the activities, declared themes win).
pub(super) fn analyse_fiche(fiche: &Fiche) -> Analysed {
    let language = fiche_language(fiche);
    let offer = analyse(text_of(fiche.offer.as_ref()), language);
    let request = analyse(text_of(fiche.request.as_ref()), language);
    let activities = analyse(fiche.activities.as_deref().unwrap_or(""), language);
    let found = |tokens: &[&[String]]| -> ThemeSet {
        tokens
            .iter()
            .flat_map(|t| infer_from_tokens(t, language))
            .map(|theme| theme.code)
            .collect()
    };
    let undeclared = |bits: u32| ThemeSet::from_bits(!bits);
    let inferred = InferredThemes {
        offer: found(&[&offer, &activities]).intersection(undeclared(fiche.offer_theme_bits())),
        request: found(&[&request]).intersection(undeclared(fiche.request_theme_bits())),
    };
    (offer, request, inferred)
}

/// The text analysis of every fiche, against the corpus's vocabulary.
fn derive(fiches: &[Fiche]) -> (Vec<Derived>, Vocabulary) {
    let analysed: Vec<Analysed> = fiches.par_iter().map(analyse_fiche).collect();
    let mut vocabulary = Vocabulary::default();
    for (offer, request, _) in &analysed {
        vocabulary.add(offer);
        vocabulary.add(request);
    }
    let derived = analysed
        .into_par_iter()
        .map(|analysed| derived_of(analysed, &vocabulary))
        .collect();
    (derived, vocabulary)
}

pub(super) fn derived_of((offer, request, inferred): Analysed, vocabulary: &Vocabulary) -> Derived {
    Derived {
        inferred,
        texts: TextSignatures {
            offer: vocabulary.signature(&offer),
            request: vocabulary.signature(&request),
        },
    }
}

fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("passerelle-rank-{i}"))
        .build()?)
}

/// For each fiche, the positions of the fiches it is linked with, in either fiche.
fn symmetric_links(features: &[MatchFeatures], by_id: &HashMap<FicheId, u32>) -> Vec<Vec<u32>> {
    let mut links = vec![Vec::new(); features.len()];
    for (i, fiche) in features.iter().enumerate() {
        for partner in fiche.partner_ids.iter().filter_map(|id| by_id.get(id)) {
            links[i].push(*partner);
            links[*partner as usize].push(i as u32);
        }
    }
    for list in &mut links {
        list.sort_unstable();
        list.dedup();
    }
    links
}
