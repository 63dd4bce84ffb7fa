//! Output files that appear whole or not at all: written beside the target under a
//! temporary name, synced, then renamed over it.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;

#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: File,
    committed: bool,
}

impl AtomicFile {
    pub fn create(target: &Path) -> anyhow::Result<AtomicFile> {
        let name = target
            .file_name()
            .with_context(|| format!("{} is not a file path", target.display()))?;
        let temp = target.with_file_name(format!(
            ".{}.tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file =
            File::create(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
        Ok(AtomicFile {
            target: target.to_owned(),
            temp,
            file,
            committed: false,
        })
    }

    pub fn writer(&self) -> &File {
        &self.file
    }

    /// Makes the file durable and puts it in place.
    pub fn commit(mut self) -> anyhow::Result<()> {
        self.file
            .sync_all()
            .with_context(|| format!("cannot write {}", self.temp.display()))?;
        std::fs::rename(&self.temp, &self.target)
            .with_context(|| format!("cannot move {} into place", self.target.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            // The target was never touched; leave no partial file behind.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
