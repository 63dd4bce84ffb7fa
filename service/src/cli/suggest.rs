//! `passerelle suggest ID|NAME -k 10 [--explain] [--format json]`

use super::output_format::Format;
use std::path::Path;

use anyhow::Context;
use clap::Args;
use passerelle_engine::fiche::Level;
use passerelle_engine::ranking::{CandidateFilters, SuggestOptions, Suggestion};
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::scoring::NoVetoes;
use serde_json::json;

use super::matching::MatchingArgs;

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The fiche: its id, or its name (resolved by fuzzy lookup; ambiguity is an error).
    fiche: String,
    /// Country of the fiche, to resolve its name.
    #[arg(long = "of-country")]
    of_country: Option<String>,
    /// How many suggestions.
    #[arg(short, default_value_t = 10)]
    k: usize,
    /// Only candidates of this country.
    #[arg(long)]
    country: Option<String>,
    /// Only candidates of this level (local, intermediate, regional).
    #[arg(long)]
    level: Option<String>,
    /// Only candidates with this theme.
    #[arg(long)]
    theme: Option<String>,
    /// At most this many suggestions per country.
    #[arg(long)]
    max_per_country: Option<usize>,
    /// Print the breakdown and reasons of each suggestion.
    #[arg(long)]
    explain: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    matching: MatchingArgs,
}

pub fn run(data_dir: &Path, args: SuggestArgs) -> anyhow::Result<()> {
    let options = SuggestOptions {
        k: args.k,
        filters: filters(&args)?,
        weights: args.matching.weights()?,
        max_per_country: args.max_per_country,
    };
    let loaded = args.matching.load(data_dir)?;
    let id = loaded.resolve(&args.fiche, args.of_country.as_deref())?;
    let suggestions = loaded.matcher.suggest(&id, &options, &NoVetoes)?;
    match args.format {
        Format::Json => {
            for suggestion in &suggestions {
                println!("{}", to_json(suggestion));
            }
        }
        Format::Text => {
            let fiche = loaded.matcher.features(&id)?;
            println!(
                "Suggestions pour {} ({}, {id}) :",
                fiche.name, fiche.country
            );
            for (rank, suggestion) in suggestions.iter().enumerate() {
                print_text(rank + 1, suggestion, args.explain);
            }
        }
    }
    Ok(())
}

fn filters(args: &SuggestArgs) -> anyhow::Result<CandidateFilters> {
    Ok(CandidateFilters {
        country: args
            .country
            .as_deref()
            .map(|c| {
                CountryCode::parse(c)
                    .with_context(|| format!("--country: unknown country code {c:?}"))
            })
            .transpose()?,
        level: args
            .level
            .as_deref()
            .map(|l| {
                Level::parse(l).with_context(|| {
                    format!("--level: {l:?} is not local, intermediate or regional")
                })
            })
            .transpose()?,
        theme: args
            .theme
            .as_deref()
            .map(|t| {
                ThemeCode::parse(t).with_context(|| format!("--theme: unknown theme code {t:?}"))
            })
            .transpose()?,
        ..CandidateFilters::default()
    })
}

/// One object per suggestion: id, name, country, total, breakdown, reasons.
pub fn to_json(suggestion: &Suggestion) -> serde_json::Value {
    let breakdown: serde_json::Map<String, serde_json::Value> = suggestion
        .breakdown
        .iter()
        .map(|part| (criterion_name(part.criterion), json!(part.score)))
        .collect();
    let reasons: Vec<&String> = suggestion
        .breakdown
        .iter()
        .flat_map(|part| &part.reasons)
        .collect();
    json!({
        "id": suggestion.id.as_str(),
        "name": suggestion.name,
        "country": suggestion.country.as_str(),
        "total": suggestion.total,
        "breakdown": breakdown,
        "reasons": reasons,
    })
}

fn criterion_name(criterion: passerelle_engine::scoring::Criterion) -> String {
    serde_json::to_value(criterion)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn print_text(rank: usize, suggestion: &Suggestion, explain: bool) {
    println!(
        "{rank:>3}. {:.3}  {}  {} ({})",
        suggestion.total,
        suggestion.id,
        suggestion.name,
        suggestion.country.info().name_fr
    );
    if explain {
        for part in &suggestion.breakdown {
            println!(
                "       {:<12} {:.3}",
                criterion_name(part.criterion),
                part.score
            );
            for reason in &part.reasons {
                println!("         - {reason}");
            }
        }
    }
}
