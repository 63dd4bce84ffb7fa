//! `passerelle eval --decisions`: the staff decisions recorded, replayed against the
//! weights (the configured ones, or `--weights FILE`), in French.

use std::io::Write;
use std::path::Path;

use passerelle_engine::corpus::DecisionReplay;
use passerelle_engine::evaluation::decisions::ReplayMetrics;
use passerelle_engine::french::{decimal, integer, percent};
use passerelle_engine::scoring::Weights;

use super::matching::MatchingArgs;
use super::output_format::Format;
use super::progress;

/// Groups (countries, themes) printed at most.
const MAX_GROUPS: usize = 15;

pub fn run(
    data_dir: &Path,
    matching: &MatchingArgs,
    k: usize,
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if k == 0 {
        anyhow::bail!("-k : doit valoir au moins 1");
    }
    let corpus = matching.open(data_dir)?;
    let bar = progress::spinner("relecture des décisions");
    let replay = corpus.replay_decisions(k);
    bar.finish_and_clear();
    let replay = replay?;
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&replay)?)?,
        Format::Text => print_text(&replay, out)?,
    }
    Ok(())
}

/// The weights as staff read them: `thématique 0,45, géographie 0,25, …`.
pub fn weights_line(weights: &Weights) -> String {
    weights
        .entries()
        .map(|(criterion, w)| format!("{} {}", criterion.label(), decimal(*w, 3)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn share(value: Option<f64>) -> String {
    value.map(percent).unwrap_or_else(|| "—".to_owned())
}

fn auc(value: Option<f64>) -> String {
    value
        .map(|v| decimal(v, 3))
        .unwrap_or_else(|| "—".to_owned())
}

/// The header of a metrics table, its first column named `what`.
pub fn metrics_header(what: &str, k: usize, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "  {:<44} {:>7} {:>9} {:>8} {:>14} {:>14} {:>6}",
        what,
        "paires",
        "acceptées",
        "rejetées",
        format!("accept. à {k}"),
        format!("rejet. top {k}"),
        "AUC"
    )
}

/// One row of a metrics table.
pub fn metrics_row(name: &str, m: &ReplayMetrics, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "  {:<44} {:>7} {:>9} {:>8} {:>14} {:>14} {:>6}",
        name,
        integer(m.pairs() as u64),
        integer(m.accepted as u64),
        integer(m.rejected as u64),
        share(m.acceptance_at_k()),
        share(m.rejected_share_in_top_k()),
        auc(m.auc)
    )
}

fn print_text(replay: &DecisionReplay, out: &mut dyn Write) -> std::io::Result<()> {
    let summary = &replay.summary;
    let k = summary.k;
    writeln!(
        out,
        "{} décisions enregistrées ; {} paires jugées (dernière décision : acceptée, contactée ou rejetée ; les présélections ne comptent pas)",
        integer(replay.decisions as u64),
        integer(replay.judged as u64)
    )?;
    writeln!(out, "poids rejoués : {}", weights_line(&replay.weights))?;
    if replay.judged == 0 {
        writeln!(out, "aucune paire jugée : rien à rejouer")?;
    } else {
        let all = &summary.all;
        writeln!(
            out,
            "taux d'acceptation à {k} (parmi les paires jugées présentes dans le top {k}) : {}",
            share(all.acceptance_at_k())
        )?;
        writeln!(
            out,
            "paires acceptées dans le top {k} : {} ; paires rejetées encore dans le top {k} : {}",
            share(all.accepted_share_in_top_k()),
            share(all.rejected_share_in_top_k())
        )?;
        writeln!(
            out,
            "AUC acceptées contre rejetées (0,5 : le hasard) : {}",
            auc(all.auc)
        )?;
        writeln!(out)?;
        writeln!(out, "Par pays de la fiche étrangère :")?;
        metrics_header("pays", k, out)?;
        for (country, m) in summary.by_country.iter().take(MAX_GROUPS) {
            metrics_row(&format!("{} ({country})", country.info().name_fr), m, out)?;
        }
        more(summary.by_country.len(), out)?;
        writeln!(out)?;
        writeln!(out, "Par thème recherché par la fiche étrangère :")?;
        metrics_header("thème", k, out)?;
        for (theme, m) in summary.by_theme.iter().take(MAX_GROUPS) {
            metrics_row(&theme.info().label_fr, m, out)?;
        }
        more(summary.by_theme.len(), out)?;
    }
    if !replay.reasons.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Motifs des décisions (dernière décision de chaque paire) :"
        )?;
        for (kind, reason, count) in &replay.reasons {
            writeln!(
                out,
                "  {:<12} {:<20} {:>6}",
                kind.label(),
                reason.map(|r| r.label()).unwrap_or("sans motif"),
                integer(*count as u64)
            )?;
        }
    }
    Ok(())
}

fn more(total: usize, out: &mut dyn Write) -> std::io::Result<()> {
    if total > MAX_GROUPS {
        writeln!(
            out,
            "  … et {} autres (--format json les donne tous)",
            integer((total - MAX_GROUPS) as u64)
        )?;
    }
    Ok(())
}
