//! `tiergate explain`.

use crate::exit::Outcome;
use crate::Global;

/// Arguments of `tiergate explain`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `tiergate explain`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let _ = (global, args);
    anyhow::bail!("not implemented yet")
}
