//! `passerelle interest FICHE CANDIDATE interested|not-interested [--note T]`: records
//! what a collectivité says about a candidate of the other side — what the portal's
//! `ExpressInterest` does —, durably; says when it makes a match.

use std::io::Write;
use std::path::Path;

use clap::{Args, ValueEnum};
use passerelle_engine::input;
use passerelle_engine::store::{InterestKind, NewInterest};
use passerelle_engine::{Corpus, CorpusOptions};

use super::matching::resolve;

/// Longest note, as over gRPC.
const MAX_NOTE_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Word {
    Interested,
    NotInterested,
}

#[derive(Debug, Args)]
pub struct InterestArgs {
    /// The collectivité that speaks (id or name).
    fiche: String,
    /// The candidate it speaks about, of the other side (id or name).
    candidate: String,
    /// What it says.
    #[arg(value_enum)]
    word: Word,
    /// A note (at most 2000 characters).
    #[arg(long, default_value = "")]
    note: String,
    /// Who records it (kept with the record).
    #[arg(long, default_value = "cli")]
    by: String,
}

pub fn run(
    data_dir: &Path,
    args: InterestArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<()> {
    input::text_at_most("--note", &args.note, MAX_NOTE_CHARS)?;
    input::text_at_most("--by", &args.by, passerelle_engine::fiche::MAX_NAME_CHARS)?;
    let options = CorpusOptions {
        writer: Some("passerelle interest"),
        ..CorpusOptions::default()
    };
    let corpus = Corpus::open(data_dir, &options)?;
    let fiche = resolve(&corpus, notes, "fiche", &args.fiche, None)?;
    let candidate = resolve(&corpus, notes, "candidate", &args.candidate, None)?;
    let kind = match args.word {
        Word::Interested => InterestKind::Interested,
        Word::NotInterested => InterestKind::NotInterested,
    };
    let recorded = corpus.record_interest(&NewInterest {
        fiche: fiche.id.clone(),
        candidate: candidate.id.clone(),
        kind,
        note: args.note,
        actor: args.by,
        at: chrono::Utc::now(),
    })?;
    writeln!(
        out,
        "enregistré ({}) : {} ({}) s'est déclarée {} par {} ({})",
        recorded.at,
        fiche.name,
        fiche.id,
        kind.label(),
        candidate.name,
        candidate.id
    )?;
    if corpus.is_mutual(&fiche.id, &candidate.id)? {
        writeln!(
            out,
            "intérêt mutuel : les deux collectivités se sont déclarées intéressées, la paire est en tête de la file de revue"
        )?;
    }
    Ok(())
}
