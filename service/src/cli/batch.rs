//! `passerelle batch --fr region:75 --foreign country:BJ -k 10 --assign 2 --slots FILE --out DIR`
//!
//! The run is recorded in the store like a run of the gRPC `BatchService` (spec, store
//! generation, status, results), then its results are written as files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use passerelle_engine::batch::agenda::{self, AgendaPlan, Slot};
use passerelle_engine::batch::export::{self, StaleFiches};
use passerelle_engine::batch::{
    AgendaSpec, BatchSpec, ExcludedPair, Member, Pairing, Phase, RunProgress, Scope,
};
use passerelle_engine::batch::{ResultItem, RunStatus};
use passerelle_engine::french::{decimal, integer};
use passerelle_engine::sheets::BatchBook;
use passerelle_engine::store::{Store, permissions};
use passerelle_engine::{Corpus, CorpusOptions};

use super::matching::MatchingArgs;
use super::output_dir::OutputDir;
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
    /// Assign the pairs where both collectivités said "interested" first, as far as
    /// capacities allow (pairs either side said "not interested" are always left out).
    #[arg(long, conflicts_with = "no_pairing")]
    require_mutual: bool,
    /// Also write every result as one workbook, `resultats.xlsx` (pairs kept,
    /// assignment, without a partner, agenda). Off by default: a national or
    /// département-wide run keeps millions of pairs (more than an Excel sheet holds),
    /// and the workbook would cost more than the run itself; the console downloads a
    /// finished run's workbook at any time.
    #[arg(long)]
    xlsx: bool,
    /// CSV of time slots (`label,start,end`, ISO 8601 local times) for an agenda.
    #[arg(long)]
    slots: Option<PathBuf>,
    /// Tables available in each slot.
    #[arg(long, default_value_t = 20)]
    tables: usize,
    /// Name of the event, in calendars.
    #[arg(long, default_value = "Assises de la coopération décentralisée")]
    event: String,
    /// Directory for the results: created, or empty. A directory holding another
    /// run's results is refused unless --force, which replaces them.
    #[arg(long)]
    out: PathBuf,
    /// Replace the results of an earlier run in --out.
    #[arg(long)]
    force: bool,
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
    spec.require_mutual = args.require_mutual;
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
    // Bounds, names and scopes are checked together, every problem reported at once
    // (`Corpus::check_batch`).
    Ok(spec)
}

pub fn run(
    data_dir: &Path,
    args: BatchArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<()> {
    let spec = spec(&args)?;
    // A run is recorded in the store: the command writes, and holds the writer lock.
    let options = CorpusOptions {
        writer: Some("passerelle batch"),
        ..args.matching.options()?
    };
    let corpus = Corpus::open(data_dir, &options)?;
    let bar = progress::spinner("vérification de la session");
    let checked = corpus.check_batch(&spec);
    bar.finish_and_clear();
    let resolved = checked.map_err(|e| anyhow::anyhow!("{}", flag_problems(e)))?;
    for c in &resolved.corrections {
        writeln!(
            notes,
            "note : {} « {} » compris comme {} ({}), par rapprochement orthographique",
            flag_of_field(&c.field),
            c.typed,
            c.name,
            c.id
        )?;
    }
    let dir = OutputDir::prepare(&args.out, args.force)?;
    let run = corpus.record_batch(&resolved, "cli")?;
    let spec = resolved.spec;
    // The files are written from the results as they are recorded (a national run
    // keeps millions of pairs: never gathered, never read back), in the staging
    // folder that replaces --out once the run is done.
    // Fiches « à reconfirmer » on the run's date, flagged in its files.
    let stale = corpus.stale_fiches()?;
    let mut files = Files::create(&dir, spec.pairing != Pairing::None, stale.clone())?;
    let phase = std::sync::Mutex::new(None::<(Phase, indicatif::ProgressBar)>);
    let mut store = Store::open_existing(data_dir)?;
    // The workbook (the slowest of the files: XML, then compressed) is written on a
    // thread of its own, fed in batches, and saved as soon as it has every result,
    // while the store may still be recording the last ones.
    let (workbook, mut book_items) = match args.xlsx {
        true => {
            let (workbook, items) = Workbook::start(dir.path("resultats.xlsx"), stale);
            (Some(workbook), Some(items))
        }
        false => (None, None),
    };
    let files_ref = &mut files;
    let run = passerelle_engine::batch::execute_streaming(
        &mut store,
        run.id,
        args.matching.threads,
        &|p: RunProgress| {
            let mut current = phase.lock().unwrap_or_else(|e| e.into_inner());
            if current.as_ref().map(|(shown, _)| *shown) != Some(p.phase) {
                if let Some((_, bar)) = current.take() {
                    bar.finish_and_clear();
                }
                *current = Some((p.phase, phase_bar(p.phase, p.size)));
            }
            if let Some((_, bar)) = current.as_ref() {
                bar.set_length(p.size.max(p.done));
                bar.set_position(p.done);
            }
            std::ops::ControlFlow::Continue(())
        },
        // Owns `book_items`: dropped when every result was handed over, the
        // workbook's thread then saves the workbook.
        Some(Box::new(move |item| {
            let written = files_ref.write(&item);
            let handed = book_items.as_mut().is_none_or(|b| b.send(item).is_ok());
            match written.is_continue() && handed {
                true => std::ops::ControlFlow::Continue(()),
                false => std::ops::ControlFlow::Break(()),
            }
        })),
    );
    if let Some((_, bar)) = phase.into_inner().unwrap_or_else(|e| e.into_inner()) {
        bar.finish_and_clear();
    }
    let run = run?;
    let summary = match (&run.status, &run.summary) {
        (RunStatus::Done, Some(summary)) => *summary,
        (other, _) => anyhow::bail!("la session {} s'est terminée : {other}", run.id),
    };
    if let Some(workbook) = workbook {
        workbook.finish()?;
    }
    let plan = files.finish()?;
    if let Some(agenda) = &spec.agenda {
        write(&dir.path("agenda.csv"), &export::csv(&plan.rows))?;
        let calendars = dir.path("calendars");
        std::fs::create_dir_all(&calendars)?;
        for (id, ics) in export::icalendars(&plan.rows, &args.event, chrono::Utc::now()) {
            write(&calendars.join(format!("{id}.ics")), &ics)?;
        }
        debug_assert_eq!(plan.rows.len() as u64, summary.agenda);
        let _ = agenda;
    }
    dir.commit(run.id)?;
    let count = integer;
    writeln!(
        out,
        "{} fiches françaises × {} fiches étrangères : {} paires retenues",
        count(summary.french_count),
        count(summary.foreign_count),
        count(summary.scored),
    )?;
    if spec.pairing != Pairing::None {
        writeln!(
            out,
            "appariement {} : {} paires appariées (score total {}), {} fiches sans partenaire",
            match spec.pairing {
                Pairing::Stable => "stable",
                _ => "optimal",
            },
            count(summary.assigned),
            decimal(summary.total, 3),
            count(summary.unassigned)
        )?;
    }
    if let Some(agenda) = &spec.agenda {
        writeln!(
            out,
            "agenda : {} rendez-vous sur {} créneaux",
            count(summary.agenda),
            count(agenda.slots.len() as u64)
        )?;
        if summary.unplaced > 0 {
            writeln!(
                out,
                "{} rendez-vous sans créneau : ajoutez des créneaux ou des tables",
                count(summary.unplaced)
            )?;
        }
    }
    writeln!(
        out,
        "session {} enregistrée dans la base (génération {}) ; résultats dans {}",
        run.id,
        run.generation.unwrap_or(0),
        args.out.display()
    )?;
    Ok(())
}

/// The bar of one phase of the run, in French.
fn phase_bar(phase: Phase, size: u64) -> indicatif::ProgressBar {
    match phase {
        Phase::Snapshot => progress::items(size, "étapes", "lecture de la base et préparation"),
        Phase::Scoring => progress::items(size, "paires", "calcul des paires"),
        Phase::Pairing => progress::items(size, "pivots", "appariement"),
        Phase::Writing => progress::items(size, "lignes", "enregistrement des résultats"),
    }
}

type PairsFile = export::PairsCsv<BufWriter<File>>;
type UnassignedFile = export::UnassignedCsv<BufWriter<File>>;

/// The run's CSV files, written from its results as they are recorded through the
/// engine's exports (formula-like cells neutralised, French headers).
struct Files {
    pairs: export::PairsCsv<BufWriter<File>>,
    /// `assignment.csv` and `unassigned.csv`: only with a pairing.
    assigned: Option<(PairsFile, UnassignedFile)>,
    agenda: AgendaPlan,
    failed: Option<std::io::Error>,
}

impl Files {
    fn create(dir: &OutputDir, paired: bool, stale: StaleFiches) -> anyhow::Result<Files> {
        let open = |name: &str| -> anyhow::Result<BufWriter<File>> {
            let path = dir.path(name);
            let file = permissions::create_private_file(&path)
                .with_context(|| format!("impossible d'écrire {}", path.display()))?;
            Ok(BufWriter::new(file))
        };
        let assigned = match paired {
            true => Some((
                export::PairsCsv::new(open("assignment.csv")?, stale.clone())?,
                export::UnassignedCsv::new(open("unassigned.csv")?)?,
            )),
            false => None,
        };
        Ok(Files {
            pairs: export::PairsCsv::new(open("pairs.csv")?, stale.clone())?,
            assigned,
            agenda: AgendaPlan::default(),
            failed: None,
        })
    }

    /// One result; the agenda (small) is kept for the end.
    fn write(&mut self, item: &ResultItem) -> std::ops::ControlFlow<()> {
        let written = match (item, self.assigned.as_mut()) {
            (ResultItem::Scored(p), _) => self.pairs.pair(p),
            (ResultItem::Assigned(p), Some((assigned, _))) => assigned.pair(p),
            (ResultItem::Unassigned(u), Some((_, unassigned))) => unassigned.fiche(u),
            (ResultItem::Assigned(_) | ResultItem::Unassigned(_), None) => Ok(()),
            (ResultItem::Agenda(row), _) => {
                self.agenda.rows.push(row.clone());
                Ok(())
            }
            (ResultItem::Unplaced(p), _) => {
                self.agenda.unplaced.push(p.clone());
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

    /// Every file written out; the agenda.
    fn finish(mut self) -> anyhow::Result<AgendaPlan> {
        let cannot = "impossible d'écrire les résultats";
        if let Some(error) = self.failed.take() {
            return Err(error).context(cannot);
        }
        self.pairs.finish().context(cannot)?;
        if let Some((assigned, unassigned)) = self.assigned {
            assigned.finish().context(cannot)?;
            unassigned.finish().context(cannot)?;
        }
        Ok(self.agenda)
    }
}

/// Results handed to the workbook's thread, in batches (one hand-over per
/// [`BOOK_BATCH`] results, not per result); dropped, it hands over the last batch
/// and the thread saves the workbook.
struct BookItems {
    batch: Vec<ResultItem>,
    sender: std::sync::mpsc::SyncSender<Vec<ResultItem>>,
}

/// Results per batch handed to the workbook's thread.
const BOOK_BATCH: usize = 4096;

impl BookItems {
    /// Err when the workbook's thread stopped (it failed: its error is reported by
    /// [`Workbook::finish`]).
    fn send(&mut self, item: ResultItem) -> Result<(), ()> {
        self.batch.push(item);
        if self.batch.len() < BOOK_BATCH {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BOOK_BATCH));
        self.sender.send(batch).map_err(|_| ())
    }
}

impl Drop for BookItems {
    fn drop(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        let _ = self.sender.send(batch);
    }
}

/// `resultats.xlsx`, written by a thread of its own from the results it is handed
/// ([`BatchBook`]: typed cells, French headers, text never a formula). Dropped
/// unfinished (the run failed), the thread stops without saving, and is waited for.
struct Workbook {
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    abandon: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Workbook {
    fn start(path: PathBuf, stale: StaleFiches) -> (Workbook, BookItems) {
        use std::sync::atomic::Ordering;
        // A few batches ahead at most: the results are not held twice.
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<ResultItem>>(4);
        let abandon = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let abandoned = abandon.clone();
        let thread = std::thread::spawn(move || -> anyhow::Result<()> {
            let mut book = BatchBook::new(stale);
            for batch in receiver {
                if abandoned.load(Ordering::Relaxed) {
                    return Ok(());
                }
                for item in &batch {
                    book.item(item)?;
                }
            }
            if abandoned.load(Ordering::Relaxed) {
                return Ok(());
            }
            let file = permissions::create_private_file(&path)
                .with_context(|| format!("impossible d'écrire {}", path.display()))?;
            book.finish()?
                .save(BufWriter::with_capacity(1 << 20, file))
                .context("impossible d'écrire les résultats")?;
            Ok(())
        });
        let items = BookItems {
            batch: Vec::with_capacity(BOOK_BATCH),
            sender,
        };
        let workbook = Workbook {
            thread: Some(thread),
            abandon,
        };
        (workbook, items)
    }

    /// Waits for the workbook to be saved.
    fn finish(mut self) -> anyhow::Result<()> {
        let thread = self.thread.take().expect("finished once");
        match thread.join() {
            Ok(saved) => saved,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

impl Drop for Workbook {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.abandon
                .store(true, std::sync::atomic::Ordering::Relaxed);
            let _ = thread.join();
        }
    }
}

/// The spec's problems in terms of the command's flags, one per line.
fn flag_problems(error: passerelle_engine::Error) -> String {
    match error {
        passerelle_engine::Error::SpecRejected { problems } => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| format!("  {} : {} : {}", flag_of_field(&p.field), p.value, p.reason))
                .collect();
            format!(
                "session refusée : {} problème(s)\n{}",
                problems.len(),
                lines.join("\n")
            )
        }
        other => other.to_string(),
    }
}

/// The flag a spec field comes from.
fn flag_of_field(field: &str) -> String {
    match field {
        "k" => "-k".to_owned(),
        "french" => "--fr".to_owned(),
        "foreign" => "--foreign".to_owned(),
        "french_capacity" => "--assign-french".to_owned(),
        "foreign_capacity" => "--assign".to_owned(),
        "min_score" => "--min-score".to_owned(),
        "agenda.tables" => "--tables".to_owned(),
        "agenda.slots" => "--slots".to_owned(),
        "agenda" => "--slots (avec --no-pairing)".to_owned(),
        f if f.starts_with("exclude_pairs") => format!("--exclude-pair ({f})"),
        f if f.starts_with("exclude") => format!("--exclude ({f})"),
        f if f.starts_with("weights") => format!("--weights ({f})"),
        other => other.to_owned(),
    }
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
    let cannot = || format!("impossible d'écrire {}", path.display());
    let mut file = permissions::create_private_file(path).with_context(cannot)?;
    file.write_all(text.as_bytes()).with_context(cannot)
}
