//! `passerelle import FILE...`

use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use passerelle_engine::store::{ImportSource, Store};

use super::progress;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON Lines files of fiches; `-` for standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(data_dir: &Path, args: ImportArgs) -> anyhow::Result<()> {
    let sources = args
        .files
        .iter()
        .map(|path| open(path))
        .collect::<Result<Vec<_>, _>>()?;
    let total = sources.iter().map(|s| s.len).sum::<Option<u64>>();
    let mut store = Store::open(data_dir)?;
    let bar = progress::bytes(total, "importing");
    let report = store.import(sources, &mut |bytes| bar.set_position(bytes));
    bar.finish_and_clear();
    let report = report?;
    println!(
        "imported {} fiches from {} file(s): {} new, {} updated; the store holds {}",
        report.fiches,
        report.files,
        report.inserted,
        report.updated,
        store.count()?
    );
    Ok(())
}

fn open(path: &Path) -> anyhow::Result<ImportSource> {
    if path == Path::new("-") {
        return Ok(ImportSource {
            name: "(stdin)".into(),
            reader: Box::new(BufReader::new(std::io::stdin())),
            len: None,
        });
    }
    ImportSource::open(path).with_context(|| format!("cannot read {}", path.display()))
}
