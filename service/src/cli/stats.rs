//! `passerelle stats`

use super::output_format::Format;
use std::path::Path;

use chrono::NaiveDate;
use clap::Args;
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::store::{CorpusStats, Store};

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

pub fn run(data_dir: &Path, args: StatsArgs) -> anyhow::Result<()> {
    let store = Store::open(data_dir)?;
    let today = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let stats = store.stats(today)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&stats)?),
        Format::Text => print_text(&stats, today, args.countries),
    }
    Ok(())
}

pub fn print_text(stats: &CorpusStats, today: NaiveDate, countries: usize) {
    println!(
        "Fiches: {} (French {}, foreign {})",
        thousands(stats.total),
        thousands(stats.french),
        thousands(stats.foreign)
    );
    println!("By level: {}", joined(&stats.by_level));
    println!("By kind: {}", joined(&stats.by_kind));
    let calls = &stats.calls;
    println!(
        "Calls on {today}: {} open, {} expired, {} closed, {} without a call",
        thousands(calls.open),
        thousands(calls.expired),
        thousands(calls.closed),
        thousands(calls.none)
    );
    let shown = if countries == 0 {
        stats.by_country.len()
    } else {
        countries
    };
    println!(
        "Countries: {} (top {}):",
        stats.by_country.len(),
        shown.min(stats.by_country.len())
    );
    for (code, n) in stats.by_country.iter().take(shown) {
        let name = CountryCode::parse(code).map_or("?", |c| c.info().name_fr.as_str());
        println!("  {code}  {name:<32} {:>9}", thousands(*n));
    }
    println!("Themes (fiches with the theme in profile / offer / request):");
    for counts in &stats.by_theme {
        let label = ThemeCode::parse(&counts.theme).map_or("?", |t| t.info().label_fr.as_str());
        println!(
            "  {:<28} {:<52} {:>8} / {:>8} / {:>8}",
            counts.theme,
            label,
            thousands(counts.profile),
            thousands(counts.offer),
            thousands(counts.request)
        );
    }
}

fn joined(groups: &[(String, u64)]) -> String {
    groups
        .iter()
        .map(|(name, n)| format!("{name} {}", thousands(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `198562` → `198,562`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
