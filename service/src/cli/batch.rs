//! `passerelle batch --fr region:75 --foreign country:BJ -k 10 --assign 2 --slots FILE --out DIR`

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDateTime;
use clap::Args;
use passerelle_engine::batch::agenda::{self, Meeting, Slot};
use passerelle_engine::batch::export::{self, AgendaRow};
use passerelle_engine::batch::{BatchPair, BatchSpec, Pairing, Scope};
use passerelle_engine::ranking::Matcher;
use passerelle_engine::scoring::NoVetoes;

use super::matching::MatchingArgs;
use super::progress;

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// French scope: all, region:CODE, departement:CODE, ids:ID,ID…
    #[arg(long = "fr")]
    french: String,
    /// Foreign scope: all, country:XX[,YY], admin1:XX/CODE, ids:ID,ID…
    #[arg(long)]
    foreign: String,
    /// Pairs kept per fiche on each side.
    #[arg(short, default_value_t = 10)]
    k: usize,
    /// Meetings per foreign collectivité (and per French one unless --assign-french).
    #[arg(long, default_value_t = 1)]
    assign: usize,
    /// Meetings per French collectivité.
    #[arg(long)]
    assign_french: Option<usize>,
    /// Stable matching (deferred acceptance) instead of the maximum total score.
    #[arg(long)]
    stable: bool,
    /// Pairs scoring below this are not considered.
    #[arg(long, default_value_t = 0.0)]
    min_score: f64,
    /// CSV of time slots (`label,start,end`, ISO 8601 local times) for an agenda.
    #[arg(long)]
    slots: Option<PathBuf>,
    /// Tables available in each slot.
    #[arg(long, default_value_t = 20)]
    tables: usize,
    /// Name of the event, in calendars.
    #[arg(long, default_value = "Assises de la coopération décentralisée")]
    event: String,
    /// Directory for the results (created).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    matching: MatchingArgs,
}

pub fn run(data_dir: &Path, args: BatchArgs) -> anyhow::Result<()> {
    let spec = BatchSpec {
        french: Scope::parse(&args.french)
            .map_err(anyhow::Error::msg)
            .context("--fr")?,
        foreign: Scope::parse(&args.foreign)
            .map_err(anyhow::Error::msg)
            .context("--foreign")?,
        k: args.k,
        weights: args.matching.weights()?,
        min_score: args.min_score,
        french_capacity: args.assign_french.unwrap_or(args.assign),
        foreign_capacity: args.assign,
        pairing: if args.stable {
            Pairing::Stable
        } else {
            Pairing::Optimal
        },
    };
    let slots = args.slots.as_deref().map(read_slots).transpose()?;
    let bar = progress::spinner("loading the fiches");
    let store = passerelle_engine::store::Store::open(data_dir)?;
    let fiches = store.load_all()?;
    let matcher = Matcher::with_cache(
        fiches.clone(),
        args.matching.today(),
        args.matching.threads,
        &store.matcher_cache()?,
    )?;
    bar.finish_and_clear();
    let bar = progress::pairs(0, "scoring");
    let result =
        passerelle_engine::batch::run(&matcher, &fiches, &spec, &NoVetoes, &|done, all| {
            bar.set_length(all);
            bar.set_position(done);
            std::ops::ControlFlow::Continue(())
        })?;
    bar.finish_and_clear();

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    write(&args.out.join("pairs.csv"), &pairs_csv(&result.scored))?;
    write(
        &args.out.join("assignment.csv"),
        &pairs_csv(&result.assigned),
    )?;
    let mut unassigned = String::from("id,name,reason\n");
    for u in &result.unassigned {
        unassigned.push_str(&format!(
            "{},\"{}\",\"{}\"\n",
            u.id,
            u.name.replace('"', "\"\""),
            u.reason.replace('"', "\"\"")
        ));
    }
    write(&args.out.join("unassigned.csv"), &unassigned)?;
    println!(
        "{} French × {} foreign fiches: {} pairs kept, {} assigned (total score {:.3}), {} without a partner",
        result.french_count,
        result.foreign_count,
        result.scored.len(),
        result.assigned.len(),
        result.total,
        result.unassigned.len()
    );
    if let Some(slots) = slots {
        let rows = agenda_rows(&result.assigned, &slots, args.tables, &mut |unplaced| {
            println!("{unplaced} meeting(s) found no slot: add slots or tables");
        });
        write(&args.out.join("agenda.csv"), &export::csv(&rows))?;
        let calendars = args.out.join("calendars");
        std::fs::create_dir_all(&calendars)?;
        let stamp = slots[0].start;
        for (id, ics) in export::icalendars(&rows, &args.event, stamp) {
            write(&calendars.join(format!("{id}.ics")), &ics)?;
        }
        println!("agenda: {} meetings in {} slots", rows.len(), slots.len());
    }
    println!("results in {}", args.out.display());
    Ok(())
}

fn agenda_rows(
    assigned: &[BatchPair],
    slots: &[Slot],
    tables: usize,
    on_unplaced: &mut dyn FnMut(usize),
) -> Vec<AgendaRow> {
    let french: Vec<&str> = distinct(assigned.iter().map(|p| p.french.as_str()));
    let foreign: Vec<&str> = distinct(assigned.iter().map(|p| p.foreign.as_str()));
    let meetings: Vec<Meeting> = assigned
        .iter()
        .map(|p| Meeting {
            french: french.binary_search(&p.french.as_str()).unwrap_or(0),
            foreign: foreign.binary_search(&p.foreign.as_str()).unwrap_or(0),
        })
        .collect();
    let planned = agenda::schedule(&meetings, slots, tables);
    if !planned.unplaced.is_empty() {
        on_unplaced(planned.unplaced.len());
    }
    let mut rows: Vec<AgendaRow> = planned
        .placements
        .iter()
        .map(|p| {
            let pair = &assigned[p.meeting];
            let slot = &slots[p.slot];
            AgendaRow {
                slot: slot.label.clone(),
                start: slot.start,
                end: slot.end,
                table: p.table + 1,
                french: pair.french.clone(),
                french_name: pair.french_name.clone(),
                foreign: pair.foreign.clone(),
                foreign_name: pair.foreign_name.clone(),
                score: pair.total,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.start.cmp(&b.start).then(a.table.cmp(&b.table)));
    rows
}

fn distinct<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn pairs_csv(pairs: &[BatchPair]) -> String {
    let mut out = String::from("french_id,french_name,foreign_id,foreign_name,score\n");
    for p in pairs {
        out.push_str(&format!(
            "{},\"{}\",{},\"{}\",{:.4}\n",
            p.french,
            p.french_name.replace('"', "\"\""),
            p.foreign,
            p.foreign_name.replace('"', "\"\""),
            p.total
        ));
    }
    out
}

/// Reads `label,start,end` lines (a header line is allowed); errors name the line.
fn read_slots(path: &Path) -> anyhow::Result<Vec<Slot>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut slots = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if line.trim().is_empty() || (n == 0 && fields.first() == Some(&"label")) {
            continue;
        }
        let at = || format!("{}:{}", path.display(), n + 1);
        let [label, start, end] = fields[..] else {
            anyhow::bail!("{}: expected label,start,end", at());
        };
        let time = |value: &str| {
            NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
                .with_context(|| format!("{}: {value:?} is not a time like 2026-12-03T09:00", at()))
        };
        slots.push(Slot {
            label: label.to_owned(),
            start: time(start)?,
            end: time(end)?,
        });
    }
    anyhow::ensure!(!slots.is_empty(), "{}: no slot", path.display());
    agenda::check_slots(&slots).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(slots)
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
