//! `passerelle tune --out FILE`: the criterion weights fitted to the staff decisions
//! recorded (the engine's `Corpus::tune`), their effect on held-out decisions, and a
//! weights file that `suggest`, `batch`, `explain`, `eval` (`--weights FILE`) and
//! `serve` (`--weights FILE`, or `weights` in its configuration) read.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use passerelle_engine::corpus::{TuneOptions, TuneReport, weights_file};
use passerelle_engine::french::{decimal, integer};
use passerelle_engine::tuning::DEFAULT_FOLDS;

use super::atomic_file::AtomicFile;
use super::eval_decisions::{metrics_header, metrics_row};
use super::matching::MatchingArgs;
use super::output_format::Format;
use super::progress;

#[derive(Debug, Args)]
pub struct TuneArgs {
    /// The weights file to write (TOML, one key per criterion).
    #[arg(long)]
    out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
    /// Folds of the cross-validation (2 to 10).
    #[arg(long, default_value_t = DEFAULT_FOLDS as u16, value_parser = clap::value_parser!(u16).range(2..=10))]
    folds: u16,
    /// Depth of the held-out ranking metrics (acceptance at k).
    #[arg(short, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
    k: u16,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    matching: MatchingArgs,
}

pub fn run(data_dir: &Path, args: TuneArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.out.exists() && !args.force {
        anyhow::bail!(
            "--out : {} existe déjà (--force le remplace)",
            args.out.display()
        );
    }
    let corpus = args.matching.open(data_dir)?;
    let options = TuneOptions {
        folds: usize::from(args.folds),
        k: usize::from(args.k),
    };
    let bar = progress::spinner("ajustement des poids sur les décisions");
    let report = corpus.tune(&options);
    bar.finish_and_clear();
    let report = report?;
    let comment = format!(
        "written by passerelle tune: {} judged pairs ({} accepted, {} rejected), {} folds, alpha {}",
        report.judged, report.accepted, report.rejected, report.folds, report.model.alpha
    );
    let file = AtomicFile::create(&args.out)?;
    let mut writer = file.writer();
    writer.write_all(weights_file(&report.after, &comment).as_bytes())?;
    file.commit()?;
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        Format::Text => print_text(&report, options.k, out)?,
    }
    writeln!(
        out,
        "poids ajustés écrits dans {} (à donner à suggest, batch, explain ou eval avec --weights, à serve avec --weights ou weights = \"…\")",
        args.out.display()
    )?;
    Ok(())
}

fn print_text(report: &TuneReport, k: usize, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "Ajustement sur {} paires jugées ({} acceptées, {} rejetées), régression logistique régularisée, validation croisée en {} parts",
        integer(report.judged as u64),
        integer(report.accepted as u64),
        integer(report.rejected as u64),
        report.folds
    )?;
    let losses: Vec<String> = report
        .losses
        .iter()
        .map(|(alpha, loss)| format!("α = {} : {}", decimal(*alpha, 4), decimal(*loss, 4)))
        .collect();
    writeln!(
        out,
        "perte logistique hors échantillon par régularisation : {} ; retenue : α = {}",
        losses.join(" ; "),
        decimal(report.model.alpha, 4)
    )?;
    writeln!(out)?;
    writeln!(out, "  {:<22} {:>8} {:>8}", "critère", "avant", "après")?;
    for ((criterion, before), (_, after)) in report.before.entries().zip(report.after.entries()) {
        writeln!(
            out,
            "  {:<22} {:>8} {:>8}",
            criterion.label(),
            decimal(*before, 3),
            decimal(*after, 3)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Sur les décisions mises de côté (chaque part jugée avec des poids ajustés sans elle) :"
    )?;
    metrics_header("poids", k, out)?;
    metrics_row("configurés (avant)", &report.held_out_before, out)?;
    metrics_row("ajustés (après)", &report.held_out_after, out)?;
    Ok(())
}
