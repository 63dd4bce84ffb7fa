//! What the benchmark binaries share: the Python environment of the baselines, the
//! process's peak memory, and the gRPC load generators' client helpers.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, ensure};

pub mod grpc_client;

/// `benches/baseline/`: the Python baselines and their requirements.
pub fn baseline_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("baseline")
}

/// The Python of the baselines' own virtual environment (`benches/baseline/.venv`,
/// git-ignored), created with `benches/baseline/requirements.txt` installed the first
/// time: never the machine's site-packages.
pub fn baseline_python() -> anyhow::Result<PathBuf> {
    let dir = baseline_dir();
    let venv = dir.join(".venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("requirements.installed");
    let requirements = std::fs::read_to_string(dir.join("requirements.txt"))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(requirements.as_str()) {
        return Ok(python);
    }
    if !python.exists() {
        eprintln!("creating {}", venv.display());
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .context("cannot run python3 -m venv")?;
        ensure!(status.success(), "python3 -m venv failed: {status}");
    }
    eprintln!(
        "installing benches/baseline/requirements.txt into {}",
        venv.display()
    );
    let status = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "-r"])
        .arg(dir.join("requirements.txt"))
        .status()
        .context("cannot run pip")?;
    ensure!(status.success(), "pip install failed: {status}");
    std::fs::write(&stamp, requirements)?;
    Ok(python)
}

/// A command running `script` of `benches/baseline/` with the baselines' Python,
/// without the OpenBLAS tuning variables of this machine (they slow numpy down).
pub fn baseline_command(script: &str) -> anyhow::Result<Command> {
    let mut command = Command::new(baseline_python()?);
    command
        .arg(baseline_dir().join(script))
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE");
    Ok(command)
}

/// The process's peak resident memory (VmHWM), in MiB.
pub fn peak_memory_mib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or_else(|| anyhow::anyhow!("no VmHWM in /proc/self/status"))?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("bad VmHWM line"))?
        .parse()?;
    Ok(kib / 1024)
}

/// The median of some durations, in seconds.
pub fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    match seconds.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => seconds[n / 2],
        n => 0.5 * (seconds[n / 2 - 1] + seconds[n / 2]),
    }
}

/// The CPU time of the calling thread so far, in seconds (from
/// `/proc/thread-self/schedstat`, nanoseconds): a figure that other work on a busy
/// machine disturbs less than wall-clock time.
pub fn thread_cpu_seconds() -> anyhow::Result<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")?;
    let nanoseconds: u64 = text
        .split_whitespace()
        .next()
        .ok_or_else(|| anyhow::anyhow!("empty /proc/thread-self/schedstat"))?
        .parse()?;
    Ok(nanoseconds as f64 / 1e9)
}

/// The CPU time of the whole process so far (user and system, every thread), in
/// seconds, from `/proc/self/stat` (clock ticks of 10 ms).
pub fn process_cpu_seconds() -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The fields after the command name (which is in parentheses).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .ok_or_else(|| anyhow::anyhow!("bad /proc/self/stat"))?
        .1
        .split_whitespace()
        .collect();
    let ticks = |i: usize| -> anyhow::Result<f64> {
        Ok(fields
            .get(i)
            .ok_or_else(|| anyhow::anyhow!("short /proc/self/stat"))?
            .parse::<f64>()?)
    };
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}
