//! `tiergate report` (not implemented yet).

use crate::exit::Outcome;
use crate::Global;

/// Arguments of `tiergate report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Arguments
    #[arg(allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

/// Run `tiergate report`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let _ = (global, args);
    Err(crate::exit::usage(
        "`tiergate report` is not implemented yet",
        None,
    ))
}
