//! Corpus-wide facts that criteria need beyond the two fiches of a pair: how many
//! French partnerships each country has, and where each French région already works.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::MatchFeatures;
use crate::fiche::Side;
use crate::reference::CountryCode;

/// Built once per corpus (and per scoring date).
#[derive(Debug, Clone, Default)]
pub struct CorpusContext {
    /// The date calls and LDC status are judged on.
    pub today: Option<NaiveDate>,
    /// Active partnerships recorded by French fiches, per partner country.
    french_links: HashMap<CountryCode, u32>,
    /// Per French région code: active partnerships per partner country.
    region_links: HashMap<String, HashMap<CountryCode, u32>>,
}

impl CorpusContext {
    pub fn build<'a>(today: NaiveDate, fiches: impl IntoIterator<Item = &'a MatchFeatures>) -> Self {
        let mut context = CorpusContext {
            today: Some(today),
            ..CorpusContext::default()
        };
        for fiche in fiches.into_iter().filter(|f| f.side == Side::French) {
            for &country in &fiche.partner_countries {
                *context.french_links.entry(country).or_default() += 1;
                if let Some(region) = &fiche.region {
                    *context
                        .region_links
                        .entry(region.clone())
                        .or_default()
                        .entry(country)
                        .or_default() += 1;
                }
            }
        }
        context
    }

    /// Active French partnerships recorded with `country`.
    pub fn french_links(&self, country: CountryCode) -> u32 {
        self.french_links.get(&country).copied().unwrap_or(0)
    }

    /// Active partnerships of the collectivités of French région `region` with `country`.
    pub fn region_links(&self, region: &str, country: CountryCode) -> u32 {
        self.region_links
            .get(region)
            .and_then(|links| links.get(&country))
            .copied()
            .unwrap_or(0)
    }
}
