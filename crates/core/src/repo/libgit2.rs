//! Git access through libgit2: the backend for SHA-1 repositories with
//! files references, and the glue between libgit2 and the pure readers.
//!
//! It gathers plain data for the rule engine and decides nothing:
//! - [`open`] a repository as git would (honouring `GIT_DIR`,
//!   `GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`), bare or not;
//! - [`RevWalk`] turns `git rev-list` style arguments into a stream of
//!   commit ids (never the whole history in memory);
//! - [`commit_facts`] reads a commit's message and identities as stored
//!   (parsed by [`crate::repo::commit`]);
//! - [`crate::repo::diff::changed_paths`] lists the paths a commit
//!   changes; [`crate::repo::staged`] the paths a `commit-msg` hook's
//!   index changes; [`crate::repo::tree`] lists a whole tree.

use super::changed::{TooDeep, MAX_TREE_DEPTH};
use super::commit::{commit_facts_from_raw, CommitInfo};
use git2::{Oid, Repository};
use std::ffi::OsStr;
use std::path::Path;

/// A git or repository I/O error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// libgit2 reported an error.
    // The libgit2 message is the `source`, shown once by whoever renders
    // the chain (the CLI's `Caused by:`).
    #[error("{context}")]
    Git {
        /// What we were doing.
        context: String,
        /// The libgit2 error.
        source: git2::Error,
    },
    /// An object is missing or has the wrong type.
    #[error("{0}")]
    Object(String),
    /// The walk (`git rev-list`) failed.
    #[error(transparent)]
    Walk(crate::repo::walk::Error),
    /// A tree nested deeper than git's `core.maxTreeDepth` default (see
    /// [`MAX_TREE_DEPTH`]), met while listing a whole tree.
    #[error(
        "tree {} is nested {} levels deep, deeper than git's core.maxTreeDepth ({MAX_TREE_DEPTH})",
        crate::rules::abbreviated(&.0.prefix),
        .0.depth
    )]
    TreeTooDeep(TooDeep),
}

/// A revision argument tiergate cannot use (exit code 2, like a usage error).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RevisionError {
    /// What is wrong, naming the argument.
    pub message: String,
}

pub(super) fn git_err(context: impl Into<String>) -> impl FnOnce(git2::Error) -> Error {
    let context = context.into();
    move |source| Error::Git { context, source }
}

/// Open the repository at `dir` (searching upwards like git), or, with no
/// `dir`, the one git's environment names (`GIT_DIR`, ...) or the one
/// around the current directory.
///
/// Replace refs (`refs/replace/<id>`, `git replace`) are not followed:
/// libgit2 does not implement them (the vendored 1.9 has no code that
/// reads `refs/replace/`; libgit2 issue #1730 "Support git-replace" is
/// open, and git2-rs #1081 shows `git replace --edit` ignored), so every
/// object is read as stored, as git does with `GIT_NO_REPLACE_OBJECTS=1`,
/// which [`crate::repo::plumbing`] sets for every git command it runs.
pub fn open(dir: Option<&Path>) -> Result<Repository, Error> {
    configure_libgit2();
    match dir {
        Some(dir) => Repository::open_ext(
            dir,
            git2::RepositoryOpenFlags::empty(),
            std::iter::empty::<&OsStr>(),
        )
        .map_err(git_err(format!("cannot open repository {}", dir.display()))),
        None => Repository::open_from_env().map_err(git_err("cannot find a git repository")),
    }
}

/// Read the message (as stored) and identities of `id`.
pub fn commit_facts(repo: &Repository, id: Oid) -> Result<CommitInfo, Error> {
    let odb = odb_of(repo)?;
    let raw = read_object(&odb, id, git2::ObjectType::Commit)?;
    Ok(commit_facts_from_raw(raw.data()))
}

/// Process-wide libgit2 settings for reading a history in bulk, applied
/// once by [`open`] (and by anything else that opens a repository for
/// tiergate, such as the server hook):
/// - no SHA-1 verification of every object read: git does not do it either
///   when reading, and it cost ~7% of a history walk;
/// - no object cache: every commit and tree is read once, so the cache only
///   grew memory (hundreds of MiB on a 100,000-commit history).
///
/// Pack files stay mapped in libgit2's default (large) windows: smaller
/// windows bounded RSS (84 instead of 136 MiB on a 100,000-commit
/// history) but cost more system time in page faults than the whole walk
/// took in user time. The mapped pages are clean page cache shared with
/// git; the heap itself stays around 20 MiB (BENCHMARKS.md).
pub fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
        // Pack windows: at most 32 MiB mapped, in 8 MiB windows. libgit2's
        // defaults (8 GiB in 1 GiB windows on 64-bit) keep every page of a
        // pack that a walk touched resident: 80 MiB on git.git's 496 MiB
        // pack for `check`, against 53 MiB with these limits and no
        // measurable cost in time (BENCHMARKS.md).
        // SAFETY: called once, before any repository is opened (inside
        // this `Once`, which every opening path goes through), so no other
        // thread uses libgit2's window settings yet.
        unsafe {
            let _ = git2::opts::set_mwindow_mapped_limit(32 << 20);
            let _ = git2::opts::set_mwindow_size(8 << 20);
        }
    });
}

pub(super) fn odb_of(repo: &Repository) -> Result<git2::Odb<'_>, Error> {
    repo.odb()
        .map_err(git_err("cannot open the object database"))
}

/// Read an object's raw contents, checking its type.
pub(super) fn read_object<'o>(
    odb: &'o git2::Odb<'_>,
    id: Oid,
    kind: git2::ObjectType,
) -> Result<git2::OdbObject<'o>, Error> {
    let object = odb
        .read(id)
        .map_err(git_err(format!("cannot read {kind} {id}")))?;
    if object.kind() != kind {
        return Err(Error::Object(format!(
            "object {id} is a {}, not a {kind}",
            object.kind()
        )));
    }
    Ok(object)
}

/// A stream of commit ids selected by `git rev-list` arguments, computed
/// by git itself ([`crate::repo::walk`]): exactly the commits `git rev-list
/// ARGS` lists, in its order, streamed. Revisions are anything git
/// understands; options are those that select or order commits
/// ([`crate::repo::walk::check_args`]); anything else is refused with a clear
/// error rather than silently ignored.
pub struct RevWalk<'r> {
    list: crate::repo::walk::RevList,
    _repo: std::marker::PhantomData<&'r Repository>,
}

/// A commit a walk produced: its id, and its raw contents when the walk
/// already read them.
#[derive(Debug, Clone)]
pub struct WalkedCommit {
    /// The commit id.
    pub id: Oid,
    /// The raw commit object (headers, blank line, message), if read.
    pub raw: Option<Vec<u8>>,
}

/// `git` run on `repo`'s git directory (the environment, a pre-receive
/// hook's quarantine included, is inherited).
pub fn git_command(repo: &Repository) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    cmd.arg("--git-dir").arg(repo.path());
    cmd
}

impl From<crate::repo::walk::Error> for RangeError {
    fn from(e: crate::repo::walk::Error) -> RangeError {
        match e {
            crate::repo::walk::Error::Revision(message) => revision(message),
            other => RangeError::Git(Error::Walk(other)),
        }
    }
}

impl<'r> RevWalk<'r> {
    /// Set up a walk over `args`.
    pub fn new<S: AsRef<OsStr>>(repo: &'r Repository, args: &[S]) -> Result<Self, RangeError> {
        crate::repo::walk::check_args(args)?;
        let list = crate::repo::walk::RevList::start(git_command(repo), args)?;
        Ok(RevWalk {
            list,
            _repo: std::marker::PhantomData,
        })
    }

    /// The walk's commits (not read yet: the judge reads each once).
    pub fn commits(self) -> impl Iterator<Item = Result<WalkedCommit, Error>> + 'r {
        self.map(|id| id.map(|id| WalkedCommit { id, raw: None }))
    }
}

impl Iterator for RevWalk<'_> {
    type Item = Result<Oid, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.list.next().map(|r| {
            let hex = r.map_err(Error::Walk)?;
            Oid::from_str(&hex).map_err(|_| {
                Error::Object(format!("git rev-list printed {hex:?}, not a commit id"))
            })
        })
    }
}

/// Why a rev-list argument could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RangeError {
    /// The argument is bad (exit 2).
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// The repository could not be read (exit 3).
    #[error(transparent)]
    Git(#[from] Error),
}

fn revision(message: String) -> RangeError {
    RangeError::Revision(RevisionError { message })
}

/// The commit `rev` names (anything `git rev-parse` takes), peeled.
pub fn resolve_commit_id(repo: &Repository, rev: &str) -> Result<Oid, RangeError> {
    Ok(resolve_commit(repo, rev)?.id())
}

pub(super) fn resolve_commit<'r>(
    repo: &'r Repository,
    rev: &str,
) -> Result<git2::Commit<'r>, RangeError> {
    let object = repo
        .revparse_single(rev)
        .map_err(|e| revision(format!("bad revision '{rev}': {}", e.message())))?;
    object
        .peel_to_commit()
        .map_err(|_| revision(format!("revision '{rev}' does not name a commit")))
}

// --- references and configuration ---

/// The commit `hex` leads to (a commit, or a tag chain ending at one), or
/// `None` when it leads to no commit (a tag of a tree or a blob). A missing
/// object is an error.
pub fn peel_to_commit(repo: &Repository, hex: &str) -> Result<Option<String>, Error> {
    let id = Oid::from_str(hex).map_err(git_err(format!("bad object id {hex:?}")))?;
    let object = repo
        .find_object(id, None)
        .map_err(git_err(format!("cannot read object {hex}")))?;
    match object.peel(git2::ObjectType::Commit) {
        Ok(commit) => Ok(Some(commit.id().to_string())),
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::InvalidSpec | git2::ErrorCode::Peel
            ) =>
        {
            Ok(None)
        }
        Err(e) => {
            // Peeling a tag to a non-commit reports a generic error; only a
            // missing target is fatal.
            let mut target = object;
            while let Some(tag) = target.as_tag() {
                target = repo
                    .find_object(tag.target_id(), None)
                    .map_err(git_err(format!("cannot read object {}", tag.target_id())))?;
            }
            if target.kind() == Some(git2::ObjectType::Commit) {
                Err(git_err(format!("cannot peel {hex} to a commit"))(e))
            } else {
                Ok(None)
            }
        }
    }
}

/// The file `path` of the tree at `HEAD`.
pub fn head_file(repo: &Repository, path: &str) -> Result<Vec<u8>, super::HeadFileError> {
    use super::HeadFileError;
    let head = repo
        .head()
        .map_err(|e| HeadFileError::Unborn(e.message().to_owned()))?;
    let tree = head.peel_to_tree().map_err(|e| {
        HeadFileError::Unreadable(git_err("cannot read the tree at HEAD")(e).into())
    })?;
    let entry = tree
        .get_path(Path::new(path))
        .map_err(|e| HeadFileError::Missing(e.message().to_owned()))?;
    let blob = entry
        .to_object(repo)
        .and_then(|o| o.peel_to_blob())
        .map_err(|e| {
            HeadFileError::Unreadable(git_err(format!("cannot read HEAD:{path}"))(e).into())
        })?;
    Ok(blob.content().to_vec())
}

/// The configured remotes with their URLs (fetch, then push).
pub fn remotes(repo: &Repository) -> Vec<(String, Vec<String>)> {
    let Ok(names) = repo.remotes() else {
        return Vec::new();
    };
    names
        .iter()
        .flatten()
        .flatten()
        .filter_map(|name| {
            let remote = repo.find_remote(name).ok()?;
            let urls = [remote.url().ok(), remote.pushurl().ok().flatten()]
                .into_iter()
                .flatten()
                .map(str::to_owned)
                .collect();
            Some((name.to_owned(), urls))
        })
        .collect()
}
