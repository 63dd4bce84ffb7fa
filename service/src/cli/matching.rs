//! What `suggest` and `explain` share: loading the matcher from the store, resolving
//! names, reading weights.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use passerelle_engine::fiche::FicheId;
use passerelle_engine::lookup::NameTable;
use passerelle_engine::ranking::Matcher;
use passerelle_engine::reference::CountryCode;
use passerelle_engine::scoring::Weights;
use passerelle_engine::store::Store;

use super::progress;

/// Options common to the matching commands.
#[derive(Debug, Args)]
pub struct MatchingArgs {
    /// Judge calls and LDC status on this date (default: today).
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// TOML file of criterion weights (`thematic`, `geography`, `size`, `underserved`);
    /// missing ones keep their defaults.
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Worker threads for scoring (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// The store's fiches, ready to rank, with the name table to resolve names.
pub struct Loaded {
    pub matcher: Matcher,
    pub names: NameTable,
}

impl MatchingArgs {
    pub fn today(&self) -> NaiveDate {
        self.date
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    pub fn weights(&self) -> anyhow::Result<Weights> {
        let Some(path) = &self.weights else {
            return Ok(Weights::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let weights: Weights = toml::from_str(&text)
            .with_context(|| format!("bad weights file {}", path.display()))?;
        weights
            .validate()
            .with_context(|| format!("bad weights file {}", path.display()))?;
        Ok(weights)
    }

    pub fn load(&self, data_dir: &Path) -> anyhow::Result<Loaded> {
        let store = Store::open(data_dir)?;
        let bar = progress::spinner("loading the fiches");
        let fiches = store.load_all()?;
        let names = NameTable::from_fiches(&fiches);
        let matcher =
            Matcher::with_cache(fiches, self.today(), self.threads, &store.matcher_cache()?)?;
        bar.finish_and_clear();
        Ok(Loaded { matcher, names })
    }
}

impl Loaded {
    /// An id as is, or the single collectivité a name designates.
    pub fn resolve(&self, name_or_id: &str, country: Option<&str>) -> anyhow::Result<FicheId> {
        let country = country
            .map(|c| CountryCode::parse(c).with_context(|| format!("unknown country code {c:?}")))
            .transpose()?;
        Ok(self.names.resolve(name_or_id, country)?)
    }
}
