//! `passerelle export [--out FILE]`

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use passerelle_engine::{Corpus, CorpusOptions};

use super::atomic_file::AtomicFile;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file (written whole or not at all); standard output when absent.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(data_dir: &Path, args: ExportArgs) -> anyhow::Result<()> {
    let store = Corpus::open(data_dir, &CorpusOptions::default())?;
    match args.out {
        Some(path) => {
            let file = AtomicFile::create(&path)?;
            let mut out = BufWriter::with_capacity(1 << 20, file.writer());
            let count = store.export(&mut out)?;
            drop(out);
            file.commit()?;
            eprintln!(
                "{} fiches exportées dans {}",
                passerelle_engine::french::integer(count),
                path.display()
            );
        }
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            store.export(&mut out)?;
            out.flush().context("cannot write to standard output")?;
        }
    }
    Ok(())
}
