//! `passerelle eval`: how well the ranking finds planted complementary pairs.

use super::output_format::Format;
use clap::Args;
use passerelle_engine::evaluation::{EvaluationReport, Truth, evaluate};
use passerelle_engine::ranking::Matcher;
use std::io::Write;

use super::matching::MatchingArgs;
use super::progress;

#[derive(Debug, Args)]
pub struct EvalArgs {
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

pub fn run(args: EvalArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let weights = args.matching.weights()?;
    let bar = progress::spinner("generating the corpus and planting pairs");
    let corpus = passerelle_datasets::generate_demo_corpus(args.seed)?;
    let planted = passerelle_datasets::plant_pairs(corpus, args.seed, args.pairs);
    bar.set_message("building the matcher");
    let today = args
        .matching
        .date
        .unwrap_or_else(passerelle_datasets::demo_corpus_date);
    let matcher = Matcher::new(planted.fiches, today, args.matching.threads)?;
    let truths: Vec<Truth> = planted
        .pairs
        .into_iter()
        .map(|p| Truth {
            a: p.french,
            b: p.foreign,
            tagged: p.text_only,
        })
        .collect();
    bar.set_message("ranking");
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
        "{} planted pairs, each side queried (MRR over the top {}); tagged = foreign request given only as text in es/pt/en",
        report.pairs,
        passerelle_engine::evaluation::DEPTH
    )?;
    writeln!(
        out,
        "{:<34} {:>9} {:>7} {:>11} {:>7} {:>10} {:>9} {:>9}",
        "configuration",
        "recall@10",
        "MRR",
        "few-links %",
        "LDC %",
        "countries",
        "tagged r",
        "tagged MRR"
    )?;
    for run in &report.runs {
        let m = &run.all;
        writeln!(
            out,
            "{:<34} {:>9.3} {:>7.3} {:>11.1} {:>7.1} {:>10.2} {:>9.3} {:>9.3}",
            run.name,
            m.recall_at_10,
            m.mrr,
            100.0 * m.few_links_share,
            100.0 * m.ldc_share,
            m.distinct_countries,
            run.tagged.recall_at_10,
            run.tagged.mrr
        )?;
    }
    writeln!(
        out,
        "base rates among suggestible foreign fiches: few-links {:.1} %, LDC {:.1} %",
        100.0 * report.base_few_links_share,
        100.0 * report.base_ldc_share
    )?;
    Ok(())
}
