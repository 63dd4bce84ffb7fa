//! `passerelle batch --fr region:75 --foreign country:BJ -k 10 --assign 2 --slots FILE --out DIR`
//!
//! The run is recorded in the store like a run of the gRPC `BatchService` (spec, store
//! generation, status, results), then its results are written as files.

use std::path::{Path, PathBuf};

use std::io::Write;

use anyhow::Context;
use clap::Args;
use passerelle_engine::batch::agenda::{self, AgendaPlan, Slot};
use passerelle_engine::batch::export;
use passerelle_engine::batch::{
    AgendaSpec, BatchPair, BatchSpec, ExcludedPair, Member, Pairing, Phase, RunProgress, Scope,
};
use passerelle_engine::lookup::NameTable;
use passerelle_engine::store::{ResultItem, RunStatus, Store};

use super::matching::MatchingArgs;
use super::progress;

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// French scope: all, region:CODE, departement:CODE, or ids:ID_OR_NAME,… (each
    /// entry an id or a name, resolved among French fiches).
    #[arg(long = "fr")]
    french: String,
    /// Foreign scope: all, country:XX[,YY], admin1:XX/CODE, or ids:ID_OR_NAME,…
    /// (resolved among foreign fiches).
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
    #[arg(long, conflicts_with = "no_pairing")]
    stable: bool,
    /// No pairing: keep the best pairs of every fiche only (whole-country campaigns).
    #[arg(long)]
    no_pairing: bool,
    /// Pairs scoring below this are not considered.
    #[arg(long, default_value_t = 0.0)]
    min_score: f64,
    /// A fiche (id or name, either side) left out of the run; repeat for several.
    #[arg(long, value_name = "ID_OR_NAME")]
    exclude: Vec<String>,
    /// A pair never chosen, `FRENCH:FOREIGN` (ids or names); repeat for several.
    /// Pairs rejected by staff decisions are always left out too.
    #[arg(long, value_name = "FR:FOREIGN")]
    exclude_pair: Vec<String>,
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

fn spec(args: &BatchArgs) -> anyhow::Result<BatchSpec> {
    let scope = |text: &str, flag: &str| {
        Scope::parse(text)
            .map_err(anyhow::Error::msg)
            .with_context(|| flag.to_owned())
    };
    let mut spec = BatchSpec::new(
        scope(&args.french, "--fr")?,
        scope(&args.foreign, "--foreign")?,
    );
    spec.k = args.k;
    spec.weights = args.matching.weights()?;
    spec.min_score = args.min_score;
    spec.french_capacity = args.assign_french.unwrap_or(args.assign);
    spec.foreign_capacity = args.assign;
    spec.pairing = if args.no_pairing {
        Pairing::None
    } else if args.stable {
        Pairing::Stable
    } else {
        Pairing::Optimal
    };
    spec.exclude = args.exclude.iter().map(|e| Member::parse(e)).collect();
    spec.exclude_pairs = args
        .exclude_pair
        .iter()
        .map(|p| ExcludedPair::parse(p).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<_>>()
        .context("--exclude-pair")?;
    spec.agenda = match &args.slots {
        Some(path) => Some(AgendaSpec {
            slots: read_slots(path)?,
            tables: args.tables,
        }),
        None => None,
    };
    spec.validate()
        .map_err(|e| anyhow::anyhow!("{}", flag_error(&e)))?;
    Ok(spec)
}

/// A spec error in terms of the command's flags.
fn flag_error(error: &passerelle_engine::fiche::FieldError) -> String {
    let flag = match error.field.as_str() {
        "k" => "-k".to_owned(),
        "french_capacity" => "--assign-french".to_owned(),
        "foreign_capacity" => "--assign".to_owned(),
        "min_score" => "--min-score".to_owned(),
        "agenda.tables" => "--tables".to_owned(),
        "agenda.slots" => "--slots".to_owned(),
        other if other.starts_with("weights") => format!("--weights ({other})"),
        other => other.to_owned(),
    };
    format!("{flag}: {}: {}", error.value, error.reason)
}

pub fn run(data_dir: &Path, args: BatchArgs) -> anyhow::Result<()> {
    let spec = spec(&args)?;
    let bar = progress::spinner("loading the fiches");
    let mut store = Store::open(data_dir)?;
    // Names and ids to look up (an id must exist): only then the name table.
    let listed = matches!(spec.french, Scope::Ids(_))
        || matches!(spec.foreign, Scope::Ids(_))
        || !spec.exclude.is_empty()
        || !spec.exclude_pairs.is_empty();
    let spec = match listed {
        true => spec
            .resolve(&NameTable::from_store(&store)?)
            .map_err(|e| anyhow::anyhow!("{}", flag_of(e)))?,
        false => spec,
    };
    let run = store.create_batch_run(&spec, args.matching.today(), "cli", chrono::Utc::now())?;
    bar.finish_and_clear();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    // The files are written from the results as they are recorded, under temporary
    // names, and renamed once the run is done.
    let mut files = Files::create(&args.out)?;
    let bar = progress::pairs(0, "");
    let phase = std::sync::Mutex::new(None);
    let run = passerelle_engine::batch::execute_streaming(
        &mut store,
        run.id,
        args.matching.threads,
        &|p: RunProgress| {
            let mut current = phase.lock().unwrap_or_else(|e| e.into_inner());
            if *current != Some(p.phase) {
                *current = Some(p.phase);
                show_phase(&bar, p.phase);
            }
            bar.set_length(p.size.max(p.done));
            bar.set_position(p.done);
            std::ops::ControlFlow::Continue(())
        },
        Some(&mut |item| files.write(item)),
    );
    bar.finish_and_clear();
    let run = run.inspect_err(|_| files.discard())?;
    let summary = match (&run.status, &run.summary) {
        (RunStatus::Done, Some(summary)) => *summary,
        (other, _) => {
            files.discard();
            anyhow::bail!("batch run {} {other}", run.id)
        }
    };
    let plan = files.finish()?;
    println!(
        "{} French × {} foreign fiches: {} pairs kept, {} assigned (total score {:.3}), {} without a partner",
        summary.french_count,
        summary.foreign_count,
        summary.scored,
        summary.assigned,
        summary.total,
        summary.unassigned
    );
    if let Some(agenda) = &spec.agenda {
        if !plan.unplaced.is_empty() {
            println!(
                "{} meeting(s) found no slot: add slots or tables",
                plan.unplaced.len()
            );
        }
        write(&args.out.join("agenda.csv"), &export::csv(&plan.rows))?;
        let calendars = args.out.join("calendars");
        std::fs::create_dir_all(&calendars)?;
        let stamp = agenda.slots[0].start;
        for (id, ics) in export::icalendars(&plan.rows, &args.event, stamp) {
            write(&calendars.join(format!("{id}.ics")), &ics)?;
        }
        println!(
            "agenda: {} meetings in {} slots",
            plan.rows.len(),
            agenda.slots.len()
        );
    }
    println!(
        "run {} recorded in the store (generation {}); results in {}",
        run.id,
        run.generation.unwrap_or(0),
        args.out.display()
    );
    Ok(())
}

/// A name-resolution error in terms of the command's flags.
fn flag_of(error: passerelle_engine::Error) -> String {
    match error {
        passerelle_engine::Error::Field { field, source } => {
            let flag = match field.as_str() {
                "french" => "--fr".to_owned(),
                "foreign" => "--foreign".to_owned(),
                f if f.starts_with("exclude_pairs") => format!("--exclude-pair ({f})"),
                f if f.starts_with("exclude") => format!("--exclude ({f})"),
                f => f.to_owned(),
            };
            format!("{flag}: {source}")
        }
        other => other.to_string(),
    }
}

/// How a phase of the run shows on the bar.
fn show_phase(bar: &indicatif::ProgressBar, phase: Phase) {
    let (message, unit) = match phase {
        Phase::Snapshot => ("reading the store, building the matcher", "steps"),
        Phase::Scoring => ("scoring", "pairs"),
        Phase::Pairing => ("pairing", "pivots"),
        Phase::Writing => ("recording the results", "rows"),
    };
    let template = match phase {
        Phase::Pairing => format!("{{spinner}} {{msg}}: {{human_pos}} {unit} ({{elapsed}})"),
        _ => format!(
            "{{msg}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, {{eta}} left)"
        ),
    };
    bar.reset();
    bar.set_style(
        indicatif::ProgressStyle::with_template(&template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message);
}

/// The run's CSV files, written from its results as they are recorded (a national
/// run keeps millions of pairs: never gathered, never read back), under temporary
/// names until the run is done.
struct Files {
    dir: PathBuf,
    pairs: std::io::BufWriter<std::fs::File>,
    assignment: std::io::BufWriter<std::fs::File>,
    unassigned: std::io::BufWriter<std::fs::File>,
    agenda: AgendaPlan,
    failed: Option<std::io::Error>,
}

const CSV_FILES: [&str; 3] = ["pairs.csv", "assignment.csv", "unassigned.csv"];

fn partial(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.partial"))
}

impl Files {
    fn create(dir: &Path) -> anyhow::Result<Files> {
        let open =
            |name: &str, header: &str| -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
                let path = partial(dir, name);
                let cannot = || format!("cannot write {}", path.display());
                let mut out =
                    std::io::BufWriter::new(std::fs::File::create(&path).with_context(cannot)?);
                writeln!(out, "{header}").with_context(cannot)?;
                Ok(out)
            };
        let pairs_header = "french_id,french_name,foreign_id,foreign_name,score";
        Ok(Files {
            dir: dir.to_owned(),
            pairs: open(CSV_FILES[0], pairs_header)?,
            assignment: open(CSV_FILES[1], pairs_header)?,
            unassigned: open(CSV_FILES[2], "id,name,reason")?,
            agenda: AgendaPlan::default(),
            failed: None,
        })
    }

    /// One result; the agenda (small) is kept for the end.
    fn write(&mut self, item: ResultItem) -> std::ops::ControlFlow<()> {
        let quote = |text: &str| text.replace('"', "\"\"");
        let written = match item {
            ResultItem::Scored(p) => write_pair(&mut self.pairs, &p),
            ResultItem::Assigned(p) => write_pair(&mut self.assignment, &p),
            ResultItem::Unassigned(u) => writeln!(
                self.unassigned,
                "{},\"{}\",\"{}\"",
                u.id,
                quote(&u.name),
                quote(&u.reason)
            ),
            ResultItem::Agenda(row) => {
                self.agenda.rows.push(row);
                Ok(())
            }
            ResultItem::Unplaced(p) => {
                self.agenda.unplaced.push(p);
                Ok(())
            }
        };
        match written {
            Ok(()) => std::ops::ControlFlow::Continue(()),
            Err(error) => {
                self.failed = Some(error);
                std::ops::ControlFlow::Break(())
            }
        }
    }

    /// The files in place; returns the agenda.
    fn finish(mut self) -> anyhow::Result<AgendaPlan> {
        let cannot = || format!("cannot write the results in {}", self.dir.display());
        if let Some(error) = self.failed.take() {
            self.discard();
            return Err(error).with_context(cannot);
        }
        for out in [&mut self.pairs, &mut self.assignment, &mut self.unassigned] {
            out.flush().with_context(cannot)?;
        }
        for name in CSV_FILES {
            std::fs::rename(partial(&self.dir, name), self.dir.join(name)).with_context(cannot)?;
        }
        Ok(self.agenda)
    }

    /// The run did not finish: no file.
    fn discard(&self) {
        for name in CSV_FILES {
            // Best effort: a file that cannot be removed is only a leftover.
            let _ = std::fs::remove_file(partial(&self.dir, name));
        }
    }
}

fn write_pair(out: &mut impl Write, p: &BatchPair) -> std::io::Result<()> {
    writeln!(
        out,
        "{},\"{}\",{},\"{}\",{:.4}",
        p.french,
        p.french_name.replace('"', "\"\""),
        p.foreign,
        p.foreign_name.replace('"', "\"\""),
        p.total
    )
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
        let time =
            |value: &str| agenda::parse_time(value).map_err(|e| anyhow::anyhow!("{}: {e}", at()));
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
