//! Walks computed by git itself: a streamed `git rev-list`.
//!
//! Which commits a range names, and in which order, is git's definition;
//! `git rev-list` computes it exactly (every option, `A...B`, `^@`, `^!`,
//! `--since`, `--first-parent`, `--exclude=`, ref globs, shallow
//! boundaries) and fast (the commit-graph and generation numbers, packed
//! refs read once: `git rev-list NEW --not --all` over 4,294 refs takes
//! tens of milliseconds where libgit2's revwalk, hiding every ref, took
//! seconds). tiergate runs it as a child process and reads its output one
//! id at a time while the judge works on the previous commits: nothing is
//! collected.
//!
//! Only options that *select or order* commits are passed on (see
//! [`check_args`]): options that change what rev-list prints (`--objects`,
//! `--parents`, `--format`, `--count`, `--boundary`, ...) would turn the
//! output into something other than one commit id per line, and pathspecs
//! (after `--`) would judge commits only on some of their paths. Replace
//! refs are never followed (`GIT_NO_REPLACE_OBJECTS=1`): a pusher could
//! otherwise make git walk a commit of their choosing in place of another.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};

/// A problem with a walk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A revision or option git (or tiergate) does not accept (exit 2).
    #[error("{0}")]
    Revision(String),
    /// `git` could not be started.
    #[error("cannot run `git rev-list`")]
    Spawn(#[source] std::io::Error),
    /// `git rev-list` failed, or its output could not be read.
    #[error("`git rev-list` failed: {0}")]
    Failed(String),
}

/// Options that take their value in the same argument (`--since=...`) or
/// the next one (`--since ...`), as git's `parse_long_opt` accepts.
const VALUE_OPTIONS: &[&str] = &[
    "since",
    "after",
    "until",
    "before",
    "max-age",
    "min-age",
    "max-count",
    "skip",
    "author",
    "committer",
    "grep",
    "exclude",
    "min-parents",
    "max-parents",
    "since-as-filter",
];

/// Options without a value (or with an optional `=value`) that select or
/// order commits.
const FLAG_OPTIONS: &[&str] = &[
    "all",
    "branches",
    "tags",
    "remotes",
    "glob",
    "not",
    "merges",
    "no-merges",
    "no-min-parents",
    "no-max-parents",
    "first-parent",
    "exclude-first-parent-only",
    "reverse",
    "topo-order",
    "date-order",
    "author-date-order",
    "ancestry-path",
    "cherry-pick",
    "cherry-mark",
    "left-only",
    "right-only",
    "cherry",
    "invert-grep",
    "all-match",
    "regexp-ignore-case",
    "basic-regexp",
    "extended-regexp",
    "fixed-strings",
    "perl-regexp",
    "no-walk",
    "do-walk",
    "full-history",
    "simplify-merges",
    "simplify-by-decoration",
    "dense",
    "sparse",
    "reflog",
    "single-worktree",
];

/// Which options have an optional value after `=`.
fn takes_optional_value(name: &str) -> bool {
    matches!(
        name,
        "branches" | "tags" | "remotes" | "glob" | "no-walk" | "ancestry-path"
    )
}

/// Check `args` before handing them to `git rev-list`: only revisions and
/// options that select or order commits (see the module documentation),
/// at least one revision to start from. The message names the argument.
pub fn check_args<S: AsRef<OsStr>>(args: &[S]) -> Result<(), Error> {
    let mut negate = false;
    let mut positive = false;
    let mut iter = args.iter().map(AsRef::as_ref).enumerate().peekable();
    while let Some((index, arg)) = iter.next() {
        let Some(arg) = arg.to_str() else {
            return Err(Error::Revision(format!(
                "revision argument {arg:?} is not valid UTF-8"
            )));
        };
        if arg == "--" {
            if index + 1 < args.len() {
                // A verdict is about whole commits: limiting a walk by path
                // would let a commit through on the paths it was not asked
                // about.
                return Err(Error::Revision(
                    "pathspecs (arguments after `--`) are not supported: tiergate judges whole commits"
                        .to_owned(),
                ));
            }
            continue;
        }
        if let Some(opt) = arg.strip_prefix("--") {
            let (name, value) = match opt.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (opt, None),
            };
            if VALUE_OPTIONS.contains(&name) {
                if value.is_none() && iter.next().is_none() {
                    return Err(Error::Revision(format!("option '{arg}' needs a value")));
                }
            } else if FLAG_OPTIONS.contains(&name) {
                if value.is_some() && !takes_optional_value(name) {
                    return Err(Error::Revision(format!("option '--{name}' takes no value")));
                }
                match name {
                    "not" => negate = !negate,
                    "all" | "branches" | "tags" | "remotes" | "glob" | "reflog" => {
                        positive |= !negate
                    }
                    _ => {}
                }
            } else {
                return Err(unsupported(arg));
            }
            continue;
        }
        if let Some(short) = arg.strip_prefix('-') {
            match short {
                // -n N, -nN, -N: how many; -i -E -F -P: how --grep matches.
                "n" => {
                    if iter.next().is_none() {
                        return Err(Error::Revision("option '-n' needs a value".to_owned()));
                    }
                }
                s if s.starts_with('n') && s[1..].bytes().all(|b| b.is_ascii_digit()) => {}
                s if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {}
                "i" | "E" | "F" | "P" => {}
                _ => return Err(unsupported(arg)),
            }
            continue;
        }
        // A revision: `^X` excludes (includes under --not).
        let excluded = arg.starts_with('^') != negate;
        positive |= !excluded || arg.contains("..");
    }
    if !positive {
        return Err(Error::Revision(
            "no revisions to check: name a range such as `main..topic`, `HEAD~5..` or `--all`"
                .to_owned(),
        ));
    }
    Ok(())
}

fn unsupported(arg: &str) -> Error {
    Error::Revision(format!(
        "unsupported rev-list option '{arg}': tiergate takes revisions and the options that \
         select or order commits (--all, --branches, --tags, --remotes, --glob, --exclude, --not, \
         --since, --until, --author, --committer, --grep, --merges, --no-merges, --first-parent, \
         --max-count/-n, --skip, --reverse, --topo-order, --date-order, --ancestry-path, ...)"
    ))
}

/// A running `git rev-list`, yielding commit ids (hex) in its order. The
/// process is stopped (killed and reaped) when this is dropped before the
/// end.
pub struct RevList {
    child: Child,
    stdout: BufReader<ChildStdout>,
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
    line: Vec<u8>,
    done: bool,
    /// An error found after the id last returned.
    pending: Option<Error>,
}

impl RevList {
    /// Start `git rev-list ARGS --` with `git` (a command that runs git in
    /// the right repository, e.g. `git --git-dir DIR`; its environment is
    /// kept, so a pre-receive hook's quarantine is seen). `args` must have
    /// passed [`check_args`].
    ///
    /// A bad revision is reported here (as [`Error::Revision`]), before the
    /// first id is read, so that callers can tell usage errors from
    /// failures while walking.
    pub fn start<S: AsRef<OsStr>>(mut git: Command, args: &[S]) -> Result<RevList, Error> {
        git.arg("rev-list");
        git.args(args.iter().map(AsRef::as_ref));
        if args.last().map(AsRef::as_ref) != Some(OsStr::new("--")) {
            // Revisions only, never paths of a work tree.
            git.arg("--");
        }
        git.env("GIT_NO_REPLACE_OBJECTS", "1")
            // git's messages, which tell a bad revision from a failure,
            // in one language.
            .env("LC_ALL", "C")
            .env_remove("LANGUAGE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        tracing::debug!(command = ?git, "walking with git rev-list");
        let mut child = git.spawn().map_err(Error::Spawn)?;
        let stdout =
            BufReader::with_capacity(64 * 1024, child.stdout.take().expect("stdout is piped"));
        let mut stderr = child.stderr.take().expect("stderr is piped");
        // Read stderr aside, so that a chatty git can never block on it.
        let stderr = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.read_to_end(&mut buf);
            buf
        });
        let mut walk = RevList {
            child,
            stdout,
            stderr: Some(stderr),
            line: Vec::new(),
            done: false,
            pending: None,
        };
        // Wait for the first id (or the end), so that a bad revision is a
        // `Revision` error from here.
        walk.fill()?;
        Ok(walk)
    }

    /// Read the next line into `self.line` (empty at the end, after
    /// checking git's exit status).
    fn fill(&mut self) -> Result<(), Error> {
        self.line.clear();
        if self.done {
            return Ok(());
        }
        let read = self
            .stdout
            .read_until(b'\n', &mut self.line)
            .map_err(|e| Error::Failed(e.to_string()))?;
        if read > 0 {
            return Ok(());
        }
        self.done = true;
        let status = self
            .child
            .wait()
            .map_err(|e| Error::Failed(e.to_string()))?;
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if status.success() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&stderr);
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_start_matches("fatal: ")
            .trim_start_matches("error: ")
            .to_owned();
        let is_revision = [
            "bad revision",
            "unknown revision",
            "ambiguous argument",
            "unrecognized argument",
            "Invalid revision range",
            "bad object",
            "Invalid symmetric difference",
            "needed a single revision",
        ]
        .iter()
        .any(|p| text.contains(p));
        Err(if is_revision {
            Error::Revision(first)
        } else if first.is_empty() {
            Error::Failed(format!("exited with {status}"))
        } else {
            Error::Failed(first)
        })
    }
}

impl Iterator for RevList {
    type Item = Result<String, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            return Some(Err(e));
        }
        if self.line.is_empty() {
            return None;
        }
        let id = String::from_utf8_lossy(self.line.trim_ascii_end()).into_owned();
        if let Err(e) = self.fill() {
            // The id read is still good; the error comes next.
            self.pending = Some(e);
        }
        Some(Ok(id))
    }
}

impl Drop for RevList {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(h) = self.stderr.take() {
            let _ = h.join();
        }
    }
}
