//! `tiergate check-patch` (not implemented yet).

use crate::exit::Outcome;
use crate::Global;

/// Arguments of `tiergate check-patch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Arguments
    #[arg(allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

/// Run `tiergate check-patch`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let _ = (global, args);
    Err(crate::exit::usage(
        "`tiergate check-patch` is not implemented yet",
        None,
    ))
}
