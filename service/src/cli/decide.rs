//! `passerelle decide FR_FICHE FOREIGN_FICHE --accept|--reject [--reason CODE]
//! [--note T] [--by NAME]`: records a staff decision on a pair — what the gRPC
//! `RecordDecision` and the console's decision form do, through the same corpus
//! call —, durably; a rejection vetoes the pair at once. `eval --decisions` and
//! `tune` read it.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::{ArgGroup, Args};
use passerelle_engine::fiche::Side;
use passerelle_engine::input;
use passerelle_engine::store::{DecisionKind, DecisionReason, NewDecision};
use passerelle_engine::{Corpus, CorpusOptions};

use super::matching::resolve_on_side;

/// Longest note, as over gRPC and in the console.
const MAX_NOTE_CHARS: usize = 2000;
/// Longest reason as typed (the longest spelling is 18 characters).
const MAX_REASON_CHARS: usize = 40;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("decision").required(true).args(["accept", "reject"])))]
pub struct DecideArgs {
    /// The French collectivité (id or name).
    french: String,
    /// The foreign collectivité (id or name).
    foreign: String,
    /// Accept the pair.
    #[arg(long)]
    accept: bool,
    /// Reject the pair: it is never suggested again.
    #[arg(long)]
    reject: bool,
    /// Why: theme, size, language, already_partners, political_context, other, or
    /// in French: thème, taille, langue, « déjà partenaires », « contexte
    /// politique », autre.
    #[arg(long)]
    reason: Option<String>,
    /// A note (at most 2000 characters).
    #[arg(long, default_value = "")]
    note: String,
    /// Who decides (kept with the decision).
    #[arg(long, default_value = "cli")]
    by: String,
}

pub fn run(
    data_dir: &Path,
    args: DecideArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<()> {
    input::text_at_most("--note", &args.note, MAX_NOTE_CHARS)?;
    input::text_at_most("--by", &args.by, passerelle_engine::fiche::MAX_NAME_CHARS)?;
    let reason = match &args.reason {
        None => None,
        Some(typed) => {
            input::text_at_most("--reason", typed, MAX_REASON_CHARS)?;
            Some(
                typed
                    .parse::<DecisionReason>()
                    .map_err(anyhow::Error::msg)
                    .context("--reason")?,
            )
        }
    };
    let kind = if args.accept {
        DecisionKind::Accept
    } else {
        DecisionKind::Reject
    };
    let options = CorpusOptions {
        writer: Some("passerelle decide"),
        ..CorpusOptions::default()
    };
    let corpus = Corpus::open(data_dir, &options)?;
    let french = resolve_on_side(&corpus, notes, "FR_FICHE", &args.french, Side::French)?;
    let foreign = resolve_on_side(
        &corpus,
        notes,
        "FOREIGN_FICHE",
        &args.foreign,
        Side::Foreign,
    )?;
    let recorded = corpus.record_decision(&NewDecision {
        a: french.id.clone(),
        b: foreign.id.clone(),
        kind,
        reason,
        note: args.note,
        reviewer: args.by,
        at: chrono::Utc::now(),
    })?;
    let motif = recorded
        .reason
        .map(|r| format!(", motif : {}", r.label()))
        .unwrap_or_default();
    writeln!(
        out,
        "décision enregistrée ({}) : {} ({}) × {} ({}) {}{motif}",
        recorded.at,
        french.name,
        french.id,
        foreign.name,
        foreign.id,
        kind.label(),
    )?;
    if kind == DecisionKind::Reject {
        writeln!(out, "cette paire ne sera plus suggérée")?;
    }
    Ok(())
}
