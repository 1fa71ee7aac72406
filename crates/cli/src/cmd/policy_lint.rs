//! `tiergate policy lint [FILE] [--rev REV]`: the policy checked against
//! the tree it guards (see [`tiergate_core::policy::lint`]): patterns that
//! match nothing, patterns shadowed by earlier tiers, `except` entries that
//! except nothing (warnings: exit 1), directories split across tiers and
//! files left to the default tier (notes).

use crate::context;
use crate::exit::Outcome;
use crate::{Format, Global};
use anyhow::Context as _;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use tiergate_core::policy::lint::{self, Lint};
use tiergate_core::policy::{self, Policy};

/// Arguments of `tiergate policy lint`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy file [default: the policy tiergate would use]
    file: Option<PathBuf>,
    /// The tree to lint against: a commit, branch or tag
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    rev: String,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::TextFormat,
}

/// Directories split across tiers listed in human output; more are counted.
const SPLIT_LISTED: usize = 10;

/// Run `tiergate policy lint`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let repo = context::open_repo(global)?;
    let (policy, policy_path) = match &args.file {
        Some(path) => (policy::load_file(path)?, None),
        None => {
            let loaded = context::load_policy(global, Some(&repo))?;
            (loaded.policy, loaded.repo_path)
        }
    };
    let mut files: Vec<Vec<u8>> = Vec::new();
    let commit = repo
        .for_each_tree_file(&args.rev, |path| files.push(path.to_vec()))
        .map_err(|e| context::repo_error(e, Some(context::COMMIT_HINT)))?;
    let lint = lint::lint(
        &policy,
        policy_path.as_deref(),
        files.iter().map(Vec::as_slice),
    )
    .context("cannot compile the policy's patterns")?;
    // Name the policy as the repository does when it lives there, so the
    // locations read the same on every clone.
    let shown = match &policy_path {
        Some(path) => String::from_utf8_lossy(path).into_owned(),
        None => policy.source.clone(),
    };
    let text = match global.format {
        Format::Json => {
            let doc = serde_json::json!({
                "policy": shown,
                "rev": args.rev,
                "commit": commit,
                "lint": lint,
            });
            format!("{doc}\n")
        }
        _ if global.quiet && lint.findings.is_empty() => String::new(),
        _ => human(&policy, &shown, &lint, &args.rev, &commit),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(if lint.findings.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Violations
    })
}

/// cargo-deny-like blocks: the warning, where it is written, how to fix it;
/// then the notes and a summary line.
fn human(policy: &Policy, shown: &str, lint: &Lint, rev: &str, commit: &str) -> String {
    let mut out = String::new();
    for f in &lint.findings {
        let _ = writeln!(out, "warning[{}]: {}", f.code(), f.message());
        if f.line > 0 {
            let _ = writeln!(out, "  --> {shown}:{}:{}", f.line, f.column);
        }
        let _ = writeln!(out, "  = fix: {}\n", f.fix());
    }
    let splits = &lint.split_directories;
    if !splits.is_empty() {
        let _ = writeln!(
            out,
            "note: {} director{} with files in more than one tier (deliberate, or a pattern to widen):",
            splits.len(),
            if splits.len() == 1 { "y" } else { "ies" }
        );
        let width = splits
            .iter()
            .take(SPLIT_LISTED)
            .map(|d| shown_dir(&d.path).len())
            .max()
            .unwrap_or(0);
        for dir in splits.iter().take(SPLIT_LISTED) {
            let tiers: Vec<String> = dir.files.iter().map(|(t, n)| format!("{t} {n}")).collect();
            let _ = writeln!(
                out,
                "  {:width$}  {}",
                shown_dir(&dir.path),
                tiers.join(", ")
            );
        }
        if splits.len() > SPLIT_LISTED {
            let _ = writeln!(
                out,
                "  ... and {} more (`--format json` lists them all)",
                splits.len() - SPLIT_LISTED
            );
        }
    }
    if lint.default_files > 0 {
        let default = policy
            .tiers
            .get(policy.default_tier)
            .map_or("?", |t| t.name.as_str());
        let top: Vec<String> = lint
            .default_top
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "note: {} of {} files are named by no pattern and are in the default tier '{default}': {}",
            lint.default_files,
            lint.files,
            top.join(", ")
        );
    }
    let short = commit.get(..12).unwrap_or(commit);
    let count = lint.findings.len();
    let _ = writeln!(
        out,
        "{shown} against {rev} ({short}, {} files): {}",
        lint.files,
        match count {
            0 => "no warnings".to_owned(),
            1 => "1 warning".to_owned(),
            n => format!("{n} warnings"),
        }
    );
    out
}

fn shown_dir(path: &str) -> &str {
    if path.is_empty() {
        "(top)"
    } else {
        path
    }
}
