//! `tiergate classify PATH...`: print the tier of each path.

pub(crate) mod tree;

use crate::context;
use crate::exit::{usage, Outcome};
use crate::rev_args::RevArgs;
use crate::{Format, Global};
use serde_json::json;
use std::ffi::OsString;
use std::io::Write;
use tiergate_core::classify::Reason;
use tiergate_core::policy::{Pattern, Policy};

/// Arguments of `tiergate classify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repository-relative paths (`/`-separated, as git shows them; they need
    /// not exist; after `--` when one starts with `-`); with `--rev`,
    /// revisions and git's commit-selecting options
    #[command(flatten)]
    pub paths: RevArgs,
    /// Take rev-list arguments (`--rev --all`, `--rev main..topic`) instead of
    /// paths and print, for every commit, `<commit-id> <tier>[,<tier>...]`:
    /// the tiers its changed paths fall in (`-` for a commit that changes
    /// nothing)
    #[arg(long, conflicts_with = "explain")]
    pub rev: bool,
    /// Say which tier and which pattern decided, and which `except`
    /// patterns kept the path out of earlier tiers
    #[arg(long)]
    pub explain: bool,
    /// List the directories of the tree at REV [default: HEAD] with their
    /// tier, collapsing subtrees whose files all share one tier
    #[arg(
        long,
        value_name = "REV",
        num_args = 0..=1,
        default_missing_value = "HEAD",
        conflicts_with_all = ["rev", "explain", "revs", "after-dashes"]
    )]
    pub tree: Option<String>,
    /// With --tree: write a tree map of the tiers (self-contained HTML, area
    /// = number of files, colour = tier) to FILE instead of the listing
    #[arg(long, value_name = "FILE", requires = "tree")]
    pub html: Option<std::path::PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::TextFormat,
}

/// Run `tiergate classify`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<Outcome> {
    if let Some(rev) = &args.tree {
        return tree::run(global, rev, args.html.as_deref());
    }
    if args.rev {
        // Only options (`--since=2.weeks`): from HEAD, as `git log`.
        let revs = tiergate_core::repo::default_to_head(&args.paths.args);
        return run_revs(global, &revs);
    }
    if args.paths.has_options {
        return Err(usage(
            "git rev-list options need `--rev`: without it, tiergate classify takes paths",
            Some("Run `tiergate classify --rev <rev-range>` for the tiers of commits, or put paths that start with `-` after `--`."),
        ));
    }
    let paths = args.paths.without_dashes();
    if paths.is_empty() {
        return Err(usage(
            "no paths to classify",
            Some("Name paths (`tiergate classify hw/virtio/net.c`), or use `--rev <rev-range>` or `--tree`."),
        ));
    }
    let repo = context::open_repo(global).ok();
    let loaded = context::load_policy(global, repo.as_ref())?;
    let classifier = loaded.classifier_around(repo.as_ref())?;
    let policy = &loaded.policy;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut json_paths = Vec::new();
    for path in &paths {
        let bytes = path.as_encoded_bytes();
        let shown = String::from_utf8_lossy(bytes);
        let found = classifier.explain(policy, bytes);
        let tier = &policy.tiers[found.tier].name;
        let (pattern, why) = describe(policy, tier, &found.reason);
        match global.format {
            Format::Json => json_paths.push(json!({
                "path": shown,
                "tier": tier,
                "pattern": pattern,
                "reason": reason_code(&found.reason),
                "excepted_by": found.excepted_by.iter().map(|(t, p)| json!({
                    "tier": policy.tiers[*t].name, "pattern": p.text,
                })).collect::<Vec<_>>(),
            })),
            Format::Human if args.explain => {
                out.write_all(bytes)?;
                writeln!(out, ": tier {tier}, by {why}")?;
                for (t, p) in &found.excepted_by {
                    writeln!(
                        out,
                        "  not in tier {}: excepted by '{}' at {}:{}:{}",
                        policy.tiers[*t].name, p.text, policy.source, p.line, p.column
                    )?;
                }
            }
            _ => {
                out.write_all(bytes)?;
                writeln!(out, "\t{tier}")?;
            }
        }
    }
    if global.format == Format::Json {
        writeln!(out, "{}", json!({ "paths": json_paths }))?;
    }
    Ok(Outcome::Pass)
}

/// The pattern that decided (as written) and the `--explain` words for
/// `reason`, which put the path in tier `tier`.
fn describe(policy: &Policy, tier: &str, reason: &Reason) -> (Option<String>, String) {
    let at = |p: &Pattern| format!("'{}' at {}:{}:{}", p.text, policy.source, p.line, p.column);
    match reason {
        Reason::Pattern(p) => (Some(p.text.clone()), format!("pattern {}", at(p))),
        Reason::PolicyFile => (
            None,
            "the policy file itself (or a directory above it) is always in the strictest tier"
                .to_owned(),
        ),
        Reason::Default => (None, "no tier matches: default_tier".to_owned()),
        Reason::TierDirectory {
            pattern,
            directory,
            named: true,
        } => (
            Some(pattern.text.clone()),
            format!(
                "non-directory entry at the path of tier {tier}'s directory `{directory}/` (pattern {}): a symlink, file or submodule here replaces the directory",
                at(pattern)
            ),
        ),
        Reason::TierDirectory {
            pattern,
            directory,
            named: false,
        } => (
            Some(pattern.text.clone()),
            format!(
                "non-directory entry at the path of `{directory}`, a directory above tier {tier}'s pattern {}: a symlink, file or submodule here replaces the directory",
                at(pattern)
            ),
        ),
        Reason::Included { included_by } => {
            let shown: Vec<&str> = included_by.iter().take(3).map(String::as_str).collect();
            let more = match included_by.len().saturating_sub(shown.len()) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            (
                None,
                format!(
                    "follow_includes: included only by tier {tier}'s code ({}{more})",
                    shown.join(", ")
                ),
            )
        }
        Reason::Lookalike { form, reason } => {
            let (pattern, why) = describe(policy, tier, reason);
            (
                pattern,
                format!(
                    "look-alike path: case-insensitive or normalising file systems (macOS, Windows) check it out as `{form}`; there it is in tier {tier}: {why}"
                ),
            )
        }
    }
}

/// The `reason` field of `classify --format json`.
fn reason_code(reason: &Reason) -> &'static str {
    match reason {
        Reason::Pattern(_) => "pattern",
        Reason::PolicyFile => "policy-file",
        Reason::Default => "default",
        Reason::TierDirectory { .. } => "tier-directory",
        Reason::Lookalike { .. } => "lookalike",
        Reason::Included { .. } => "follow-includes",
    }
}

/// `tiergate classify --rev <range>`: the tiers of every commit. This needs
/// every commit's changed paths: the worst case of the engine.
fn run_revs(global: &Global, revs: &[OsString]) -> anyhow::Result<Outcome> {
    let (repo, loaded) = context::open_with_policy(global)?;
    let classifier = loaded.classifier_in(&repo)?;
    let policy = &loaded.policy;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut json_commits = Vec::new();
    let mut write_error = None;
    repo.classify(&classifier, revs, |id, tiers| {
        let names: Vec<&str> = tiers
            .iter()
            .map(|&t| policy.tiers[t].name.as_str())
            .collect();
        let written = match global.format {
            Format::Json => {
                json_commits.push(json!({ "id": id, "tiers": names }));
                Ok(())
            }
            _ if names.is_empty() => writeln!(out, "{id} -"),
            _ => writeln!(out, "{id} {}", names.join(",")),
        };
        if let Err(e) = written {
            write_error.get_or_insert(e);
        }
    })
    .map_err(|e| context::repo_error(e, None))?;
    finish_revs(global, out, write_error, json_commits)
}

/// The end of [`run_revs`]: the JSON document, or the first write error.
fn finish_revs(
    global: &Global,
    mut out: impl Write,
    write_error: Option<std::io::Error>,
    json_commits: Vec<serde_json::Value>,
) -> anyhow::Result<Outcome> {
    if let Some(e) = write_error {
        return Err(anyhow::Error::new(e).context("cannot write to stdout"));
    }
    if global.format == Format::Json {
        writeln!(out, "{}", json!({ "commits": json_commits }))?;
    }
    out.flush()?;
    Ok(Outcome::Pass)
}
