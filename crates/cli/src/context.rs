//! What every command needs from its surroundings: the repository and the
//! policy, found the same way for every entry point, through the
//! repository layer ([`tiergate_core::repo`]).

use crate::exit::usage;
use crate::Global;
use tiergate_core::classify::Classifier;
use tiergate_core::policy::Policy;
use tiergate_core::repo::{self, policy_blob, Repo};

/// A loaded policy and where it lives.
pub struct LoadedPolicy {
    /// The policy.
    pub policy: Policy,
    /// The policy file's path relative to the repository top, when it is
    /// part of the repository; always classified in the strictest tier.
    pub repo_path: Option<Vec<u8>>,
}

impl LoadedPolicy {
    /// The classifier for this policy, from its patterns alone (what
    /// `tiergate boundary` starts from).
    pub fn classifier(&self) -> anyhow::Result<Classifier> {
        Ok(Classifier::new(&self.policy, self.repo_path.as_deref())?)
    }

    /// The classifier commands judge with, built as the hooks and
    /// pre-receive build it ([`Repo::classifier`]): with `follow_includes`,
    /// the files only a tier's code includes at HEAD are in that tier.
    pub fn classifier_in(&self, repo: &Repo) -> anyhow::Result<Classifier> {
        repo.classifier(&self.policy, self.repo_path.as_deref())
            .map_err(|e| match e {
                repo::ClassifierError::Pattern(e) => e.into(),
                repo::ClassifierError::Includes(source) => repo_error(source, None)
                    .context("cannot read the #include directives of HEAD (follow_includes)"),
                other => other.into(),
            })
    }

    /// [`LoadedPolicy::classifier_in`] when there is a repository, else
    /// the patterns alone (no tree to follow includes in).
    pub fn classifier_around(&self, repo: Option<&Repo>) -> anyhow::Result<Classifier> {
        match repo {
            Some(repo) => self.classifier_in(repo),
            None => self.classifier(),
        }
    }
}

/// Open the repository `--repo` names, or the one git's environment or the
/// current directory gives, with the backend that reads its format.
pub fn open_repo(global: &Global) -> anyhow::Result<Repo> {
    Repo::open(global.repo.as_deref()).map_err(|e| repo_error(e, None))
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
///
/// The search itself is [`tiergate_core::repo::policy_blob::find_policy`],
/// shared with the hook binaries.
pub fn load_policy(global: &Global, repo: Option<&Repo>) -> anyhow::Result<LoadedPolicy> {
    let found = match repo {
        Some(repo) => repo.find_policy(global.policy.as_deref()),
        None => policy_blob::find_policy(global.policy.as_deref(), None),
    };
    match found {
        Ok(found) => Ok(LoadedPolicy {
            policy: found.policy,
            repo_path: found.repo_path,
        }),
        Err(e) => Err(policy_error(e)),
    }
}

/// The policy as [`load_policy`] finds it, or `None` when there is none to
/// find (no `--policy`, no `tiergate.policy`, no `policy.yaml`); an invalid
/// policy is an error.
pub fn find_policy(global: &Global) -> anyhow::Result<Option<Policy>> {
    let repo = open_repo(global).ok();
    let found = match &repo {
        Some(repo) => repo.find_policy(global.policy.as_deref()),
        None => policy_blob::find_policy(global.policy.as_deref(), None),
    };
    match found {
        Ok(found) => Ok(Some(found.policy)),
        Err(policy_blob::Error::NotFound { .. }) if global.policy.is_none() => Ok(None),
        Err(e) => Err(policy_error(e)),
    }
}

fn policy_error(e: policy_blob::Error) -> anyhow::Error {
    match e {
        policy_blob::Error::NotFound { message, hint } => usage(message, Some(&hint)),
        policy_blob::Error::Load(e) => e.into(),
        policy_blob::Error::Config(e) => {
            anyhow::Error::from_boxed(e).context("cannot read git config")
        }
        e => e.into(),
    }
}

/// The hint for a revision that names no commit, where a command reads a
/// tree (`classify --tree`, `policy lint --rev`, `boundary --rev`).
pub const COMMIT_HINT: &str = "Name a commit: `HEAD`, a branch, a tag or a commit id.";

/// Open the repository and load its policy.
pub fn open_with_policy(global: &Global) -> anyhow::Result<(Repo, LoadedPolicy)> {
    let repo = open_repo(global)?;
    let loaded = load_policy(global, Some(&repo))?;
    Ok((repo, loaded))
}

/// A repository error as the CLI reports it: a bad revision (with `hint`)
/// or a missing or invalid policy is a usage error (exit 2), anything else
/// exit 3.
pub fn repo_error(e: repo::Error, hint: Option<&str>) -> anyhow::Error {
    match e {
        repo::Error::Revision(message) => usage(message, hint),
        repo::Error::Policy(e) => policy_error(e),
        // Unwrapped, so that the exit code's hints see the backend's error.
        repo::Error::Git(e) => e.into(),
        other => other.into(),
    }
}
