//! `passerelle import FILE...`

use std::io::BufReader;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use passerelle_engine::french::integer;
use passerelle_engine::store::ImportSource;
use passerelle_engine::{Corpus, CorpusOptions};

use super::progress;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON Lines files of fiches; `-` for standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(data_dir: &Path, args: ImportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let sources = args
        .files
        .iter()
        .map(|path| open(path))
        .collect::<Result<Vec<_>, _>>()?;
    let total = sources.iter().map(|s| s.len).sum::<Option<u64>>();
    let corpus = Corpus::create_or_open(
        data_dir,
        &CorpusOptions {
            writer: Some("passerelle import"),
            ..CorpusOptions::default()
        },
    )?;
    let bar = progress::bytes(total, "import");
    let report = corpus.import(sources, &mut |bytes| bar.set_position(bytes));
    bar.finish_and_clear();
    let report = report?;
    writeln!(
        out,
        "{} fiches importées de {} fichier(s) : {} nouvelles, {} mises à jour ; la base en compte {}",
        integer(report.fiches),
        report.files,
        integer(report.inserted),
        integer(report.updated),
        integer(corpus.count()?)
    )?;
    Ok(())
}

fn open(path: &Path) -> anyhow::Result<ImportSource> {
    if path == Path::new("-") {
        return Ok(ImportSource::json_lines(
            "(stdin)".into(),
            Box::new(BufReader::new(std::io::stdin())),
            None,
        ));
    }
    ImportSource::open(path).with_context(|| format!("impossible de lire {}", path.display()))
}
