//! Corpus-wide facts that criteria need beyond the two fiches of a pair: how many
//! French partnerships each country has, where each French région already works, and
//! the resulting under-served score of each country.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{MatchFeatures, underserved};
use crate::fiche::Side;
use crate::reference::{Countries, CountryCode};

/// Built once per corpus and scoring date.
#[derive(Debug, Clone)]
pub struct CorpusContext {
    /// The date calls and LDC status are judged on.
    pub today: NaiveDate,
    /// Active partnerships recorded by French fiches, per country index.
    french_links: Vec<u32>,
    /// Per French région code: active partnerships per country index.
    region_links: HashMap<String, Vec<u32>>,
    /// The under-served criterion's score per country index.
    underserved: Vec<f64>,
}

impl CorpusContext {
    pub fn build<'a>(
        today: NaiveDate,
        fiches: impl IntoIterator<Item = &'a MatchFeatures>,
    ) -> Self {
        let countries = Countries::get().all().len();
        let mut french_links = vec![0u32; countries];
        let mut region_links: HashMap<String, Vec<u32>> = HashMap::new();
        for fiche in fiches.into_iter().filter(|f| f.side == Side::French) {
            for country in &fiche.partner_countries {
                french_links[country.index()] += 1;
                if let Some(region) = &fiche.region {
                    region_links
                        .entry(region.clone())
                        .or_insert_with(|| vec![0; countries])[country.index()] += 1;
                }
            }
        }
        let underserved = Countries::get()
            .all()
            .iter()
            .map(|country| {
                underserved::value(
                    french_links[country.code.index()],
                    country.ldc_status(today).is_ldc(),
                )
            })
            .collect();
        CorpusContext {
            today,
            french_links,
            region_links,
            underserved,
        }
    }

    /// Counts a French fiche's partnerships in (`add`) or out (`remove`) of the
    /// context, as if the corpus had been built with (without) it: what the matcher's
    /// incremental writes do. Other fiches change nothing.
    pub fn add(&mut self, fiche: &MatchFeatures) {
        self.count(fiche, true);
    }

    /// See [`CorpusContext::add`].
    pub fn remove(&mut self, fiche: &MatchFeatures) {
        self.count(fiche, false);
    }

    fn count(&mut self, fiche: &MatchFeatures, add: bool) {
        if fiche.side != Side::French || fiche.partner_countries.is_empty() {
            return;
        }
        let countries = Countries::get().all();
        let step = |n: &mut u32| *n = if add { *n + 1 } else { *n - 1 };
        for country in &fiche.partner_countries {
            step(&mut self.french_links[country.index()]);
            if let Some(region) = &fiche.region {
                let links = self
                    .region_links
                    .entry(region.clone())
                    .or_insert_with(|| vec![0; countries.len()]);
                step(&mut links[country.index()]);
            }
        }
        // A région without partnerships has no entry, as in a context built anew.
        if let Some(region) = &fiche.region
            && self
                .region_links
                .get(region)
                .is_some_and(|links| links.iter().all(|&n| n == 0))
        {
            self.region_links.remove(region);
        }
        for country in &fiche.partner_countries {
            let i = country.index();
            self.underserved[i] = underserved::value(
                self.french_links[i],
                countries[i].ldc_status(self.today).is_ldc(),
            );
        }
    }

    /// Active French partnerships recorded with `country`.
    pub fn french_links(&self, country: CountryCode) -> u32 {
        self.french_links[country.index()]
    }

    /// Active partnerships of the collectivités of French région `region` with `country`.
    pub fn region_links(&self, region: &str, country: CountryCode) -> u32 {
        self.region_links
            .get(region)
            .map_or(0, |links| links[country.index()])
    }

    /// The links of a région with every country, by country index.
    pub fn region_links_by_country(&self, region: &str) -> Option<&[u32]> {
        self.region_links.get(region).map(Vec::as_slice)
    }

    /// The under-served score of the country at `index` in the countries table.
    #[inline]
    pub fn underserved_at(&self, index: usize) -> f64 {
        self.underserved[index]
    }

    /// The under-served scores, by country index.
    pub fn underserved_table(&self) -> &[f64] {
        &self.underserved
    }

    /// The under-served score of `country`.
    pub fn underserved(&self, country: CountryCode) -> f64 {
        self.underserved[country.index()]
    }
}
