//! `passerelle import FILE... [--mapping FILE.toml] [--sheet NAME]`
//!
//! JSON Lines files, and spreadsheets (.csv, .xlsx, .ods) read through a column
//! mapping — Passerelle's own export needs none. French collectivités given by
//! INSEE code or name, and GeoNames places, are completed from the embedded
//! geography (loaded only if a row needs it).

use std::io::BufReader;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use passerelle_datasets::LazyPlaces;
use passerelle_engine::french::integer;
use passerelle_engine::sheets::{self, Gazetteer, Mapping, SheetFormat};
use passerelle_engine::store::ImportSource;
use passerelle_engine::{Corpus, CorpusOptions};
use std::sync::Arc;

use super::progress;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files of fiches: JSON Lines (`-` for standard input), or spreadsheets
    /// (.csv, .xlsx, .ods) read through --mapping.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The column mapping of the spreadsheets (TOML: which column holds which field);
    /// default: the columns of Passerelle's own export (`export --out FILE.xlsx`).
    #[arg(long, value_name = "FILE.toml")]
    mapping: Option<PathBuf>,
    /// The sheet to read in each workbook (default: the mapping's, else the first).
    #[arg(long)]
    sheet: Option<String>,
}

pub fn run(data_dir: &Path, args: ImportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut mapping = match &args.mapping {
        Some(path) => Mapping::read(path)?,
        None => Mapping::passerelle(),
    };
    if args.sheet.is_some() {
        mapping.sheet = args.sheet.clone();
    }
    let places = LazyPlaces::shared();
    let sources = args
        .files
        .iter()
        .map(|path| open(path, &mapping, &places))
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

fn open(
    path: &Path,
    mapping: &Mapping,
    places: &Arc<dyn Gazetteer>,
) -> anyhow::Result<ImportSource> {
    if SheetFormat::of_path(path).is_some() {
        return Ok(sheets::import_source(path, mapping, Some(places.clone()))?);
    }
    if path == Path::new("-") {
        return Ok(ImportSource::json_lines(
            "(stdin)".into(),
            Box::new(BufReader::new(std::io::stdin())),
            None,
        ));
    }
    ImportSource::open(path).with_context(|| format!("impossible de lire {}", path.display()))
}
