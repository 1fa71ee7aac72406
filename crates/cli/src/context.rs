//! What every command needs from its surroundings: the repository and the
//! policy, found the same way for every entry point.

use crate::exit::usage;
use crate::Global;
use git2::Repository;
use tiergate_core::classify::Classifier;
use tiergate_core::policy::Policy;
use tiergate_core::{discover, git};

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

/// [`open_repo`] with core's error type, for worker threads that open the
/// repository again (see `tiergate_core::parallel`).
pub fn open_repo_plain(global: &Global) -> Result<Repository, git::Error> {
    git::open(global.repo.as_deref())
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
/// The search itself is [`tiergate_core::discover::find_policy`], shared
/// with the hook binaries.
pub fn load_policy(global: &Global, repo: Option<&Repository>) -> anyhow::Result<LoadedPolicy> {
    match discover::find_policy(global.policy.as_deref(), repo) {
        Ok(found) => Ok(LoadedPolicy {
            policy: found.policy,
            repo_path: found.repo_path,
        }),
        Err(discover::Error::NotFound { message, hint }) => Err(usage(message, Some(&hint))),
        Err(discover::Error::Load(e)) => Err(e.into()),
        Err(discover::Error::Config(e)) => {
            Err(anyhow::Error::new(e).context("cannot read git config"))
        }
        Err(e) => Err(e.into()),
    }
}

/// A repository as a command reads it: through libgit2, or, for a format
/// libgit2 cannot open (SHA-256, reftable), through git plumbing
/// ([`tiergate_core::plumbing`]), as `tiergate check` does.
pub enum Opened {
    /// Opened by libgit2.
    Libgit2(Repository),
    /// Read through the `git` command.
    Plumbing(tiergate_core::plumbing::Repo),
}

/// Open the repository and load its policy, falling back to git plumbing
/// (policy discovery included) when libgit2 refuses the repository's
/// format.
pub fn open_with_fallback(global: &Global) -> anyhow::Result<(Opened, LoadedPolicy)> {
    use tiergate_core::plumbing;
    match open_repo_plain(global) {
        Ok(repo) => {
            let loaded = load_policy(global, Some(&repo))?;
            Ok((Opened::Libgit2(repo), loaded))
        }
        Err(e) => {
            let Some(format) = plumbing::unsupported_format_of(&e) else {
                return Err(e.into());
            };
            tracing::debug!(format, "libgit2 cannot open the repository: git plumbing");
            let repo = plumbing::Repo::new(global.repo.as_deref());
            let found = repo
                .find_policy(global.policy.as_deref())
                .map_err(|e| plumbing_error(e, None))?;
            let loaded = LoadedPolicy {
                policy: found.policy,
                repo_path: found.repo_path,
            };
            Ok((Opened::Plumbing(repo), loaded))
        }
    }
}

/// A plumbing error as the CLI reports it: a bad revision (with `hint`)
/// or a missing or invalid policy is a usage error (exit 2), anything else
/// exit 3.
pub fn plumbing_error(e: tiergate_core::plumbing::Error, hint: Option<&str>) -> anyhow::Error {
    use tiergate_core::plumbing::Error;
    match e {
        Error::Revision(message) => usage(message, hint),
        Error::Policy(discover::Error::NotFound { message, hint }) => usage(message, Some(&hint)),
        Error::Policy(discover::Error::Load(e)) => e.into(),
        other => anyhow::Error::new(other)
            .context("cannot read the repository through git (libgit2 cannot open it)"),
    }
}
