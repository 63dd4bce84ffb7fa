//! `passerelle review`: the review queue as staff see it — the mutual interests (both
//! collectivités said "interested": matches) first, then each French fiche's best
//! undecided suggestions — or (`--mutual`) every mutual interest, decided or not.

use std::io::Write;
use std::path::Path;

use clap::Args;
use passerelle_engine::corpus::{MutualInterest, QueueEntry, QueueQuery, ReviewPage};
use passerelle_engine::french::{decimal, integer};
use passerelle_engine::input;
use passerelle_engine::ranking::CandidateFilters;
use serde_json::json;

use super::matching::MatchingArgs;
use super::output_format::Format;
use super::progress;

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Only French fiches of this région (code, e.g. 75).
    #[arg(long)]
    region: Option<String>,
    /// Only partners of this country.
    #[arg(long)]
    country: Option<String>,
    /// Only partners with this theme.
    #[arg(long)]
    theme: Option<String>,
    /// Undecided suggestions per French fiche.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=20))]
    per_fiche: u16,
    /// French fiches per page.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=100))]
    page_size: u16,
    /// Page, from 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    page: u32,
    /// List every mutual interest (decided or not) instead of the queue.
    #[arg(long)]
    mutual: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    matching: MatchingArgs,
}

pub fn run(data_dir: &Path, args: ReviewArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let filters = CandidateFilters {
        country: input::optional(
            "--country",
            args.country.as_deref().unwrap_or(""),
            input::country,
        )?,
        theme: input::optional("--theme", args.theme.as_deref().unwrap_or(""), input::theme)?,
        ..CandidateFilters::default()
    };
    let region = args
        .region
        .as_deref()
        .map(|r| input::text_at_most("--region", r.trim(), 16).map(str::to_owned))
        .transpose()?;
    let corpus = args.matching.open(data_dir)?;
    if args.mutual {
        let bar = progress::spinner("intérêts mutuels");
        let mutual = corpus.mutual_interests();
        bar.finish_and_clear();
        return print_mutual(&mutual?, args.format, out);
    }
    let page_size = usize::from(args.page_size);
    let query = QueueQuery {
        region: region.clone(),
        filters,
        per_fiche: usize::from(args.per_fiche),
        page_size,
        offset: (args.page as usize - 1) * page_size,
    };
    let bar = progress::spinner("file de revue");
    let page = corpus.review_queue(&query);
    bar.finish_and_clear();
    let page = page?;
    if let (Some(region), 0) = (&region, page.fiches_in_scope) {
        anyhow::bail!("--region : aucune fiche française dans la région « {region} »");
    }
    match args.format {
        Format::Json => {
            for entry in &page.entries {
                writeln!(out, "{}", entry_json(entry))?;
            }
        }
        Format::Text => print_queue(&page, args.page, out)?,
    }
    Ok(())
}

fn entry_json(entry: &QueueEntry) -> serde_json::Value {
    json!({
        "fiche_id": entry.fiche_id.as_str(),
        "fiche_name": entry.fiche_name,
        "mutual": entry.mutual,
        "partner": super::suggest::to_json(&entry.partner),
    })
}

fn print_queue(page: &ReviewPage, number: u32, out: &mut dyn Write) -> std::io::Result<()> {
    let mutual = page.entries.iter().filter(|e| e.mutual).count();
    writeln!(
        out,
        "File de revue, page {number} : {} fiches françaises dans le périmètre ; {} paires à décider{}",
        integer(page.fiches_in_scope as u64),
        integer(page.entries.len() as u64),
        match mutual {
            0 => String::new(),
            n => format!(", dont {} intérêts mutuels en tête", integer(n as u64)),
        }
    )?;
    for entry in &page.entries {
        let partner = &entry.partner;
        let mut flags = Vec::new();
        if entry.mutual {
            flags.push("intérêt mutuel");
        }
        if partner.stale {
            flags.push("à reconfirmer");
        }
        writeln!(
            out,
            "  {}  {} ({}) → {} ({}, {}){}",
            decimal(partner.total, 3),
            entry.fiche_name,
            entry.fiche_id,
            partner.name,
            partner.id,
            partner.country.info().name_fr,
            if flags.is_empty() {
                String::new()
            } else {
                format!("  [{}]", flags.join(", "))
            }
        )?;
        for reason in partner.interest.iter().flat_map(|i| &i.reasons) {
            writeln!(out, "         - {reason}")?;
        }
    }
    if page.more {
        writeln!(out, "(page suivante : --page {})", number + 1)?;
    }
    Ok(())
}

fn print_mutual(
    mutual: &[MutualInterest],
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if format == Format::Json {
        for m in mutual {
            let value = json!({
                "french": m.french.as_str(),
                "french_name": m.french_name,
                "foreign": m.foreign.as_str(),
                "foreign_name": m.foreign_name,
                "since": m.since,
                "total": m.total,
                "decided": m.decided,
            });
            writeln!(out, "{value}")?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{} intérêts mutuels (les deux collectivités se sont déclarées intéressées), le plus récent d'abord :",
        integer(mutual.len() as u64)
    )?;
    for m in mutual {
        writeln!(
            out,
            "  {}  {} ({}) ↔ {} ({})  depuis le {}{}",
            decimal(m.total, 3),
            m.french_name,
            m.french,
            m.foreign_name,
            m.foreign,
            m.since.get(..10).unwrap_or(&m.since),
            if m.decided { "  [déjà décidé]" } else { "" }
        )?;
    }
    Ok(())
}
