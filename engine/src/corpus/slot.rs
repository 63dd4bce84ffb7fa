//! A structure derived from the store, built on first use and then kept up to date by
//! the corpus's writes.
//!
//! Readers share a read lock for the duration of one operation (a suggestion, a
//! lookup: bounded work). A slot is filled while the caller holds the store's lock, so
//! no write can commit between the read of the store and the moment the structure is
//! in place; writes then apply themselves to every filled slot, under the store's lock
//! too. A poisoned lock (a panic in another thread) is [`Error::Poisoned`]: an internal
//! error, never the caller's fault.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::error::{Error, Result};
use crate::store::Store;

#[derive(Debug)]
pub(super) struct Slot<T> {
    what: &'static str,
    value: RwLock<Option<T>>,
}

impl<T> Slot<T> {
    pub(super) fn new(what: &'static str) -> Slot<T> {
        Slot {
            what,
            value: RwLock::new(None),
        }
    }

    fn read_guard(&self) -> Result<RwLockReadGuard<'_, Option<T>>> {
        self.value
            .read()
            .map_err(|_| Error::Poisoned { what: self.what })
    }

    fn write_guard(&self) -> Result<RwLockWriteGuard<'_, Option<T>>> {
        self.value
            .write()
            .map_err(|_| Error::Poisoned { what: self.what })
    }

    /// Whether the structure was built.
    pub(super) fn is_loaded(&self) -> Result<bool> {
        Ok(self.read_guard()?.is_some())
    }

    /// Calls `read` with the structure, building it first with `load` (given the
    /// store, whose lock `lock_store` takes) if needed.
    pub(super) fn read<'s, R>(
        &self,
        lock_store: impl FnOnce() -> Result<std::sync::MutexGuard<'s, Store>>,
        load: impl FnOnce(&Store) -> Result<T>,
        read: impl FnOnce(&T) -> R,
    ) -> Result<R> {
        {
            let guard = self.read_guard()?;
            if let Some(value) = guard.as_ref() {
                return Ok(read(value));
            }
        }
        let store = lock_store()?;
        let mut guard = self.write_guard()?;
        if guard.is_none() {
            *guard = Some(load(&store)?);
        }
        drop(store);
        // Readers may go on with the structure just built; no writer can have
        // changed it in between, since writers take the store's lock first.
        let value = guard.as_ref().expect("filled above");
        Ok(read(value))
    }

    /// Applies a write to the structure if it was built (the caller holds the
    /// store's lock); an unbuilt one will be built from the store, write included.
    pub(super) fn update(&self, apply: impl FnOnce(&mut T) -> Result<()>) -> Result<()> {
        match self.write_guard()?.as_mut() {
            Some(value) => apply(value),
            None => Ok(()),
        }
    }

    /// Like [`Slot::update`] in two steps: `prepare` under the read lock (readers go
    /// on meanwhile: the expensive part of a write), then `commit` under the write
    /// lock. Nothing changes the structure in between: writers hold the store's lock,
    /// and so does a lazy build.
    pub(super) fn update_prepared<P>(
        &self,
        prepare: impl FnOnce(&T) -> P,
        commit: impl FnOnce(&mut T, P),
    ) -> Result<()> {
        let prepared = match self.read_guard()?.as_ref() {
            Some(value) => prepare(value),
            None => return Ok(()),
        };
        if let Some(value) = self.write_guard()?.as_mut() {
            commit(value, prepared);
        }
        Ok(())
    }

    /// Like [`Slot::update`] for a structure that takes writes through a shared
    /// reference (it synchronises itself): readers are not held up meanwhile.
    pub(super) fn update_shared(&self, apply: impl FnOnce(&T) -> Result<()>) -> Result<()> {
        match self.read_guard()?.as_ref() {
            Some(value) => apply(value),
            None => Ok(()),
        }
    }

    /// Puts `value` in the slot unless it is built already; the caller holds the
    /// store's lock, under which `value` was built from the store.
    pub(super) fn fill(&self, value: T) -> Result<()> {
        let mut guard = self.write_guard()?;
        if guard.is_none() {
            *guard = Some(value);
        }
        Ok(())
    }

    /// Forgets the structure (after a bulk import): it is rebuilt on next use.
    pub(super) fn reset(&self) -> Result<()> {
        *self.write_guard()? = None;
        Ok(())
    }
}
