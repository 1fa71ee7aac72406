//! Opening a repository: its format read from its own configuration first,
//! then the backend that can read it, chosen once.
//!
//! git records a repository's format in the `[extensions]` section of the
//! common directory's `config` (git's `setup.c`,
//! `check_repository_format_gently`): `extensions.objectFormat = sha256`
//! for SHA-256 object ids, `extensions.refStorage = reftable` for the
//! reftable reference backend. The vendored libgit2 (1.9) reads neither,
//! so such a repository is read through git itself
//! ([`super::plumbing`]); every other one through libgit2.

use super::libgit2::{self as git, configure_libgit2};
use git2::{Repository, RepositoryOpenFlags};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// A repository's format, as its configuration declares it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Format {
    /// `extensions.objectFormat = sha256`.
    pub sha256: bool,
    /// `extensions.refStorage = reftable`.
    pub reftable: bool,
}

impl Format {
    /// What of this format libgit2 cannot read, in words (`None` for
    /// SHA-1 object ids and files references).
    pub fn unsupported_by_libgit2(&self) -> Option<&'static str> {
        if self.sha256 {
            Some("SHA-256 object ids")
        } else if self.reftable {
            Some("reftable references")
        } else {
            None
        }
    }
}

/// The format declared by the `config` of the git directory `git_dir`
/// (its common directory's, for a linked worktree: git's `commondir`
/// file). Unreadable or missing settings mean git's defaults.
pub fn format_of(git_dir: &Path) -> Format {
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(text) => {
            let dir = PathBuf::from(text.trim_end_matches(['\n', '\r']));
            if dir.is_relative() {
                git_dir.join(dir)
            } else {
                dir
            }
        }
        Err(_) => git_dir.to_path_buf(),
    };
    let Ok(config) = git2::Config::open(&common.join("config")) else {
        return Format::default();
    };
    let value = |key: &str| config.get_string(key).ok().map(|v| v.to_ascii_lowercase());
    Format {
        sha256: value("extensions.objectformat").as_deref() == Some("sha256"),
        reftable: value("extensions.refstorage").as_deref() == Some("reftable"),
    }
}

/// The git directory of the repository `dir` names (searching upwards like
/// git), or with no `dir` the one `GIT_DIR` names, else the one around the
/// current directory (bounded by `GIT_CEILING_DIRECTORIES`). Discovery
/// only looks for a git directory; it reads no extension.
pub(crate) fn discover_git_dir(dir: Option<&Path>, search: bool) -> Option<PathBuf> {
    if let Some(dir) = dir {
        return Repository::discover_path(dir, std::iter::empty::<&OsStr>()).ok();
    }
    if let Some(dir) = std::env::var_os("GIT_DIR") {
        return Some(PathBuf::from(dir));
    }
    if !search {
        return None;
    }
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    Repository::discover_path(".", ceilings).ok()
}

/// Open a repository for a server hook: `dir`, else `GIT_DIR` (git sets it
/// for hooks; not searched upwards), else the current directory. libgit2's
/// own environment handling is not used: it does not unquote the C-quoted
/// entries git writes into `GIT_ALTERNATE_OBJECT_DIRECTORIES`. The
/// quarantine (`GIT_OBJECT_DIRECTORY`) and the alternates are added to the
/// object database by hand.
///
/// The owner check is off: a server runs hooks as its own user in
/// repositories owned by another (git, a forge account), and git itself
/// has already decided to serve the repository before it runs the hook.
pub(crate) fn open_server_libgit2(dir: Option<&Path>) -> Result<Repository, git::Error> {
    configure_libgit2();
    // SAFETY: `set_verify_owner_validation` changes a process-global
    // libgit2 option and is unsafe because it races with other threads
    // using libgit2; the hook is single-threaded and sets it before opening
    // any repository.
    unsafe { git2::opts::set_verify_owner_validation(false) }.map_err(|source| {
        git::Error::Git {
            context: "cannot configure libgit2".into(),
            source,
        }
    })?;
    let open = |dir: &Path, flags: RepositoryOpenFlags| {
        Repository::open_ext(dir, flags, std::iter::empty::<&OsStr>()).map_err(|source| {
            git::Error::Git {
                context: format!("cannot open the repository {}", dir.display()),
                source,
            }
        })
    };
    let repo = match (dir, std::env::var_os("GIT_DIR")) {
        (Some(dir), _) => open(dir, RepositoryOpenFlags::empty())?,
        (None, Some(dir)) => open(Path::new(&dir), RepositoryOpenFlags::NO_SEARCH)?,
        (None, None) => open(Path::new("."), RepositoryOpenFlags::empty())?,
    };
    let mut alternates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("GIT_OBJECT_DIRECTORY") {
        alternates.push(PathBuf::from(dir));
    }
    if let Some(list) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        alternates.extend(crate::server::split_path_list(list.as_encoded_bytes()));
    }
    if !alternates.is_empty() {
        let odb = repo.odb().map_err(|source| git::Error::Git {
            context: "cannot open the object database".into(),
            source,
        })?;
        for dir in &alternates {
            let Some(text) = dir.to_str() else {
                return Err(git::Error::Object(format!(
                    "object directory {} is not valid UTF-8",
                    dir.display()
                )));
            };
            odb.add_disk_alternate(text)
                .map_err(|source| git::Error::Git {
                    context: format!("cannot add object directory {text}"),
                    source,
                })?;
        }
        tracing::debug!(?alternates, "quarantine object directories");
    }
    Ok(repo)
}
