//! What every command needs from its surroundings: the repository and the
//! policy, found the same way for every entry point.

use crate::exit::usage;
use crate::Global;
use anyhow::Context as _;
use git2::Repository;
use std::path::{Path, PathBuf};
use tiergate_core::classify::Classifier;
use tiergate_core::git;
use tiergate_core::policy::{self, Policy};

/// The conventional policy location at the top of a repository.
pub const DEFAULT_POLICY: &str = "policy.yaml";

/// A loaded policy and where it lives.
pub struct LoadedPolicy {
    /// The policy.
    pub policy: Policy,
    /// The policy file's path relative to the repository top, when it is
    /// part of the repository; always classified in the strictest tier.
    pub repo_path: Option<Vec<u8>>,
}

impl LoadedPolicy {
    /// The classifier for this policy.
    pub fn classifier(&self) -> anyhow::Result<Classifier> {
        Ok(Classifier::new(&self.policy, self.repo_path.as_deref())?)
    }
}

/// Open the repository `--repo` names, or the one git's environment or the
/// current directory gives.
pub fn open_repo(global: &Global) -> anyhow::Result<Repository> {
    Ok(git::open(global.repo.as_deref())?)
}

/// The policy tiergate uses for `global` (DESIGN.md "Command line"), for
/// `tiergate policy validate` without a file.
pub fn policy_for(global: &Global) -> anyhow::Result<Policy> {
    let repo = open_repo(global).ok();
    Ok(load_policy(global, repo.as_ref())?.policy)
}

/// Find and load the policy, in this order:
/// 1. `--policy FILE` (relative to the current directory);
/// 2. git config `tiergate.policy` (a relative path is taken from the top
///    of the working tree, or from the git directory of a bare repository);
/// 3. `policy.yaml` at the top of the working tree;
/// 4. the `policy.yaml` blob at HEAD, for bare repositories.
pub fn load_policy(global: &Global, repo: Option<&Repository>) -> anyhow::Result<LoadedPolicy> {
    if let Some(path) = &global.policy {
        return load_path(path, repo);
    }
    let Some(repo) = repo else {
        return Err(usage(
            "no policy given and not in a git repository",
            Some(
                "Pass `--policy FILE`, or run tiergate inside a repository that has a policy.yaml.",
            ),
        ));
    };
    let top = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
    let config = repo.config().context("cannot read git config")?;
    if let Ok(configured) = config.get_path("tiergate.policy") {
        let path = if configured.is_relative() {
            top.join(configured)
        } else {
            configured
        };
        return load_path(&path, Some(repo));
    }
    if let Some(workdir) = repo.workdir() {
        let path = workdir.join(DEFAULT_POLICY);
        if path.exists() {
            return load_path(&path, Some(repo));
        }
        return Err(usage(
            format!("no policy: {} does not exist", path.display()),
            Some("Run `tiergate policy init --output policy.yaml` to start one, or pass `--policy FILE`."),
        ));
    }
    // Bare repository: the policy committed at HEAD.
    let spec = format!("HEAD:{DEFAULT_POLICY}");
    let blob = repo
        .revparse_single(&spec)
        .ok()
        .and_then(|o| o.peel_to_blob().ok())
        .ok_or_else(|| {
            usage(
                format!("no policy: the bare repository has no {spec}"),
                Some("Pass `--policy FILE`, or set it with `git config tiergate.policy FILE`."),
            )
        })?;
    let policy = policy::from_yaml(blob.content(), &spec)?;
    Ok(LoadedPolicy {
        policy,
        repo_path: Some(DEFAULT_POLICY.as_bytes().to_vec()),
    })
}

fn load_path(path: &Path, repo: Option<&Repository>) -> anyhow::Result<LoadedPolicy> {
    let policy = policy::load_file(path)?;
    let repo_path = repo
        .and_then(|r| r.workdir())
        .and_then(|top| relative_to(path, top))
        // A policy kept outside the repository (a server's config, say)
        // still protects the conventional location, which contributors'
        // clones read.
        .or_else(|| Some(DEFAULT_POLICY.as_bytes().to_vec()));
    Ok(LoadedPolicy { policy, repo_path })
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
