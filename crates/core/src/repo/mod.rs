//! The repository layer: the one way tiergate reads a repository.
//!
//! Every entry point (the commands, the client hooks, the server hook)
//! opens a repository with [`Repo::open`] (or [`Repo::open_server`]) and
//! reads it only through [`Repo`]: commits as git shows them (decoded
//! messages and identities, shallow boundaries as grafted roots: see
//! [`shown`]), their changed paths, the paths a commit being made stages,
//! configuration, the policy, a tree's files. Judging stays in
//! [`crate::judge::judge`], which never sees a repository.
//!
//! The backend is chosen once, when the repository is opened, from the
//! format its configuration declares ([`open::format_of`]): libgit2
//! ([`libgit2`]) for SHA-1 object ids with files references, git's own
//! plumbing ([`plumbing`]: `cat-file --batch`, `diff-tree`) for SHA-256
//! object ids or reftable references, which the vendored libgit2 cannot
//! read. Walks are git's own in both (`git rev-list`, [`walk`]).
//!
//! One file a concern: [`open`] (format, backend, quarantine), [`walk`]
//! (the streamed `git rev-list`), [`object`] (the commit header parser,
//! pure), [`commit`] (raw commit to its facts, pure), [`libgit2`]
//! (opening, objects and references through libgit2), [`diff`] (the tree
//! diff and its cache), [`files`] (a tree's files and blob ids, what
//! differs between two trees), [`includes`] (the kept include graph), [`tree`] (raw tree entries, tree listing),
//! [`staged`] (a `commit-msg` hook's index diff and pending parents),
//! [`plumbing`] (the same through git), [`shown`] (commits as git shows
//! them), [`judging`] (walks fed to the judge, on all cores),
//! [`parallel`], [`policy_blob`] (finding the policy), [`config`],
//! [`changed`] (what a commit changes: the judge's input).

pub mod changed;
mod commit;
pub mod config;
mod diff;
mod files;
mod includes;
mod index_file;
mod judging;
mod libgit2;
mod notes;
pub mod object;
mod open;
mod parallel;
mod plumbing;
pub mod policy_blob;
mod shown;
mod staged;
mod tree;
mod walk;

pub use changed::{ChangedPaths, TooDeep, MAX_TREE_DEPTH};
pub use commit::{commit_facts_from_raw, title_of, CommitInfo};
pub use config::Config;
pub use includes::{ClassifierError, TreeIncludes};
pub use judging::CheckError;
pub use libgit2::Error as GitError;
pub use libgit2::RangeError;
pub use open::{format_of, Format};
pub use plumbing::Error as PlumbingError;
pub use policy_blob::{Found, DEFAULT_POLICY};
pub use walk::Error as WalkError;
pub use walk::{default_to_head, unsupported_option, OptionValue, RevListOption, REV_LIST_OPTIONS};

use crate::classify::Classifier;
use crate::judge::{CommitVerdict, Summary};
use crate::message::encoding::UnreadableEncoding;
use crate::policy::Policy;
use crate::stage::Stage;
use std::cell::RefCell;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Why the repository could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A revision or rev-list argument git does not accept (a usage
    /// error, exit 2).
    #[error("{0}")]
    Revision(String),
    /// A commit in an encoding tiergate cannot read: what git shows of it
    /// cannot be judged.
    #[error("commit {id}: {source}")]
    Unreadable {
        /// The commit (full hex id).
        id: String,
        /// The encoding.
        source: UnreadableEncoding,
    },
    /// No policy, or one that does not load.
    #[error(transparent)]
    Policy(#[from] policy_blob::Error),
    /// Reading through libgit2 failed.
    #[error(transparent)]
    Git(#[from] libgit2::Error),
    /// Reading through git failed.
    #[error(transparent)]
    Plumbing(plumbing::Error),
}

impl Error {
    /// What was being done and the backend's own error, for an error of
    /// the C library (`cannot open the repository X`, say).
    pub fn context_and_source(&self) -> Option<(&str, &(dyn std::error::Error + 'static))> {
        match self {
            Error::Git(libgit2::Error::Git { context, source }) => Some((context, source)),
            _ => None,
        }
    }
}

impl From<plumbing::Error> for Error {
    fn from(e: plumbing::Error) -> Error {
        match e {
            plumbing::Error::Revision(message) => Error::Revision(message),
            plumbing::Error::Unreadable { id, source } => Error::Unreadable { id, source },
            plumbing::Error::Policy(e) => Error::Policy(e),
            other => Error::Plumbing(other),
        }
    }
}

impl From<RangeError> for Error {
    fn from(e: RangeError) -> Error {
        match e {
            RangeError::Revision(e) => Error::Revision(e.message),
            RangeError::Git(e) => Error::Git(e),
        }
    }
}

impl From<CheckError> for Error {
    fn from(e: CheckError) -> Error {
        match e {
            CheckError::Range(e) => e.into(),
            CheckError::Git(e) => Error::Git(e),
        }
    }
}

/// A repository, opened with the backend that can read its format.
pub struct Repo {
    backend: Backend,
    format: Format,
    git_dir: PathBuf,
    /// What [`Repo::open`] was given, to open the repository again in
    /// worker threads.
    dir: Option<PathBuf>,
    /// Opened for a server hook: single-threaded, no reopening.
    server: bool,
    /// The notes under the policy's notes ref, indexed on first use
    /// ([`notes`]).
    notes: std::cell::OnceCell<notes::NoteIndex>,
    /// Notes commits read besides the notes ref itself: what a push gives
    /// it ([`Repo::add_pushed_notes`]).
    pushed_notes: RefCell<Vec<String>>,
    /// The include graph this process brought up last, for the next call
    /// in the same process ([`includes`]: the server hook judges with
    /// HEAD's, then prepares the pushed tip's from it).
    includes: RefCell<Option<includes::Base>>,
}

enum Backend {
    Libgit2(git2::Repository),
    Git(plumbing::Repo),
}

/// A commit as git shows it: decoded, a shallow boundary without parents.
#[derive(Debug, Clone)]
pub struct ShownCommit {
    /// Full hex id.
    pub id: String,
    /// Title, message and identities, author date.
    pub info: CommitInfo,
}

/// Why a file at `HEAD` could not be read ([`Repo::head_file`]).
#[derive(Debug, thiserror::Error)]
pub enum HeadFileError {
    /// `HEAD` points at no commit (an unborn branch).
    #[error("{0}")]
    Unborn(String),
    /// The tree at `HEAD` has no such file.
    #[error("{0}")]
    Missing(String),
    /// The file could not be read.
    #[error(transparent)]
    Unreadable(Error),
}

impl Repo {
    /// Open the repository at `dir` (searching upwards like git), or, with
    /// no `dir`, the one git's environment names (`GIT_DIR`, ...) or the
    /// one around the current directory. The owner check
    /// (`safe.directory`) is libgit2's and git's.
    pub fn open(dir: Option<&Path>) -> Result<Repo, Error> {
        let format = open::discover_git_dir(dir, true)
            .map(|d| open::format_of(&d))
            .unwrap_or_default();
        Repo::with_backend(dir, format, false, || libgit2::open(dir))
    }

    /// Open the repository a server hook runs in: `dir`, else `GIT_DIR`,
    /// else the current directory, with the push's quarantine and
    /// alternates (see [`open::open_server_libgit2`]); git's own commands
    /// inherit them from the environment.
    pub fn open_server(dir: Option<&Path>) -> Result<Repo, Error> {
        let format = open::discover_git_dir(dir, true)
            .map(|d| open::format_of(&d))
            .unwrap_or_default();
        Repo::with_backend(dir, format, true, || open::open_server_libgit2(dir))
    }

    fn with_backend(
        dir: Option<&Path>,
        format: Format,
        server: bool,
        libgit2: impl FnOnce() -> Result<git2::Repository, libgit2::Error>,
    ) -> Result<Repo, Error> {
        let (backend, git_dir) = match format.unsupported_by_libgit2() {
            Some(what) => {
                tracing::debug!(what, "libgit2 cannot read this format: git plumbing");
                let repo = plumbing::Repo::new(dir);
                let git_dir = repo.git_dir()?;
                (Backend::Git(repo), git_dir)
            }
            None => {
                let repo = libgit2()?;
                let git_dir = repo.path().to_path_buf();
                (Backend::Libgit2(repo), git_dir)
            }
        };
        Ok(Repo {
            backend,
            format,
            git_dir,
            dir: dir.map(Path::to_path_buf),
            server,
            notes: std::cell::OnceCell::new(),
            pushed_notes: RefCell::new(Vec::new()),
            includes: RefCell::new(None),
        })
    }

    /// Read the notes of notes commit `id` too (a server hook: the new
    /// value a push gives the policy's notes ref, not yet the ref's), for
    /// every judgement after this call. Notes only add evidence: the union
    /// with the ref's own notes is read (see [`notes`]).
    pub fn add_pushed_notes(&self, id: &str) {
        self.pushed_notes.borrow_mut().push(id.to_owned());
    }

    /// The index of the notes under `policy`'s notes ref (`markers.notes`;
    /// empty when off), built on first use.
    fn notes(&self, policy: &Policy) -> Result<&notes::NoteIndex, Error> {
        if let Some(index) = self.notes.get() {
            return Ok(index);
        }
        let mut sources: Vec<String> = policy.markers.notes.iter().cloned().collect();
        if sources.is_empty() {
            return Ok(self.notes.get_or_init(notes::NoteIndex::default));
        }
        sources.extend(self.pushed_notes.borrow().iter().cloned());
        // No notes ref and nothing pushed (most repositories): no git
        // command is run.
        if let (Backend::Libgit2(repo), [notes_ref]) = (&self.backend, sources.as_slice()) {
            if repo.find_reference(notes_ref).is_err() {
                return Ok(self.notes.get_or_init(notes::NoteIndex::default));
            }
        }
        let git = plumbing::Repo::new(self.dir.as_deref());
        let index = git.note_index(&sources)?;
        Ok(self.notes.get_or_init(|| index))
    }

    /// The notes commit `id` (hex) has under `policy`'s notes ref, for
    /// [`crate::rules::CommitFacts::notes`] (`tiergate show`; the walks
    /// add them themselves).
    pub fn notes_of(&self, policy: &Policy, id: &str) -> Result<Vec<Vec<u8>>, Error> {
        let index = self.notes(policy)?;
        match &self.backend {
            Backend::Libgit2(repo) => Ok(notes::read_libgit2(repo, index, id)?),
            Backend::Git(repo) => Ok(repo.read_notes(index, id)?),
        }
    }

    /// The format the repository's configuration declares.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The git directory.
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// The top of the working tree (`None` for a bare repository).
    pub fn workdir(&self) -> Option<PathBuf> {
        match &self.backend {
            Backend::Libgit2(repo) => repo.workdir().map(Path::to_path_buf),
            Backend::Git(repo) => repo.workdir(),
        }
    }

    /// The repository's configuration (with the global and system files),
    /// as it is now.
    pub fn config(&self) -> Result<Config, Error> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                Ok(Config::from_libgit2(repo.config().map_err(|source| {
                    libgit2::Error::Git {
                        context: "cannot open the repository's configuration".into(),
                        source,
                    }
                })?))
            }
            Backend::Git(repo) => Ok(Config::from_entries(repo.config_entries()?)),
        }
    }

    /// Find and load the policy (see [`policy_blob`]): `explicit`, git
    /// config `tiergate.policy`, `policy.yaml` at the top of the working
    /// tree, the `policy.yaml` blob at `HEAD` (bare).
    pub fn find_policy(&self, explicit: Option<&Path>) -> Result<Found, policy_blob::Error> {
        self.find_policy_with(explicit, crate::policy::Matchers::Checked)
    }

    /// [`Repo::find_policy`], with the policy's pattern matchers checked
    /// while loading or left to [`Found::classifier`] (see
    /// [`crate::policy::Matchers`]: the commit-msg hook compiles globs only
    /// for a verdict that needs paths).
    pub fn find_policy_with(
        &self,
        explicit: Option<&Path>,
        matchers: crate::policy::Matchers,
    ) -> Result<Found, policy_blob::Error> {
        let configured = match explicit {
            Some(_) => None,
            None => self
                .config()
                .map_err(|e| policy_blob::Error::Config(Box::new(e)))?
                .get_path("tiergate.policy"),
        };
        let head_blob = || self.head_file(DEFAULT_POLICY).ok();
        policy_blob::find_policy_with(
            explicit,
            Some(policy_blob::Location {
                workdir: self.workdir(),
                git_dir: self.git_dir.clone(),
                configured,
                head_blob: &head_blob,
            }),
            matchers,
        )
    }

    /// The file `path` of the tree at `HEAD`.
    pub fn head_file(&self, path: &str) -> Result<Vec<u8>, HeadFileError> {
        match &self.backend {
            Backend::Libgit2(repo) => libgit2::head_file(repo, path),
            Backend::Git(repo) => repo.head_file(path),
        }
    }

    /// The commit `hex` names, peeled through tags; `None` when it leads
    /// to no commit (a tag of a tree or a blob); an error when it is
    /// missing.
    pub fn peel_to_commit(&self, hex: &str) -> Result<Option<String>, Error> {
        match &self.backend {
            Backend::Libgit2(repo) => Ok(libgit2::peel_to_commit(repo, hex)?),
            Backend::Git(repo) => Ok(repo.peel_to_commit(hex)?),
        }
    }

    /// The remotes and their URLs (fetch and push), for the pre-push hook.
    pub fn remotes(&self) -> Vec<(String, Vec<String>)> {
        match &self.backend {
            Backend::Libgit2(repo) => libgit2::remotes(repo),
            Backend::Git(repo) => repo.remotes(),
        }
    }

    /// The commit `rev` names (anything `git rev-parse` takes), as git
    /// shows it (see [`shown`]), with its changed paths: `tiergate show`.
    pub fn show(&self, rev: &str) -> Result<(ShownCommit, ChangedPaths), Error> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let id = libgit2::resolve_commit_id(repo, rev)?;
                let commit = shown::read_shown(repo, id).map_err(shown_error)?;
                let raw = commit.raw.as_deref().unwrap_or_default();
                let info = commit::commit_facts_from_raw(raw);
                let paths = diff::changed_paths_from_raw(repo, id, raw)?;
                Ok((
                    ShownCommit {
                        id: id.to_string(),
                        info,
                    },
                    paths,
                ))
            }
            Backend::Git(repo) => {
                let id = repo.resolve_commit(rev)?;
                let info = repo.commit_facts(&id)?;
                let paths = repo.changed_paths(&id)?;
                Ok((ShownCommit { id, info }, paths))
            }
        }
    }

    /// Judge every commit `git rev-list <args>` lists, as git shows it, at
    /// `stage`, calling `sink` with each verdict in walk order (`tiergate
    /// check`, the hooks). On all cores where the backend allows it.
    ///
    /// A `baseline.since` commit of the policy is excluded from the walk
    /// (`^<id>` in front of `args`), so git's own walk leaves out every
    /// commit reachable from it at no cost per commit; a baseline commit
    /// this repository does not have excludes nothing (nothing here is
    /// reachable from it).
    pub fn check<S: AsRef<OsStr>>(
        &self,
        policy: &Policy,
        classifier: &Classifier,
        stage: Stage,
        args: &[S],
        sink: impl FnMut(&CommitVerdict),
    ) -> Result<Summary, Error> {
        let args = self.with_baseline(policy, args)?;
        let notes = self.notes(policy)?;
        match &self.backend {
            Backend::Libgit2(repo) => {
                let walk = libgit2::RevWalk::new(repo, &args)?;
                let unreadable = RefCell::new(None);
                let commits = shown::commits(repo, walk.commits(), &unreadable);
                let result = self.with_reopen(|reopen| {
                    judging::check_walked(
                        repo, reopen, policy, classifier, stage, notes, commits, sink,
                    )
                });
                unreadable_first(result, unreadable)
            }
            Backend::Git(repo) => {
                Ok(repo.check_revs(policy, classifier, stage, notes, &args, sink)?)
            }
        }
    }

    /// `args` with the policy's baseline commit excluded in front (see
    /// [`Repo::check`]). `^<id>` goes first: a `--not` in `args` flips the
    /// meaning of every revision after it, none before.
    fn with_baseline<S: AsRef<OsStr>>(
        &self,
        policy: &Policy,
        args: &[S],
    ) -> Result<Vec<std::ffi::OsString>, Error> {
        let mut out = Vec::with_capacity(args.len() + 1);
        if let Some(id) = self.baseline_commit(policy)? {
            out.push(format!("^{id}").into());
        }
        out.extend(args.iter().map(|a| a.as_ref().to_owned()));
        Ok(out)
    }

    /// The policy's `baseline.since` commit, when it is one and this
    /// repository has it.
    pub fn baseline_commit(&self, policy: &Policy) -> Result<Option<String>, Error> {
        match &policy.baseline {
            Some(crate::policy::Baseline::Commit(id)) => self.peel_to_commit(id),
            _ => Ok(None),
        }
    }

    /// Whether commit `id` is reachable from the policy's baseline commit
    /// (it included): one walk, `git rev-list -n 1 ^<baseline> <id>`,
    /// which lists nothing exactly then. For a command given single
    /// commits (`tiergate show`), so that it says what `check` says; the
    /// walks exclude the baseline instead ([`Repo::check`]).
    pub fn reachable_from_baseline(&self, policy: &Policy, id: &str) -> Result<bool, Error> {
        let Some(base) = self.baseline_commit(policy)? else {
            return Ok(false);
        };
        let args = [
            "-n".to_owned(),
            "1".to_owned(),
            format!("^{base}"),
            id.to_owned(),
        ];
        let listed = match &self.backend {
            Backend::Libgit2(repo) => libgit2::RevWalk::new(repo, &args)?
                .next()
                .transpose()?
                .is_some(),
            Backend::Git(repo) => repo.rev_list(&args)?.next().transpose()?.is_some(),
        };
        Ok(!listed)
    }

    /// How many commits `git rev-list <args>` lists that the policy's
    /// baseline commit grandfathers: the count of the walk without the
    /// baseline less the count with it (two walks of ids, no commit read;
    /// `tiergate report`'s grandfathered column). 0 without a baseline
    /// commit.
    pub fn count_grandfathered<S: AsRef<OsStr>>(
        &self,
        policy: &Policy,
        args: &[S],
    ) -> Result<usize, Error> {
        let Some(id) = self.baseline_commit(policy)? else {
            return Ok(0);
        };
        let all: Vec<std::ffi::OsString> = args.iter().map(|a| a.as_ref().to_owned()).collect();
        let mut judged = vec![std::ffi::OsString::from(format!("^{id}"))];
        judged.extend(all.iter().cloned());
        let count = |args: &[std::ffi::OsString]| -> Result<usize, Error> {
            match &self.backend {
                Backend::Libgit2(repo) => {
                    let mut n = 0;
                    for id in libgit2::RevWalk::new(repo, args)? {
                        id?;
                        n += 1;
                    }
                    Ok(n)
                }
                Backend::Git(repo) => {
                    let mut n = 0;
                    for id in repo.rev_list(args)? {
                        id?;
                        n += 1;
                    }
                    Ok(n)
                }
            }
        };
        Ok(count(&all)?.saturating_sub(count(&judged)?))
    }

    /// The commits a push would send that the remote does not have, as
    /// `git rev-list <tips> --not <known> --glob=refs/remotes/<remote>/*`
    /// lists them, judged like [`Repo::check`] at the `push` stage: `tips`
    /// are the local commits pushed, `known` what the remote's refs point
    /// at now (ids this repository does not have are ignored: nothing can
    /// be hidden behind them). Tags are peeled; ids that lead to no commit
    /// (a tag of a blob) are skipped.
    pub fn check_push(
        &self,
        policy: &Policy,
        classifier: &Classifier,
        tips: &[String],
        known: &[String],
        remote: &str,
        sink: impl FnMut(&CommitVerdict),
    ) -> Result<Summary, Error> {
        self.check_push_excluding(policy, classifier, tips, known, remote, &[], sink)
    }

    /// [`Repo::check_push`], with the remote-tracking refs matching
    /// `excludes` (git `--exclude` patterns) not counted as known: those of
    /// remote refs in a `warn` or `ignore` scope of the policy's `refs:`,
    /// whose commits were not judged as enforced ones.
    #[allow(clippy::too_many_arguments)]
    pub fn check_push_excluding(
        &self,
        policy: &Policy,
        classifier: &Classifier,
        tips: &[String],
        known: &[String],
        remote: &str,
        excludes: &[String],
        sink: impl FnMut(&CommitVerdict),
    ) -> Result<Summary, Error> {
        let peel = |hex: &String| self.peel_to_commit(hex).ok().flatten();
        let mut args: Vec<String> = tips.iter().filter_map(peel).collect();
        if args.is_empty() {
            // Nothing to walk (only tags of blobs, say).
            return Ok(Summary::default());
        }
        args.push("--not".into());
        args.extend(known.iter().filter_map(peel));
        if !remote.is_empty() {
            // `--exclude` applies to the next `--glob` only (revision.c).
            args.extend(excludes.iter().map(|e| format!("--exclude={e}")));
            args.push(format!("--glob=refs/remotes/{remote}/*"));
        }
        self.check(policy, classifier, Stage::Push, &args, sink)
    }

    /// Like [`Repo::check`], with every commit's changed paths computed
    /// whatever its verdict, handed to `sink` with the verdict and the
    /// author time (seconds, offset in minutes): `tiergate report`.
    pub fn check_with_paths<S: AsRef<OsStr>>(
        &self,
        policy: &Policy,
        classifier: &Classifier,
        stage: Stage,
        args: &[S],
        mut sink: impl FnMut(&CommitVerdict, &ChangedPaths, (i64, i32)),
    ) -> Result<Summary, Error> {
        let args = self.with_baseline(policy, args)?;
        let notes = self.notes(policy)?;
        match &self.backend {
            Backend::Libgit2(repo) => {
                let walk = libgit2::RevWalk::new(repo, &args)?;
                let unreadable = RefCell::new(None);
                let commits = shown::commits(repo, walk.commits(), &unreadable);
                let result = judging::check_commits_with_paths(
                    repo,
                    policy,
                    classifier,
                    stage,
                    notes,
                    commits,
                    |verdict, changed, when| {
                        sink(verdict, changed, when);
                        Ok(())
                    },
                );
                unreadable_first(result, unreadable)
            }
            Backend::Git(repo) => Ok(repo.check_revs_with_paths(
                policy,
                classifier,
                stage,
                notes,
                &args,
                |verdict, changed, when| {
                    sink(verdict, changed, when);
                    Ok(())
                },
            )?),
        }
    }

    /// For every commit `git rev-list <args>` lists, in its order, the
    /// tiers (indexes into the policy's, in policy order) its changed paths
    /// fall in: `tiergate classify --rev`.
    pub fn classify<S: AsRef<OsStr>>(
        &self,
        classifier: &Classifier,
        args: &[S],
        mut sink: impl FnMut(&str, &[usize]),
    ) -> Result<(), Error> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let walk = libgit2::RevWalk::new(repo, args)?;
                let commits = shown::grafted(repo, walk.commits());
                self.with_reopen(|reopen| {
                    judging::classify_walked(repo, reopen, classifier, commits, |id, tiers| {
                        sink(&id.to_string(), tiers);
                        Ok(())
                    })
                })?;
                Ok(())
            }
            Backend::Git(repo) => Ok(repo.classify_revs(classifier, args, |id, tiers| {
                sink(id, tiers);
                Ok(())
            })?),
        }
    }

    /// Call `visit` with the path of every file of the tree of the commit
    /// `rev` names (what `git ls-tree -r` lists), in git's tree order; the
    /// commit's id.
    pub fn for_each_tree_file(&self, rev: &str, visit: impl FnMut(&[u8])) -> Result<String, Error> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let id = libgit2::resolve_commit_id(repo, rev)?;
                let tree = tree::tree_at(repo, rev)?;
                tree::for_each_tree_file(repo, tree, visit)?;
                Ok(id.to_string())
            }
            Backend::Git(repo) => Ok(repo.for_each_tree_file(rev, visit)?),
        }
    }

    /// The paths the commit that `index_path` would make changes (a
    /// `commit-msg` hook): against `HEAD` (none on the first commit), and
    /// for a merge being concluded (`MERGE_HEAD`) only what differs from
    /// every parent; with `amend` against `HEAD`'s parents instead. As
    /// [`ChangedPaths`] of a stored commit would be.
    pub fn staged_paths(&self, index_path: &Path, amend: bool) -> Result<ChangedPaths, Error> {
        match &self.backend {
            Backend::Libgit2(repo) => {
                let parents = staged::pending_parents(repo, amend)?;
                Ok(staged::staged_paths(repo, index_path, &parents)?)
            }
            Backend::Git(repo) => Ok(repo.staged_paths(index_path, amend)?),
        }
    }
}

impl Repo {
    /// Run `work` with a way to open the repository again in worker
    /// threads (libgit2 repositories cannot be shared between threads; see
    /// [`parallel`]), or none for a server hook, which stays on one thread.
    fn with_reopen<T>(&self, work: impl FnOnce(Option<parallel::Reopen<'_>>) -> T) -> T {
        let dir = self.dir.clone();
        let reopen = move || libgit2::open(dir.as_deref());
        work((!self.server).then_some(&reopen as parallel::Reopen<'_>))
    }
}

/// An unreadable encoding met during a libgit2 walk ends it with an error
/// and is reported in `unreadable`: that is the error to return.
fn unreadable_first<T>(
    result: Result<T, CheckError>,
    unreadable: RefCell<Option<(git2::Oid, UnreadableEncoding)>>,
) -> Result<T, Error> {
    match (result, unreadable.into_inner()) {
        (Err(_), Some((id, source))) => Err(Error::Unreadable {
            id: id.to_string(),
            source,
        }),
        (result, _) => Ok(result?),
    }
}

fn shown_error(e: shown::Error) -> Error {
    match e {
        shown::Error::Git(e) => Error::Git(e),
        shown::Error::Unreadable { id, source } => Error::Unreadable {
            id: id.to_string(),
            source,
        },
    }
}

// Tests of the backends' internals against git itself (they drive real
// git in temporary directories).
#[cfg(test)]
mod tests;
