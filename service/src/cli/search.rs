//! `passerelle search TEXT [filters]`

use super::output_format::Format;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use passerelle_engine::fiche::{Level, Side};
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::search::{SearchFilters, SearchIndex, SearchPage, SearchQuery, Snippet};
use passerelle_engine::store::Store;

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to look for in names and texts (empty: filters only).
    #[arg(default_value = "")]
    text: String,
    /// ISO 3166-1 alpha-2 country code.
    #[arg(long, value_parser = parse_country)]
    country: Option<CountryCode>,
    /// Région code of French fiches, admin1 code of foreign ones.
    #[arg(long)]
    region: Option<String>,
    /// local, intermediate or regional.
    #[arg(long, value_parser = parse_level)]
    level: Option<Level>,
    /// A theme code of themes.csv.
    #[arg(long, value_parser = parse_theme)]
    theme: Option<ThemeCode>,
    #[arg(long, value_enum)]
    side: Option<SideArg>,
    /// Only fiches with a call open on --date (default: today).
    #[arg(long)]
    open: bool,
    /// The date for --open.
    #[arg(long)]
    date: Option<NaiveDate>,
    #[arg(long)]
    min_pop: Option<u64>,
    #[arg(long)]
    max_pop: Option<u64>,
    /// Number of hits (at most 1000).
    #[arg(short = 'n', long, default_value_t = 20)]
    limit: usize,
    /// Hits to skip.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print on standard error how long opening the index and the search took.
    #[arg(long)]
    timings: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SideArg {
    French,
    Foreign,
}

pub(super) fn parse_country(s: &str) -> Result<CountryCode, String> {
    CountryCode::parse(&s.to_ascii_uppercase()).ok_or_else(|| format!("unknown country code {s:?}"))
}

fn parse_level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| format!("{s:?}: expected local, intermediate or regional"))
}

fn parse_theme(s: &str) -> Result<ThemeCode, String> {
    ThemeCode::parse(s).ok_or_else(|| format!("unknown theme code {s:?} (see themes.csv)"))
}

pub fn run(data_dir: &Path, args: SearchArgs) -> anyhow::Result<()> {
    let store = Store::open(data_dir)?;
    let started = Instant::now();
    let index = SearchIndex::open_or_rebuild(&store)?;
    if let Some(reason) = index.rebuilt() {
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "search index rebuilt ({reason:?}): {} fiches in {seconds:.1} s",
            index.num_docs()
        );
    }
    let today = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let query = SearchQuery {
        text: args.text,
        filters: SearchFilters {
            country: args.country,
            admin1: args.region,
            level: args.level,
            theme: args.theme,
            side: args.side.map(|s| match s {
                SideArg::French => Side::French,
                SideArg::Foreign => Side::Foreign,
            }),
            open_on: args.open.then_some(today),
            min_population: args.min_pop,
            max_population: args.max_pop,
        },
        limit: args.limit,
        offset: args.offset,
    };
    let opened = started.elapsed();
    let page = index.search(&query)?;
    if args.timings {
        let searched = started.elapsed() - opened;
        eprintln!(
            "index opened in {:.3} s; search in {:.2} ms",
            opened.as_secs_f64(),
            searched.as_secs_f64() * 1e3
        );
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&page)?),
        Format::Text => print_page(&page, query.offset, std::io::stdout().is_terminal()),
    }
    Ok(())
}

fn print_page(page: &SearchPage, offset: usize, terminal: bool) {
    match page.total {
        0 => println!("aucune fiche trouvée"),
        1 => println!("1 fiche trouvée"),
        n => println!("{n} fiches trouvées"),
    }
    for (rank, hit) in page.hits.iter().enumerate() {
        let rank = rank + 1 + offset;
        println!(
            "{rank:>4}. {:>7.3}  {:<28} {}  {}",
            hit.score, hit.id, hit.country, hit.name
        );
        if let Some(snippet) = &hit.snippet {
            println!(
                "               {} : {}",
                snippet.field.label(),
                marked(snippet, terminal)
            );
        }
    }
}

/// The snippet's text with its highlights in bold on a terminal, between « » otherwise;
/// control characters (from fiche data) are shown as spaces.
fn marked(snippet: &Snippet, terminal: bool) -> String {
    let (open, close) = if terminal {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("«", "»")
    };
    let clean = |s: &str| s.replace(char::is_control, " ");
    let mut out = String::new();
    let mut at = 0;
    for range in &snippet.highlights {
        out.push_str(&clean(&snippet.text[at..range.start]));
        out.push_str(open);
        out.push_str(&clean(&snippet.text[range.clone()]));
        out.push_str(close);
        at = range.end;
    }
    out.push_str(&clean(&snippet.text[at..]));
    out
}
