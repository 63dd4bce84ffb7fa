//! One writer per data directory.
//!
//! A server keeps the fiches it serves in memory (matcher, name table, index) and
//! applies its own writes to them; a second process writing the same store (an
//! `import` while `serve` runs) would leave the server answering from stale data
//! until a restart. So every process that writes — `serve`, `import`, `demo`,
//! `batch` — first takes [`DataDirLock`], an exclusive advisory lock on
//! `<data-dir>/passerelle.lock` (`flock` on Unix, through `File::try_lock`). Readers
//! (`lookup`, `suggest`, `export`…) take nothing and are never blocked: SQLite's WAL
//! gives them a consistent snapshot.
//!
//! The lock belongs to the open file: it is released when the `DataDirLock` is
//! dropped and by the system when the process ends, however it ends, so a stale lock
//! file never blocks anyone. The holder writes its pid and command into the file,
//! only to name it in the error another writer gets.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::permissions;
use crate::error::{Error, Result};

/// Name of the lock file inside the data directory.
pub const LOCK_FILE: &str = "passerelle.lock";

/// The exclusive right to write to a data directory, held until dropped.
#[derive(Debug)]
pub struct DataDirLock {
    /// Holds the lock as long as it is open.
    file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Takes the lock of `data_dir` (created `0700` if missing) for `command` (as
    /// shown to others: `passerelle serve`). Fails at once with
    /// [`Error::DataDirInUse`], naming the holder's pid and command, when another
    /// process — or another `DataDirLock` of this one — holds it.
    pub fn acquire(data_dir: &Path, command: &str) -> Result<DataDirLock> {
        permissions::create_private_dir(data_dir)?;
        let path = data_dir.join(LOCK_FILE);
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        permissions::touch_private_file(&path)?;
        let mut file = File::options()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Error::DataDirInUse {
                    path: data_dir.to_owned(),
                    holder: holder(&mut file),
                });
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        // Only the holder writes the file; a reader racing this sees it empty or whole
        // enough to name a process.
        let line = format!("{}\n{}\n", std::process::id(), one_line(command));
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(line.as_bytes()))
            .map_err(io)?;
        Ok(DataDirLock { file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DataDirLock {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first says so plainly.
        let _ = self.file.unlock();
    }
}

fn one_line(command: &str) -> String {
    command
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

/// `process 1234 (passerelle serve)`, from the lock file's contents.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.take(1024).read_to_string(&mut text);
    let mut lines = text.lines();
    match (
        lines.next().and_then(|pid| pid.trim().parse::<u32>().ok()),
        lines.next().map(str::trim).filter(|c| !c.is_empty()),
    ) {
        (Some(pid), Some(command)) => format!("le processus {pid} ({command})"),
        (Some(pid), None) => format!("le processus {pid}"),
        _ => "un autre processus".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holder_named_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = DataDirLock::acquire(&data, "passerelle serve").unwrap();
        assert_eq!(first.path(), data.join(LOCK_FILE));
        let error = DataDirLock::acquire(&data, "passerelle import").unwrap_err();
        let message = error.to_string();
        match &error {
            Error::DataDirInUse { path, holder } => {
                assert_eq!(path, &data);
                assert_eq!(
                    holder,
                    &format!("le processus {} (passerelle serve)", std::process::id())
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            message.contains("est utilisé par le processus"),
            "{message}"
        );
        // Readers open the store as they like.
        crate::store::Store::open(&data).unwrap();
        drop(first);
        let again = DataDirLock::acquire(&data, "passerelle import").unwrap();
        let text = std::fs::read_to_string(again.path()).unwrap();
        assert_eq!(text, format!("{}\npasserelle import\n", std::process::id()));
    }

    const CHILD_LOCKED: &str = "passerelle-test: lock taken";

    /// Run by `another_process_holding_the_lock_is_named`, in a child process: takes
    /// the lock of `PASSERELLE_TEST_LOCK_DIR`, says so, and holds it until its
    /// standard input closes.
    #[test]
    #[ignore = "run as a child process by another test"]
    fn child_holding_the_lock() {
        let Some(dir) = std::env::var_os("PASSERELLE_TEST_LOCK_DIR") else {
            return;
        };
        let _lock = DataDirLock::acquire(Path::new(&dir), "passerelle batch").unwrap();
        // On its own line: the test harness may have started one with the test's name.
        println!("\n{CHILD_LOCKED}");
        let mut rest = String::new();
        let _ = std::io::stdin().read_to_string(&mut rest);
    }

    #[test]
    fn another_process_holding_the_lock_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "store::lock::tests::child_holding_the_lock",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("PASSERELLE_TEST_LOCK_DIR", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut lines = stdout.lines();
        assert!(
            lines.any(|line| line.unwrap() == CHILD_LOCKED),
            "the child took the lock"
        );
        let error = DataDirLock::acquire(dir.path(), "passerelle import").unwrap_err();
        assert!(
            error.to_string().contains(&format!(
                "utilisé par le processus {} (passerelle batch)",
                child.id()
            )),
            "{error}"
        );
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success());
        DataDirLock::acquire(dir.path(), "passerelle import").unwrap();
    }
}
