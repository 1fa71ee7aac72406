//! # tiergate-core
//!
//! Everything in tiergate that *decides*: policy loading and validation
//! ([`policy`]), path classification into tiers ([`classify`]), a trailer
//! parser that agrees with git byte for byte ([`trailer`]), commit message
//! cleanup as `git commit --cleanup` does it ([`message`]), the rule engine
//! ([`rules`]), reading commits and their changed paths from a repository
//! ([`git`]) and rendering verdicts ([`report`]).
//!
//! Decisions are pure functions over plain data: a commit's message,
//! identities and changed paths go in, a list of [`rules::Violation`]s comes
//! out. Only [`git`] touches a repository, and it only gathers that data.
#![deny(missing_docs)]

pub mod check;
pub mod classify;
pub mod discover;
pub mod encoding;
pub mod git;
pub mod history;
pub mod hook;
pub mod index_file;
pub mod maintainers;
pub mod message;
pub mod object;
pub mod parallel;
pub mod patch;
pub mod plumbing;
pub mod policy;
pub mod provenance;
pub mod report;
pub mod revlist;
pub mod rules;
pub mod server;
pub mod shown;
pub mod tiermap;
pub mod trailer;
