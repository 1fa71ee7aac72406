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

use crate::repo::libgit2 as git;
use git2::Repository;
use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

/// Commits go to workers in runs of consecutive commits: a commit and its
/// parent usually share most trees, and each worker's cache of recent trees
/// (see `git`) only helps if it sees both. Also fewer channel operations.
const CHUNK: usize = 32;

/// How many chunks may be in flight per worker: enough to keep workers busy
/// while the caller's thread renders results, small enough to bound memory.
const CHUNKS_IN_FLIGHT_PER_WORKER: usize = 4;

/// Opens a repository for one worker thread.
pub type Reopen<'a> = &'a (dyn Fn() -> Result<Repository, git::Error> + Sync);

/// What the workers mostly do, which decides how many help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Judging messages (rules), with a tree diff for the few commits whose
    /// verdict depends on paths: the caller's walk reads the commits, the
    /// workers seldom touch the pack. Two workers beat one (BENCHMARKS.md:
    /// `check --all` on 100,000 commits, 2.3–2.5 s against 2.9 s).
    Judging,
    /// Diffing every commit's trees: nearly all the time is libgit2 reading
    /// the pack, which it shares between all repositories of a process
    /// behind one lock and one delta-base cache, so workers contend and
    /// evict each other's delta bases (classifying 100,000 commits: 39 s
    /// with two workers, 25 s with one). One worker until tiergate has a
    /// pack reader per worker.
    Diffing,
}

/// The number of workers for `workload`: `TIERGATE_JOBS` when set (1
/// turns parallelism off), else the available parallelism for
/// [`Workload::Judging`] and 1 for [`Workload::Diffing`].
pub fn workers_for(workload: Workload) -> usize {
    if let Some(jobs) = std::env::var("TIERGATE_JOBS")
        .ok()
        .and_then(|j| j.trim().parse::<usize>().ok())
    {
        return jobs.max(1);
    }
    match workload {
        Workload::Judging => std::thread::available_parallelism().map_or(1, usize::from),
        Workload::Diffing => 1,
    }
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
    let capacity = workers * CHUNKS_IN_FLIGHT_PER_WORKER;
    let (job_tx, job_rx) = sync_channel::<(u64, Vec<I>)>(capacity);
    let job_rx = Mutex::new(job_rx);
    let (result_tx, result_rx) = sync_channel::<(u64, Vec<Result<T, E>>)>(capacity);
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
                while let Some((seq, chunk)) = next_job(job_rx) {
                    let mut results = Vec::with_capacity(chunk.len());
                    for item in chunk {
                        let result = match &repo {
                            Ok(repo) => work(repo, item),
                            Err(e) => Err(E::from(git::Error::Object(format!(
                                "worker cannot open the repository: {e}"
                            )))),
                        };
                        let failed = result.is_err();
                        results.push(result);
                        if failed {
                            // The caller stops at the first error.
                            break;
                        }
                    }
                    if result_tx.send((seq, results)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(result_tx);
        let mut order = InOrder::new();
        let (mut sent, mut received) = (0u64, 0u64);
        let mut receive = |order: &mut InOrder<T, E>, received: &mut u64| -> Result<(), E> {
            let (seq, results) = result_rx
                .recv()
                .map_err(|_| git::Error::Object("a worker thread stopped".to_owned()))?;
            *received += 1;
            order.put(seq, results, &mut sink)
        };
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut ids = ids.into_iter().peekable();
        while let Some(id) = ids.next() {
            chunk.push(id?);
            if chunk.len() < CHUNK && ids.peek().is_some() {
                continue;
            }
            // In flight never exceeds `capacity`, so neither channel blocks
            // a worker while this thread waits.
            while sent - received >= capacity as u64 {
                receive(&mut order, &mut received)?;
            }
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
            job_tx
                .send((sent, full))
                .map_err(|_| git::Error::Object("worker threads stopped".to_owned()))?;
            sent += 1;
        }
        drop(job_tx);
        while received < sent {
            receive(&mut order, &mut received)?;
        }
        Ok(())
    })
}

fn next_job<I>(jobs: &Mutex<Receiver<(u64, Vec<I>)>>) -> Option<(u64, Vec<I>)> {
    // A poisoned lock means another worker panicked; the scope re-raises
    // that panic, this worker just stops.
    jobs.lock().ok()?.recv().ok()
}

/// Results waiting for their turn.
struct InOrder<T, E> {
    next: u64,
    waiting: BTreeMap<u64, Vec<Result<T, E>>>,
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
        results: Vec<Result<T, E>>,
        sink: &mut impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        self.waiting.insert(seq, results);
        while let Some(results) = self.waiting.remove(&self.next) {
            self.next += 1;
            for result in results {
                sink(result?)?;
            }
        }
        Ok(())
    }
}
