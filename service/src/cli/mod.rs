//! Command-line interface: one module per command.

mod atomic_file;
mod batch;
mod dataset;
mod decide;
mod demo;
mod eval;
mod eval_decisions;
mod explain;
mod export;
mod freshness;
mod import;
mod interest;
mod lookup;
mod matching;
mod output_dir;
mod output_format;
mod progress;
mod reconfirm;
mod review;
mod search;
mod serve;
mod stats;
mod suggest;
mod tune;
mod workbook;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Passerelle: partner matching for French décentralisée cooperation.
#[derive(Debug, Parser)]
#[command(name = "passerelle", version, about)]
pub struct Cli {
    /// Data directory holding the store (created if missing).
    #[arg(
        long,
        global = true,
        env = "PASSERELLE_DATA_DIR",
        default_value = "./passerelle-data"
    )]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with the demo corpus built from real geography.
    #[command(subcommand)]
    Dataset(dataset::DatasetCommand),
    /// Generate the demo corpus, import it into an empty store and print its stats.
    Demo(demo::DemoArgs),
    /// Import fiches from JSON Lines files or spreadsheets (.csv, .xlsx, .ods), all or
    /// nothing (`-` reads JSON Lines from standard input).
    Import(import::ImportArgs),
    /// Export every fiche as JSON Lines or .xlsx, in id order (or the staff decisions).
    Export(export::ExportArgs),
    /// Print counts by country, level, kind, theme and call state.
    Stats(stats::StatsArgs),
    /// Search fiches by words and filters (builds the search index when needed).
    Search(search::SearchArgs),
    /// Find collectivités by name, tolerant of spelling.
    Lookup(lookup::LookupArgs),
    /// Suggest partners for a fiche, ranked and explained.
    Suggest(suggest::SuggestArgs),
    /// Score and explain any pair of fiches.
    Explain(explain::ExplainArgs),
    /// Evaluate the ranking on planted complementary pairs (recall@10, MRR, ablations),
    /// or on the staff decisions recorded (`--decisions`).
    Eval(eval::EvalArgs),
    /// Fit the criterion weights to the staff decisions and write a weights file.
    Tune(tune::TuneArgs),
    /// The review queue: mutual interests first, then undecided suggestions.
    Review(review::ReviewArgs),
    /// Record a staff decision on a pair (accept or reject, with a reason code).
    Decide(decide::DecideArgs),
    /// Record that a collectivité is interested, or not, in a candidate.
    Interest(interest::InterestArgs),
    /// Record that a collectivité confirmed its fiche unchanged.
    Reconfirm(reconfirm::ReconfirmArgs),
    /// Write the fiches to contact (to reconfirm, calls expiring) as CSV, contacts included.
    Freshness(freshness::FreshnessArgs),
    /// Match whole scopes at once: pairing under capacities and a meeting agenda.
    Batch(batch::BatchArgs),
    /// Serve the gRPC API (loads the demo corpus into an empty store unless --empty).
    Serve(serve::ServeArgs),
}

/// Runs a command, writing what it answers to standard output.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::LineWriter::new(stdout.lock());
    run_to(cli, &mut out, &mut std::io::stderr())
}

/// Runs a command, writing what it answers to `out` and the notes a person must
/// read about their input (a name corrected by fuzzy matching) to `notes`; progress
/// goes to standard error when it is a terminal.
pub fn run_to(
    cli: Cli,
    out: &mut dyn std::io::Write,
    notes: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    match cli.command {
        Command::Dataset(command) => dataset::run(command),
        Command::Demo(args) => demo::run(&cli.data_dir, args, out),
        Command::Import(args) => import::run(&cli.data_dir, args, out),
        Command::Export(args) => export::run(&cli.data_dir, args),
        Command::Stats(args) => stats::run(&cli.data_dir, args, out),
        Command::Search(args) => search::run(&cli.data_dir, args, out),
        Command::Lookup(args) => lookup::run(&cli.data_dir, args, out),
        Command::Suggest(args) => suggest::run(&cli.data_dir, args, out, notes),
        Command::Explain(args) => explain::run(&cli.data_dir, args, out, notes),
        Command::Serve(args) => serve::run(&cli.data_dir, args),
        Command::Eval(args) => eval::run(&cli.data_dir, args, out),
        Command::Tune(args) => tune::run(&cli.data_dir, args, out),
        Command::Review(args) => review::run(&cli.data_dir, args, out),
        Command::Decide(args) => decide::run(&cli.data_dir, args, out, notes),
        Command::Interest(args) => interest::run(&cli.data_dir, args, out, notes),
        Command::Reconfirm(args) => reconfirm::run(&cli.data_dir, args, out, notes),
        Command::Freshness(args) => freshness::run(&cli.data_dir, args, out),
        Command::Batch(args) => batch::run(&cli.data_dir, args, out, notes),
    }
}
