//! `tiergate classify`.

use crate::exit::Outcome;
use crate::Global;

/// Arguments of `tiergate classify`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `tiergate classify`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let _ = (global, args);
    anyhow::bail!("not implemented yet")
}
