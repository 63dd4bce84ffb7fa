//! Building a [`Matcher`]: the scoring view of every fiche (themes inferred from
//! texts, text signatures against the corpus's vocabulary), the corpus context, and
//! the kernel's columns. Parallel on the matcher's own pool; the result does not
//! depend on the number of threads.

use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::Matcher;
use super::cache::MatcherCache;
use super::columns::Columns;
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
type Analysed = (Vec<String>, Vec<String>, InferredThemes);

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
        let pool = pool(threads)?;
        let mut fiches = fiches;
        fiches.sort_by(|a, b| a.id.cmp(&b.id));
        let (derived, vocabulary) = match cache.read(&fiches) {
            Some(cached) => cached,
            None => {
                let (derived, vocabulary) = pool.install(|| derive(&fiches));
                cache.write(&fiches, &derived, &vocabulary)?;
                (derived, vocabulary)
            }
        };
        Ok(Matcher::from_derived(
            &fiches, derived, vocabulary, today, pool,
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
                    MatchFeatures::new(fiche, today, derived, &|id| areas.get(id).copied())
                })
                .collect()
        });
        Matcher::assemble(features, vocabulary, areas, today, pool)
    }

    /// Applies upserts and deletions. Changed fiches are analysed against the
    /// vocabulary of the first build (document frequencies are not recounted: a few
    /// changes do not move them); links, context and columns are rebuilt from the
    /// scoring view, which takes no text analysis.
    pub fn apply(&mut self, upserts: &[Fiche], deletes: &[FicheId]) {
        let today = self.context.today;
        for fiche in upserts {
            match AreaId::of_fiche(fiche) {
                Some(area) => self.areas.insert(fiche.id.clone(), area),
                None => self.areas.remove(&fiche.id),
            };
        }
        for id in deletes {
            self.areas.remove(id);
        }
        let fresh: Vec<MatchFeatures> = upserts
            .iter()
            .map(|fiche| {
                let derived = derived_of(analyse_fiche(fiche), &self.vocabulary);
                MatchFeatures::new(fiche, today, derived, &|id| self.areas.get(id).copied())
            })
            .collect();
        let mut gone: std::collections::HashSet<&FicheId> = deletes.iter().collect();
        gone.extend(upserts.iter().map(|f| &f.id));
        let mut features = std::mem::take(&mut self.fiches);
        features.retain(|f| !gone.contains(&f.id));
        features.extend(fresh);
        let vocabulary = std::mem::take(&mut self.vocabulary);
        let areas = std::mem::take(&mut self.areas);
        let pool = std::mem::replace(&mut self.pool, placeholder_pool());
        *self = Matcher::assemble(features, vocabulary, areas, today, pool);
    }

    fn assemble(
        mut features: Vec<MatchFeatures>,
        vocabulary: Vocabulary,
        areas: HashMap<FicheId, AreaId>,
        today: NaiveDate,
        pool: rayon::ThreadPool,
    ) -> Matcher {
        features.sort_by(|a, b| a.id.cmp(&b.id));
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
        let french = Columns::build(&features, Side::French, &regions);
        let foreign = Columns::build(&features, Side::Foreign, &regions);
        Matcher {
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
        }
    }
}

/// A one-thread pool standing in while the real one moves (never used for work).
fn placeholder_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool always starts")
}

fn text_of(intent: Option<&crate::fiche::Intent>) -> &str {
    intent.and_then(|i| i.text.as_deref()).unwrap_or("")
}

/// Each text is analysed once, for both its signature and theme inference (which
/// follows `themes_from_text::effective_*_themes`: the offer's themes are read in the
/// offer text and the activities, declared themes win).
fn analyse_fiche(fiche: &Fiche) -> Analysed {
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

fn derived_of((offer, request, inferred): Analysed, vocabulary: &Vocabulary) -> Derived {
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
