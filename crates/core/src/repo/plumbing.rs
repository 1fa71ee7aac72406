//! Judging through git's own plumbing, for repositories libgit2 cannot
//! open.
//!
//! The vendored libgit2 (1.9) refuses two repository formats git already
//! writes: SHA-256 object ids (`git init --object-format=sha256`: "unknown
//! object format 'sha256'") and the reftable reference backend (`git init
//! --ref-format=reftable`, git's future default: "unsupported extension
//! name extensions.refstorage"). [`unsupported_format`] recognizes those
//! errors; this module then gathers the same plain data with the installed
//! git and hands it to the one judging function, [`crate::judge::judge`]:
//!
//! - the commits: `git rev-list <args>` (any rev-list arguments);
//! - each commit's raw object: one long-lived `git cat-file --batch`,
//!   decoded as git shows it ([`crate::message::encoding::reencode_commit`]), then
//!   read by [`crate::repo::commit::commit_facts_from_raw`];
//! - changed paths, only when the verdict needs them: `git diff-tree -r -z
//!   --no-renames --name-only -c --root` (first parent; for a merge, `-c`
//!   lists the paths that differ from every parent; a root commit or a
//!   shallow clone's boundary commit against the empty tree), the
//!   semantics of [`crate::repo::diff::changed_paths`].
//!
//! It is slower than the libgit2 path (one process per commit that needs
//! its paths) but gives the same verdicts; `tests/formats.rs` checks them
//! against the libgit2 path on the same history in SHA-1.

use crate::classify::Classifier;
use crate::judge::{self, CommitVerdict, Summary};
use crate::message::encoding;
use crate::message::trailer::ParseOptions;
use crate::policy::Policy;
use crate::repo::changed::{ChangedPaths, TooDeep, MAX_TREE_DEPTH};
use crate::repo::commit::{commit_facts_from_raw, CommitInfo};
use crate::repo::notes::{capped, NoteIndex};
use crate::repo::walk;
use crate::stage::Stage;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Why the plumbing path failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// git could not be run.
    #[error("cannot run git {command}: {source}")]
    Spawn {
        /// The git subcommand.
        command: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A git command failed.
    #[error("git {command} failed: {stderr}")]
    Failed {
        /// The git command line (after `git`).
        command: String,
        /// What git said.
        stderr: String,
    },
    /// A revision argument git does not accept (a usage error, exit 2).
    #[error("{0}")]
    Revision(String),
    /// An object is missing or not what it should be.
    #[error("{0}")]
    Object(String),
    /// A commit in an encoding tiergate cannot read.
    #[error("commit {id}: {source}")]
    Unreadable {
        /// The commit.
        id: String,
        /// The encoding.
        source: encoding::UnreadableEncoding,
    },
    /// No policy, or one that does not load.
    #[error(transparent)]
    Policy(#[from] crate::repo::policy_blob::Error),
}

/// A repository reached through the `git` command.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The directory git runs in (`--repo DIR`), or the current one.
    dir: Option<PathBuf>,
}

impl Repo {
    /// The repository at `dir` (or the one git finds from the current
    /// directory and its environment).
    pub fn new(dir: Option<&Path>) -> Repo {
        Repo {
            dir: dir.map(Path::to_path_buf),
        }
    }

    /// Every git command tiergate runs is built here.
    ///
    /// `GIT_NO_REPLACE_OBJECTS=1`: git reads `refs/replace/<X>` as "show
    /// the object this ref points at wherever X is read" (git's
    /// `replace-object.c`, enabled unless that variable is set: git's
    /// `setup_git_env`). A pusher who puts a human commit H at
    /// `refs/replace/<X>` would otherwise have the AI commit X listed by
    /// `rev-list` but read by `cat-file --batch` and `diff-tree` as H, and
    /// a replaced policy blob would loosen the policy read from `HEAD`.
    /// tiergate judges the objects themselves, as libgit2 reads them (it
    /// does not implement replace refs: see [`crate::repo::libgit2::open`]). The
    /// variable also overrides `core.useReplaceRefs` and
    /// `GIT_REPLACE_REF_BASE`, whatever the server's environment says.
    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.env("GIT_NO_REPLACE_OBJECTS", "1");
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        cmd
    }

    /// Run `git <args>`; its stdout.
    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<Vec<u8>, Error> {
        self.run_in(self.command(), args)
    }

    /// Run `git <args>` as `cmd` (from [`Repo::command`], with more
    /// environment); its stdout.
    fn run_in<S: AsRef<OsStr>>(&self, mut cmd: Command, args: &[S]) -> Result<Vec<u8>, Error> {
        let command = describe(args);
        let out = cmd
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| Error::Spawn {
                command: command.clone(),
                source,
            })?;
        if !out.status.success() {
            return Err(Error::Failed {
                command,
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(out.stdout)
    }

    /// The commit `hex` names, peeled through tags; `None` when it is not
    /// a commit (a tag of a tree, a blob); an error when it is missing.
    pub fn peel_to_commit(&self, hex: &str) -> Result<Option<String>, Error> {
        self.run(&["cat-file", "-t", hex])
            .map_err(|_| Error::Object(format!("object {hex} is missing")))?;
        let spec = format!("{hex}^{{commit}}");
        match self.run(&["rev-parse", "--verify", "--quiet", &spec]) {
            Ok(out) => Ok(Some(String::from_utf8_lossy(&out).trim().to_owned())),
            Err(_) => Ok(None),
        }
    }

    /// The top of the working tree (`None` for a bare repository).
    pub fn workdir(&self) -> Option<PathBuf> {
        let out = self.run(&["rev-parse", "--show-toplevel"]).ok()?;
        Some(PathBuf::from(String::from_utf8_lossy(&out).trim()))
    }

    /// Every configuration entry, in git's order (`git config --list -z`:
    /// `name NL value NUL`, or `name NUL` for a valueless one).
    pub fn config_entries(&self) -> Result<super::config::Entries, Error> {
        let out = self.run(&["config", "--list", "-z"])?;
        Ok(out
            .split(|&b| b == 0)
            .filter(|e| !e.is_empty())
            .map(|entry| match entry.iter().position(|&b| b == b'\n') {
                Some(nl) => (
                    String::from_utf8_lossy(&entry[..nl]).into_owned(),
                    Some(entry[nl + 1..].to_vec()),
                ),
                None => (String::from_utf8_lossy(entry).into_owned(), None),
            })
            .collect())
    }

    /// The commit `HEAD` points at, or `None` when it points at none (an
    /// unborn branch), as [`Repo::head_file`] decides it.
    pub fn head_commit(&self) -> Option<String> {
        let out = self
            .run(&["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
            .ok()?;
        let id = String::from_utf8_lossy(&out).trim().to_owned();
        (!id.is_empty()).then_some(id)
    }

    /// The blob id of `path` in `commit`'s tree, if it names a blob (one
    /// `git ls-tree`, whose path arguments match whole path components:
    /// the entry listed is the one named).
    pub fn blob_id_at(&self, commit: &str, path: &str) -> Option<String> {
        let out = self
            .run(&[
                "ls-tree",
                "-z",
                "--full-tree",
                "--format=%(objecttype) %(objectname)%x09%(path)",
                commit,
                "--",
                path,
            ])
            .ok()?;
        out.split(|&b| b == 0).find_map(|entry| {
            let (head, name) = entry.split_at(entry.iter().position(|&b| b == b'\t')?);
            let id = std::str::from_utf8(head).ok()?.strip_prefix("blob ")?;
            (&name[1..] == path.as_bytes()).then(|| id.to_owned())
        })
    }

    /// The branch `HEAD` points at (`git symbolic-ref -q HEAD`).
    pub fn head_branch(&self) -> Option<String> {
        let out = self.run(&["symbolic-ref", "-q", "HEAD"]).ok()?;
        let name = String::from_utf8_lossy(&out).trim().to_owned();
        (!name.is_empty()).then_some(name)
    }

    /// The file `path` of the tree at `HEAD`.
    pub fn head_file(&self, path: &str) -> Result<Vec<u8>, super::HeadFileError> {
        use super::HeadFileError;
        if let Err(e) = self.run(&["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]) {
            return Err(HeadFileError::Unborn(e.to_string()));
        }
        let spec = format!("HEAD:{path}");
        if let Err(e) = self.run(&["cat-file", "-e", &spec]) {
            return Err(HeadFileError::Missing(e.to_string()));
        }
        self.run(&["cat-file", "blob", &spec])
            .map_err(|e| HeadFileError::Unreadable(e.into()))
    }

    /// The configured remotes with their URLs (fetch, then push), as
    /// `git remote -v` lists them.
    pub fn remotes(&self) -> Vec<(String, Vec<String>)> {
        let Ok(out) = self.run(&["remote", "-v"]) else {
            return Vec::new();
        };
        let mut remotes: Vec<(String, Vec<String>)> = Vec::new();
        for line in String::from_utf8_lossy(&out).lines() {
            let Some((name, rest)) = line.split_once('\t') else {
                continue;
            };
            let url = rest
                .rsplit_once(' ')
                .map_or(rest, |(url, _)| url)
                .to_owned();
            match remotes.iter_mut().find(|(n, _)| n == name) {
                Some((_, urls)) if !urls.contains(&url) => urls.push(url),
                Some(_) => {}
                None => remotes.push((name.to_owned(), vec![url])),
            }
        }
        remotes
    }

    /// Call `visit` with every file of the tree of the commit `rev` names
    /// (`git ls-tree -r`), in git's tree order; the commit's id.
    pub fn for_each_tree_file(
        &self,
        rev: &str,
        mut visit: impl FnMut(&[u8]),
    ) -> Result<String, Error> {
        let (id, out) = self.ls_tree(rev, "--name-only")?;
        for path in out.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            visit(path);
        }
        Ok(id)
    }

    /// `git ls-tree -r -z --full-tree <format>` of the commit `rev` names
    /// (as deep as git's `core.maxTreeDepth` allows); the commit's id and
    /// git's output.
    fn ls_tree(&self, rev: &str, format: &str) -> Result<(String, Vec<u8>), Error> {
        let id = self.resolve_commit(rev)?;
        let depth = format!("core.maxTreeDepth={MAX_TREE_DEPTH}");
        let out = self.run(&[
            "-c",
            &depth,
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            format,
            &id,
        ])?;
        Ok((id, out))
    }

    /// Every file of the tree of the commit `rev` names, with its object
    /// id (`git ls-tree -r`: blobs, symlinks and submodule commits), in
    /// git's tree order; the commit's id.
    pub fn tree_entries(&self, rev: &str) -> Result<(String, Vec<TreeEntry>), Error> {
        let (id, out) = self.ls_tree(rev, "--format=%(objecttype) %(objectname)%x09%(path)")?;
        let mut entries = Vec::new();
        for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let tab = entry.iter().position(|&b| b == b'\t');
            let Some(tab) = tab else {
                return Err(Error::Object(format!(
                    "git ls-tree: unexpected line {:?}",
                    String::from_utf8_lossy(entry)
                )));
            };
            let head = String::from_utf8_lossy(&entry[..tab]);
            let Some(("blob", oid)) = head.split_once(' ') else {
                // Submodule commits have no contents to read.
                entries.push((entry[tab + 1..].to_vec(), String::new()));
                continue;
            };
            entries.push((entry[tab + 1..].to_vec(), oid.to_owned()));
        }
        Ok((id, entries))
    }

    /// Index the notes trees of `sources` (notes ref names or notes commit
    /// ids). A source that names no commit (a notes ref not created yet)
    /// adds nothing; a notes tree that cannot be read is an error.
    pub(super) fn note_index(&self, sources: &[String]) -> Result<NoteIndex, Error> {
        let mut index = NoteIndex::default();
        for source in sources {
            let entries = match self.tree_entries(source) {
                Ok((_, entries)) => entries,
                // `resolve_commit`: the ref does not exist, or names no
                // commit (a blob pushed to a notes ref: git itself cannot
                // read notes from it either).
                Err(Error::Revision(_)) => {
                    tracing::debug!(source, "no notes");
                    continue;
                }
                Err(e) => return Err(e),
            };
            for (path, blob) in entries {
                index.add(&path, blob);
            }
        }
        tracing::debug!(notes = index.len(), "notes indexed");
        Ok(index)
    }

    /// What changed between the trees of commits `old` and `new`: per
    /// path, the status letter of `git diff-tree --raw` (`M`, `A`, `D`,
    /// `T`) and the old and new object ids. No rename detection.
    pub fn raw_changes(&self, old: &str, new: &str) -> Result<Vec<RawChange>, Error> {
        let depth = format!("core.maxTreeDepth={MAX_TREE_DEPTH}");
        let out = self.run(&[
            "-c",
            &depth,
            "diff-tree",
            "-r",
            "-z",
            "--raw",
            "--no-renames",
            "--no-ext-diff",
            "--ignore-submodules=none",
            old,
            new,
        ])?;
        // `:<old mode> <new mode> <old id> <new id> <status>` NUL `<path>`
        // NUL (git's diff.c, `diff_flush_raw`).
        let mut fields = out.split(|&b| b == 0);
        let mut changes = Vec::new();
        while let Some(head) = fields.next() {
            if head.is_empty() {
                continue;
            }
            let bad = || {
                Error::Object(format!(
                    "git diff-tree: unexpected line {:?}",
                    String::from_utf8_lossy(head)
                ))
            };
            let head = std::str::from_utf8(head).map_err(|_| bad())?;
            let parts: Vec<&str> = head.trim_start_matches(':').split(' ').collect();
            let [_, new_mode, old_id, new_id, status] = parts.as_slice() else {
                return Err(bad());
            };
            let new_mode = u32::from_str_radix(new_mode, 8).map_err(|_| bad())?;
            let path = fields.next().ok_or_else(bad)?.to_vec();
            changes.push(RawChange {
                status: status.chars().next().unwrap_or('?'),
                new_mode,
                old: (*old_id).to_owned(),
                new: (*new_id).to_owned(),
                path,
            });
        }
        Ok(changes)
    }

    /// Call `each` with the contents of every blob of `ids`, in order
    /// (one `git cat-file --batch`). The ids are written by a thread of
    /// their own while the answers are read: one at a time, each request
    /// would wait for the answer before it (a round trip per blob, most
    /// of the time of reading a whole tree's sources).
    pub fn read_blobs<'i>(
        &self,
        ids: impl IntoIterator<Item = &'i str>,
        mut each: impl FnMut(&str, &[u8]),
    ) -> Result<(), Error> {
        let ids: Vec<&str> = ids.into_iter().collect();
        let mut batch = CatFile::start(self)?;
        let stdin = batch.stdin.take();
        let requests: Vec<u8> = ids
            .iter()
            .flat_map(|id| [id.as_bytes(), b"\n"])
            .flatten()
            .copied()
            .collect();
        let writer = std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                // An error here (git exited) shows as a short answer below.
                let _ = stdin.write_all(&requests);
            }
        });
        let mut result = Ok(());
        for id in ids {
            match batch.answer(id, "blob") {
                Ok(data) => each(id, &data),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_err() {
            let _ = batch.child.kill();
        }
        let _ = writer.join();
        batch.finish();
        result
    }

    /// The paths the commit that the index `index_path` would make
    /// changes, like [`crate::repo::staged::staged_paths`]: `git
    /// diff-index --cached` against each parent of the commit being made
    /// (`HEAD` and `MERGE_HEAD`, or `HEAD`'s parents with `amend`; the
    /// empty tree without any), the paths that differ from every parent.
    pub fn staged_paths(&self, index_path: &Path, amend: bool) -> Result<ChangedPaths, Error> {
        let head = self
            .run(&["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
            .ok()
            .map(|out| String::from_utf8_lossy(&out).trim().to_owned());
        let mut parents: Vec<String> = match (head, amend) {
            (Some(head), true) => {
                let out = self.run(&["rev-list", "--parents", "-n", "1", &head])?;
                String::from_utf8_lossy(&out)
                    .split_whitespace()
                    .skip(1)
                    .map(str::to_owned)
                    .collect()
            }
            (Some(head), false) => vec![head],
            (None, _) => Vec::new(),
        };
        let merge_head = self.git_dir()?.join("MERGE_HEAD");
        if let Ok(text) = std::fs::read_to_string(&merge_head) {
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !line.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(Error::Object(format!(
                        "{} holds {line:?}, not a commit id",
                        merge_head.display()
                    )));
                }
                if !parents.iter().any(|p| p == line) {
                    parents.push(line.to_owned());
                }
            }
        }
        let index = std::fs::canonicalize(index_path).unwrap_or_else(|_| index_path.to_path_buf());
        let diff_against = |tree: &str| -> Result<Vec<Vec<u8>>, Error> {
            let mut cmd = self.command();
            cmd.env("GIT_INDEX_FILE", &index);
            let out = self.run_in(
                cmd,
                &[
                    "-c",
                    "core.quotePath=false",
                    "diff-index",
                    "--cached",
                    "-r",
                    "-z",
                    "--no-renames",
                    "--no-ext-diff",
                    "--ignore-submodules=none",
                    "--name-only",
                    tree,
                ],
            )?;
            let mut paths: Vec<Vec<u8>> = out
                .split(|&b| b == 0)
                .filter(|p| !p.is_empty())
                .map(<[u8]>::to_vec)
                .collect();
            paths.sort();
            paths.dedup();
            Ok(paths)
        };
        let empty;
        let first = match parents.first() {
            Some(parent) => parent.as_str(),
            None => {
                // The empty tree in this repository's object format.
                let out = self.run(&["hash-object", "-t", "tree", "/dev/null"])?;
                empty = String::from_utf8_lossy(&out).trim().to_owned();
                empty.as_str()
            }
        };
        let mut paths = diff_against(first)?;
        for parent in parents.iter().skip(1) {
            if paths.is_empty() {
                break;
            }
            let other = diff_against(parent)?;
            paths.retain(|p| other.binary_search(p).is_ok());
        }
        Ok(ChangedPaths(paths, None))
    }

    /// The absolute git directory.
    pub fn git_dir(&self) -> Result<PathBuf, Error> {
        let out = self.run(&["rev-parse", "--absolute-git-dir"])?;
        Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
    }

    /// The commits `git rev-list <args>` lists, in its order, streamed
    /// ([`crate::repo::walk`]).
    pub fn rev_list<S: AsRef<OsStr>>(
        &self,
        args: &[S],
    ) -> Result<impl Iterator<Item = Result<String, Error>>, Error> {
        let walk_error = |e| match e {
            walk::Error::Revision(message) => Error::Revision(message),
            other => Error::Failed {
                command: format!("rev-list {}", describe(args)),
                stderr: other.to_string(),
            },
        };
        walk::check_args(args).map_err(walk_error)?;
        let list = walk::RevList::start(self.command(), args).map_err(walk_error)?;
        let command = describe(args);
        Ok(list.map(move |id| {
            id.map_err(|e| match e {
                walk::Error::Revision(message) => Error::Revision(message),
                other => Error::Failed {
                    command: format!("rev-list {command}"),
                    stderr: other.to_string(),
                },
            })
        }))
    }

    /// The changed paths of commit `id` (see the module documentation).
    pub fn changed_paths(&self, id: &str) -> Result<ChangedPaths, Error> {
        let depth = format!("core.maxTreeDepth={MAX_TREE_DEPTH}");
        let args = [
            "-c",
            "core.quotePath=false",
            // The libgit2 path's limit, whatever the server's config says.
            "-c",
            &depth,
            "diff-tree",
            "-r",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--ignore-submodules=none",
            "--name-only",
            "-c",
            "--root",
            "--no-commit-id",
            id,
        ];
        // Against the commit's real parents first (an empty
        // GIT_SHALLOW_FILE turns git's shallow grafts off: shallow.c,
        // `is_repository_shallow`); only a commit whose parents are not in
        // the repository is then read as the grafted root git shows, like
        // the libgit2 backend does (`shown::graft`). A pusher chooses which
        // commits a shallow push lists as shallow.
        let mut real = self.command();
        real.env("GIT_SHALLOW_FILE", "");
        let out = match self.run_in(real, &args) {
            Err(Error::Failed { stderr, .. })
                if stderr.contains("Could not read")
                    || stderr.contains("unable to parse commit") =>
            {
                self.run(&args)
            }
            other => other,
        };
        let out = match out {
            Ok(out) => out,
            // tree-diff.c dies with this message past `core.maxTreeDepth`
            // (`ll_diff_tree_paths`), without naming the subtree: the
            // violation names the depth git stopped at and no path.
            Err(Error::Failed { stderr, .. })
                if stderr.contains("exceeded maximum allowed tree depth") =>
            {
                return Ok(ChangedPaths(
                    Vec::new(),
                    Some(TooDeep {
                        depth: MAX_TREE_DEPTH + 1,
                        prefix: Vec::new(),
                    }),
                ));
            }
            Err(e) => return Err(e),
        };
        let mut paths: Vec<Vec<u8>> = out
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        paths.dedup();
        Ok(ChangedPaths(paths, None))
    }

    /// Judge every commit `git rev-list <args>` lists, as git shows it,
    /// calling `sink` with each verdict (`Repo::check` on this backend).
    pub fn check_revs<S: AsRef<OsStr>>(
        &self,
        policy: &Policy,
        classifier: &Classifier,
        stage: Stage,
        notes: &NoteIndex,
        args: &[S],
        mut sink: impl FnMut(&CommitVerdict),
    ) -> Result<Summary, Error> {
        self.judge_revs(
            policy,
            classifier,
            stage,
            notes,
            args,
            false,
            |verdict, _, _| {
                sink(verdict);
                Ok(())
            },
        )
    }

    /// The one loop of [`Repo::check_revs`] and
    /// [`Repo::check_revs_with_paths`]: every commit read once through one
    /// `git cat-file --batch`, judged; with `every_path`, its changed paths
    /// computed whatever the verdict needs and handed to `sink` too.
    // The judge's inputs (policy, classifier, stage, notes) plus the walk and
    // its sink; a struct for four borrowed arguments would only rename them.
    #[allow(clippy::too_many_arguments)]
    fn judge_revs<S: AsRef<OsStr>>(
        &self,
        policy: &Policy,
        classifier: &Classifier,
        stage: Stage,
        notes: &NoteIndex,
        args: &[S],
        every_path: bool,
        mut sink: impl FnMut(&CommitVerdict, Option<&ChangedPaths>, (i64, i32)) -> Result<(), Error>,
    ) -> Result<Summary, Error> {
        let ids = self.rev_list(args)?;
        let mut objects = CatFile::start(self)?;
        let options = ParseOptions::stored();
        let mut summary = Summary::default();
        for id in ids {
            let id = id?;
            let mut info = objects.shown(&id)?;
            for blob in notes.blobs(&id) {
                info.facts.notes.push(capped(objects.object(blob, "blob")?));
            }
            let changed = every_path.then(|| self.changed_paths(&id)).transpose()?;
            let judgement =
                judge::judge(
                    policy,
                    classifier,
                    &info.facts,
                    &options,
                    stage,
                    || match &changed {
                        Some(changed) => Ok(changed.clone()),
                        None => self.changed_paths(&id),
                    },
                )?;
            let verdict = CommitVerdict::new(id, info.title, judgement);
            summary.add(&verdict);
            sink(&verdict, changed.as_ref(), info.author_time)?;
        }
        objects.finish();
        Ok(summary)
    }
}

impl Repo {
    /// The commit `rev` names (anything `git rev-parse` takes), peeled
    /// through tags; [`Error::Revision`] when it names no commit.
    pub fn resolve_commit(&self, rev: &str) -> Result<String, Error> {
        let spec = format!("{rev}^{{commit}}");
        match self.run(&["rev-parse", "--verify", "--quiet", &spec]) {
            Ok(out) => Ok(String::from_utf8_lossy(&out).trim().to_owned()),
            Err(Error::Failed { .. }) => Err(Error::Revision(format!(
                "bad revision '{rev}': it names no commit"
            ))),
            Err(e) => Err(e),
        }
    }

    /// The notes of commit `id` in `index` (see [`crate::repo::notes`]).
    pub fn read_notes(&self, index: &NoteIndex, id: &str) -> Result<Vec<Vec<u8>>, Error> {
        let blobs = index.blobs(id);
        if blobs.is_empty() {
            return Ok(Vec::new());
        }
        let mut objects = CatFile::start(self)?;
        let notes = blobs
            .iter()
            .map(|blob| objects.object(blob, "blob").map(capped))
            .collect::<Result<Vec<_>, _>>()?;
        objects.finish();
        Ok(notes)
    }

    /// The message and identities of commit `id` as git shows them
    /// (decoded; see [`CatFile::shown`]).
    pub fn commit_facts(&self, id: &str) -> Result<CommitInfo, Error> {
        let mut objects = CatFile::start(self)?;
        let info = objects.shown(id)?;
        objects.finish();
        Ok(info)
    }

    /// For every commit `git rev-list <args>` lists, in its order, its
    /// tiers: the tiers its changed paths fall in, in policy order
    /// (`Repo::classify` on this backend).
    pub fn classify_revs<S: AsRef<OsStr>>(
        &self,
        classifier: &Classifier,
        args: &[S],
        mut sink: impl FnMut(&str, &[usize]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        for id in self.rev_list(args)? {
            let id = id?;
            let changed = self.changed_paths(&id)?;
            sink(&id, &classifier.tiers_touched(&changed.0))?;
        }
        Ok(())
    }

    /// Like [`Repo::check_revs`], with every commit's changed paths
    /// computed whatever its verdict, handed to `sink` with the verdict and
    /// the author time (seconds, offset in minutes): `tiergate report`.
    pub fn check_revs_with_paths<S: AsRef<OsStr>>(
        &self,
        policy: &Policy,
        classifier: &Classifier,
        stage: Stage,
        notes: &NoteIndex,
        args: &[S],
        mut sink: impl FnMut(&CommitVerdict, &ChangedPaths, (i64, i32)) -> Result<(), Error>,
    ) -> Result<Summary, Error> {
        self.judge_revs(
            policy,
            classifier,
            stage,
            notes,
            args,
            true,
            |verdict, changed, when| {
                let changed = changed.expect("judge_revs computes every commit's paths when asked");
                sink(verdict, changed, when)
            },
        )
    }
}

/// A file of a tree: its path and its blob id (empty for a submodule).
pub type TreeEntry = (Vec<u8>, String);

/// One path of [`Repo::raw_changes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChange {
    /// `M`odified, `A`dded, `D`eleted, `T`ype changed.
    pub status: char,
    /// The mode after (octal in git's output; 0 when deleted).
    pub new_mode: u32,
    /// The object id before (all zeros when added).
    pub old: String,
    /// The object id after (all zeros when deleted).
    pub new: String,
    /// The path.
    pub path: Vec<u8>,
}

/// A running `git cat-file --batch`.
struct CatFile {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl CatFile {
    fn start(repo: &Repo) -> Result<CatFile, Error> {
        let spawn_error = |source| Error::Spawn {
            command: "cat-file --batch".into(),
            source,
        };
        let mut child = repo
            .command()
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(spawn_error)?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().map(BufReader::new);
        match (stdin, stdout) {
            (Some(stdin), Some(stdout)) => Ok(CatFile {
                child,
                stdin: Some(stdin),
                stdout,
            }),
            _ => Err(spawn_error(std::io::Error::other("no pipes"))),
        }
    }

    /// The raw contents of commit `id`.
    fn commit(&mut self, id: &str) -> Result<Vec<u8>, Error> {
        self.object(id, "commit")
    }

    /// The contents of object `id`, which must be of type `kind`.
    fn object(&mut self, id: &str, kind: &str) -> Result<Vec<u8>, Error> {
        let io = |source| Error::Spawn {
            command: "cat-file --batch".into(),
            source,
        };
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io(std::io::Error::other("closed")))?;
        writeln!(stdin, "{id}").map_err(io)?;
        stdin.flush().map_err(io)?;
        self.answer(id, kind)
    }

    /// Read the answer to the request for object `id`, which must be of
    /// type `kind`.
    fn answer(&mut self, id: &str, kind: &str) -> Result<Vec<u8>, Error> {
        let io = |source| Error::Spawn {
            command: "cat-file --batch".into(),
            source,
        };
        let mut header = String::new();
        self.stdout.read_line(&mut header).map_err(io)?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        let size = match fields.as_slice() {
            [_, found, size] if *found == kind => size
                .parse::<usize>()
                .map_err(|_| Error::Object(format!("git cat-file: bad header {header:?}")))?,
            [_, found, _] => {
                return Err(Error::Object(format!(
                    "object {id} is a {found}, not a {kind}"
                )))
            }
            _ => return Err(Error::Object(format!("cannot read {kind} {id}: missing"))),
        };
        let mut data = vec![0; size + 1];
        self.stdout.read_exact(&mut data).map_err(io)?;
        data.pop();
        Ok(data)
    }

    /// Commit `id` as git shows it: its `encoding` decoded
    /// ([`encoding::reencode_commit`]); a shallow boundary needs nothing
    /// here, git itself reads it as a root (`diff-tree --root`).
    fn shown(&mut self, id: &str) -> Result<CommitInfo, Error> {
        let raw = self.commit(id)?;
        let raw = encoding::reencode_commit(&raw).map_err(|source| Error::Unreadable {
            id: id.to_owned(),
            source,
        })?;
        Ok(commit_facts_from_raw(&raw))
    }

    fn finish(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        if self.stdin.take().is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn describe<S: AsRef<OsStr>>(args: &[S]) -> String {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
