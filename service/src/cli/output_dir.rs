//! A folder of results that appears whole, and never mixes two runs: files are
//! written into a staging folder beside the target, which replaces the target once
//! everything is written. A target holding another run's results (it has a
//! `run.json`) is refused unless `--force`; a target holding anything else is never
//! touched.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The marker a finished output folder holds: which run wrote it.
const MARKER: &str = "run.json";

#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

fn sibling(target: &Path, what: &str) -> anyhow::Result<PathBuf> {
    let name = target
        .file_name()
        .with_context(|| format!("{} n'est pas un nom de dossier", target.display()))?;
    Ok(target.with_file_name(format!(
        ".{}.{what}-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

impl OutputDir {
    /// Checks `target` before any work: absent, empty, or (with `force`) the results
    /// of an earlier run; then makes the staging folder.
    pub fn prepare(target: &Path, force: bool) -> anyhow::Result<OutputDir> {
        if target.exists() {
            if !target.is_dir() {
                bail!(
                    "--out : {} existe et n'est pas un dossier",
                    target.display()
                );
            }
            let entries: Vec<String> = std::fs::read_dir(target)
                .with_context(|| format!("--out : impossible de lire {}", target.display()))?
                .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect::<Result<_, _>>()?;
            if !entries.is_empty() {
                if !entries.iter().any(|e| e == MARKER) {
                    bail!(
                        "--out : {} n'est pas vide et ne contient pas de résultats de Passerelle ; choisissez un dossier vide ou nouveau",
                        target.display()
                    );
                }
                if !force {
                    bail!(
                        "--out : {} contient déjà les résultats d'une autre session ; ajoutez --force pour les remplacer, ou choisissez un autre dossier",
                        target.display()
                    );
                }
            }
        }
        let staging = sibling(target, "tmp")?;
        let _ = std::fs::remove_dir_all(&staging);
        create_private_dir(&staging)
            .with_context(|| format!("--out : impossible de créer {}", staging.display()))?;
        Ok(OutputDir {
            target: target.to_owned(),
            staging,
            committed: false,
        })
    }

    /// Where to write the file `name` of the results.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Marks the results as those of `run` and puts them in place of the target.
    pub fn commit(mut self, run: impl std::fmt::Display) -> anyhow::Result<()> {
        std::fs::write(
            self.path(MARKER),
            format!("{{\"run\": \"{run}\", \"tool\": \"passerelle batch\"}}\n"),
        )?;
        let old = sibling(&self.target, "old")?;
        if self.target.exists() {
            std::fs::rename(&self.target, &old)
                .with_context(|| format!("impossible de remplacer {}", self.target.display()))?;
        }
        std::fs::rename(&self.staging, &self.target)
            .with_context(|| format!("impossible de mettre en place {}", self.target.display()))?;
        self.committed = true;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            // The target was never touched; leave no partial results behind.
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(unix)]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}

#[cfg(not(unix))]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_replace_only_results_and_only_when_forced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let first = OutputDir::prepare(&target, false).unwrap();
        std::fs::write(first.path("pairs.csv"), "first").unwrap();
        first.commit(1).unwrap();
        assert!(target.join(MARKER).is_file());

        let refused = OutputDir::prepare(&target, false).unwrap_err();
        assert!(refused.to_string().contains("--force"), "{refused}");
        let second = OutputDir::prepare(&target, true).unwrap();
        std::fs::write(second.path("assignment.csv"), "second").unwrap();
        second.commit(2).unwrap();
        assert!(
            !target.join("pairs.csv").exists(),
            "no file of run 1 is left"
        );
        assert!(target.join("assignment.csv").is_file());

        let other = dir.path().join("documents");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        let refused = OutputDir::prepare(&other, true).unwrap_err();
        assert!(refused.to_string().contains("pas vide"), "{refused}");

        let abandoned = OutputDir::prepare(&dir.path().join("never"), false).unwrap();
        let staging = abandoned.staging.clone();
        drop(abandoned);
        assert!(!staging.exists() && !dir.path().join("never").exists());
    }
}
