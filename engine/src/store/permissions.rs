//! Personal data at rest: the data directory and the files the engine writes are
//! readable by their owner only.
//!
//! A directory this module creates is `0700` and a file `0600`, whatever the process's
//! umask; SQLite gives the WAL and shared-memory files the mode of the database file,
//! which [`super::Store::open`] creates `0600` before SQLite sees it. Existing files
//! and directories are never changed behind the user's back: [`exposed_paths`] lists
//! those other local users can read, for the caller to warn about.
//!
//! On platforms without Unix modes the functions create files and directories
//! normally and report nothing.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Mode of the directories the engine creates: owner only.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// Mode of the files the engine creates: owner read and write.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Creates `path` and its missing parents, the created ones `0700`; an existing
/// directory is left as it is (see [`exposed_paths`]).
pub fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR_MODE);
    builder.create(path).map_err(io(path))
}

/// Opens `path` for writing, truncated; a file this creates is `0600` (an existing
/// file keeps its mode).
pub fn create_private_file(path: &Path) -> Result<File> {
    private_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(io(path))
}

/// Creates the file `path` `0600` and empty if it does not exist yet.
pub fn touch_private_file(path: &Path) -> Result<()> {
    private_options()
        .append(true)
        .create(true)
        .open(path)
        .map(drop)
        .map_err(io(path))
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    options
}

/// Writes a secret (a token, a key) to `path` so that it is never readable by anyone
/// but its owner, not even for a moment: the bytes go to a new temporary file created
/// `0600` beside it (`create_new`, so an existing file is never reused), which is
/// synced and renamed over `path`. A reader sees the old file or the whole new one.
pub fn write_secret_file(path: &Path, contents: &[u8]) -> Result<()> {
    let name = path.file_name().ok_or_else(|| Error::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"),
    })?;
    let temp = path.with_file_name(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = private_options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(io(&temp))?;
        file.write_all(contents).map_err(io(&temp))?;
        file.sync_all().map_err(io(&temp))?;
        std::fs::rename(&temp, path).map_err(io(path))?;
        // The rename is durable once the directory is synced.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io(dir))?;
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// A file or directory that other local users can read or enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedPath {
    pub path: PathBuf,
    /// Its permission bits (`0o644`).
    pub mode: u32,
}

impl std::fmt::Display for ExposedPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fix = if self.path.is_dir() { "700" } else { "600" };
        write!(
            f,
            "{} can be read by other users of this machine (mode {:04o}): chmod {fix} it",
            self.path.display(),
            self.mode
        )
    }
}

/// `Some` when `path` exists and its group or others have any permission on it.
pub fn exposed(path: &Path) -> Result<Option<ExposedPath>> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        if !metadata.file_type().is_symlink() && mode & 0o077 != 0 {
            return Ok(Some(ExposedPath {
                path: path.to_owned(),
                mode,
            }));
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    Ok(None)
}

/// The data directory and the entries directly in it (the database, its WAL and
/// shared memory, the matcher's cache, the index's folder, tokens…) that other local
/// users can read: what a server should warn about at start. Nothing is changed.
pub fn exposed_paths(data_dir: &Path) -> Result<Vec<ExposedPath>> {
    let mut found: Vec<ExposedPath> = exposed(data_dir)?.into_iter().collect();
    let entries = match std::fs::read_dir(data_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(io(data_dir)(e)),
    };
    let mut inside = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(data_dir))?;
        inside.extend(exposed(&entry.path())?);
    }
    inside.sort_by(|a, b| a.path.cmp(&b.path));
    found.extend(inside);
    Ok(found)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_directories_and_files_are_private_whatever_the_umask() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        let file = dir.join("out.csv");
        create_private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert!(exposed_paths(&dir).unwrap().is_empty());
    }

    #[test]
    fn the_store_its_wal_and_the_matcher_cache_are_private() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let mut store = crate::store::Store::open(&data).unwrap();
        let fiches = crate::text::fixtures::corpus();
        store.upsert(&fiches).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        crate::ranking::Matcher::with_cache(
            fiches,
            today,
            1,
            &crate::ranking::MatcherCache::for_store(&store).unwrap(),
        )
        .unwrap();
        assert_eq!(mode(&data), 0o700);
        for file in [
            "passerelle.sqlite3",
            "passerelle.sqlite3-wal",
            "passerelle.sqlite3-shm",
            "matcher.cache",
        ] {
            assert_eq!(mode(&data.join(file)), 0o600, "{file}");
        }
        assert_eq!(exposed_paths(&data).unwrap(), []);
    }

    #[test]
    fn existing_readable_paths_are_reported_and_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = dir.join("passerelle.sqlite3");
        std::fs::write(&db, b"").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let private = dir.join("matcher.cache");
        create_private_file(&private).unwrap();
        let found = exposed_paths(dir).unwrap();
        assert_eq!(
            found,
            [
                ExposedPath {
                    path: dir.to_owned(),
                    mode: 0o755
                },
                ExposedPath {
                    path: db.clone(),
                    mode: 0o644
                }
            ]
        );
        assert!(found[1].to_string().contains("(mode 0644): chmod 600"));
        assert_eq!(mode(&db), 0o644, "never changed");
        // An existing file keeps its mode when opened again.
        create_private_file(&db).unwrap();
        assert_eq!(mode(&db), 0o644);
    }

    #[test]
    fn a_secret_file_is_never_readable_by_others_and_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("admin-token");
        std::fs::write(&token, b"old").unwrap();
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(exposed(&token).unwrap().unwrap().mode, 0o644);
        write_secret_file(&token, b"new secret\n").unwrap();
        assert_eq!(std::fs::read(&token).unwrap(), b"new secret\n");
        assert_eq!(mode(&token), 0o600);
        assert_eq!(exposed(&token).unwrap(), None);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        assert!(write_secret_file(&dir.path().join("no/such/dir/token"), b"x").is_err());
    }
}
