//! The repository layer: the one way tiergate reads a repository.
//!
//! Every entry point (the commands, the client hooks, the server hook)
//! opens a repository here and reads it only through this module: commits
//! as git shows them, their changed paths, configuration, the policy.
//! Judging stays in [`crate::check::judge`], which never sees a repository.

pub mod judging;
pub mod libgit2;
pub mod object;
pub mod parallel;
pub mod plumbing;
pub mod policy_blob;
pub mod shown;
pub mod walk;
