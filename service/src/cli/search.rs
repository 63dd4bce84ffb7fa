//! `passerelle search TEXT [filters]`

use super::output_format::Format;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use clap::Args;
use passerelle_engine::fiche::{Level, Side};
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::search::{SearchFilters, SearchPage, SearchQuery, Snippet};
use passerelle_engine::{Corpus, CorpusOptions};
use passerelle_engine::{french, input};

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
    /// french or foreign (française, étrangère).
    #[arg(long, value_parser = parse_side)]
    side: Option<Side>,
    /// Only fiches with a call open on --date (default: today).
    #[arg(long)]
    open: bool,
    /// The date for --open and for flagging fiches to reconfirm.
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
    /// Also write the page as a workbook (rank, fiche, relevance, extract).
    #[arg(long, value_name = "FILE.xlsx")]
    xlsx: Option<std::path::PathBuf>,
}

pub(super) fn parse_country(s: &str) -> Result<CountryCode, String> {
    input::country("--country", s).map_err(|e| e.to_string())
}

fn parse_level(s: &str) -> Result<Level, String> {
    input::level("--level", s).map_err(|e| e.to_string())
}

fn parse_theme(s: &str) -> Result<ThemeCode, String> {
    input::theme("--theme", s).map_err(|e| e.to_string())
}

fn parse_side(s: &str) -> Result<Side, String> {
    input::side("--side", s).map_err(|e| e.to_string())
}

pub fn run(data_dir: &Path, args: SearchArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    if let Some(path) = &args.xlsx {
        super::workbook::check_extension(path)?;
    }
    // The date judges open calls and which fiches are to be reconfirmed.
    let options = CorpusOptions {
        today: args.date,
        ..CorpusOptions::default()
    };
    let corpus = Corpus::open(data_dir, &options)?;
    let started = Instant::now();
    let warmed = corpus.warm_index()?;
    if let Some(reason) = warmed.rebuilt {
        eprintln!(
            "index de recherche reconstruit ({reason:?}) : {} fiches en {}",
            french::integer(warmed.docs),
            french::duration(started.elapsed())
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
            side: args.side,
            open_on: args.open.then_some(today),
            min_population: args.min_pop,
            max_population: args.max_pop,
        },
        limit: args.limit,
        offset: args.offset,
    };
    let opened = started.elapsed();
    let page = corpus.search(&query)?;
    if args.timings {
        let searched = started.elapsed() - opened;
        eprintln!(
            "index opened in {:.3} s; search in {:.2} ms",
            opened.as_secs_f64(),
            searched.as_secs_f64() * 1e3
        );
    }
    if let Some(path) = &args.xlsx {
        let book = passerelle_engine::sheets::search_workbook(&page, query.offset)?;
        super::workbook::save(book, path)?;
    }
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&page)?)?,
        Format::Text => print_page(&page, query.offset, std::io::stdout().is_terminal(), out)?,
    }
    Ok(())
}

fn print_page(
    page: &SearchPage,
    offset: usize,
    terminal: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match page.total {
        0 => writeln!(out, "aucune fiche trouvée")?,
        1 => writeln!(out, "1 fiche trouvée")?,
        n => writeln!(out, "{} fiches trouvées", french::integer(n as u64))?,
    }
    for (rank, hit) in page.hits.iter().enumerate() {
        let rank = rank + 1 + offset;
        writeln!(
            out,
            "{rank:>4}. {:>7}  {:<28} {}  {}{}",
            french::decimal(f64::from(hit.score), 3),
            hit.id,
            hit.country,
            hit.name,
            if hit.stale { "  [à reconfirmer]" } else { "" }
        )?;
        if let Some(snippet) = &hit.snippet {
            writeln!(
                out,
                "               {} : {}",
                snippet.field.label(),
                marked(snippet, terminal)
            )?;
        }
    }
    Ok(())
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
