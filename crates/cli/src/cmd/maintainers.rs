//! `tiergate policy init --from-maintainers FILE` (not implemented yet).

use crate::exit::Outcome;
use crate::Global;
use std::path::{Path, PathBuf};

/// The `--from-maintainers` options of `tiergate policy init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Derive the tiers from this MAINTAINERS file
    #[arg(long, value_name = "FILE")]
    pub from_maintainers: Option<PathBuf>,
}

impl InitArgs {
    /// Whether `--from-maintainers` was given.
    pub fn is_requested(&self) -> bool {
        self.from_maintainers.is_some()
    }
}

/// Run `tiergate policy init --from-maintainers`.
pub fn init(global: &Global, output: Option<&Path>, args: InitArgs) -> anyhow::Result<Outcome> {
    let _ = (global, output, args);
    Err(crate::exit::usage(
        "`--from-maintainers` is not implemented yet",
        None,
    ))
}
