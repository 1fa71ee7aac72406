//! # tiergate-core
//!
//! Everything in tiergate that *decides*: policy loading and validation
//! ([`policy`]), path classification into tiers ([`classify`]), a trailer
//! parser that agrees with git byte for byte ([`trailer`]), commit message
//! cleanup as `git commit --cleanup` does it ([`message`]), the rule engine
//! ([`rules`]), reading commits and their changed paths from a repository
//! ([`repo`]) and rendering verdicts ([`report`]).
//!
//! Decisions are pure functions over plain data: a commit's message,
//! identities and changed paths go in, a list of [`rules::Violation`]s comes
//! out. Only [`repo`] touches a repository, and it only gathers that data.
#![deny(missing_docs)]

pub mod boundary;
pub mod check;
pub mod classify;
pub mod declare;
pub mod encoding;
pub mod history;
pub mod hook;
pub mod junit;
pub mod maintainers;
pub mod message;
pub mod patch;
pub mod policy;
pub mod provenance;
pub mod repo;
pub mod report;
pub mod rules;
pub mod sarif;
pub mod server;
pub mod stage;
pub mod tiermap;
pub mod trailer;
