//! `passerelle explain A B`: the score of a French × foreign pair, and why it would
//! be excluded (staff rejections included).

use std::io::Write;
use std::path::Path;

use clap::Args;
use passerelle_engine::french;

use super::matching::{MatchingArgs, resolve};
use super::progress;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// First fiche (id or name; `Name (XX)` qualifies it).
    a: String,
    /// Second fiche (id or name), of the other side.
    b: String,
    #[command(flatten)]
    matching: MatchingArgs,
}

pub fn run(
    data_dir: &Path,
    args: ExplainArgs,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<()> {
    let weights = args.matching.weights()?;
    let corpus = args.matching.open(data_dir)?;
    let bar = progress::spinner("chargement des fiches");
    let a = resolve(&corpus, notes, "A", &args.a, None);
    let b = resolve(&corpus, notes, "B", &args.b, None);
    let explained = match (a, b) {
        (Ok(a), Ok(b)) => corpus
            .explain(&a.id, &b.id, &weights)
            .map(|explained| (a, b, explained)),
        (Err(e), _) | (_, Err(e)) => {
            bar.finish_and_clear();
            return Err(e);
        }
    };
    bar.finish_and_clear();
    let (a, b, explained) = explained?;
    writeln!(
        out,
        "{} ({}) × {} ({}) : {}",
        a.name,
        a.id,
        b.name,
        b.id,
        french::decimal(explained.score.total, 3)
    )?;
    if let Some(exclusion) = &explained.exclusion {
        writeln!(out, "  jamais suggérée : {exclusion}")?;
    }
    for part in &explained.score.breakdown {
        writeln!(
            out,
            "  {:<18} {}",
            part.criterion.label(),
            french::decimal(part.score, 3)
        )?;
        for reason in &part.reasons {
            writeln!(out, "    - {reason}")?;
        }
    }
    Ok(())
}
