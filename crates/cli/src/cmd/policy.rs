//! `tiergate policy validate|init`.

use crate::exit::Outcome;
use crate::Global;

/// `tiergate policy` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check a policy file and report every problem in it
    Validate {
        /// Policy file [default: the policy tiergate would use]
        file: Option<std::path::PathBuf>,
    },
    /// Print a documented starter policy
    Init,
}

/// Run `tiergate policy ...`.
pub fn run(global: &Global, command: Command) -> anyhow::Result<Outcome> {
    let _ = (global, command);
    anyhow::bail!("not implemented yet")
}
