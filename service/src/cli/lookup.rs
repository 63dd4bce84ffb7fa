//! `passerelle lookup NAME`

use super::output_format::Format;
use std::path::Path;
use std::time::Instant;

use clap::Args;
use passerelle_engine::lookup::NameTable;
use passerelle_engine::reference::CountryCode;
use passerelle_engine::store::Store;

use super::search::parse_country;

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// A name, in any spelling (accents, St/Ste, hyphens optional).
    name: String,
    /// Only within this country (ISO 3166-1 alpha-2).
    #[arg(long, value_parser = parse_country)]
    country: Option<CountryCode>,
    /// Number of candidates.
    #[arg(short = 'n', long, default_value_t = 10)]
    limit: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print on standard error how long loading the names and the lookup took.
    #[arg(long)]
    timings: bool,
}

pub fn run(data_dir: &Path, args: LookupArgs) -> anyhow::Result<()> {
    let store = Store::open(data_dir)?;
    let started = Instant::now();
    let table = NameTable::from_store(&store)?;
    let loaded = started.elapsed();
    let hits = table.lookup(&args.name, args.country, args.limit)?;
    if args.timings {
        let looked_up = started.elapsed() - loaded;
        eprintln!(
            "{} fiches loaded in {:.2} s; lookup in {:.2} ms",
            table.len(),
            loaded.as_secs_f64(),
            looked_up.as_secs_f64() * 1e3
        );
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&hits)?),
        Format::Text => {
            for hit in &hits {
                let alias = if hit.matched == hit.name {
                    String::new()
                } else {
                    format!("  [{}]", hit.matched)
                };
                println!("{:.3}  {}{alias}", hit.score, hit.describe());
            }
            if hits.is_empty() {
                println!("no name found");
            }
        }
    }
    Ok(())
}
