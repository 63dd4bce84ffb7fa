//! Locks over the server's own in-memory registries (live batch runs, console
//! sessions, the map's cache), as opposed to the corpus, whose poisoned locks are
//! internal errors (`engine::Error::Poisoned`).
//!
//! Why these recover instead of failing: each registry is updated by single calls
//! (an insert, a remove, a replacement), so a holder that panicked cannot have left
//! it half-changed; failing every later request (every login, every run's progress)
//! would turn one bug into an outage. The panic is not ignored: it is logged as an
//! error, once per recovery.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`; if a holder panicked, logs it as an error naming `registry` and
/// goes on with the registry as it is.
pub fn lock<'a, T>(mutex: &'a Mutex<T>, registry: &'static str) -> MutexGuard<'a, T> {
    mutex.lock().unwrap_or_else(|poisoned| {
        tracing::error!(
            registry,
            "a thread panicked while holding this registry's lock; it is used as left \
             (every update is a single call)"
        );
        mutex.clear_poison();
        poisoned.into_inner()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_registry_is_recovered_and_cleared() {
        let mutex = Mutex::new(vec![1]);
        let _ = std::panic::catch_unwind(|| {
            let _guard = mutex.lock().unwrap();
            panic!("holder panics");
        });
        assert!(mutex.is_poisoned());
        lock(&mutex, "test").push(2);
        assert!(!mutex.is_poisoned());
        assert_eq!(*lock(&mutex, "test"), [1, 2]);
    }
}
