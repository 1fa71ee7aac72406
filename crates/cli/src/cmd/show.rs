//! `tiergate show` (not implemented yet).

use crate::exit::Outcome;
use crate::Global;

/// Arguments of `tiergate show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Arguments
    #[arg(allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

/// Run `tiergate show`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let _ = (global, args);
    Err(crate::exit::usage(
        "`tiergate show` is not implemented yet",
        None,
    ))
}
