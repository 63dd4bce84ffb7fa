//! `passerelle dataset generate|sample`

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::atomic_file::AtomicFile;
use super::progress;

/// Seed of the demo corpus that `demo` loads and the committed sample comes from.
pub const DEFAULT_SEED: u64 = 42;

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Generate the demo corpus (~199,000 fiches) as JSON Lines.
    Generate(GenerateArgs),
    /// Write the small sample of the demo corpus (a few hundred fiches, Benin included).
    Sample(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Seed of the generator: the same seed always gives the same file.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Output file, written whole or not at all.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(command: DatasetCommand) -> anyhow::Result<()> {
    let (args, sample) = match command {
        DatasetCommand::Generate(args) => (args, false),
        DatasetCommand::Sample(args) => (args, true),
    };
    let bar = progress::spinner("génération du corpus de démonstration");
    let corpus = passerelle_datasets::generate_demo_corpus(args.seed)
        .context("impossible de générer le corpus de démonstration")?;
    let fiches = if sample {
        passerelle_datasets::sample_of(&corpus)
    } else {
        corpus
    };
    bar.finish_and_clear();
    let file = AtomicFile::create(&args.out)?;
    let mut out = BufWriter::with_capacity(1 << 20, file.writer());
    passerelle_datasets::write_jsonl(&fiches, &mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("impossible d'écrire {}", args.out.display()))?;
    drop(out);
    file.commit()?;
    eprintln!(
        "{} fiches écrites dans {}",
        passerelle_engine::french::integer(fiches.len() as u64),
        args.out.display()
    );
    Ok(())
}
