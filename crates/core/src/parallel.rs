//! Work on a stream of commits with all cores, results in input order.
//!
//! A whole-history check or classification spends nearly all its time
//! reading and inflating objects, commit by commit, independently: it
//! parallelises well. libgit2 repositories cannot be shared between
//! threads, so each worker opens its own (`reopen`); the commit ids come
//! from the caller's thread (a `RevWalk` is not `Send`) through a bounded
//! channel, and results are handed back to the caller's thread in the order
//! of the ids, so output is deterministic and memory stays bounded by the
//! number of commits in flight, never by the length of the history.

use crate::git;
use git2::Repository;
use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

/// How many commits may be in flight per worker: enough to keep workers
/// busy while the caller's thread renders results, small enough to bound
/// memory.
const IN_FLIGHT_PER_WORKER: usize = 64;

/// Opens a repository for one worker thread.
pub type Reopen<'a> = &'a (dyn Fn() -> Result<Repository, git::Error> + Sync);

/// The number of workers to use: `TIERGATE_JOBS` when set, else 1.
///
/// Measured (BENCHMARKS.md), two workers did not beat one: libgit2's
/// revwalk already reads and inflates every commit on the caller's thread,
/// so the workers only add a second read of each commit. Parallelism pays
/// once the walk itself hands raw commits to the workers; until then it is
/// opt-in (`TIERGATE_JOBS=2`).
pub fn default_workers() -> usize {
    std::env::var("TIERGATE_JOBS")
        .ok()
        .and_then(|j| j.trim().parse::<usize>().ok())
        .map_or(1, |jobs| jobs.max(1))
}

/// Apply `work` to every item of `ids` (commit ids, or commits a walk
/// already read) and hand each result to `sink`, in the order of `ids`. With `reopen` and more than one worker, `work` runs on
/// worker threads, each with its own repository; otherwise on this thread
/// with `repo`. The first error (from `ids`, `work` or `sink`, in id order)
/// stops the run and is returned.
pub fn map_commits<I, T, E, W, S>(
    repo: &Repository,
    reopen: Option<Reopen<'_>>,
    workers: usize,
    ids: impl IntoIterator<Item = Result<I, git::Error>>,
    work: W,
    mut sink: S,
) -> Result<(), E>
where
    I: Send,
    T: Send,
    E: From<git::Error> + Send,
    W: Fn(&Repository, I) -> Result<T, E> + Sync,
    S: FnMut(T) -> Result<(), E>,
{
    let Some(reopen) = reopen.filter(|_| workers > 1) else {
        for id in ids {
            sink(work(repo, id?)?)?;
        }
        return Ok(());
    };
    let capacity = workers * IN_FLIGHT_PER_WORKER;
    let (job_tx, job_rx) = sync_channel::<(u64, I)>(capacity);
    let job_rx = Mutex::new(job_rx);
    let (result_tx, result_rx) = sync_channel::<(u64, Result<T, E>)>(capacity);
    let (job_rx, work) = (&job_rx, &work);
    std::thread::scope(move |scope| {
        // `job_tx` and `result_rx` are moved into this closure so that they
        // are dropped when it returns, early or not: workers then see the
        // channels closed and stop, and the scope can join them.
        let (job_tx, result_rx) = (job_tx, result_rx);
        for _ in 0..workers {
            let result_tx = result_tx.clone();
            scope.spawn(move || {
                let repo = reopen();
                while let Some((seq, id)) = next_job(job_rx) {
                    let result = match &repo {
                        Ok(repo) => work(repo, id),
                        Err(e) => Err(E::from(git::Error::Object(format!(
                            "worker cannot open the repository: {e}"
                        )))),
                    };
                    if result_tx.send((seq, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(result_tx);
        let mut order = InOrder::new();
        let (mut sent, mut received) = (0u64, 0u64);
        for id in ids {
            // In flight never exceeds `capacity`, so neither channel blocks
            // a worker while this thread waits.
            while sent - received >= capacity as u64 {
                let (seq, result) = result_rx
                    .recv()
                    .map_err(|_| git::Error::Object("a worker thread stopped".to_owned()))?;
                received += 1;
                order.put(seq, result, &mut sink)?;
            }
            let id = id?;
            job_tx
                .send((sent, id))
                .map_err(|_| git::Error::Object("worker threads stopped".to_owned()))?;
            sent += 1;
        }
        drop(job_tx);
        while received < sent {
            let (seq, result) = result_rx
                .recv()
                .map_err(|_| git::Error::Object("a worker thread stopped".to_owned()))?;
            received += 1;
            order.put(seq, result, &mut sink)?;
        }
        Ok(())
    })
}

fn next_job<I>(jobs: &Mutex<Receiver<(u64, I)>>) -> Option<(u64, I)> {
    // A poisoned lock means another worker panicked; the scope re-raises
    // that panic, this worker just stops.
    jobs.lock().ok()?.recv().ok()
}

/// Results waiting for their turn.
struct InOrder<T, E> {
    next: u64,
    waiting: BTreeMap<u64, Result<T, E>>,
}

impl<T, E> InOrder<T, E> {
    fn new() -> Self {
        InOrder {
            next: 0,
            waiting: BTreeMap::new(),
        }
    }

    fn put(
        &mut self,
        seq: u64,
        result: Result<T, E>,
        sink: &mut impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        self.waiting.insert(seq, result);
        while let Some(result) = self.waiting.remove(&self.next) {
            self.next += 1;
            sink(result?)?;
        }
        Ok(())
    }
}
