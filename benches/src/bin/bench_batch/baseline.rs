//! The Python/numpy baseline, run on the same data: the scoring features of both
//! scopes are written as JSON, `benches/baseline/cross_product.py` scores every pair
//! and keeps the best `k` totals of every fiche, and its results are compared with
//! the engine's.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, ensure};
use passerelle_engine::fiche::FicheId;
use passerelle_engine::ranking::{CrossScore, Matcher};
use passerelle_engine::scoring::{MatchFeatures, Weights};
use serde_json::{Value, json};

/// What the baseline measured.
pub struct BaselineRun {
    pub seconds: f64,
}

/// Writes the features, runs the baseline, checks that it keeps the same totals as
/// `engine` for every fiche.
pub fn run(
    matcher: &Matcher,
    french: &[FicheId],
    foreign: &[FicheId],
    k: usize,
    engine: &[CrossScore],
    dir: &Path,
) -> anyhow::Result<BaselineRun> {
    let features = dir.join("features.json");
    let out = dir.join("baseline.json");
    std::fs::write(&features, export(matcher, french, foreign, k)?.to_string())?;
    let status = passerelle_benches::baseline_command("cross_product.py")?
        .arg(&features)
        .arg(&out)
        .status()
        .context("cannot run the baseline")?;
    ensure!(status.success(), "the baseline failed: {status}");
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    let lists = |key: &str| -> anyhow::Result<Vec<Vec<f64>>> {
        serde_json::from_value(result[key].clone()).with_context(|| format!("baseline {key}"))
    };
    compare(engine, &lists("best_french")?, &lists("best_foreign")?, k)?;
    Ok(BaselineRun {
        seconds: result["seconds"].as_f64().context("baseline seconds")?,
    })
}

/// The best `k` totals of each fiche must agree (to rounding: numpy evaluates the same
/// formula, in a different order of operations in places).
fn compare(
    engine: &[CrossScore],
    best_french: &[Vec<f64>],
    best_foreign: &[Vec<f64>],
    k: usize,
) -> anyhow::Result<()> {
    for (side, expected) in [("French", best_french), ("foreign", best_foreign)] {
        let mut kept: Vec<Vec<f64>> = vec![Vec::new(); expected.len()];
        for pair in engine {
            let index = if side == "French" {
                pair.french
            } else {
                pair.foreign
            };
            kept[index].push(pair.total);
        }
        for (index, (mine, theirs)) in kept.iter_mut().zip(expected).enumerate() {
            mine.sort_by(|a, b| b.total_cmp(a));
            mine.truncate(k);
            ensure!(
                mine.len() == theirs.len()
                    && mine.iter().zip(theirs).all(|(a, b)| (a - b).abs() < 1e-9),
                "{side} fiche {index}: engine {mine:?}, baseline {theirs:?}"
            );
        }
    }
    Ok(())
}

fn export(
    matcher: &Matcher,
    french: &[FicheId],
    foreign: &[FicheId],
    k: usize,
) -> anyhow::Result<Value> {
    let context = matcher.context();
    let foreign_index: HashMap<&FicheId, usize> =
        foreign.iter().enumerate().map(|(i, id)| (id, i)).collect();
    let mut named_by: HashMap<&FicheId, Vec<usize>> = HashMap::new();
    for (i, id) in foreign.iter().enumerate() {
        for partner in &matcher.features(id)?.partner_ids {
            named_by.entry(partner).or_default().push(i);
        }
    }
    let mut regions: Vec<String> = Vec::new();
    let common = |f: &MatchFeatures| {
        let signature = |s: passerelle_engine::scoring::TextSignature| s.bits().to_vec();
        json!({
            "offer": f.offer.bits(),
            "request": f.request.bits(),
            "profile": f.profile.bits(),
            "offer_text": signature(f.texts.offer),
            "request_text": signature(f.texts.request),
            "ln_population": f.ln_population,
            "level": f.level as u8,
            "languages": f.languages,
        })
    };
    let mut french_rows = Vec::new();
    for id in french {
        let f = matcher.features(id)?;
        let mut row = common(f);
        let region = f.region.as_ref().map_or(-1, |r| {
            let i = regions.iter().position(|x| x == r).unwrap_or_else(|| {
                regions.push(r.clone());
                regions.len() - 1
            });
            i as i64
        });
        let countries = |list: &[passerelle_engine::reference::CountryCode]| {
            list.iter().map(|c| c.index()).collect::<Vec<_>>()
        };
        // Pairs already partners (either fiche names the other) are left out.
        let excluded: Vec<usize> = f
            .partner_ids
            .iter()
            .filter_map(|p| foreign_index.get(p).copied())
            .chain(named_by.get(id).into_iter().flatten().copied())
            .collect();
        row["region"] = json!(region);
        row["partner_countries"] = json!(countries(&f.partner_countries));
        row["partner_areas"] = json!(f.partner_areas.iter().map(|a| a.bits()).collect::<Vec<_>>());
        row["diaspora"] = json!(countries(&f.diaspora));
        row["other_actors"] = json!(countries(&f.other_actors));
        row["excluded"] = json!(excluded);
        french_rows.push(row);
    }
    let mut foreign_rows = Vec::new();
    for id in foreign {
        let f = matcher.features(id)?;
        let mut row = common(f);
        row["country"] = json!(f.country.index());
        row["area"] = json!(f.area.map_or(-1, |a| i64::from(a.bits())));
        foreign_rows.push(row);
    }
    let region_links: Vec<Vec<u32>> = regions
        .iter()
        .map(|r| {
            context.region_links_by_country(r).map_or_else(
                || vec![0; context.underserved_table().len()],
                <[u32]>::to_vec,
            )
        })
        .collect();
    Ok(json!({
        "k": k,
        "weights": Weights::default().normalized(),
        "underserved": context.underserved_table(),
        "region_links": region_links,
        "french": french_rows,
        "foreign": foreign_rows,
    }))
}
