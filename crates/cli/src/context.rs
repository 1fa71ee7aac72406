//! What every command needs from its surroundings: the repository and the
//! policy, found the same way for every entry point.

use crate::Global;
use tiergate_core::policy::{self, Policy};

/// The policy tiergate uses for `global` (DESIGN.md "Command line"):
/// `--policy FILE`, else git config `tiergate.policy`, else `policy.yaml` at
/// the top of the working tree, else the `policy.yaml` blob at HEAD (bare
/// repositories).
///
/// TODO: discovery through the repository; for now `--policy` or
/// `./policy.yaml`.
pub fn policy_for(global: &Global) -> anyhow::Result<Policy> {
    let path = global
        .policy
        .clone()
        .unwrap_or_else(|| "policy.yaml".into());
    Ok(policy::load_file(&path)?)
}
