//! Where a search's work runs: on the thread that called it, or on the rayon pool.
//!
//! Handing work to the pool from another thread, then waiting for it, costs two
//! wake-ups (a worker's, then the caller's). In a probe on the two-core machine of
//! BENCHMARKS.md, criterion's query (`eau potable forages` among Senegal's open
//! calls: 19 hits) took about 71 µs run on a pool's only worker, and about 90 µs
//! handed to it from another thread. Such a search reads few postings once its
//! key filters have narrowed it: it runs where it was called, start to end, and a
//! server's concurrent searches do not queue for the pool. A search reading many
//! postings (common words over the whole index) runs on the pool, where its
//! segments are scored side by side; a long page is read in parallel wherever the
//! search runs.

use rayon::prelude::*;

/// Postings a search may read (see `scorer::postings_to_read`) above which it runs
/// on the pool. Criterion's query and `bench-search`'s thirty, each timed both
/// ways twice on the demo corpus: four of the five estimated at 400 postings or
/// fewer ran faster on the calling thread both times; of the 26 estimated at 2,400
/// or more, 13 ran faster on the pool both times and one on the calling thread.
pub const POOL_POSTINGS: u64 = 1_000;

/// Hits above which a page's documents and extracts are read in parallel (about
/// 4 µs each on one thread: a stored document and an extract).
pub const POOL_HITS: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// The calling thread, start to end.
    Caller,
    /// The rayon pool: parallel steps split across its workers.
    Pool,
}

impl Threads {
    /// Where a search that may read `postings` postings runs.
    pub fn for_postings(postings: u64) -> Threads {
        match postings > POOL_POSTINGS {
            true => Threads::Pool,
            false => Threads::Caller,
        }
    }

    /// Runs `work` where `self` says: handed to the pool once, so that its
    /// parallel steps split from a worker without waking the caller in between.
    pub fn run<R: Send>(self, work: impl FnOnce() -> R + Send) -> R {
        match self {
            Threads::Caller => work(),
            Threads::Pool => rayon::scope(|_| work()),
        }
    }

    /// `f` of each item, in order: in parallel on the pool, or for a long page
    /// ([`POOL_HITS`]) from the caller too; one after the other otherwise.
    pub fn map<T: Send, R: Send>(self, items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
        match self == Threads::Pool || items.len() > POOL_HITS {
            true => items.into_par_iter().map(f).collect(),
            false => items.into_iter().map(f).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_runs_where_its_size_says() {
        assert_eq!(Threads::for_postings(POOL_POSTINGS), Threads::Caller);
        assert_eq!(Threads::for_postings(POOL_POSTINGS + 1), Threads::Pool);
        let on_pool = |threads: Threads, items: usize| {
            threads.map(vec![(); items], |()| {
                rayon::current_thread_index().is_some()
            })
        };
        assert!(on_pool(Threads::Caller, POOL_HITS).iter().all(|pool| !pool));
        assert!(
            on_pool(Threads::Caller, POOL_HITS + 1)
                .iter()
                .all(|pool| *pool)
        );
        let pooled = Threads::Pool.run(|| on_pool(Threads::Pool, 2));
        assert!(pooled.iter().all(|pool| *pool));
        assert_eq!(Threads::Caller.run(rayon::current_thread_index), None);
    }
}
