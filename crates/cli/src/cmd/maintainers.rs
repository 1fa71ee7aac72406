//! `tiergate policy init --from-maintainers FILE`: propose a policy from a
//! Linux/QEMU-style MAINTAINERS file (see
//! [`tiergate_core::maintainers`] for how sections and patterns are read).
//!
//! Which sections become the `critical` tier (`ai: forbidden`) is chosen
//! by `--critical-section REGEX` (on section titles) and
//! `--critical-status STATUS` (the `S:` line), both repeatable;
//! `--open-section REGEX` chooses sections for the `open` tier (the
//! documentation and test directories the file names are open anyway).
//! Everything else is `core`. The proposal is checked with the policy
//! validator before it is printed (or written with `--output`).

use crate::exit::{usage, Outcome};
use crate::Global;
use anyhow::Context as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use tiergate_core::{maintainers, policy};

/// The `--from-maintainers` options of `tiergate policy init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Derive the tiers from this MAINTAINERS file (Linux/QEMU format)
    #[arg(long, value_name = "FILE")]
    pub from_maintainers: Option<PathBuf>,
    /// Sections whose title matches REGEX are critical (ai: forbidden);
    /// repeatable. Example: --critical-section '^CRYPTO|VIRTIO'
    #[arg(long, value_name = "REGEX", requires = "from_maintainers")]
    pub critical_section: Vec<String>,
    /// Sections with this S: status are critical (Supported, Maintained,
    /// "Odd Fixes", Orphan, Obsolete; case-insensitive, a prefix counts);
    /// repeatable
    #[arg(long, value_name = "STATUS", requires = "from_maintainers")]
    pub critical_status: Vec<String>,
    /// Sections whose title matches REGEX are open (ai: allowed, no extra
    /// trailers); repeatable
    #[arg(long, value_name = "REGEX", requires = "from_maintainers")]
    pub open_section: Vec<String>,
}

impl InitArgs {
    /// Whether `--from-maintainers` was given.
    pub fn is_requested(&self) -> bool {
        self.from_maintainers.is_some()
    }
}

/// Run `tiergate policy init --from-maintainers`.
pub fn init(_global: &Global, output: Option<&Path>, args: InitArgs) -> anyhow::Result<Outcome> {
    let Some(file) = &args.from_maintainers else {
        return Err(usage("--from-maintainers FILE is required", None));
    };
    let text = std::fs::read(file).map_err(|e| {
        usage(
            format!("cannot read {}: {e}", file.display()),
            Some("Name the project's MAINTAINERS file."),
        )
    })?;
    let text = String::from_utf8_lossy(&text);
    let options = maintainers::Options {
        critical_sections: args.critical_section,
        critical_status: args.critical_status,
        open_sections: args.open_section,
    };
    let source = file.display().to_string();
    let proposal = match maintainers::propose(&text, &source, &options) {
        Ok(p) => p,
        Err(e @ maintainers::Error::NoCritical { .. }) => {
            return Err(usage(
                e.to_string(),
                Some("Choose the critical sections with `--critical-section REGEX` (section titles) or `--critical-status STATUS` (S: lines), e.g. `--critical-section '^CRYPTO'`."),
            ))
        }
        Err(e) => return Err(usage(e.to_string(), None)),
    };
    // The proposal must be a valid policy: check it as `policy validate`
    // would.
    policy::from_yaml(proposal.yaml.as_bytes(), "<proposed policy>")
        .context("internal error: the proposed policy does not validate")?;
    tracing::info!(critical = ?proposal.critical, open = ?proposal.open, "proposed");
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(proposal.yaml.as_bytes())
                .and_then(|()| out.flush())
                .context("cannot write to stdout")?;
        }
        Some(path) => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        usage(
                            format!("refusing to overwrite {}", path.display()),
                            Some("Remove it first, or leave out --output to print the policy."),
                        )
                    } else {
                        anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
                    }
                })?;
            f.write_all(proposal.yaml.as_bytes())
                .and_then(|()| f.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(Outcome::Pass)
}
