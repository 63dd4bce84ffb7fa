//! `passerelle demo`: the embedded default, end to end.

use std::path::Path;

use anyhow::Context;
use clap::Args;
use passerelle_engine::store::Store;

use super::{progress, stats};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the demo corpus.
    #[arg(long, default_value_t = super::dataset::DEFAULT_SEED)]
    seed: u64,
}

pub fn run(data_dir: &Path, args: DemoArgs) -> anyhow::Result<()> {
    let mut store = Store::open(data_dir)?;
    let existing = store.count()?;
    if existing > 0 {
        eprintln!(
            "{} already holds {existing} fiches; showing its stats (import more with `passerelle import`)",
            data_dir.display()
        );
    } else {
        let bar = progress::spinner("generating the demo corpus from real geography");
        let corpus = passerelle_datasets::generate_demo_corpus(args.seed)
            .context("cannot generate the demo corpus")?;
        bar.set_message(format!("storing {} fiches", corpus.len()));
        store.upsert(&corpus)?;
        bar.finish_and_clear();
        eprintln!("stored {} fiches in {}", corpus.len(), data_dir.display());
    }
    let today = chrono::Local::now().date_naive();
    stats::print_text(&store.stats(today)?, today, 20);
    Ok(())
}
