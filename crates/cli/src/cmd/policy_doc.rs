//! `tiergate policy doc` (not implemented yet).

use crate::exit::Outcome;
use crate::Global;

/// Arguments of `tiergate policy doc`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `tiergate policy doc`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let _ = (global, args);
    Err(crate::exit::usage(
        "`tiergate policy doc` is not implemented yet",
        None,
    ))
}
