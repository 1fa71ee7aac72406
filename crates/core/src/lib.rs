//! # tiergate-core
//!
//! Everything in tiergate that *decides*, and the one layer that reads git.
//! The modules, from the bottom up (each imports only those above it in
//! this list; no import circles):
//!
//! - [`stage`]: where in the workflow a commit is judged (commit, push,
//!   receive, apply, ci).
//! - [`policy`]: `policy.yaml` loaded, validated with diagnostics at the
//!   line, its globs compiled; [`policy::lint`] against a tree.
//! - [`message`]: commit messages as git reads them: trailers (a port of
//!   git's `trailer.c`), cleanup, encodings, declaring a tool's use.
//! - [`classify`]: which tier a path is in; the tree's boundary map and
//!   the `#include` graph.
//! - [`rules`]: the rule engine: a commit's facts in, violations out; the
//!   rule codes, AI markers (the signature database), fixes as data.
//! - [`judge`]: the one judging entry every command and hook calls.
//! - [`input`]: what hooks, mail and MAINTAINERS files hand tiergate,
//!   parsed into plain data.
//! - [`output`]: verdicts rendered (human, JSON, SARIF, JUnit) and
//!   aggregated for `tiergate report`.
//! - [`server`]: the pre-receive hook's inputs, its decision as a pure
//!   function, and its audit record.
//! - [`repo`]: the repository layer: the only module that touches git
//!   (libgit2, and git plumbing for SHA-256 and reftable repositories).
//!
//! Decisions are pure functions over plain data: a commit's message,
//! identities and changed paths go in, a list of [`rules::Violation`]s comes
//! out. Only [`repo`] touches a repository, and it only gathers that data.
#![deny(missing_docs)]

pub mod classify;
pub mod input;
pub mod judge;
pub mod message;
pub mod output;
pub mod policy;
pub mod repo;
pub mod rules;
pub mod server;
pub mod stage;
