//! Finding the policy: the one place that decides which `policy.yaml` a
//! command or a hook uses (DESIGN.md "Command line").
//!
//! In this order:
//! 1. an explicit file (`--policy FILE`, relative to the current directory);
//! 2. git config `tiergate.policy` (a relative path is taken from the top of
//!    the working tree, or from the git directory of a bare repository);
//! 3. `policy.yaml` at the top of the working tree;
//! 4. the `policy.yaml` blob at `HEAD`, for bare repositories.
//!
//! The CLI (`tiergate check`, ...) and the client hooks (`commit-msg`,
//! `pre-push`, `applypatch-msg`) all come here through
//! [`super::Repo::find_policy`], whichever backend reads the repository,
//! so they always agree on the policy.

use crate::classify::{self, Classifier};
use crate::policy::{self, LoadError, Policy};
use std::path::{Path, PathBuf};

/// The conventional policy location at the top of a repository.
pub const DEFAULT_POLICY: &str = "policy.yaml";

/// A loaded policy and where it lives.
#[derive(Debug, Clone)]
pub struct Found {
    /// The policy.
    pub policy: Policy,
    /// The policy file's path relative to the repository top, when it is
    /// part of the repository; always classified in the strictest tier.
    pub repo_path: Option<Vec<u8>>,
}

impl Found {
    /// The classifier for this policy.
    pub fn classifier(&self) -> Result<Classifier, classify::Error> {
        Classifier::new(&self.policy, self.repo_path.as_deref())
    }
}

/// Why no policy could be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// There is no policy where one was looked for (a usage error: exit 2).
    #[error("{message}")]
    NotFound {
        /// What is missing.
        message: String,
        /// How to fix it, an imperative sentence.
        hint: String,
    },
    /// The policy exists but does not load (exit 2).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The repository's configuration could not be read (exit 3).
    #[error("cannot read git config: {0}")]
    Config(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Where a repository keeps what the policy search reads (see
/// [`super::Repo::find_policy`], which fills it for either backend).
pub struct Location<'a> {
    /// The top of the working tree (`None` for a bare repository).
    pub workdir: Option<PathBuf>,
    /// The git directory.
    pub git_dir: PathBuf,
    /// git config `tiergate.policy`, as a path.
    pub configured: Option<PathBuf>,
    /// The `policy.yaml` blob at `HEAD`, read only for a bare repository.
    pub head_blob: &'a dyn Fn() -> Option<Vec<u8>>,
}

/// Find and load the policy (see the module docs for the order).
/// `explicit` is `--policy FILE`; `repo` the repository worked on, if any.
pub fn find_policy(explicit: Option<&Path>, repo: Option<Location<'_>>) -> Result<Found, Error> {
    find_policy_with(explicit, repo, policy::Matchers::Checked)
}

/// [`find_policy`], with the policy's pattern matchers checked while
/// loading or left to [`Found::classifier`] (see [`policy::Matchers`]).
pub fn find_policy_with(
    explicit: Option<&Path>,
    repo: Option<Location<'_>>,
    matchers: policy::Matchers,
) -> Result<Found, Error> {
    let workdir = repo.as_ref().and_then(|r| r.workdir.clone());
    if let Some(path) = explicit {
        return load_path(path, workdir.as_deref(), matchers);
    }
    let Some(repo) = repo else {
        return Err(Error::NotFound {
            message: "no policy given and not in a git repository".into(),
            hint:
                "Pass `--policy FILE`, or run tiergate inside a repository that has a policy.yaml."
                    .into(),
        });
    };
    let top = workdir.clone().unwrap_or_else(|| repo.git_dir.clone());
    if let Some(configured) = repo.configured {
        let path = if configured.is_relative() {
            top.join(configured)
        } else {
            configured
        };
        return load_path(&path, workdir.as_deref(), matchers);
    }
    if let Some(workdir) = &workdir {
        let path = workdir.join(DEFAULT_POLICY);
        if path.exists() {
            return load_path(&path, Some(workdir), matchers);
        }
        return Err(Error::NotFound {
            message: format!("no policy: {} does not exist", path.display()),
            hint: "Run `tiergate policy init --output policy.yaml` to start one, or pass `--policy FILE`."
                .into(),
        });
    }
    // Bare repository: the policy committed at HEAD.
    let spec = format!("HEAD:{DEFAULT_POLICY}");
    let blob = (repo.head_blob)().ok_or_else(|| Error::NotFound {
        message: format!("no policy: the bare repository has no {spec}"),
        hint: "Pass `--policy FILE`, or set it with `git config tiergate.policy FILE`.".into(),
    })?;
    let policy = policy::from_yaml_with(&blob, &spec, matchers)?;
    Ok(Found {
        policy,
        repo_path: Some(DEFAULT_POLICY.as_bytes().to_vec()),
    })
}

fn load_path(
    path: &Path,
    workdir: Option<&Path>,
    matchers: policy::Matchers,
) -> Result<Found, Error> {
    let policy = policy::load_file_with(path, matchers)?;
    let repo_path = workdir
        .and_then(|top| relative_to(path, top))
        // A policy kept outside the repository (a server's config, say)
        // still protects the conventional location, which contributors'
        // clones read.
        .or_else(|| Some(DEFAULT_POLICY.as_bytes().to_vec()));
    Ok(Found { policy, repo_path })
}

/// `path` relative to `top` as a `/`-separated byte string, if inside.
fn relative_to(path: &Path, top: &Path) -> Option<Vec<u8>> {
    let path = std::fs::canonicalize(path).ok()?;
    let top = std::fs::canonicalize(top).ok()?;
    let rel: PathBuf = path.strip_prefix(&top).ok()?.to_path_buf();
    let parts: Vec<Vec<u8>> = rel
        .components()
        .map(|c| c.as_os_str().as_encoded_bytes().to_vec())
        .collect();
    Some(parts.join(&b'/'))
}
