//! Differential testing helpers shared by tests/trailers.rs and
//! tests/properties.rs: ask `tiergate trailers --batch` once for many
//! messages, and spawn git once per message on a few threads.

use super::{git_cmd, run_stdin, tiergate_cmd};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Lossy rendering of bytes for failure messages.
pub fn show(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// Run `tiergate trailers --batch <args>` in `dir` on `messages`; one
/// answer per message.
pub fn tiergate_batch(dir: &Path, messages: &[Vec<u8>], args: &[&str]) -> Vec<Vec<u8>> {
    let mut input = Vec::new();
    for m in messages {
        assert!(!m.contains(&0), "messages given to --batch have no NUL");
        input.extend_from_slice(m);
        input.push(0);
    }
    let out = run_stdin(
        tiergate_cmd(dir).args(["trailers", "--batch"]).args(args),
        &input,
    );
    assert!(
        out.status.success(),
        "tiergate trailers --batch {args:?} failed: {}",
        super::stderr(&out)
    );
    let mut answers: Vec<Vec<u8>> = out.stdout.split(|&c| c == 0).map(<[u8]>::to_vec).collect();
    assert_eq!(answers.pop(), Some(Vec::new()), "output ends with a NUL");
    assert_eq!(answers.len(), messages.len(), "one answer per message");
    answers
}

/// Number of threads for spawning git.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// Spawn `git <args>` (in `dir`) once per selected message, with the
/// message on stdin, on a few threads; stdout of each, in order.
pub fn git_each(dir: &Path, messages: &[&[u8]], args: &[&str]) -> Vec<Vec<u8>> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Vec<u8>> = vec![Vec::new(); messages.len()];
    let chunks: Vec<Vec<(usize, Vec<u8>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads())
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(msg) = messages.get(i) else { break };
                        let out = run_stdin(git_cmd(dir).args(args), msg);
                        assert!(
                            out.status.success(),
                            "git {args:?} failed on {}: {}",
                            show(msg),
                            super::stderr(&out)
                        );
                        done.push((i, out.stdout));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("git worker thread"))
            .collect()
    });
    for (i, out) in chunks.into_iter().flatten() {
        results[i] = out;
    }
    results
}

/// Compare answers; on differences, print up to 10 and fail.
pub fn assert_same(what: &str, messages: &[&[u8]], ours: &[&[u8]], gits: &[&[u8]]) {
    let mut diffs = 0;
    for i in 0..messages.len() {
        if ours[i] != gits[i] {
            diffs += 1;
            if diffs <= 10 {
                eprintln!(
                    "{what}: difference on message {i}:\n  message: {}\n  ours:    {}\n  git:     {}",
                    show(messages[i]),
                    show(ours[i]),
                    show(gits[i])
                );
            }
        }
    }
    assert_eq!(diffs, 0, "{what}: {diffs} differences with git");
}

pub fn as_refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}
