//! `passerelle stats`

use super::output_format::Format;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use clap::Args;
use passerelle_engine::fiche::{Kind, Level};
use passerelle_engine::french::integer as thousands;
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::store::CorpusStats;
use passerelle_engine::{Corpus, CorpusOptions};

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Judge calls open or expired on this date (default: today).
    #[arg(long)]
    date: Option<NaiveDate>,
    /// How many countries to list in text output (0: all).
    #[arg(long, default_value_t = 20)]
    countries: usize,
}

pub fn run(data_dir: &Path, args: StatsArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let corpus = Corpus::open(data_dir, &CorpusOptions::default())?;
    let today = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let stats = corpus.stats(today)?;
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&stats)?)?,
        Format::Text => print_text(&stats, today, args.countries, out)?,
    }
    Ok(())
}

pub fn print_text(
    stats: &CorpusStats,
    today: NaiveDate,
    countries: usize,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Fiches : {} ({} françaises, {} étrangères)",
        thousands(stats.total),
        thousands(stats.french),
        thousands(stats.foreign)
    )?;
    writeln!(
        out,
        "Par échelon : {}",
        joined(&stats.by_level, level_label)
    )?;
    writeln!(out, "Par type : {}", joined(&stats.by_kind, kind_label))?;
    let calls = &stats.calls;
    writeln!(
        out,
        "Appels à partenariat au {} : {} ouverts, {} expirés, {} clos, {} sans appel",
        today.format("%d/%m/%Y"),
        thousands(calls.open),
        thousands(calls.expired),
        thousands(calls.closed),
        thousands(calls.none)
    )?;
    let shown = if countries == 0 {
        stats.by_country.len()
    } else {
        countries
    };
    writeln!(
        out,
        "Pays : {} (les {} premiers) :",
        stats.by_country.len(),
        shown.min(stats.by_country.len())
    )?;
    for (code, n) in stats.by_country.iter().take(shown) {
        let name = CountryCode::parse(code).map_or("?", |c| c.info().name_fr.as_str());
        writeln!(out, "  {code}  {name:<32} {:>9}", thousands(*n))?;
    }
    writeln!(
        out,
        "Thèmes (fiches qui le citent dans leur profil / leur offre / leur demande) :"
    )?;
    for counts in &stats.by_theme {
        let label = ThemeCode::parse(&counts.theme).map_or("?", |t| t.info().label_fr.as_str());
        writeln!(
            out,
            "  {:<28} {:<52} {:>8} / {:>8} / {:>8}",
            counts.theme,
            label,
            thousands(counts.profile),
            thousands(counts.offer),
            thousands(counts.request)
        )?;
    }
    Ok(())
}

fn joined(groups: &[(String, u64)], label: fn(&str) -> String) -> String {
    groups
        .iter()
        .map(|(name, n)| format!("{} {}", label(name), thousands(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn level_label(code: &str) -> String {
    Level::parse(code).map_or_else(|| code.to_owned(), |l| l.label().to_owned())
}

fn kind_label(code: &str) -> String {
    Kind::parse(code).map_or_else(|| code.to_owned(), |k| k.label().to_owned())
}
