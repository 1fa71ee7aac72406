//! `tiergate policy validate|init|doc|lint`.

use crate::exit::{usage, Outcome};
use crate::{Format, Global};
use anyhow::Context as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use tiergate_core::policy::{self, Policy};

/// `tiergate policy` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check a policy file and report every problem in it
    ///
    /// Every problem is reported with its file, line and column and what
    /// would be valid; the exit code is 2 if there is any.
    Validate {
        /// Policy file [default: the policy tiergate would use]
        file: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t)]
        format: crate::TextFormat,
    },
    /// Print a documented starter policy
    ///
    /// Every key is shown with its default and a comment; adapt the tiers
    /// to the repository, then check the result with `tiergate policy
    /// validate`.
    Init {
        /// Write the starter policy to FILE instead of stdout (never
        /// overwrites an existing file)
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Derive the tiers from a Linux/QEMU-style MAINTAINERS file
        #[command(flatten)]
        maintainers: super::maintainers::InitArgs,
    },
    /// Render the policy as a contributor guide (Markdown or HTML)
    Doc(super::policy_doc::Args),
    /// Print the JSON Schema of policy.yaml, for editors
    ///
    /// Save it beside the policy and point the editor at it (YAML language
    /// server: a first line `# yaml-language-server: $schema=policy.schema.json`).
    Schema,
    /// Check the policy against the tree it guards
    ///
    /// Warns about `paths` patterns that match no file at REV, patterns
    /// whose every file an earlier tier takes, and `except` entries that
    /// take nothing out of their tier, each with its line in the policy and
    /// a fix; notes directories whose files are split across tiers and the
    /// files no pattern names (the default tier). Exit 1 when there is a
    /// warning, for CI.
    Lint(super::policy_lint::Args),
}

/// Run `tiergate policy ...`.
pub fn run(global: &Global, command: Command) -> anyhow::Result<Outcome> {
    match command {
        Command::Validate { file, .. } => validate(global, file.as_deref()),
        Command::Init {
            output,
            maintainers,
        } if maintainers.is_requested() => {
            super::maintainers::init(global, output.as_deref(), maintainers)
        }
        Command::Init { output, .. } => init(output.as_deref()),
        Command::Doc(args) => super::policy_doc::run(global, args),
        Command::Lint(args) => super::policy_lint::run(global, args),
        Command::Schema => {
            let mut out = std::io::stdout().lock();
            out.write_all(policy::SCHEMA.as_bytes())
                .and_then(|()| out.flush())
                .context("cannot write to stdout")?;
            Ok(Outcome::Pass)
        }
    }
}

fn validate(global: &Global, file: Option<&Path>) -> anyhow::Result<Outcome> {
    let policy = match file {
        Some(path) => policy::load_file(path)?,
        None => crate::context::policy_for(global)?,
    };
    let line = match global.format {
        Format::Human if global.quiet => return Ok(Outcome::Pass),
        Format::Json => json_summary(&policy).to_string(),
        _ => summary(&policy),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").context("cannot write to stdout")?;
    Ok(Outcome::Pass)
}

/// `policy.yaml: valid (3 tiers: critical, core, open)`.
fn summary(policy: &Policy) -> String {
    let names: Vec<&str> = policy.tiers.iter().map(|t| t.name.as_str()).collect();
    let count = names.len();
    let plural = if count == 1 { "" } else { "s" };
    format!(
        "{}: valid ({count} tier{plural}: {})",
        policy.source,
        names.join(", ")
    )
}

fn json_summary(policy: &Policy) -> serde_json::Value {
    let tiers: Vec<&str> = policy.tiers.iter().map(|t| t.name.as_str()).collect();
    let default_tier = policy
        .tiers
        .get(policy.default_tier)
        .map(|t| t.name.as_str());
    serde_json::json!({
        "source": policy.source,
        "valid": true,
        "tiers": tiers,
        "default_tier": default_tier,
    })
}

fn init(output: Option<&Path>) -> anyhow::Result<Outcome> {
    let Some(path) = output else {
        let mut out = std::io::stdout().lock();
        out.write_all(policy::STARTER.as_bytes())
            .and_then(|()| out.flush())
            .context("cannot write to stdout")?;
        return Ok(Outcome::Pass);
    };
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(usage(
                format!("refusing to overwrite {}", path.display()),
                Some(&format!(
                    "Remove {} first, or run `tiergate policy init` to print the starter policy to stdout.",
                    path.display()
                )),
            ));
        }
        Err(err) => {
            return Err(anyhow::Error::new(err).context(format!("cannot create {}", path.display())))
        }
    };
    file.write_all(policy::STARTER.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Outcome::Pass)
}
