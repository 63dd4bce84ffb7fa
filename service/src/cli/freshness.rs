//! `passerelle freshness --out FILE`: the fiches to contact — to be reconfirmed (last
//! updated longer ago than the age limit, or undated) or with a call expiring within
//! 30 days — as CSV with their contact data (the engine's report, spreadsheet-safe
//! cells). Contact data is personal: the file is readable by its owner only.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;
use passerelle_engine::corpus::{DEFAULT_MAX_AGE_MONTHS, Freshness, MAX_AGE_MONTHS, Policy};
use passerelle_engine::french::integer;
use passerelle_engine::{Corpus, CorpusOptions};

use super::atomic_file::AtomicFile;
use super::progress;

#[derive(Debug, Args)]
pub struct FreshnessArgs {
    /// The CSV file to write (whole or not at all, mode 0600: it holds contact data).
    #[arg(long)]
    out: PathBuf,
    /// A fiche last updated more than this many months ago is to be reconfirmed.
    #[arg(long, default_value_t = DEFAULT_MAX_AGE_MONTHS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_AGE_MONTHS)))]
    max_age_months: u32,
    /// Judge ages and calls on this date (default: today).
    #[arg(long)]
    date: Option<NaiveDate>,
}

pub fn run(data_dir: &Path, args: FreshnessArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let options = CorpusOptions {
        today: args.date,
        policy: Policy {
            freshness: Freshness {
                max_age_months: args.max_age_months,
                ..Freshness::default()
            },
            ..Policy::default()
        },
        ..CorpusOptions::default()
    };
    let corpus = Corpus::open(data_dir, &options)?;
    let bar = progress::spinner("lecture des fiches");
    let report = corpus.freshness();
    bar.finish_and_clear();
    let report = report?;
    let file = AtomicFile::create(&args.out)?;
    let mut csv = BufWriter::new(file.writer());
    report.write_csv(&mut csv)?;
    csv.flush()?;
    drop(csv);
    file.commit()?;
    writeln!(
        out,
        "{} fiches à contacter écrites dans {} (lisible par vous seul : coordonnées personnelles) :",
        integer(report.fiches.len() as u64),
        args.out.display()
    )?;
    writeln!(
        out,
        "  {} à reconfirmer (mises à jour avant le {}, ou sans date)",
        integer(report.stale_count() as u64),
        report.stale_before
    )?;
    writeln!(
        out,
        "  {} avec un appel à partenariat expirant d'ici le {}",
        integer(report.expiring_count() as u64),
        report.expiring_until
    )?;
    Ok(())
}
