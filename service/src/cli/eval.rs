//! `passerelle eval`: how well the ranking finds planted complementary pairs, or
//! (`--decisions`) how it ranks the pairs staff decided on.

use super::output_format::Format;
use clap::Args;
use passerelle_engine::evaluation::{EvaluationReport, Subset, Truth, evaluate};
use passerelle_engine::french::{decimal, integer, percent};
use passerelle_engine::ranking::Matcher;
use std::io::Write;
use std::path::Path;

use super::matching::MatchingArgs;
use super::progress;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Replay the staff decisions recorded in the data directory against the weights
    /// (acceptance at k, rejected pairs in the top k, AUC, by country and theme,
    /// reasons) instead of planting pairs in the demo corpus.
    #[arg(long)]
    decisions: bool,
    /// With --decisions: the depth of the top k.
    #[arg(short, default_value_t = 10, requires = "decisions")]
    k: usize,
    /// Seed of the demo corpus and of the planted pairs.
    #[arg(long, default_value_t = super::dataset::DEFAULT_SEED)]
    seed: u64,
    /// How many pairs to plant.
    #[arg(long, default_value_t = 200)]
    pairs: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    matching: MatchingArgs,
}

pub fn run(data_dir: &Path, args: EvalArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.decisions {
        return super::eval_decisions::run(data_dir, &args.matching, args.k, args.format, out);
    }
    let weights = args.matching.weights()?;
    let bar = progress::spinner("génération du corpus et des paires plantées");
    let corpus = passerelle_datasets::generate_demo_corpus(args.seed)?;
    let planted = passerelle_datasets::plant_pairs(corpus, args.seed, args.pairs);
    bar.set_message("préparation du classement");
    let today = args
        .matching
        .date
        .unwrap_or_else(passerelle_datasets::demo_corpus_date);
    let matcher = Matcher::new(planted.fiches, today, args.matching.threads)?;
    let truths: Vec<Truth> = planted
        .pairs
        .into_iter()
        .map(|p| Truth {
            subset: match (p.text_only, p.arabic_only) {
                (true, _) => Some(Subset::TextOnly),
                (_, true) => Some(Subset::ArabicOnly),
                _ => None,
            },
            a: p.french,
            b: p.foreign,
        })
        .collect();
    bar.set_message("classement");
    let report = evaluate(&matcher, &truths, weights)?;
    bar.finish_and_clear();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        Format::Text => print_text(&report, out)?,
    }
    Ok(())
}

fn print_text(report: &EvaluationReport, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} paires plantées, interrogées des deux côtés (MRR sur les {} premières) ; « texte seul » = demande étrangère donnée seulement en texte espagnol, portugais ou anglais, « arabe seul » = seulement en texte arabe",
        integer(report.pairs as u64),
        passerelle_engine::evaluation::DEPTH
    )?;
    writeln!(
        out,
        "{:<34} {:>9} {:>7} {:>14} {:>7} {:>6} {:>12} {:>11} {:>12} {:>11}",
        "configuration",
        "rappel@10",
        "MRR",
        "peu couverts",
        "PMA",
        "pays",
        "texte seul r",
        "texte MRR",
        "arabe seul r",
        "arabe MRR"
    )?;
    for run in &report.runs {
        let m = &run.all;
        writeln!(
            out,
            "{:<34} {:>9} {:>7} {:>14} {:>7} {:>6} {:>12} {:>11} {:>12} {:>11}",
            run.name,
            decimal(m.recall_at_10, 3),
            decimal(m.mrr, 3),
            percent(m.few_links_share),
            percent(m.ldc_share),
            decimal(m.distinct_countries, 2),
            decimal(run.text_only.recall_at_10, 3),
            decimal(run.text_only.mrr, 3),
            decimal(run.arabic_only.recall_at_10, 3),
            decimal(run.arabic_only.mrr, 3)
        )?;
    }
    writeln!(
        out,
        "parts de référence parmi les fiches étrangères suggérables : pays peu couverts {}, PMA {}",
        percent(report.base_few_links_share),
        percent(report.base_ldc_share)
    )?;
    Ok(())
}
