//! Output files that appear whole or not at all: written beside the target under a
//! temporary name, synced, then renamed over it. They hold personal data (exports of
//! fiches with contacts), so the temporary file is created new (never an existing
//! one, whoever made it) and readable by its owner only (`0600`), whatever the umask.

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
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(
            &mut options,
            passerelle_engine::store::permissions::PRIVATE_FILE_MODE,
        );
        let file = options
            .open(&temp)
            .with_context(|| format!("cannot create {}", temp.display()))?;
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

#[cfg(all(test, unix))]
mod tests {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn output_files_are_private_and_appear_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("export.jsonl");
        let file = AtomicFile::create(&target).unwrap();
        file.writer().write_all(b"{}\n").unwrap();
        assert!(!target.exists());
        file.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{}\n");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(AtomicFile::create(&target).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
