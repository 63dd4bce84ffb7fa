//! What the matching commands share: opening the corpus with a date and threads,
//! reading weights, resolving names and saying when a name was corrected.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use passerelle_engine::corpus::Policy;
use passerelle_engine::fiche::Side;
use passerelle_engine::lookup::Resolution;
use passerelle_engine::reference::CountryCode;
use passerelle_engine::scoring::Weights;
use passerelle_engine::{Corpus, CorpusOptions};

/// Options common to the matching commands.
#[derive(Debug, Args)]
pub struct MatchingArgs {
    /// Judge calls and LDC status on this date (default: today).
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// TOML file of criterion weights (`thematic`, `geography`, `size`, `underserved`;
    /// `passerelle tune` writes one); missing ones keep their defaults.
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Worker threads for scoring (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

impl MatchingArgs {
    /// How to open the corpus: the date, the threads, and the weights file as the
    /// corpus's default weights.
    pub fn options(&self) -> anyhow::Result<CorpusOptions> {
        Ok(CorpusOptions {
            today: self.date,
            threads: self.threads,
            writer: None,
            policy: Policy {
                weights: self.weights()?,
                ..Policy::default()
            },
        })
    }

    pub fn weights(&self) -> anyhow::Result<Weights> {
        match &self.weights {
            Some(path) => read_weights(path),
            None => Ok(Weights::default()),
        }
    }

    /// The corpus of an existing data directory.
    pub fn open(&self, data_dir: &Path) -> anyhow::Result<Corpus> {
        Ok(Corpus::open(data_dir, &self.options()?)?)
    }
}

/// A fiche given by id or name on the command line (`flag` names where), within
/// `country` when given; a name corrected by fuzzy matching is said in `notes`
/// (standard error), never used silently.
pub fn resolve(
    corpus: &Corpus,
    notes: &mut dyn Write,
    flag: &str,
    name_or_id: &str,
    country: Option<CountryCode>,
) -> anyhow::Result<Resolution> {
    let resolution = corpus
        .resolve(name_or_id, country, None)
        .with_context(|| format!("{flag} : {name_or_id:?}"))?;
    say_correction(notes, flag, &resolution)?;
    Ok(resolution)
}

/// A fiche of `side` given by id or name on the command line (`flag` names where),
/// as [`resolve`] does; an id of the other side is said to be one, not "not found".
pub fn resolve_on_side(
    corpus: &Corpus,
    notes: &mut dyn Write,
    flag: &str,
    name_or_id: &str,
    side: Side,
) -> anyhow::Result<Resolution> {
    let resolution = match corpus.resolve(name_or_id, None, Some(side)) {
        Err(passerelle_engine::Error::NotFound(id))
            if corpus.resolve(id.as_str(), None, None).is_ok() =>
        {
            anyhow::bail!(
                "{flag} : {id} n'est pas une collectivité {} (collectivité {})",
                side.label(),
                side.other().label()
            )
        }
        found => found.with_context(|| format!("{flag} : {name_or_id:?}"))?,
    };
    say_correction(notes, flag, &resolution)?;
    Ok(resolution)
}

/// Says in `notes` when a name was corrected by fuzzy matching.
fn say_correction(
    notes: &mut dyn Write,
    flag: &str,
    resolution: &Resolution,
) -> anyhow::Result<()> {
    if let Some(typed) = &resolution.corrected_from {
        writeln!(
            notes,
            "note : {flag} « {typed} » compris comme {} ({}), par rapprochement orthographique",
            resolution.name, resolution.id
        )?;
    }
    Ok(())
}

/// A weights file (TOML, one key per criterion: `thematic`, `geography`, `size`,
/// `underserved`; missing ones keep their defaults), as `passerelle tune` writes.
pub fn read_weights(path: &Path) -> anyhow::Result<Weights> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("impossible de lire {}", path.display()))?;
    let weights: Weights = toml::from_str(&text)
        .with_context(|| format!("fichier de poids invalide : {}", path.display()))?;
    weights
        .validate()
        .with_context(|| format!("fichier de poids invalide : {}", path.display()))?;
    Ok(weights)
}
