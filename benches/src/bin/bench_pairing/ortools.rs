//! OR-Tools on the engine's instance: the pairs are written in the binary form
//! `benches/baseline/min_cost_flow.py` reads, and it solves them with
//! `SimpleMinCostFlow` in the baselines' virtual environment.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, ensure};
use passerelle_engine::batch::Edge;
use passerelle_engine::batch::assignment::{SCALE, units};
use serde_json::Value;

/// What OR-Tools found.
pub struct OrToolsRun {
    /// The optimal cost (−units of the best pairing).
    pub cost: i64,
    pub chosen: usize,
    pub build_seconds: Vec<f64>,
    pub solve_seconds: Vec<f64>,
    /// CPU time of the solves.
    pub solve_cpu_seconds: Vec<f64>,
}

/// Writes the instance in the form `min_cost_flow.py` reads.
pub fn write(
    path: &Path,
    french: usize,
    foreign: usize,
    edges: &[Edge],
    capacities: (usize, usize),
) -> anyhow::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for value in [french, foreign, capacities.0, capacities.1, edges.len()] {
        file.write_all(&(value as i64).to_le_bytes())?;
    }
    for e in edges {
        file.write_all(&(e.french as i32).to_le_bytes())?;
    }
    for e in edges {
        file.write_all(&(e.foreign as i32).to_le_bytes())?;
    }
    for e in edges {
        file.write_all(&units(e.score).to_le_bytes())?;
    }
    file.flush()?;
    Ok(())
}

/// Reads an instance written by [`write`]: the scores are its units, scaled back.
pub fn read(path: &Path) -> anyhow::Result<(usize, usize, Vec<Edge>)> {
    let bytes = std::fs::read(path)?;
    let int = |at: usize, width: usize| -> anyhow::Result<i64> {
        let slice = bytes
            .get(at..at + width)
            .ok_or_else(|| anyhow::anyhow!("{} is cut short", path.display()))?;
        Ok(match width {
            4 => i64::from(i32::from_le_bytes(slice.try_into()?)),
            _ => i64::from_le_bytes(slice.try_into()?),
        })
    };
    let (french, foreign, m) = (
        int(0, 8)? as usize,
        int(8, 8)? as usize,
        int(32, 8)? as usize,
    );
    let mut edges = Vec::with_capacity(m);
    for i in 0..m {
        edges.push(Edge {
            french: int(40 + 4 * i, 4)? as usize,
            foreign: int(40 + 4 * m + 4 * i, 4)? as usize,
            score: int(40 + 8 * m + 8 * i, 8)? as f64 / SCALE,
        });
    }
    Ok((french, foreign, edges))
}

/// Solves the instance at `instance` `runs` times with OR-Tools.
pub fn run(instance: &Path, runs: usize, dir: &Path) -> anyhow::Result<OrToolsRun> {
    let out = dir.join("ortools.json");
    let status = passerelle_benches::baseline_command("min_cost_flow.py")?
        .arg(instance)
        .arg(&out)
        .arg(runs.to_string())
        .status()
        .context("cannot run the OR-Tools baseline")?;
    ensure!(status.success(), "the OR-Tools baseline failed: {status}");
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    let seconds = |key: &str| -> anyhow::Result<Vec<f64>> {
        serde_json::from_value(result[key].clone()).with_context(|| format!("OR-Tools {key}"))
    };
    Ok(OrToolsRun {
        cost: result["cost"].as_i64().context("OR-Tools cost")?,
        chosen: result["chosen"].as_u64().context("OR-Tools chosen")? as usize,
        build_seconds: seconds("build_seconds")?,
        solve_seconds: seconds("solve_seconds")?,
        solve_cpu_seconds: seconds("solve_cpu_seconds")?,
    })
}
