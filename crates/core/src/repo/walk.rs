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

/// How a rev-list option takes a value, as git's `parse_long_opt` and
/// `handle_revision_pseudo_opt` read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionValue {
    /// In the same argument (`--since=...`) or the next one (`--since ...`).
    Required,
    /// Only after `=` (`--branches`, `--branches=feat*`).
    Optional,
    /// None (`--no-merges`).
    Flag,
}

/// A `git rev-list` option tiergate passes on: one that selects or orders
/// commits. The command line builds its options from this table, so that
/// what it parses and what [`check_args`] accepts are one list.
#[derive(Debug, Clone, Copy)]
pub struct RevListOption {
    /// The long name, without `--`.
    pub name: &'static str,
    /// How it takes a value.
    pub value: OptionValue,
    /// git's one-letter spelling (`-n` for `--max-count`, `-i` for
    /// `--regexp-ignore-case`, ...).
    pub short: Option<char>,
    /// Whether it names commits to start from (refs), like a revision:
    /// `git log --branches=x` walks those refs, never HEAD, even when the
    /// pattern matches nothing (git's `rev_input_given`).
    pub names_refs: bool,
}

const fn opt(name: &'static str, value: OptionValue) -> RevListOption {
    RevListOption {
        name,
        value,
        short: None,
        names_refs: false,
    }
}

const fn short(name: &'static str, value: OptionValue, letter: char) -> RevListOption {
    RevListOption {
        short: Some(letter),
        ..opt(name, value)
    }
}

const fn refs(name: &'static str, value: OptionValue) -> RevListOption {
    RevListOption {
        names_refs: true,
        ..opt(name, value)
    }
}

use OptionValue::{Flag, Optional, Required};

/// Every option that selects or orders commits, in git's documentation
/// order (git-rev-list(1) "Commit Limiting" and "Commit Ordering").
pub const REV_LIST_OPTIONS: &[RevListOption] = &[
    short("max-count", Required, 'n'),
    opt("skip", Required),
    opt("since", Required),
    opt("after", Required),
    opt("since-as-filter", Required),
    opt("until", Required),
    opt("before", Required),
    opt("max-age", Required),
    opt("min-age", Required),
    opt("author", Required),
    opt("committer", Required),
    opt("grep", Required),
    opt("all-match", Flag),
    opt("invert-grep", Flag),
    short("regexp-ignore-case", Flag, 'i'),
    opt("basic-regexp", Flag),
    short("extended-regexp", Flag, 'E'),
    short("fixed-strings", Flag, 'F'),
    short("perl-regexp", Flag, 'P'),
    opt("merges", Flag),
    opt("no-merges", Flag),
    opt("min-parents", Required),
    opt("max-parents", Required),
    opt("no-min-parents", Flag),
    opt("no-max-parents", Flag),
    opt("first-parent", Flag),
    opt("exclude-first-parent-only", Flag),
    opt("not", Flag),
    refs("all", Flag),
    refs("branches", Optional),
    refs("tags", Optional),
    refs("remotes", Optional),
    refs("glob", Optional),
    opt("exclude", Required),
    refs("reflog", Flag),
    opt("single-worktree", Flag),
    opt("ancestry-path", Optional),
    opt("cherry-mark", Flag),
    opt("cherry-pick", Flag),
    opt("left-only", Flag),
    opt("right-only", Flag),
    opt("cherry", Flag),
    opt("full-history", Flag),
    opt("dense", Flag),
    opt("sparse", Flag),
    opt("simplify-merges", Flag),
    opt("simplify-by-decoration", Flag),
    opt("no-walk", Optional),
    opt("do-walk", Flag),
    opt("date-order", Flag),
    opt("author-date-order", Flag),
    opt("topo-order", Flag),
    opt("reverse", Flag),
];

fn option(name: &str) -> Option<&'static RevListOption> {
    REV_LIST_OPTIONS.iter().find(|o| o.name == name)
}

/// `args` with git log's default: when they name no commit to start from
/// (no revision, no `--all`/`--branches`/... ; only options that limit or
/// order, such as `--since=2.weeks --no-merges`), the walk starts at HEAD,
/// as `git log` does (revision.c `setup_revisions`: `revs->def` is added,
/// as a positive revision, when nothing is pending and no ref option was
/// given). `HEAD` goes first so that a `--not` in `args` cannot negate it.
/// Empty `args` stay empty: naming nothing at all is refused by
/// [`check_args`] (`git rev-list` has no default either).
pub fn default_to_head<S: AsRef<OsStr>>(args: &[S]) -> Vec<std::ffi::OsString> {
    let mut out: Vec<std::ffi::OsString> = args.iter().map(|a| a.as_ref().to_os_string()).collect();
    if !args.is_empty() && !names_start(args) {
        out.insert(0, "HEAD".into());
    }
    out
}

/// Whether `args` name a commit to start from (or exclude): a revision, or
/// an option that names refs. Arguments after `--` are paths, not revisions.
fn names_start<S: AsRef<OsStr>>(args: &[S]) -> bool {
    let mut iter = args.iter().map(AsRef::as_ref);
    while let Some(arg) = iter.next() {
        let Some(text) = arg.to_str() else {
            // Not an option git knows: a revision (refused by check_args).
            return true;
        };
        if text == "--" {
            return false;
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            match option(name) {
                Some(o) if o.names_refs => return true,
                Some(o) if o.value == Required && value.is_none() => {
                    iter.next();
                }
                _ => {}
            }
        } else if text == "-n" {
            iter.next();
        } else if !text.starts_with('-') {
            return true;
        }
    }
    false
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
            let Some(option) = option(name) else {
                return Err(unsupported_option(arg));
            };
            match option.value {
                Required => {
                    if value.is_none() && iter.next().is_none() {
                        return Err(Error::Revision(format!("option '{arg}' needs a value")));
                    }
                }
                Flag if value.is_some() => {
                    return Err(Error::Revision(format!("option '--{name}' takes no value")));
                }
                Flag | Optional => {}
            }
            if name == "not" {
                negate = !negate;
            } else if option.names_refs {
                positive |= !negate;
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
                _ => return Err(unsupported_option(arg)),
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

/// The error for an option `git rev-list` has but tiergate does not pass
/// on (it changes what rev-list prints, or is not an option at all).
pub fn unsupported_option(arg: &str) -> Error {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn defaulted(args: &[&str]) -> Vec<String> {
        default_to_head(args)
            .into_iter()
            .map(|a| a.into_string().expect("utf-8"))
            .collect()
    }

    #[test]
    fn only_limiting_options_walk_from_head_as_git_log_does() {
        assert_eq!(
            defaulted(&["--since=2.weeks", "--no-merges"]),
            ["HEAD", "--since=2.weeks", "--no-merges"]
        );
        // A value in the next argument is not a revision.
        assert_eq!(
            defaulted(&["--author", "A U Thor", "-n", "3"]),
            ["HEAD", "--author", "A U Thor", "-n", "3"]
        );
        // HEAD first: `--not` cannot negate git's default.
        assert_eq!(defaulted(&["--not", "-3"]), ["HEAD", "--not", "-3"]);
        // Paths after `--` are no revisions (check_args refuses them).
        assert_eq!(defaulted(&["-5", "--", "x"]), ["HEAD", "-5", "--", "x"]);
    }

    #[test]
    fn revisions_and_ref_options_keep_their_meaning() {
        for args in [
            &["main..topic", "--no-merges"][..],
            &["--no-merges", "^main"],
            &["--since", "1.week", "main"],
            &["--branches=nomatch*", "--no-merges"],
            &["--all"],
            &["--reflog"],
        ] {
            assert_eq!(defaulted(args), args, "{args:?}");
        }
        // Nothing named at all stays nothing: check_args refuses it.
        assert!(defaulted(&[]).is_empty());
    }

    #[test]
    fn check_args_reads_the_option_table() {
        assert!(check_args(&["--since=2.weeks", "HEAD"]).is_ok());
        assert!(check_args(&["--branches", "--not", "--remotes=origin"]).is_ok());
        let err = |args: &[&str]| check_args(args).expect_err("refused").to_string();
        assert_eq!(
            err(&["--no-merges=1", "HEAD"]),
            "option '--no-merges' takes no value"
        );
        assert_eq!(err(&["HEAD", "--since"]), "option '--since' needs a value");
        assert!(err(&["--objects", "HEAD"]).starts_with("unsupported rev-list option '--objects'"));
        assert!(err(&["--no-merges"]).starts_with("no revisions to check"));
    }
}
