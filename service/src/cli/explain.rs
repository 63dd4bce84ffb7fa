//! `passerelle explain A B`: the score of any pair, and why it would be excluded.

use std::path::Path;

use clap::Args;
use passerelle_engine::scoring::NoVetoes;

use super::matching::MatchingArgs;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// First fiche (id or name).
    a: String,
    /// Second fiche (id or name).
    b: String,
    #[command(flatten)]
    matching: MatchingArgs,
}

pub fn run(data_dir: &Path, args: ExplainArgs) -> anyhow::Result<()> {
    let weights = args.matching.weights()?;
    let loaded = args.matching.load(data_dir)?;
    let a = loaded.resolve(&args.a, None)?;
    let b = loaded.resolve(&args.b, None)?;
    let (score, exclusion) = loaded.matcher.explain(&a, &b, &weights, &NoVetoes)?;
    println!("{a} × {b} : {:.3}", score.total);
    if let Some(exclusion) = exclusion {
        println!("  jamais suggérée : {exclusion}");
    }
    for part in &score.breakdown {
        println!("  {:?} {:.3}", part.criterion, part.score);
        for reason in &part.reasons {
            println!("    - {reason}");
        }
    }
    Ok(())
}
