//! `passerelle suggest ID|NAME -k 10 [--explain] [--format json]`

use super::output_format::Format;
use std::io::Write;
use std::path::Path;

use clap::Args;
use passerelle_engine::fiche::FieldError;
use passerelle_engine::ranking::{CandidateFilters, SuggestOptions, Suggestion};
use passerelle_engine::{french, input};
use serde_json::json;

use super::matching::{MatchingArgs, resolve};
use super::progress;

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The fiche: its id, or its name (resolved by fuzzy lookup; ambiguity is an error;
    /// `Name (XX)` or `Name (93)` qualifies it by country or area).
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
    /// Also write the suggestions as a workbook (scores per criterion, reasons).
    #[arg(long, value_name = "FILE.xlsx")]
    xlsx: Option<std::path::PathBuf>,
    #[command(flatten)]
    matching: MatchingArgs,
}

pub fn run(
    data_dir: &Path,
    args: SuggestArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<()> {
    if let Some(path) = &args.xlsx {
        super::workbook::check_extension(path)?;
    }
    let filters = filters(&args)?;
    let of_country = args
        .of_country
        .as_deref()
        .map(|c| input::country("--of-country", c))
        .transpose()?;
    let corpus = args.matching.open(data_dir)?;
    // The corpus's options (the weights file, interest bonus, freshness), then the
    // command's.
    let options = SuggestOptions {
        k: args.k,
        filters,
        max_per_country: args.max_per_country,
        ..corpus.suggest_options()
    };
    let bar = progress::spinner("chargement des fiches");
    let fiche = resolve(&corpus, notes, "fiche", &args.fiche, of_country);
    let found = fiche.and_then(|fiche| Ok(corpus.suggest(&fiche.id, &options)?));
    bar.finish_and_clear();
    let found = found?;
    if let Some(path) = &args.xlsx {
        let book = passerelle_engine::sheets::suggestions_workbook(&found.name, &found.items)?;
        super::workbook::save(book, path)?;
    }
    match args.format {
        Format::Json => {
            for suggestion in &found.items {
                writeln!(out, "{}", to_json(suggestion))?;
            }
        }
        Format::Text => {
            writeln!(
                out,
                "Suggestions pour {} ({}, {}) :",
                found.name, found.country, found.id
            )?;
            for (rank, suggestion) in found.items.iter().enumerate() {
                print_text(rank + 1, suggestion, args.explain, out)?;
            }
            if found.items.is_empty() {
                writeln!(
                    out,
                    "  aucune suggestion (aucune fiche de l'autre côté ne convient)"
                )?;
            }
        }
    }
    Ok(())
}

fn flag<T>(
    flag: &str,
    text: &Option<String>,
    parse: fn(&str, &str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    text.as_deref().map(|t| parse(flag, t)).transpose()
}

fn filters(args: &SuggestArgs) -> anyhow::Result<CandidateFilters> {
    Ok(CandidateFilters {
        country: flag("--country", &args.country, input::country)?,
        level: flag("--level", &args.level, input::level)?,
        theme: flag("--theme", &args.theme, input::theme)?,
        ..CandidateFilters::default()
    })
}

/// One object per suggestion: id, name, country, total, breakdown, reasons.
pub fn to_json(suggestion: &Suggestion) -> serde_json::Value {
    let breakdown: serde_json::Map<String, serde_json::Value> = suggestion
        .breakdown
        .iter()
        .map(|part| (part.criterion.key().to_owned(), json!(part.score)))
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
        "interest": suggestion.interest.as_ref().map(|i| json!({
            "french": i.sides.french,
            "foreign": i.sides.foreign,
            "amount": i.amount,
            "reasons": i.reasons,
        })),
        "updated_on": suggestion.updated_on.map(|d| d.to_string()),
        "stale": suggestion.stale,
    })
}

fn print_text(
    rank: usize,
    suggestion: &Suggestion,
    explain: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{rank:>3}. {}  {}  {} ({}){}",
        french::decimal(suggestion.total, 3),
        suggestion.id,
        suggestion.name,
        suggestion.country.info().name_fr,
        if suggestion.stale {
            "  [à reconfirmer]"
        } else {
            ""
        }
    )?;
    // Interest is said even without --explain: it is what the other side told us.
    if let Some(interest) = &suggestion.interest {
        for reason in &interest.reasons {
            writeln!(out, "       {reason}")?;
        }
    }
    if explain {
        for part in &suggestion.breakdown {
            writeln!(
                out,
                "       {:<18} {}",
                part.criterion.label(),
                french::decimal(part.score, 3)
            )?;
            for reason in &part.reasons {
                writeln!(out, "         - {reason}")?;
            }
        }
    }
    Ok(())
}
