//! `passerelle reconfirm FICHE [--note T]`: records that the collectivité confirmed
//! its fiche unchanged — what the portal's `ReconfirmFiche` does —: its
//! `updated_at` becomes now, and it is no longer « à reconfirmer ».

use std::io::Write;
use std::path::Path;

use clap::Args;
use passerelle_engine::input;
use passerelle_engine::{Corpus, CorpusOptions};

use super::matching::resolve;

#[derive(Debug, Args)]
pub struct ReconfirmArgs {
    /// The fiche (id or name).
    fiche: String,
    /// A note (at most 2000 characters).
    #[arg(long, default_value = "")]
    note: String,
    /// Who records it (kept with the record).
    #[arg(long, default_value = "cli")]
    by: String,
}

pub fn run(
    data_dir: &Path,
    args: ReconfirmArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<()> {
    input::text_at_most("--note", &args.note, 2000)?;
    input::text_at_most("--by", &args.by, passerelle_engine::fiche::MAX_NAME_CHARS)?;
    let options = CorpusOptions {
        writer: Some("passerelle reconfirm"),
        ..CorpusOptions::default()
    };
    let corpus = Corpus::open(data_dir, &options)?;
    let fiche = resolve(&corpus, notes, "fiche", &args.fiche, None)?;
    let recorded = corpus.reconfirm(&fiche.id, &args.note, &args.by)?;
    writeln!(
        out,
        "{} ({}) reconfirmée le {} : mise à jour à cette date",
        fiche.name, fiche.id, recorded.at
    )?;
    Ok(())
}
