//! `tiergate completions` (not implemented yet).

use crate::exit::Outcome;
use crate::Global;

/// Arguments of `tiergate completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Arguments
    #[arg(allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

/// Run `tiergate completions`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let _ = (global, args);
    Err(crate::exit::usage(
        "`tiergate completions` is not implemented yet",
        None,
    ))
}

/// Arguments of `tiergate man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {}

/// Run `tiergate man`.
pub fn man(global: &Global, args: ManArgs) -> anyhow::Result<Outcome> {
    let _ = (global, args);
    Err(crate::exit::usage(
        "`tiergate man` is not implemented yet",
        None,
    ))
}
