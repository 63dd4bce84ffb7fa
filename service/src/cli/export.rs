//! `passerelle export [--out FILE] [--date D] [--decisions]`
//!
//! Every fiche in id order: JSON Lines, or a workbook when `--out` ends in `.xlsx`
//! (the columns `passerelle import` reads back with no mapping, then « À
//! reconfirmer » judged on `--date`). `--decisions` exports the staff decisions
//! instead, as a workbook.
//!
//! JSON Lines carry no « à reconfirmer » flag: a line is a fiche of the exchange
//! format (fiche.md), read back by `import` to the same fiche; its `updated_at` is
//! there, and whether it is stale depends on the reader's date and limit, not on
//! the fiche.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use passerelle_engine::french::integer;
use passerelle_engine::{Corpus, CorpusOptions};

use super::atomic_file::AtomicFile;
use super::workbook;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file (written whole or not at all): `.xlsx` for a workbook, JSON Lines
    /// otherwise; standard output (JSON Lines) when absent.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Export the staff decisions (oldest first) instead of the fiches; needs
    /// `--out FILE.xlsx`.
    #[arg(long)]
    decisions: bool,
    /// The date fiches to reconfirm are judged on, in a workbook (default: today).
    #[arg(long)]
    date: Option<NaiveDate>,
}

pub fn run(data_dir: &Path, args: ExportArgs) -> anyhow::Result<()> {
    let options = CorpusOptions {
        today: args.date,
        ..CorpusOptions::default()
    };
    let corpus = Corpus::open(data_dir, &options)?;
    let xlsx = args.out.as_deref().is_some_and(|path| {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    });
    if args.decisions {
        let path = args
            .out
            .as_deref()
            .context("--decisions écrit un classeur : donnez --out FICHIER.xlsx")?;
        let decisions = corpus.all_decisions()?;
        workbook::save(
            passerelle_engine::sheets::decisions_workbook(&decisions)?,
            path,
        )?;
        eprintln!(
            "{} décisions exportées dans {}",
            integer(decisions.len() as u64),
            path.display()
        );
        return Ok(());
    }
    match args.out {
        Some(path) => {
            let file = AtomicFile::create(&path)?;
            let count = if xlsx {
                corpus.export_xlsx(BufWriter::with_capacity(1 << 20, file.writer()))?
            } else {
                let mut out = BufWriter::with_capacity(1 << 20, file.writer());
                let count = corpus.export(&mut out)?;
                drop(out);
                count
            };
            file.commit()?;
            eprintln!(
                "{} fiches exportées dans {}",
                integer(count),
                path.display()
            );
        }
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            corpus.export(&mut out)?;
            out.flush().context("cannot write to standard output")?;
        }
    }
    Ok(())
}
