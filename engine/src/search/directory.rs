//! The index's directory: tantivy's memory-mapped directory, without its fsyncs.
//!
//! A commit of tantivy's own directory syncs every file it writes and the folder:
//! a dozen fsyncs, most of the time of a one-fiche write (about 100 ms of a 120 ms
//! apply on the demo corpus, measured with `bench-search`). The index is derived from
//! the store, which is durable on its own (`synchronous=FULL`) and always committed
//! first, so the index does not need them:
//!
//! - a process that is killed loses nothing it wrote: the operating system keeps it
//!   and a later open sees every commit that returned;
//! - a power loss can drop or tear writes the disk had not received. At the next
//!   start, [`super::build::open_fresh`] rebuilds the index when `meta.json` is
//!   missing or unreadable, when it names an older store generation (the store,
//!   synced, is ahead), when a file it names is missing or fails its checksum (every
//!   file of a commit is new, written once, and carries a CRC32 footer), or when the
//!   number of documents differs from the store's number of fiches.
//!
//! Reads, deletes, the writer's lock (an `flock`, released by the kernel when its
//! holder dies) and change notifications are the memory-mapped directory's own.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory,
    TerminatingWrite, WatchCallback, WatchHandle, WritePtr,
};

#[derive(Debug, Clone)]
pub struct UnsyncedDirectory {
    root: PathBuf,
    mmap: MmapDirectory,
}

impl UnsyncedDirectory {
    pub fn open(root: &Path) -> Result<UnsyncedDirectory, OpenDirectoryError> {
        Ok(UnsyncedDirectory {
            root: root.to_owned(),
            mmap: MmapDirectory::open(root)?,
        })
    }
}

/// A file written without a sync at the end.
struct UnsyncedFile(File);

impl Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for UnsyncedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.mmap.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.mmap.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mmap.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mmap.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|error| match error.kind() {
                io::ErrorKind::AlreadyExists => OpenWriteError::FileAlreadyExists(path.to_owned()),
                _ => OpenWriteError::wrap_io_error(error, path.to_owned()),
            })?;
        Ok(BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mmap.atomic_read(path)
    }

    /// Written beside, then renamed over: a reader sees the old content or the new.
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let target = self.root.join(path);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let beside = self.root.join(format!(".{name}.writing"));
        std::fs::write(&beside, data)?;
        std::fs::rename(&beside, &target)
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mmap.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mmap.watch(callback)
    }
}
