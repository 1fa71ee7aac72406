//! One module per subcommand: each has `Args` (clap) and `run`.

pub mod check;
pub mod classify;
pub mod explain;
pub mod hook;
pub mod policy;
pub mod trailers;
