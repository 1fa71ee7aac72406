//! One module per subcommand: each has `Args` (clap) and `run`.

pub mod boundary;
pub mod check;
pub mod check_patch;
pub mod classify;
pub mod completions;
pub mod explain;
pub mod fix;
pub mod hook;
pub mod install;
pub mod maintainers;
pub mod markers;
pub mod policy;
pub mod policy_doc;
pub mod policy_lint;
pub mod report;
pub mod show;
pub mod trailers;
