//! `passerelle demo`: the embedded default, end to end.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::Args;
use passerelle_engine::french::integer;
use passerelle_engine::{Corpus, CorpusOptions};

use super::{progress, stats};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the demo corpus.
    #[arg(long, default_value_t = super::dataset::DEFAULT_SEED)]
    seed: u64,
}

pub fn run(data_dir: &Path, args: DemoArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let corpus = Corpus::create_or_open(
        data_dir,
        &CorpusOptions {
            writer: Some("passerelle demo"),
            ..CorpusOptions::default()
        },
    )?;
    let existing = corpus.count()?;
    if existing > 0 {
        eprintln!(
            "{} contient déjà {} fiches ; en voici les statistiques (importez-en d'autres avec `passerelle import`)",
            data_dir.display(),
            integer(existing)
        );
    } else {
        let bar = progress::spinner("génération du corpus de démonstration (géographie réelle)");
        let fiches = passerelle_datasets::generate_demo_corpus(args.seed)
            .context("impossible de générer le corpus de démonstration")?;
        bar.set_message(format!(
            "enregistrement de {} fiches",
            integer(fiches.len() as u64)
        ));
        corpus.upsert(&fiches)?;
        bar.finish_and_clear();
        eprintln!(
            "{} fiches enregistrées dans {}",
            integer(fiches.len() as u64),
            data_dir.display()
        );
    }
    let today = chrono::Local::now().date_naive();
    stats::print_text(&corpus.stats(today)?, today, 20, out)?;
    Ok(())
}
