//! Work abandoned when nobody waits for it any more.
//!
//! A handler's future is dropped when its client goes away (the stream is reset) or
//! its deadline passes (`grpc-timeout`, or the server's `request_timeout`). Engine
//! work runs on a blocking thread that a drop cannot stop, so [`blocking`] hands the
//! work a [`Cancel`] flag that the dropped future sets: work still queued for a
//! blocking thread is never started, and long work (the review queue's suggestions, a
//! stream's messages) checks it between units and stops.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tonic::Status;

/// Set when the call that asked for the work is gone.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// CANCELLED once the call is gone.
    pub fn check(&self) -> Result<(), Status> {
        match self.is_cancelled() {
            true => Err(abandoned()),
            false => Ok(()),
        }
    }

    /// A guard that sets the flag when dropped (with the future holding it).
    pub fn on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }
}

/// Sets its [`Cancel`] when dropped.
#[derive(Debug)]
pub struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.0.store(true, Ordering::Relaxed);
    }
}

/// The status of work given up because its call is gone (nobody reads it; it is
/// logged and counted).
pub fn abandoned() -> Status {
    Status::cancelled("requête abandonnée : le client est parti ou son délai est dépassé")
}

/// Runs blocking engine work on tokio's blocking pool and awaits it; if the awaiting
/// future is dropped first, the work is told through its [`Cancel`] (and not started
/// at all if it had not started yet).
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce(&Cancel) -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    let cancel = Cancel::default();
    let _guard = cancel.on_drop();
    let worker = cancel.clone();
    tokio::task::spawn_blocking(move || {
        worker.check()?;
        work(&worker)
    })
    .await
    .map_err(|e| super::status::internal("worker", &e))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn dropped_calls_cancel_their_work() {
        let (started, mut seen) = tokio::sync::mpsc::channel(1);
        let (finished, done) = std::sync::mpsc::channel();
        let call = blocking(move |cancel| {
            started.blocking_send(()).unwrap();
            let mut rounds = 0;
            while !cancel.is_cancelled() && rounds < 10_000 {
                std::thread::sleep(Duration::from_millis(1));
                rounds += 1;
            }
            finished.send(cancel.is_cancelled()).unwrap();
            cancel.check()
        });
        let call = tokio::spawn(call);
        seen.recv().await.unwrap();
        call.abort();
        let cancelled = tokio::task::spawn_blocking(move || done.recv().unwrap())
            .await
            .unwrap();
        assert!(cancelled, "the work saw its call go");
    }
}
